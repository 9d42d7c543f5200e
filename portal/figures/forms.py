"""The donor page's filters, read from the query string (a GET form: the URL names the figures)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import Country, Network, Programme


class DonorFiguresFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.order_by("name"), required=False
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.order_by("code"), required=False
    )
    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.order_by("name"), required=False
    )
    first_day = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Sessions starting on these days, both included; practices published then."),
    )

    def clean(self):
        cleaned = super().clean()
        first_day, last_day = cleaned.get("first_day"), cleaned.get("last_day")
        if first_day and last_day and last_day < first_day:
            self.add_error("last_day", _("The end of the period comes before its start."))
        return cleaned

    def applied(self) -> list[tuple[str, str]]:
        """The filters in use, as (label, value) pairs for the page, the print and the file."""
        return [
            (str(self.fields[name].label), str(value))
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        ]
