"""Public conference and session pages and calendars (aggregates only, never people)."""

from django.http import Http404
from django.views.generic import DetailView, ListView

from .models import Conference


class ConferenceListView(ListView):
    template_name = "conferences/conference_list.html"

    def get_queryset(self):
        return Conference.objects.public()


class ConferenceDetailView(DetailView):
    template_name = "conferences/conference_detail.html"

    def get_queryset(self):
        return Conference.objects.public()


class SessionDetailView(DetailView):
    template_name = "conferences/session_detail.html"

    def get_object(self, queryset=None):
        raise Http404


def session_ics(request, key):
    raise Http404


def network_calendar(request, slug):
    raise Http404
