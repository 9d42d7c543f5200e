from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import User
from .permission_labels import permission_label


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Permissions listed in the page's language ("Registro de redes | persona | Puede
    importar persona"), not as Django stored their names. The queryset must select
    ``content_type`` (Django's user and group admins do), or each label costs a query."""

    def label_from_instance(self, obj):
        return permission_label(obj)


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"user_permissions": PermissionChoiceField}


class AdminGroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]
        field_classes = {"permissions": PermissionChoiceField}


class AddEmailForm(allauth_forms.AddEmailForm):
    """allauth's form at /accounts/email/, refusing an address that is someone else's
    (``AccountAdapter.clean_email_to_add``) before allauth's own checks."""

    def clean_email(self) -> str:
        get_adapter().clean_email_to_add(self.cleaned_data["email"].lower(), self.user)
        return super().clean_email()


def language_choices():
    """Each language named in itself ("Español", "English"), as a reader looks for it."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class LanguageForm(forms.Form):
    """My account: the language of the pages and of the e-mails the portal sends."""

    language = forms.ChoiceField(
        label=_("Language of the portal and of its e-mails"),
        choices=language_choices,
        widget=forms.RadioSelect,
    )
