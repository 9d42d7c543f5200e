"""Forms of the staff admin."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Municipality, Network, validate_network_municipalities


class NetworkAdminForm(forms.ModelForm):
    """A network with its municipalities, checked by the rule every path in shares."""

    class Meta:
        model = Network
        fields = [
            "name",
            "slug",
            "kind",
            "status",
            "municipalities",
            "description",
            "founded_on",
            "programme",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "municipalities" in self.fields:
            # The rule reads each municipality's country: join it once.
            self.fields["municipalities"].queryset = Municipality.objects.with_geography()

    def clean(self):
        cleaned_data = super().clean()
        kind = cleaned_data.get("kind")
        municipalities = cleaned_data.get("municipalities")
        if kind and municipalities is not None:
            try:
                validate_network_municipalities(kind, municipalities)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data
