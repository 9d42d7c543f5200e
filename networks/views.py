"""Public pages of the registry: the network directory, network and municipality profiles.

None of these pages shows people: see networks/selectors.py.
"""

import datetime

from django import forms
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from common.caching import public_page
from common.pagination import LenientPaginationMixin

from . import selectors
from .enums import NetworkKind
from .models import Municipality, Network


class DirectoryFilterForm(forms.Form):
    """The directory's GET filters. Unknown values are reported and ignored, never queried."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *NetworkKind.choices],
    )

    #: Every parameter the directory reads (its filters and the page number).
    PARAMETERS = ("country", "kind", "page")

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [
            ("", _("All countries")),
            *((country.code, country.name) for country in countries),
        ]

    def filters(self) -> dict:
        """The valid filters only; ``cleaned_data`` leaves out the fields that failed."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value for name in ("country", "kind") if (value := self.cleaned_data.get(name))
        }


@method_decorator(public_page(parameters=DirectoryFilterForm.PARAMETERS), name="dispatch")
class NetworkListView(LenientPaginationMixin, ListView):
    template_name = "networks/network_list.html"
    context_object_name = "networks"
    paginate_by = 24

    def get(self, request, *args, **kwargs):
        self.form = DirectoryFilterForm(
            request.GET or None, countries=list(selectors.countries_with_networks())
        )
        self.filters = self.form.filters()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.network_directory(**self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            filters_ignored=bool(self.form.errors),
            filter_query=urlencode(self.filters),
            is_filtered=bool(self.filters),
        )
        return context


@method_decorator(public_page, name="dispatch")
class NetworkDetailView(DetailView):
    template_name = "networks/network_detail.html"
    context_object_name = "network"

    def get_queryset(self):
        return Network.objects.for_directory()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        network = self.object
        member_counts = selectors.network_member_counts(network)
        context.update(
            municipalities_by_country=selectors.municipalities_by_country(
                network.municipalities.all()
            ),
            institutions_by_sector=selectors.network_institutions_by_sector(network),
            member_counts=member_counts,
            member_total=sum(count for _role, count in member_counts),
            practices=network.practices.published().order_by("-published_at")[:6],
            sessions=network.sessions.public().order_by("-start")[:8],
        )
        return context


@method_decorator(public_page, name="dispatch")
class MunicipalityDetailView(DetailView):
    template_name = "networks/municipality_detail.html"
    context_object_name = "municipality"
    practices_shown = 20

    def get_queryset(self):
        return selectors.municipalities_for_profile()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = self.object
        if municipality.successor_id and municipality.valid_until:
            # valid_until is the last day as a municipality; it is a district from the next day.
            context["district_since"] = municipality.valid_until + datetime.timedelta(days=1)
        context.update(
            osm_url=_openstreetmap_url(municipality),
            networks_through_districts=selectors.networks_through_districts(municipality),
            practices=selectors.municipality_practices(municipality, limit=self.practices_shown),
        )
        return context


def _openstreetmap_url(municipality: Municipality) -> str:
    if municipality.latitude is None or municipality.longitude is None:
        return ""
    lat, lon = municipality.latitude, municipality.longitude
    return (
        "https://www.openstreetmap.org/?"
        + urlencode({"mlat": lat, "mlon": lon})
        + f"#map=12/{lat}/{lon}"
    )
