"""The public catalogue's GET parameters: search, filters, sort.

Unknown or malformed values are reported and ignored, never queried, so a hand-edited or
stale link shows a useful page instead of an error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.languages import is_english

from . import facets
from .enums import PracticeType
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


class LabelledChoiceField(forms.Field):
    """A country, department, municipality, network, theme or objective, given by the value
    that names it in URLs and found in the catalogue's label table (``facets.label_of``,
    kept between requests): the field's value is its ``facets.LabelRow``, with the record's
    ``pk``. Never rendered: the page shows the facets of the current results instead."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, kind: str, *, normalise=str, **kwargs):
        self.kind = kind
        self.normalise = normalise  # the value as the label table writes it
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = facets.label_of(self.kind, self.normalise(str(value)))
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row


class PracticeFilterForm(forms.Form):
    """Parses the catalogue's query string; ``filters()`` returns only the valid values."""

    q = SearchField(label=_("Search"), required=False)
    country = LabelledChoiceField("country")
    department = LabelledChoiceField("department")
    municipality = LabelledChoiceField("municipality")
    network = LabelledChoiceField("network")
    theme = LabelledChoiceField("theme")
    # "03" is objective 3: numbers are written without leading zeros.
    gcm = LabelledChoiceField(
        "gcm", normalise=lambda value: str(int(value)) if value.isdigit() else value
    )
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
            elif isinstance(value, facets.LabelRow):
                label = value.name(is_english())
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
            name: value.value if isinstance(value, facets.LabelRow) else str(value)
            for name, value in self.filters().items()
        }
