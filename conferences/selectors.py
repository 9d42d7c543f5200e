"""Reads across models for the conference and session pages, the calendars and the
coordinators' workspace.

The public reads start from ``public()``, and load no people: presenters, participants and
responsible persons stay out of the querysets the public templates receive. The workspace
reads (at the end) start from ``for_user()``, the access rule's records of the user, within
one network. Figures live in conferences/figures.py.
"""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from networks import access
from networks.models import Institution, Membership, Network, Person
from practices.models import Practice

from .enums import AgreementStatus
from .models import AgendaItem, Agreement, Challenge, Conference, Participation, Session

# How far back a network's calendar feed goes; upcoming sessions are always in it. A table
# meets a few times a year, so ten years of history keeps the feed small and lets a new
# subscriber see the table's past sessions too.
CALENDAR_PAST_DAYS = 365 * 10


def public_conferences() -> QuerySet[Conference]:
    """Public conferences, newest first, with how many public sessions each has."""
    return (
        Conference.objects.public()
        .annotate(public_sessions=Count("sessions", filter=Q(sessions__is_public=True)))
        .order_by("-start_date", "title")
    )


def _public_sessions_for_listing() -> QuerySet[Session]:
    return (
        Session.objects.public()
        .select_related("municipality__department__country")
        .order_by("start", "pk")
    )


def conferences_for_page() -> QuerySet[Conference]:
    """Public conferences with everything their page shows, in a fixed number of queries."""
    return (
        Conference.objects.public()
        .select_related("programme")
        .prefetch_related(
            Prefetch("organisers", queryset=Institution.objects.order_by("name")),
            Prefetch("networks", queryset=Network.objects.order_by("name")),
            Prefetch(
                "sessions", queryset=_public_sessions_for_listing(), to_attr="public_sessions"
            ),
        )
    )


def presented_practices(sessions: QuerySet[Session]) -> QuerySet[Practice]:
    """Published practices presented at any of ``sessions`` (drafts never show)."""
    presented = Session.practices.through.objects.filter(session__in=sessions.values("pk"))
    return (
        Practice.objects.published().filter(pk__in=presented.values("practice")).order_by("title")
    )


def sessions_for_page() -> QuerySet[Session]:
    """Public sessions with everything their page shows, in a fixed number of queries."""
    return (
        Session.objects.public()
        .select_related("conference", "municipality__department__country", "minutes")
        .prefetch_related(
            Prefetch("networks", queryset=Network.objects.order_by("name")),
            Prefetch(
                "agenda_items",
                # The presenter (a person) is never loaded: the page names the institution.
                queryset=AgendaItem.objects.select_related("presenter_institution").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch(
                "practices",
                queryset=Practice.objects.published().order_by("title"),
                to_attr="published_practices",
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("responsible_institution").order_by(
                    "due_date", "pk"
                ),
            ),
        )
    )


def get_public_session(key: str, queryset: QuerySet[Session] | None = None) -> Session:
    """The public session whose slug, or else whose id, is ``key``; 404 otherwise."""
    sessions = Session.objects.public() if queryset is None else queryset
    lookup = Q(slug=key)
    if key.isdigit():
        lookup |= Q(pk=int(key))
    # A numeric slug wins over another session's id.
    matches = sorted(sessions.filter(lookup), key=lambda session: session.slug != key)
    if not matches:
        raise Http404("No public session matches this address.")
    return matches[0]


def public_minutes_summary(session: Session) -> str:
    """The approved and published summary, or an empty string."""
    minutes = getattr(session, "minutes", None)
    return minutes.public_summary if minutes else ""


def network_calendar_sessions(network: Network, *, now=None) -> QuerySet[Session]:
    """A network's public sessions of the last twelve months and all upcoming ones.

    Cancelled sessions stay in: calendar clients then mark them cancelled instead of
    silently keeping a stale event.
    """
    since = (now or timezone.now()) - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    return (
        Session.objects.public()
        .filter(networks=network, end__gte=since)
        .select_related("conference", "municipality__department__country")
        .order_by("start", "pk")
    )


# The coordinators' workspace -------------------------------------------------------------------

#: The ``when`` filter of a network's sessions.
UPCOMING, PAST = "upcoming", "past"


def workspace_sessions(user, network: Network, *, when="", status="", query="") -> QuerySet:
    """The sessions of ``network`` that ``user`` may see: upcoming first (soonest first),
    then past ones (latest first), each with its participants counted."""
    now = timezone.now()
    sessions = (
        Session.objects.for_user(user)
        .filter(networks=network)
        .annotate(
            is_past=ExpressionWrapper(Q(start__lt=now), output_field=BooleanField()),
            registered_count=Count("participations", distinct=True),
            attended_count=Count(
                "participations", filter=Q(participations__attended=True), distinct=True
            ),
        )
        .select_related("municipality", "minutes")
        .prefetch_related(Prefetch("networks", queryset=Network.objects.order_by("name")))
    )
    if when == UPCOMING:
        sessions = sessions.filter(start__gte=now)
    elif when == PAST:
        sessions = sessions.filter(start__lt=now)
    if status:
        sessions = sessions.filter(status=status)
    if query:
        sessions = sessions.filter(Q(title__icontains=query) | Q(venue__icontains=query))
    upcoming_start = Case(When(start__gte=now, then=F("start")), default=None)
    return sessions.order_by("is_past", upcoming_start.asc(nulls_last=True), "-start", "pk")


def workspace_session(user, network: Network, pk, action="view") -> Session:
    """The session ``pk`` of ``network``: 404 when it is not of this network or outside what
    ``user`` may see (``networks.access.get_or_404``)."""
    return access.get_or_404(user, Session.objects.filter(networks=network), action, pk=pk)


def session_for_page(session: Session) -> Session:
    """``session`` with everything its workspace page shows, in a fixed number of queries."""
    return (
        Session.objects.filter(pk=session.pk)
        .select_related("municipality__department__country", "conference")
        .annotate(
            registered_count=Count("participations", distinct=True),
            attended_count=Count(
                "participations", filter=Q(participations__attended=True), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("networks", queryset=Network.objects.order_by("name")),
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related(
                    "presenter_institution", "presenter"
                ).order_by("position", "pk"),
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related(
                    "responsible_institution", "responsible_person"
                ).order_by(F("due_date").asc(nulls_last=True), "pk"),
            ),
            Prefetch("challenges", queryset=Challenge.objects.select_related("theme")),
        )
        .get()
    )


def session_minutes(session: Session):
    """The minutes of ``session``, or ``None``."""
    return getattr(session, "minutes", None) if session.pk else None


def _pending_first(agreements: QuerySet) -> QuerySet:
    today = timezone.localdate()
    rank = Case(
        When(Agreement.overdue_condition(today), then=Value(0)),
        When(status__in=AgreementStatus.pending(), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return agreements.annotate(rank=rank).order_by(
        "rank", F("due_date").asc(nulls_last=True), "session__start", "pk"
    )


#: The ``status`` filter of a network's agreements, beyond the statuses themselves.
OVERDUE, PENDING = "overdue", "pending"


def network_agreements(user, network: Network, *, status="") -> QuerySet:
    """The agreements of ``network``'s sessions that ``user`` may see: overdue first, then
    open and in progress, then the rest; soonest due first in each group."""
    agreements = (
        Agreement.objects.for_user(user)
        .filter(session__in=Session.objects.filter(networks=network).values("pk"))
        .select_related("session", "responsible_institution", "responsible_person")
    )
    if status == OVERDUE:
        agreements = agreements.overdue()
    elif status == PENDING:
        agreements = agreements.pending()
    elif status:
        agreements = agreements.filter(status=status)
    return _pending_first(agreements)


def workspace_agreement(user, network: Network, pk, action="view") -> Agreement:
    """The agreement ``pk`` of a session of ``network``, or 404."""
    agreements = Agreement.objects.filter(
        session__in=Session.objects.filter(networks=network).values("pk")
    ).select_related("session", "responsible_institution", "responsible_person")
    return access.get_or_404(user, agreements, action, pk=pk)


def carried_over_agreements(user, session: Session, network: Network) -> QuerySet:
    """What earlier sessions of ``network`` left open or in progress, to review at
    ``session``: overdue first. Only what ``user`` may see."""
    earlier = (
        Session.objects.filter(networks=network, start__lt=session.start)
        .exclude(pk=session.pk)
        .values("pk")
    )
    return _pending_first(
        Agreement.objects.for_user(user)
        .pending()
        .filter(session__in=earlier)
        .select_related("session", "responsible_institution", "responsible_person")
    )


def session_participations(session: Session) -> QuerySet:
    """The participations of ``session``, by name, with what the attendance page shows."""
    return (
        Participation.objects.filter(session=session)
        .select_related("person", "institution")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def network_institutions(network: Network, *, also=None) -> QuerySet:
    """Institutions represented in ``network`` (by any seat, past or present), plus
    ``also`` (the current value of a form field, kept choosable)."""
    condition = Q(pk__in=Membership.objects.filter(network=network).values("institution"))
    if also is not None:
        condition |= Q(pk=also)
    return Institution.objects.filter(condition).order_by("name")


def network_people(user, network: Network, *, also=None) -> QuerySet:
    """People with a seat (past or present) in ``network`` whom ``user`` may see, plus
    ``also`` (a form field's current value)."""
    condition = Q(pk__in=Membership.objects.filter(network=network).values("person"))
    if also is not None:
        condition |= Q(pk=also)
    return (
        Person.objects.for_user(user)
        .filter(condition)
        .select_related("institution")
        .order_by("last_name", "first_name", "pk")
    )


def members_to_register(user, network: Network, session: Session) -> QuerySet:
    """The current members of ``network`` whom ``user`` may see, not yet registered for
    ``session``."""
    return (
        Person.objects.for_user(user)
        .filter(pk__in=Membership.objects.open().filter(network=network).values("person"))
        .exclude(pk__in=Participation.objects.filter(session=session).values("person"))
        .select_related("institution")
        .order_by("last_name", "first_name", "pk")
    )
