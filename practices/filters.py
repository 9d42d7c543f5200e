"""The public catalogue's GET parameters: search, filters, sort.

Unknown or malformed values are reported and ignored, never queried, so a hand-edited or
stale link shows a useful page instead of an error.
"""

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from networks.models import Country, Department, Municipality, Network

from .enums import PracticeType
from .models import GCMObjective, Theme
from .search import clean_query


class SortOrder:
    """The catalogue's orders. The default ("", also spelled "relevance") puts the most
    relevant first when there is a search and the newest first when there is none, so the
    menu can keep it selected whatever the visitor types next."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    choices = [
        ("", pgettext_lazy("sort order", "Best match (newest when not searching)")),
        (NEWEST, pgettext_lazy("sort order", "Newest first")),
    ]
    accepted = [("", ""), (RELEVANCE, RELEVANCE), (NEWEST, NEWEST)]


class SearchField(forms.CharField):
    """Free text, cleaned before validation: NUL bytes go, over-long queries are cut."""

    def to_python(self, value):
        return clean_query(super().to_python(value))


class PracticeFilterForm(forms.Form):
    """Parses the catalogue's query string; ``filters()`` returns only the valid values.

    The model choice fields look a value up (one query each, only when given); they are
    never rendered as widgets, so their full option lists are never loaded: the page shows
    the facets of the current results instead.
    """

    q = SearchField(label=_("Search"), required=False)
    country = forms.ModelChoiceField(Country.objects.all(), to_field_name="code", required=False)
    department = forms.ModelChoiceField(
        Department.objects.select_related("country"), to_field_name="code", required=False
    )
    municipality = forms.ModelChoiceField(
        Municipality.objects.all(), to_field_name="slug", required=False
    )
    network = forms.ModelChoiceField(Network.objects.all(), to_field_name="slug", required=False)
    theme = forms.ModelChoiceField(Theme.objects.all(), to_field_name="slug", required=False)
    gcm = forms.ModelChoiceField(GCMObjective.objects.all(), to_field_name="number", required=False)
    type = forms.ChoiceField(choices=PracticeType.choices, required=False)
    year = forms.IntegerField(min_value=1950, max_value=2100, required=False)
    sort = forms.ChoiceField(choices=SortOrder.accepted, required=False)

    #: Every parameter the catalogue reads (``objective`` is another name for ``gcm``).
    PARAMETERS = (
        "q", "country", "department", "municipality", "network", "theme", "gcm",
        "objective", "type", "year", "sort", "page",
    )  # fmt: skip

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("objective") and not data.get("gcm"):
            data = data.copy()
            data["gcm"] = data["objective"]
        super().__init__(data, *args, **kwargs)

    # How each filter travels in a URL: the value that identifies the chosen object.
    URL_VALUES = {
        "country": lambda country: country.code,
        "department": lambda department: department.code,
        "municipality": lambda municipality: municipality.slug,
        "network": lambda network: network.slug,
        "theme": lambda theme: theme.slug,
        "gcm": lambda objective: objective.number,
    }

    def filters(self) -> dict:
        """The valid parameters only; ``cleaned_data`` leaves out the fields that failed."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name in self.fields
            if (value := self.cleaned_data.get(name)) not in (None, "")
        }

    def catalogue_arguments(self) -> dict:
        """The valid parameters as keyword arguments of ``selectors.practice_catalogue``."""
        names = {"gcm": "gcm_objective", "type": "practice_type"}
        return {names.get(name, name): value for name, value in self.filters().items()}

    def chosen_filters(self) -> list[dict]:
        """The filters in force (not the search or sort), each with a link that removes it."""
        parameters = self.url_parameters()
        chosen = []
        for name, value in self.filters().items():
            if name in ("q", "sort"):
                continue
            if name == "type":
                label = dict(self.fields["type"].choices).get(value, value)
            else:
                label = str(value)
            others = {key: other for key, other in parameters.items() if key != name}
            chosen.append(
                {
                    "name": name,
                    "value": str(parameters[name]),
                    "label": label,
                    "remove_query": urlencode(others),
                }
            )
        return chosen

    def url_parameters(self) -> dict:
        """The valid parameters as they appear in a URL, for links that keep them."""
        return {
            name: self.URL_VALUES.get(name, str)(value) for name, value in self.filters().items()
        }
