from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PracticeType(models.TextChoices):
    MUNICIPAL_ORDINANCE = "municipal_ordinance", _("Municipal ordinance")
    PROGRAMME_OR_PROJECT = "programme_or_project", _("Programme or project")
    PUBLIC_SERVICE = "public_service", _("Public service")
    COORDINATION_MECHANISM = "coordination_mechanism", _("Coordination mechanism")
    TRAINING = "training", _("Training")
    AWARENESS_CAMPAIGN = "awareness_campaign", _("Awareness campaign")
    OTHER = "other", pgettext_lazy("practice type", "Other")


class ImplementationStatus(models.TextChoices):
    ONGOING = "ongoing", pgettext_lazy("implementation", "Ongoing")
    COMPLETED = "completed", pgettext_lazy("implementation", "Completed")


class ReviewStatus(models.TextChoices):
    """Where a practice stands in the review workflow (see practices.workflow)."""

    DRAFT = "draft", pgettext_lazy("review status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review status", "Submitted")
    CHANGES_REQUESTED = "changes_requested", pgettext_lazy("review status", "Changes requested")
    PUBLISHED = "published", pgettext_lazy("review status", "Published")
    ARCHIVED = "archived", pgettext_lazy("review status", "Archived")
    WITHDRAWN = "withdrawn", pgettext_lazy("review status", "Withdrawn")


class ContentLanguage(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class AttachmentKind(models.TextChoices):
    LEGAL_TEXT = "legal_text", _("Legal text")
    REPORT = "report", _("Report")
    PHOTO = "photo", _("Photo")
    PRESENTATION = "presentation", _("Presentation")
    DATA = "data", _("Data")
    OTHER = "other", pgettext_lazy("attachment kind", "Other")
