from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from .models import User


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AddEmailForm(allauth_forms.AddEmailForm):
    """allauth's form at /accounts/email/, refusing an address that is someone else's
    (``AccountAdapter.clean_email_to_add``) before allauth's own checks."""

    def clean_email(self) -> str:
        get_adapter().clean_email_to_add(self.cleaned_data["email"].lower(), self.user)
        return super().clean_email()
