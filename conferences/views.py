"""Public conference and session pages and calendars (aggregates only, never people).

Every read goes through conferences/selectors.py (which starts from ``public()``) and every
count through conferences/figures.py (which suppresses small cells).
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView

from common.caching import public_page
from common.pagination import LenientPaginationMixin
from networks.models import Network

from . import calendars, figures, selectors
from .enums import SessionStatus
from .models import Session

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _time_zone_context(moment=None) -> dict:
    """The region's zone name and its UTC offset, shown beside every time."""
    offset = timezone.localtime(moment or timezone.now()).strftime("%z")  # e.g. -0600
    return {
        "time_zone_name": settings.TIME_ZONE,
        "time_zone_offset": f"UTC{offset[0]}{offset[1:3]}:{offset[3:]}",
    }


@method_decorator(public_page, name="dispatch")
class ConferenceListView(LenientPaginationMixin, ListView):
    template_name = "conferences/conference_list.html"
    context_object_name = "conferences"
    paginate_by = 20

    def get_queryset(self):
        return selectors.public_conferences()


@method_decorator(public_page, name="dispatch")
class ConferenceDetailView(DetailView):
    template_name = "conferences/conference_detail.html"
    context_object_name = "conference"

    def get_queryset(self):
        return selectors.conferences_for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conference = self.object
        sessions = Session.objects.public().filter(conference=conference)
        context.update(
            figures=figures.public_figures(
                figures.conference_figures(conference, public_only=True)
            ),
            practices=selectors.presented_practices(sessions),
            **_time_zone_context(),
        )
        return context


@method_decorator(public_page, name="dispatch")
class SessionDetailView(DetailView):
    template_name = "conferences/session_detail.html"
    context_object_name = "session"

    def get_object(self, queryset=None):
        return selectors.get_public_session(self.kwargs["key"], selectors.sessions_for_page())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        summary = selectors.public_minutes_summary(session)
        context.update(
            figures=figures.public_figures(figures.session_figures(session)),
            summary=summary,
            # Agreement texts are institutional: listed once the minutes are published.
            agreements=list(session.agreements.all()) if summary else [],
            is_cancelled=session.status == SessionStatus.CANCELLED,
            conference=session.conference
            if session.conference and session.conference.is_public
            else None,
            **_time_zone_context(session.start),
        )
        return context


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def session_ics(request, key):
    session = selectors.get_public_session(
        key,
        Session.objects.public().select_related("conference", "municipality__department__country"),
    )
    content = calendars.build_calendar(
        [session], host=calendars.uid_host(request), absolute_url=request.build_absolute_uri
    )
    return _calendar_response(content, f"{session.slug}.ics")


def network_calendar(request, slug):
    network = get_object_or_404(Network, slug=slug)
    content = calendars.build_calendar(
        selectors.network_calendar_sessions(network),
        host=calendars.uid_host(request),
        absolute_url=request.build_absolute_uri,
        name=gettext("Sessions: %(network)s") % {"network": network.name},
    )
    return _calendar_response(content, f"{network.slug}.ics")
