from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("session status", "Planned")
    HELD = "held", pgettext_lazy("session status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")


class ParticipationRole(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    SPEAKER = "speaker", _("Speaker")
    PARTICIPANT = "participant", _("Participant")

    @classmethod
    def import_words(cls):
        """Other words a spreadsheet may hold for each choice (compared folded)."""
        return {
            cls.ORGANISER: ["organizador", "organizadora", "organizer", "organización"],
            cls.SPEAKER: ["ponente", "expositor", "expositora", "panelista", "conferencista"],
            cls.PARTICIPANT: ["participante", "asistente", "attendee"],
        }


class MinutesStatus(models.TextChoices):
    """draft -> circulated to participants -> approved -> summary published."""

    DRAFT = "draft", pgettext_lazy("minutes status", "Draft")
    CIRCULATED = "circulated", pgettext_lazy("minutes status", "Circulated to participants")
    APPROVED = "approved", pgettext_lazy("minutes status", "Approved")
    PUBLISHED = "published", pgettext_lazy("minutes status", "Summary published")


class AgreementStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("agreement status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("agreement status", "In progress")
    DONE = "done", pgettext_lazy("agreement status", "Done")
    DROPPED = "dropped", pgettext_lazy("agreement status", "Dropped")

    @classmethod
    def pending(cls):
        """Agreements still to follow up at the next session."""
        return [cls.OPEN, cls.IN_PROGRESS]
