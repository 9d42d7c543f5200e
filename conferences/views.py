"""Public conference and session pages and calendars (aggregates only, never people).

Every read goes through conferences/selectors.py (which starts from ``public()``) and every
count through conferences/figures.py (which suppresses small cells).
"""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView

from common.caching import public_page
from common.pagination import LenientPaginationMixin
from networks.models import Network
from networks.selectors import countries_with_networks

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


def _figures_link(filters: dict) -> dict:
    """Where a meeting's tables, all hidden, send the reader: the figures of its wider level."""
    label = (
        gettext("See the figures of the whole programme")
        if "programme" in filters
        else gettext("See the figures of %(year)s") % {"year": filters["year"]}
    )
    return {"url": f"{reverse('conferences:figures')}?{urlencode(filters)}", "label": label}


@method_decorator(public_page(parameters=("page",)), name="dispatch")
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
            figures_link=_figures_link(figures.wider_figures_filters(conference=conference)),
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
            figures_link=_figures_link(figures.wider_figures_filters(session=session)),
            conference=session.conference
            if session.conference and session.conference.is_public
            else None,
            **_time_zone_context(session.start),
        )
        return context


class FiguresFilterForm(forms.Form):
    """The figures page's GET filters. Unknown values are reported and ignored, never queried:
    the choices are loaded once, so the page's queries do not depend on what was asked."""

    programme = forms.ChoiceField(label=_("Programme"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    year = forms.ChoiceField(label=_("Year"), required=False)

    #: Every parameter the page reads.
    PARAMETERS = ("programme", "country", "year")

    def __init__(self, *args, programmes, countries, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(programme.pk): programme for programme in programmes}
        self.countries = {country.code: country for country in countries}
        self.years = {str(year): year for year in years}
        self.fields["programme"].choices = [
            ("", _("All programmes")),
            *((pk, programme.name) for pk, programme in self.programmes.items()),
        ]
        self.fields["country"].choices = [
            ("", _("All countries")),
            *((code, country.name) for code, country in self.countries.items()),
        ]
        self.fields["year"].choices = [("", _("All years")), *((key, key) for key in self.years)]

    def filters(self) -> dict:
        """The valid filters as objects (``figures.figures_page`` arguments); the rest left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        found = {}
        for name, options in (
            ("programme", self.programmes),
            ("country", self.countries),
            ("year", self.years),
        ):
            if value := self.cleaned_data.get(name):
                found[name] = options[value]
        return found


@method_decorator(public_page(parameters=FiguresFilterForm.PARAMETERS), name="dispatch")
class FiguresView(TemplateView):
    """Participation in figures: aggregates over public sessions, never a count of people below
    the threshold (conferences/figures.py)."""

    template_name = "conferences/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = FiguresFilterForm(
            self.request.GET or None,
            programmes=list(figures.figures_programmes()),
            countries=list(countries_with_networks()),
            years=figures.figures_years(),
        )
        filters = form.filters()
        context.update(
            form=form,
            filters=filters,
            filters_ignored=bool(form.errors),
            figures=figures.figures_page(**filters),
            # A narrow filter may leave every cell hidden: the unfiltered page shows more.
            figures_link={
                "url": reverse("conferences:figures"),
                "label": gettext("See the figures of every programme, country and year"),
            }
            if filters
            else None,
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
