"""My account (/dashboard/account/): who the person is, the networks they coordinate, the
language they read the portal in, and the way to each of allauth's pages for the password,
e-mail addresses, two-factor authentication and signed-in sessions (under /accounts/)."""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import translate_url
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from .forms import LanguageForm
from .services import user_language_set


def two_factor_status(user) -> dict:
    """Whether ``user`` signs in with an authenticator app, and how many recovery codes
    they have left (one query)."""
    status = {"enabled": False, "recovery_codes_left": None}
    for authenticator in Authenticator.objects.filter(user=user):
        if authenticator.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN):
            status["enabled"] = True
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            status["recovery_codes_left"] = len(authenticator.wrap().get_unused_codes())
    return status


def coordinated_networks(user):
    """The networks ``user`` works on as a coordinator: the access rule's networks they may
    change (for a coordinator, those of their open coordinating seats).

    The registry sits in a layer above accounts, so its model is named, not imported.
    """
    network_model = apps.get_model("networks", "Network")
    return network_model.objects.for_user(user, "change").order_by("name")


@method_decorator(never_cache, name="dispatch")
class AccountView(LoginRequiredMixin, FormView):
    """My account: language, password, two-factor authentication, signed-in sessions."""

    template_name = "workspace/account.html"
    form_class = LanguageForm

    def get_initial(self):
        return {"language": self.request.user.language}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["account"] = user
        # Staff work on every network their permissions reach: "My networks" lists them.
        context["networks"] = None if user.is_staff else coordinated_networks(user)
        context["two_factor"] = two_factor_status(user)
        context["session_count"] = UserSession.objects.filter(user=user).count()
        return context

    def form_valid(self, form):
        language = form.cleaned_data["language"]
        try:
            user_language_set(user=self.request.user, language=language, actor=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # The next page is in the new language: so is the message that confirms it.
        with translation.override(language):
            messages.success(
                self.request,
                gettext("Language saved: the portal's pages and e-mails are now in this language."),
            )
        return redirect(translate_url(self.request.path, language))
