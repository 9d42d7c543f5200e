"""Checks made on every signed-in request before the page: a password only its owner knows,
and, for IOM staff in the admin, a second factor.

IOM staff open the admin only with two-factor authentication (allauth MFA).

allauth offers two-factor authentication but has no setting that requires it. Staff accounts
hold everyone's personal data, so for any page under the admin:

- a staff account with no authenticator app is sent to set one up first;
- a staff session that signed in without passing the second factor (a password only, or a
  session from before the app was set up) is asked for a code before going on.

Everyone else, and every page outside the admin, is left alone: coordinators may turn
two-factor authentication on for themselves in their account pages.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

#: Authenticators that are a second factor on their own (recovery codes only back one up).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def passed_second_factor(request, user) -> bool:
    """Whether this session's sign-in included a second factor."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._detour(request) or self.get_response(request)

    def _detour(self, request):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.is_staff):
            return None
        if not request.path.startswith(reverse("admin:index")):
            return None
        back = urlencode({"next": request.get_full_path()})
        if not is_mfa_enabled(user, types=SECOND_FACTORS):
            messages.warning(
                request,
                gettext(
                    "IOM staff use two-factor authentication. Set up an authenticator app "
                    "to open the administration."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{back}")
        if not passed_second_factor(request, user):
            return redirect(f"{reverse('mfa_reauthenticate')}?{back}")
        return None


class PasswordChangeRequiredMiddleware:
    """An account flagged ``must_change_password`` (the demo's staff account, one whose
    password staff typed) reaches no page but the password change, sign-out and static files
    until it has chosen a new password; the flag is cleared when it does (accounts.signals)."""

    #: URL names an account waiting for a new password may still open.
    ALLOWED = frozenset({"account_change_password", "account_logout", "account_set_password"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._detour(request) or self.get_response(request)

    def _detour(self, request):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.must_change_password):
            return None
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        if match is None or match.url_name in self.ALLOWED:
            return None
        if request.method == "GET":
            messages.warning(
                request,
                gettext("Choose a new password of your own before you go on."),
            )
        return redirect(
            f"{reverse('account_change_password')}?{urlencode({'next': request.get_full_path()})}"
        )


def _resolve(path):
    """The URL match of ``path``; None for paths outside the portal's pages (static files)."""
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


class AdminLanguageMiddleware:
    """The admin in the language the staff member chose (My account: ``User.language``).

    The admin sits outside the language-prefixed URLs, where every page is in the portal's
    default language (Spanish); a staff member who prefers English gets it there too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not (
            user
            and user.is_authenticated
            and user.language
            and request.path.startswith(reverse("admin:index"))
        ):
            return self.get_response(request)
        with translation.override(user.language):
            request.LANGUAGE_CODE = user.language
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", user.language)
        return response
