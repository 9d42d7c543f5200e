"""iCalendar (RFC 5545) for public sessions: one event per session, a feed per network.

Times are written in UTC, which every client converts to its own zone: 15:00 in Guatemala
becomes 21:00Z. Nothing personal goes in, and never the meeting link.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext
from icalendar import Calendar, Event

from .enums import Modality, SessionStatus
from .models import Session

PRODID = "-//IOM Central America//Cross-border migration networks portal//ES"


def uid_host(request) -> str:
    """The host in UIDs: the configured public address, so a UID never changes with the
    address a client happened to use."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or request.get_host().split(":")[0]


def session_uid(session: Session, host: str) -> str:
    return f"session-{session.pk}@{host}"


def session_location(session: Session) -> str:
    """Venue and municipality, or "Virtual"; a hybrid session names both."""
    parts = [session.venue.strip()]
    if session.municipality:
        municipality = session.municipality
        parts.append(f"{municipality.name}, {municipality.department.country.name}")
    place = ", ".join(part for part in parts if part)
    if session.modality == Modality.VIRTUAL or not place:
        return gettext("Virtual")
    if session.modality == Modality.HYBRID:
        return gettext("%(place)s (and online)") % {"place": place}
    return place


def session_event(session: Session, *, host: str, url: str) -> Event:
    cancelled = session.status == SessionStatus.CANCELLED
    summary = session.title
    if cancelled:
        # Some clients ignore STATUS in subscribed feeds: say it in the title as well.
        summary = gettext("Cancelled: %(title)s") % {"title": session.title}
    description = [session.description.strip()] if session.description.strip() else []
    if session.conference_id and session.conference.is_public:
        description.append(gettext("Part of: %(conference)s") % {"conference": session.conference})
    description.append(gettext("Details: %(url)s") % {"url": url})
    event = Event.new(
        uid=session_uid(session, host),
        sequence=session.sequence,
        stamp=session.updated_at.astimezone(datetime.UTC),
        start=session.start.astimezone(datetime.UTC),
        end=session.end.astimezone(datetime.UTC),
        summary=summary,
        description="\n\n".join(description),
        location=session_location(session),
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        created=session.created_at.astimezone(datetime.UTC),
        last_modified=session.updated_at.astimezone(datetime.UTC),
    )
    return event


def build_calendar(sessions, *, host: str, absolute_url, name: str | None = None) -> bytes:
    """The iCalendar file of ``sessions``; ``absolute_url(path)`` makes each event's URL."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if name:
        calendar.add("X-WR-CALNAME", name)
        calendar.add("NAME", name)
        calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    for session in sessions:
        event = session_event(session, host=host, url=absolute_url(session.get_absolute_url()))
        calendar.add_component(event)
    return calendar.to_ical()
