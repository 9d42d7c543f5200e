"""Forms of the staff admin."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Membership, Municipality, Network, validate_network_municipalities
from .services import check_coordinator_kept


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


class MembershipAdminForm(forms.ModelForm):
    """A seat, refused as a form error when saving it would leave its network with no open
    coordinator (the rule of ``networks.services``, which the save checks again)."""

    class Meta:
        model = Membership
        fields = ["network", "person", "institution", "role", "start_date", "end_date"]

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance._state.adding:
            return
        try:
            check_coordinator_kept(self.instance)
        except ValidationError as error:
            self.add_error(None, error)
