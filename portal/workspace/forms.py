from django import forms

from networks.models import Network


class NetworkDescriptionForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 10})}
