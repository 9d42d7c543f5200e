"""The registry: geography, institutions, people and the networks they form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from common.languages import localized

from .access import AccessQuerySet, Scope
from .enums import ConsentBasis, MembershipRole, NetworkKind, NetworkStatus, Sector, Sex


class BilingualNameMixin(models.Model):
    """A proper name kept in Spanish and English; ``name`` follows the active language."""

    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self.name_es, self.name_en)


# Geography ----------------------------------------------------------------------


class Country(BilingualNameMixin):
    code = models.CharField(
        _("ISO 3166-1 code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use the two capital letters of ISO 3166-1."))],
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_es"]

    def natural_key(self):
        return (self.code,)


class Department(models.Model):
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="departments", verbose_name=_("country")
    )
    code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["country__name_es", "name"]

    def __str__(self):
        return self.name


class MunicipalityQuerySet(AccessQuerySet):
    access_scope = Scope(public=True)

    def with_geography(self):
        return self.select_related("department__country")

    def current(self):
        """Municipalities that exist today (not merged away by a reform)."""
        return self.filter(valid_until__isnull=True)

    def border(self):
        return self.filter(is_border=True)

    def in_country(self, code):
        return self.filter(department__country__code=code)


class Municipality(models.Model):
    """A municipality, including ones abolished by a territorial reform.

    El Salvador merged its 262 municipalities into 44 in 2024; the old ones became
    districts. Records from before the reform name the old municipality, so it is kept
    with ``valid_until`` set and ``successor`` pointing at the municipality it is now
    a district of.
    """

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=200)
    official_code = models.CharField(
        _("official code"),
        max_length=10,
        blank=True,
        help_text=_("National statistics code, e.g. 0404 for Citalá (El Salvador, before 2024)."),
    )
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    is_border = models.BooleanField(_("border municipality"), default=False)
    borders_with = models.ManyToManyField(
        Country,
        blank=True,
        related_name="bordering_municipalities",
        verbose_name=_("borders with"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    valid_from = models.DateField(
        _("municipality since"), null=True, blank=True, help_text=_("Leave empty if long-standing.")
    )
    valid_until = models.DateField(
        _("municipality until"),
        null=True,
        blank=True,
        help_text=_("Last day as a municipality, when a reform merged it into another."),
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="districts",
        verbose_name=_("now a district of"),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "department",
                Lower("name"),
                name="municipality_name_unique_in_department",
                violation_error_message=_(
                    "This department already has a municipality by that name."
                ),
            ),
            models.UniqueConstraint(
                fields=["department", "official_code"],
                condition=~Q(official_code=""),
                name="municipality_code_unique_in_department",
                violation_error_message=_("Another municipality already has this official code."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="municipality_validity_ordered",
                violation_error_message=_("The end of validity cannot precede its start."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_until__isnull=False),
                name="municipality_successor_needs_end",
                violation_error_message=_(
                    "Only a municipality that ceased to exist can be a district of another."
                ),
            ),
        ]
        indexes = [models.Index(fields=["is_border"], name="municipality_border_idx")]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("networks:municipality-detail", kwargs={"slug": self.slug})

    @property
    def country(self):
        return self.department.country

    @property
    def is_current(self):
        return self.valid_until is None or self.valid_until >= timezone.localdate()

    def clean(self):
        super().clean()
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": _("A municipality cannot be its own successor.")})
        if self.successor_id and self.successor.department.country_id != self.department.country_id:
            raise ValidationError({"successor": _("The successor must be in the same country.")})


class BorderCrossing(models.Model):
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="crossings",
        verbose_name=_("municipality"),
    )
    leads_to = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leads to"),
    )

    class Meta:
        verbose_name = _("border crossing")
        verbose_name_plural = _("border crossings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="crossing_unique_in_municipality"
            )
        ]

    def __str__(self):
        return self.name


# Institutions and people -----------------------------------------------------------------


class InstitutionQuerySet(AccessQuerySet):
    # Institutions are public (pages name them); coordinators may register new ones.
    access_scope = Scope(public=True, coordinators=frozenset({"add"}))


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("country")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("municipality"),
    )
    website = models.URLField(_("website"), blank=True)

    objects = InstitutionQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="institution_name_ci_unique",
                violation_error_message=_("An institution with this name already exists."),
            )
        ]
        indexes = [models.Index(fields=["sector"], name="institution_sector_idx")]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def clean(self):
        super().clean()
        if (
            self.municipality_id
            and self.country_id
            and self.municipality.department.country_id != self.country_id
        ):
            raise ValidationError(
                {"municipality": _("The municipality is not in the institution's country.")}
            )


class PersonQuerySet(AccessQuerySet):
    # Personal data: staff by permission, and the coordinators of the networks the person
    # sits or sat in (a former member stays in the network's history), never the public.
    access_scope = Scope(
        network="memberships__network",
        coordinators=frozenset({"view", "add", "change", "export", "import"}),
    )


class Person(models.Model):
    """A member of a network. Everything here is personal data: never shown publicly."""

    first_name = models.CharField(_("first names"), max_length=150)
    last_name = models.CharField(_("last names"), max_length=150)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("current institution"),
    )
    consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    consent_basis = models.CharField(
        _("basis of consent"), max_length=30, choices=ConsentBasis.choices, blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_ci_unique",
                violation_error_message=_("Another person already has this e-mail address."),
            ),
            models.CheckConstraint(
                condition=Q(consent_date__isnull=True, consent_basis="")
                | (Q(consent_date__isnull=False) & ~Q(consent_basis="")),
                name="person_consent_complete",
                violation_error_message=_(
                    "Give both the date and the basis of consent, or neither."
                ),
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"], name="person_name_idx")]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()


# Programmes and networks -------------------------------------------------------------------


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=250, unique=True)
    donor = models.CharField(_("donor"), max_length=250, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="programme_dates_ordered",
                violation_error_message=_("The end date cannot precede the start date."),
            )
        ]

    def __str__(self):
        return self.name


def validate_network_municipalities(kind, municipalities):
    """The rule every path in shares: a cross-border table spans two countries at least."""
    if kind != NetworkKind.CROSS_BORDER_TABLE:
        return
    countries = {municipality.department.country_id for municipality in municipalities}
    if len(countries) < 2:
        raise ValidationError(
            {
                "municipalities": _(
                    "A cross-border technical table must join municipalities of at least "
                    "two countries."
                )
            },
            code="single_country_table",
        )


class NetworkQuerySet(AccessQuerySet):
    # The directory is public; coordinators edit their network's public profile.
    access_scope = Scope(
        network="", public=True, coordinators=frozenset({"view", "change", "export"})
    )

    def for_directory(self):
        return self.select_related("programme").prefetch_related(
            models.Prefetch(
                "municipalities",
                queryset=Municipality.objects.with_geography()
                .select_related("successor")
                .order_by("name"),
            )
        )

    def of_kind(self, kind):
        return self.filter(kind=kind)

    def in_country(self, code):
        """Networks with at least one municipality in the country ``code`` (ISO 3166-1)."""
        return self.filter(
            pk__in=Network.municipalities.through.objects.filter(
                municipality__department__country__code=code
            ).values("network_id")
        )


class Network(models.Model):
    name = models.CharField(_("name"), max_length=250, unique=True)
    slug = models.SlugField(_("slug"), max_length=250, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=NetworkKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="networks", verbose_name=_("municipalities"), blank=True
    )
    description = models.TextField(
        _("public description"), blank=True, help_text=_("Shown on the public profile.")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="networks",
        verbose_name=_("programme"),
    )

    objects = NetworkQuerySet.as_manager()
    history = audited(m2m_fields=[municipalities])

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"], name="network_kind_status_idx")]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("networks:network-detail", kwargs={"slug": self.slug})

    def countries(self):
        """Countries of the network's municipalities (uses the prefetched municipalities)."""
        seen = {}
        for municipality in self.municipalities.all():
            country = municipality.department.country
            seen.setdefault(country.pk, country)
        return sorted(seen.values(), key=lambda country: country.name)


class MembershipQuerySet(AccessQuerySet):
    # Never deleted (ended instead); coordinators manage their networks' seats.
    access_scope = Scope(
        network="network",
        coordinators=frozenset({"view", "add", "change", "export", "import"}),
    )

    def open(self):
        return self.filter(end_date__isnull=True)

    def active_on(self, day):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Membership(models.Model):
    """A person's seat in a network. Ending it keeps the history; it is never deleted."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("network")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("institution represented"),
    )
    role = models.CharField(
        _("role"), max_length=30, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "network"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_person_network",
                violation_error_message=_(
                    "This person already has an open membership in this network. "
                    "End it before starting another."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_end_not_before_start",
                violation_error_message=_("The end date cannot precede the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["network", "end_date"], name="membership_network_open_idx"),
        ]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return f"{self.person} – {self.network} ({self.get_role_display()})"

    @property
    def is_open(self):
        return self.end_date is None

    def clean(self):
        super().clean()
        if not (self.person_id and self.network_id and self.start_date):
            return
        others = (
            Membership.objects.filter(person_id=self.person_id, network_id=self.network_id)
            .exclude(pk=self.pk)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        )
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        else:
            # Two open memberships: the database constraint reports that with its own message.
            others = others.exclude(end_date__isnull=True)
        if others.exists():
            raise ValidationError(
                _("This period overlaps another membership of the same person in this network.")
            )


# Invitations to the portal ------------------------------------------------------------------


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    EXPIRED = "expired", _("Expired")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class InvitationQuerySet(AccessQuerySet):
    # Staff by permission; a coordinator sees and sends the invitations of their networks.
    access_scope = Scope(network="network", coordinators=frozenset({"view", "add"}))

    def open(self):
        """Neither accepted nor revoked (pending, or expired and waiting for a new link)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, *, now=None):
        return self.open().filter(expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An invitation to open an account on the portal, mailed to a person of the registry.

    The link carries a random key; only its SHA-256 is stored (like a password-reset token),
    so the raw key exists in the e-mail alone and, for copying, on the page of the staff
    member who made it. The link works once, until ``expires_at``. Writes go through
    ``networks.invitations``.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    email = models.EmailField(_("sent to"))
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("network"),
        help_text=_("The network the invitation was sent for."),
    )
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("link valid until"))
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    linked_existing_account = models.BooleanField(
        _("linked an existing account"),
        default=False,
        help_text=_("The address had an account already: linked, no link sent."),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    #: The link with its raw key, set by the service that made it (never stored).
    link = None

    objects = InvitationQuerySet.as_manager()
    # Out of the trail: dead keys, and the address (personal data, which
    # person_history_erase would otherwise have to find here too; the person is named).
    history = audited(excluded_fields=["key_hash", "email"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_person",
                violation_error_message=_("This person already has an open invitation."),
            )
        ]

    def __str__(self):
        return f"{self.person} <{self.email}>"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked: a new link can still be sent."""
        return self.accepted_at is None and self.revoked_at is None
