from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sector(models.TextChoices):
    MUNICIPAL_GOVERNMENT = "municipal_government", _("Municipal government")
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    INTERNATIONAL_COOPERATION = (
        "international_cooperation",
        _("International cooperation / organisation"),
    )
    ACADEMIA = "academia", _("Academia")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    COMMUNITY_ORGANISATION = "community_organisation", _("Community organisation")
    FAITH_BASED = "faith_based", _("Faith-based organisation")


class Sex(models.TextChoices):
    # Recorded for the donor's disaggregated figures only.
    FEMALE = "female", pgettext_lazy("sex", "Female")
    MALE = "male", pgettext_lazy("sex", "Male")
    NOT_STATED = "not_stated", _("Prefers not to say")

    @classmethod
    def import_words(cls):
        """Other words a spreadsheet may hold for each choice (compared folded)."""
        return {
            cls.FEMALE: ["F", "fem", "mujer", "femenino", "femenina", "woman"],
            cls.MALE: ["M", "masc", "hombre", "masculino", "varón", "man"],
            cls.NOT_STATED: [
                "prefiere no decir",
                "prefiero no decir",
                "prefiero no decirlo",
                "prefer not to say",
                "no indica",
                "no especifica",
                "NS/NR",
            ],
        }


class ConsentBasis(models.TextChoices):
    WRITTEN = "written", _("Written consent")
    ELECTRONIC = "electronic", _("Electronic consent (form or e-mail)")
    VERBAL_RECORDED = "verbal_recorded", _("Verbal consent, recorded")
    INSTITUTIONAL_AGREEMENT = "institutional_agreement", _("Institutional agreement")


class NetworkKind(models.TextChoices):
    LOCAL_NETWORK = "local_network", _("Local network")
    CROSS_BORDER_TABLE = "cross_border_table", _("Cross-border technical table")


class NetworkStatus(models.TextChoices):
    FORMING = "forming", pgettext_lazy("network status", "Forming")
    ACTIVE = "active", pgettext_lazy("network status", "Active")
    DORMANT = "dormant", pgettext_lazy("network status", "Dormant")
    CLOSED = "closed", pgettext_lazy("network status", "Closed")


class MembershipRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinator")
    TECHNICAL_SECRETARIAT = "technical_secretariat", _("Technical secretariat")
    MEMBER = "member", pgettext_lazy("membership role", "Member")
    OBSERVER = "observer", _("Observer")

    @classmethod
    def import_words(cls):
        """Other words a spreadsheet may hold for each choice (compared folded)."""
        return {
            cls.COORDINATOR: ["coordinador", "coordinadora", "coordinador/a", "coord"],
            cls.CO_COORDINATOR: [
                "cocoordinador",
                "cocoordinadora",
                "co-coordinador",
                "co-coordinadora",
                "co-coordinador/a",
            ],
            cls.TECHNICAL_SECRETARIAT: ["secretario técnico", "secretaria técnica", "ST"],
            cls.MEMBER: ["miembro", "miembra", "integrante", "member"],
            cls.OBSERVER: ["observador", "observadora", "observador/a"],
        }

    @classmethod
    def coordinating(cls):
        """Roles whose open seat manages the network's records (``networks.access``).

        The technical secretariat supports the table but does not manage its people."""
        return [cls.COORDINATOR, cls.CO_COORDINATOR]
