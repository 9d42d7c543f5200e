"""The working life of a table: conferences, sessions, attendance, minutes and agreements."""

import operator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.audit import audited
from networks.access import AccessQuerySet, Scope
from networks.enums import Sector
from networks.models import Country, Institution, Municipality, Network, Person, Programme

from .enums import AgreementStatus, MinutesStatus, Modality, ParticipationRole, SessionStatus


class ConferenceQuerySet(AccessQuerySet):
    access_scope = Scope(
        network="networks", public={"is_public": {True}}, coordinators=frozenset({"view"})
    )

    def public(self):
        """The conferences shown on the public site: the access rule's public ones."""
        return self.public_only()


class Conference(models.Model):
    """An event that groups sessions, such as the 2020 IOM-SICA virtual exchanges."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=320, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisers = models.ManyToManyField(
        Institution, blank=True, related_name="organised_conferences", verbose_name=_("organisers")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferences",
        verbose_name=_("programme"),
    )
    networks = models.ManyToManyField(
        Network, blank=True, related_name="conferences", verbose_name=_("networks")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public site.")
    )

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="conference_dates_ordered",
                violation_error_message=_("The end date cannot precede the start date."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conferences:conference-detail", kwargs={"slug": self.slug})


class SessionQuerySet(AccessQuerySet):
    # "view" is the whole record (meeting link, attendance, minutes): staff and the
    # coordinators of the session's networks. The public reads public() only.
    access_scope = Scope(
        network="networks", coordinators=frozenset({"view", "add", "change", "export"})
    )

    def public(self):
        return self.filter(is_public=True)

    def upcoming(self):
        return self.filter(start__gte=timezone.now()).exclude(status=SessionStatus.CANCELLED)


class Session(models.Model):
    """A meeting of one or more networks, alone or within a conference."""

    conference = models.ForeignKey(
        Conference,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("conference"),
    )
    networks = models.ManyToManyField(Network, related_name="sessions", verbose_name=_("networks"))
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=320, unique=True)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("municipality"),
    )
    meeting_link = models.URLField(
        _("meeting link"),
        blank=True,
        help_text=_("Private: only IOM staff and the coordinators of the networks see it."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public site and calendars.")
    )
    practices = models.ManyToManyField(
        "practices.Practice",
        blank=True,
        related_name="sessions",
        verbose_name=_("practices presented"),
    )
    # iCalendar SEQUENCE: bumped by the services whenever time, place or status change.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SessionQuerySet.as_manager()
    history = audited(m2m_fields=[networks])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-start"]
        # Held here because the donor figures are counted from sessions; no model of its own.
        permissions = [("view_donor_figures", _("Can view the donor figures"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="session_end_after_start",
                violation_error_message=_("The session must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["is_public", "start"], name="session_public_start_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conferences:session-detail", kwargs={"key": self.slug})

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The session must end after it starts.")})


def _session_part(*actions):
    return Scope(network="session__networks", coordinators=frozenset(actions))


class AgendaItemQuerySet(AccessQuerySet):
    access_scope = _session_part("view", "add", "change", "delete")


class ParticipationQuerySet(AccessQuerySet):
    access_scope = _session_part("view", "add", "change", "delete", "export", "import")


class MinutesQuerySet(AccessQuerySet):
    access_scope = _session_part("view", "add", "change")


class ChallengeQuerySet(AccessQuerySet):
    access_scope = _session_part("view", "add", "change", "delete")


class AgendaItem(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("session")
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    presenter_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenting institution"),
    )
    presenter = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
        help_text=_("Private: the public agenda shows the institution only."),
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "position", "pk"]

    def __str__(self):
        return self.title


class Participation(models.Model):
    """A person's registration and attendance, with their affiliation as it was that day."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="participations", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="participations", verbose_name=_("person")
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=ParticipationRole.choices,
        default=ParticipationRole.PARTICIPANT,
    )
    registered = models.BooleanField(_("registered"), default=True)
    attended = models.BooleanField(_("attended"), default=False)
    # Snapshot: memberships change after elections; reports on past sessions must not.
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("institution"),
    )
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices, blank=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )

    objects = ParticipationQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["session", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="participation_once_per_session",
                violation_error_message=_("This person is already registered for this session."),
            )
        ]
        indexes = [
            models.Index(fields=["session", "attended"], name="participation_attended_idx"),
        ]
        default_permissions = ("add", "change", "delete", "view", "import", "export")

    def __str__(self):
        return f"{self.person} @ {self.session}"

    def clean(self):
        super().clean()
        if self.attended and self.session_id and self.session.status == SessionStatus.CANCELLED:
            raise ValidationError(
                {"attended": _("Nobody can attend a cancelled session.")}, code="cancelled"
            )


class Minutes(models.Model):
    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("session")
    )
    text = models.TextField(_("full minutes"), help_text=_("Private to the participants."))
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Becomes public only once the minutes are approved and it is published."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MinutesStatus.choices,
        default=MinutesStatus.DRAFT,
        editable=False,
    )
    circulated_at = models.DateTimeField(_("circulated"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(
        _("summary published"), null=True, blank=True, editable=False
    )

    objects = MinutesQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[MinutesStatus.APPROVED, MinutesStatus.PUBLISHED])
                | Q(approved_at__isnull=False),
                name="minutes_approval_recorded",
            )
        ]

    def __str__(self):
        return str(self.session)

    @property
    def public_summary(self):
        """The only part of the minutes the public may read."""
        return self.summary if self.status == MinutesStatus.PUBLISHED else ""

    @staticmethod
    def frozen_fields(status) -> tuple[str, ...]:
        """The fields of minutes in ``status`` that nobody may change any more: the text once
        approved, the summary too once published. ``services.minutes_save`` refuses a change
        to them; the admin shows them read-only."""
        if status == MinutesStatus.PUBLISHED:
            return ("text", "summary")
        if status == MinutesStatus.APPROVED:
            return ("text",)
        return ()


# The lookups of Agreement.overdue_condition(), as Python evaluates them on one agreement.
_LOOKUPS_IN_PYTHON = {"in": lambda value, allowed: value in allowed, "lt": operator.lt}


class AgreementQuerySet(AccessQuerySet):
    access_scope = _session_part("view", "add", "change", "delete")

    def pending(self):
        return self.filter(status__in=AgreementStatus.pending())

    def overdue(self, today=None):
        return self.filter(Agreement.overdue_condition(today))


class Agreement(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("session")
    )
    text = models.TextField(_("agreement"))
    responsible_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("responsible institution"),
    )
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    follow_up = models.TextField(_("follow-up notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgreementQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="agreement_status_due_idx")]

    def __str__(self):
        return self.text[:80]

    @staticmethod
    def overdue_condition(today=None) -> Q:
        """The one definition of an overdue agreement: still pending and due before ``today``
        (the region's day by default). ``Agreement.objects.overdue()``, :attr:`is_overdue` and
        the figures' counts all read it."""
        return Q(status__in=AgreementStatus.pending(), due_date__lt=today or timezone.localdate())

    @property
    def is_overdue(self):
        # overdue_condition() evaluated on this agreement in Python, no query per row: its
        # lookups all hold, and (as in SQL) a field without a value satisfies none.
        condition = self.overdue_condition()
        assert condition.connector == Q.AND and not condition.negated
        for lookup, expected in condition.children:
            name, operation = lookup.split("__")
            value = getattr(self, name)
            if value is None or not _LOOKUPS_IN_PYTHON[operation](value, expected):
                return False
        return True

    def clean(self):
        super().clean()
        if self.due_date and self.session_id and self.session.start:
            session_day = timezone.localdate(self.session.start)
            if self.due_date < session_day:
                raise ValidationError(
                    {"due_date": _("An agreement cannot be due before the session that made it.")}
                )


class Challenge(models.Model):
    """A difficulty raised at a session, themed so staff can see what recurs across tables."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("session")
    )
    text = models.TextField(_("challenge"))
    theme = models.ForeignKey(
        "practices.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("theme"),
    )

    objects = ChallengeQuerySet.as_manager()
    history = audited()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["session", "pk"]

    def __str__(self):
        return self.text[:80]


class OverdueNotice(models.Model):
    """That the coordinators were told an agreement is overdue, for one due date.

    The daily ``notify_overdue_agreements`` command writes one per agreement and due date it
    reported, and reports only agreements without one: run twice, it sends nothing new; a new
    due date that passes in turn is reported again.
    """

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="overdue_notices",
        verbose_name=_("agreement"),
    )
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "due_date"], name="overdue_notice_once_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.agreement} ({self.due_date})"
