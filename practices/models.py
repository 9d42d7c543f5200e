"""Good practices shared by the networks, their taxonomies, evidence and review log."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.audit import audited
from common.languages import localized
from networks.access import AccessQuerySet, Scope
from networks.models import BilingualNameMixin, Institution, Municipality, Network

from .enums import (
    AttachmentKind,
    ContentLanguage,
    ImplementationStatus,
    PracticeType,
    ReviewStatus,
)
from .fields import IntegerArrayField
from .workflow import EDITABLE_BY_COORDINATORS

PUBLISHED = frozenset({ReviewStatus.PUBLISHED})

# Taxonomies -------------------------------------------------------------------------


class Theme(BilingualNameMixin):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name_es"]


class GCMObjective(models.Model):
    """One of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(23)]
    )
    title_es = models.CharField(_("title (Spanish)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)

    class Meta:
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def title(self):
        return localized(self.title_es, self.title_en)


class GCMPrinciple(BilingualNameMixin):
    """One of the ten cross-cutting guiding principles of the Global Compact."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)

    class Meta:
        verbose_name = _("GCM guiding principle")
        verbose_name_plural = _("GCM guiding principles")
        ordering = ["position"]


# Practices ----------------------------------------------------------------------------

# Paths under /practices/ that are not practices.
RESERVED_SLUGS = frozenset({"feed", "attachments"})


def validate_practice_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved by the portal; choose another slug."))


class PracticeQuerySet(AccessQuerySet):
    # Published practices are public. A network's coordinators see all of its practices and
    # edit them (and their files) while a draft or sent back to them; reviewers decide.
    access_scope = Scope(
        network="network",
        public={"status": PUBLISHED},
        coordinators=frozenset({"view", "add", "change", "delete", "export"}),
        coordinators_when={
            "change": {"status": EDITABLE_BY_COORDINATORS},
            "delete": {"status": {ReviewStatus.DRAFT}},
        },
    )

    def published(self):
        """The only practices that exist for the public: every public read starts here.

        The access rule's public practices (``access_scope.public``), nothing else."""
        return self.public_only()


class Practice(models.Model):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"), max_length=320, unique=True, validators=[validate_practice_slug]
    )
    summary = models.TextField(_("summary"), max_length=1500)
    body = models.TextField(
        _("description"), blank=True, help_text=_("Markdown. Links and lists are allowed.")
    )
    practice_type = models.CharField(
        _("type of practice"), max_length=40, choices=PracticeType.choices
    )
    themes = models.ManyToManyField(Theme, related_name="practices", verbose_name=_("themes"))
    gcm_objectives = models.ManyToManyField(
        GCMObjective, blank=True, related_name="practices", verbose_name=_("GCM objectives")
    )
    gcm_principles = models.ManyToManyField(
        GCMPrinciple, blank=True, related_name="practices", verbose_name=_("GCM guiding principles")
    )
    municipalities = models.ManyToManyField(
        Municipality,
        related_name="practices",
        verbose_name=_("municipalities where implemented"),
    )
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("network"),
    )
    lead_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_practices",
        verbose_name=_("lead institution"),
    )
    partner_institutions = models.ManyToManyField(
        Institution, blank=True, related_name="partner_practices", verbose_name=_("partners")
    )
    year_started = models.PositiveSmallIntegerField(
        _("year started"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    implementation_status = models.CharField(
        _("current status"),
        max_length=20,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.ONGOING,
    )
    results = models.TextField(_("results"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    replication_requirements = models.TextField(
        _("what another municipality needs to replicate it"), blank=True
    )
    language = models.CharField(
        _("written in"),
        max_length=2,
        choices=ContentLanguage.choices,
        default=ContentLanguage.SPANISH,
    )

    status = models.CharField(
        _("review status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_practices",
        verbose_name=_("submitted by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Search: PostgreSQL keeps a weighted tsvector (config "spanish_unaccent", built by a
    # migration); other databases search an accent-folded, lower-cased copy of the text.
    # Both are maintained by practices.search.practice_index, never computed per query.
    search_vector = SearchVectorField(null=True, editable=False)
    # What relevance weighs (PostgreSQL): the title and summary only, a few hundred bytes kept
    # in the row, while the whole text's vector lives out of line and is read only through its
    # index. A broad search ranks every match: it reads this, not the full vector.
    rank_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # What the catalogue files the practice under (places, network, themes, objectives, type,
    # year): kept by practice_index with the search data, see practices/facets.py.
    facet_keys = IntegerArrayField()

    objects = PracticeQuerySet.as_manager()
    # The search columns are derived from the text, which the history keeps.
    history = audited(excluded_fields=["search_vector", "rank_vector", "search_text", "facet_keys"])

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            # The catalogue's order plus every column its counts group by: the list and its
            # facets read this narrow index instead of the wide rows (index-only scans). On
            # PostgreSQL it also carries facet_keys (migration 0009), for related practices.
            models.Index(
                fields=[
                    "status",
                    "-published_at",
                    "-id",
                    "network",
                    "practice_type",
                    "year_started",
                ],
                name="practice_catalogue_idx",
            ),
            models.Index(fields=["practice_type"], name="practice_type_idx"),
            models.Index(fields=["year_started"], name="practice_year_idx"),
            # The GIN indexes on search_vector and facet_keys are PostgreSQL-only: migrations
            # 0002 and 0006 create them there.
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="practice_published_has_date",
            )
        ]

    def __str__(self):
        return self.title

    #: Columns only practice_index writes: a save of an instance loaded before the last
    #: index would otherwise put back its stale copy of them.
    DERIVED_FIELDS = frozenset({"search_vector", "rank_vector", "search_text", "facet_keys"})

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.DERIVED_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practices:practice-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == ReviewStatus.PUBLISHED


class FacetTotal(models.Model):
    """How many published practices hold a facet key: the counts of the whole catalogue,
    kept by ``practices.facets.facet_totals_refresh`` instead of recounted per visit."""

    key = models.PositiveIntegerField(primary_key=True)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("catalogue count")
        verbose_name_plural = _("catalogue counts")
        default_permissions = ()  # written by the catalogue's services only, never by hand

    def __str__(self):
        return f"{self.key}: {self.count}"


class PracticePartQuerySet(AccessQuerySet):
    """Records that belong to one practice: public with it, edited while it may be."""

    access_scope = Scope(
        network="practice__network",
        public={"practice__status": PUBLISHED},
        staff_as="practices.practice",
        coordinators=frozenset({"view", "add", "change", "delete"}),
        coordinators_when={
            action: {"practice__status": EDITABLE_BY_COORDINATORS}
            for action in ("add", "change", "delete")
        },
    )


class ReviewLogQuerySet(AccessQuerySet):
    # The review conversation: the reviewers and the practice's coordinators, never public.
    access_scope = Scope(
        network="practice__network",
        coordinators=frozenset({"view"}),
        staff_as="practices.practice",
    )


class LegalEvidence(models.Model):
    """The legal record of an ordinance: what makes it verifiable."""

    practice = models.OneToOneField(
        Practice,
        on_delete=models.CASCADE,
        related_name="legal_evidence",
        verbose_name=_("practice"),
    )
    number = models.CharField(_("ordinance or decree number"), max_length=100)
    approval_date = models.DateField(_("approved on"), null=True, blank=True)
    gazette_reference = models.CharField(
        _("official gazette or record reference"), max_length=300, blank=True
    )
    url = models.URLField(_("link to the official text"), blank=True)

    objects = PracticePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal evidence")
        verbose_name_plural = _("legal evidence")

    def __str__(self):
        return self.number


class Replication(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="replications", verbose_name=_("practice")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="replications",
        verbose_name=_("municipality"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = PracticePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("replication")
        verbose_name_plural = _("replications")
        ordering = ["year", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "municipality"],
                name="replication_once_per_municipality",
                violation_error_message=_("This replication is already recorded."),
            )
        ]

    def __str__(self):
        return f"{self.practice} → {self.municipality}"


def attachment_path(instance, filename):
    """Server-generated name: the uploader's file name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"practices/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("practice")
    )
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(
        _("kind"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = PracticePartQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.title


class ReviewLogEntry(models.Model):
    """One workflow transition: who moved the practice from which state to which, and why."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="review_log", verbose_name=_("practice")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ReviewStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReviewStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = ReviewLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("review log entry")
        verbose_name_plural = _("review log")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.practice}: {self.from_status} → {self.to_status}"
