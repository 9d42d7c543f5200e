"""Reads across models for the public conference and session pages and the calendars.

Every read starts from ``public()``, and nothing here loads people: presenters, participants
and responsible persons stay out of the querysets the templates receive. Figures live in
conferences/figures.py.
"""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from networks.models import Institution, Network
from practices.models import Practice

from .models import AgendaItem, Agreement, Conference, Session

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
