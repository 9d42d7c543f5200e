"""The page an invitation link opens: choose a password, and the account exists.

A link that does not work (unknown, expired, revoked, used) answers a page saying so and
what to do: 404 for a key that names nothing, 410 (gone) for one that worked once. Nothing is
written then. A signed-in visitor is asked to sign out first: the link is for someone else's
account, or theirs exists already. Posts are not rate-limited: the key is 256 random bits,
so guessing one is hopeless, and the page reveals nothing without one.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import invitations


class InvitationPasswordForm(forms.Form):
    """The new account's password, twice, checked by the portal's password validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the validators' texts in the language of the page, not of the import.
        help_text=lazy(password_validation.password_validators_help_text_html, str)(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("You must type the same password each time."))
        return cleaned


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class InvitationAcceptView(View):
    template_name = "networks/invitation/accept.html"

    def dispatch(self, request, *args, key, **kwargs):
        try:
            self.invitation = invitations.invitation_for_key(key)
        except invitations.InvalidInvitation as refusal:
            return self.invalid(refusal.reason)
        self.key = key
        if request.user.is_authenticated:
            return render(
                request,
                "networks/invitation/signed_in.html",
                {"invitation": self.invitation},
            )
        return super().dispatch(request, *args, **kwargs)

    def invalid(self, reason):
        status = 404 if reason == invitations.UNKNOWN else 410
        return render(
            self.request,
            "networks/invitation/invalid.html",
            {"reason": reason},
            status=status,
        )

    def form(self, data=None):
        return InvitationPasswordForm(data, user=invitations.prospective_user(self.invitation))

    def get(self, request, *args, **kwargs):
        return self.show(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form)
        try:
            invitations.invitation_accept(
                key=self.key, password=form.cleaned_data["password1"], request=request
            )
        except invitations.InvalidInvitation as refusal:  # accepted meanwhile, in another tab
            return self.invalid(refusal.reason)
        except ValidationError as error:
            form.add_error("password1", error)
            return self.show(form)
        messages.success(
            request,
            gettext(
                "Welcome. Your account is ready. Next time, sign in with your e-mail "
                "address and this password."
            ),
        )
        return redirect(reverse("dashboard:home"))

    def show(self, form):
        return render(
            self.request,
            self.template_name,
            {"invitation": self.invitation, "person": self.invitation.person, "form": form},
        )
