from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.mail import language_of

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by IOM staff (invitations come later): no public sign-up.

    An address counts only once verified (``ACCOUNT_EMAIL_VERIFICATION = "mandatory"``), and
    nobody may claim an address that belongs to someone else: another account holds it
    (verified or not, as its sign-in address or an added one) or another person of the
    registry has it on record. The refusal never says whose it is.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_claimed": _(
            "This e-mail address cannot be added to your account. If it is yours, ask the "
            "portal's IOM staff for help."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def email_held_by_someone_else(self, email: str, user) -> bool:
        """Whether ``email`` (any case) belongs to an account or a registry person other
        than ``user`` (a person linked to ``user`` through ``Person.user`` is theirs)."""
        email = email.strip()
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            return True
        if EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists():
            return True
        # The registry sits in a layer above accounts, so it is named, not imported (as a
        # model field names another app's model by string).
        person_model = apps.get_model("networks", "Person")
        return person_model.objects.filter(email__iexact=email).exclude(user=user).exists()

    def clean_email_to_add(self, email: str, user) -> str:
        """Refuse an address to be added to ``user``'s account that is someone else's."""
        if self.email_held_by_someone_else(email, user):
            raise self.validation_error("email_claimed")
        return email

    def get_login_redirect_url(self, request) -> str:
        """After signing in, the workspace in the account's own language (English users land
        on /en/dashboard/). A ``next`` parameter wins: allauth asks this only without one."""
        url = super().get_login_redirect_url(request)
        return translate_url(url, language_of(request.user))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's messages greet and thank "from <site name>", which without the sites
        framework is the host name: they say the portal's name instead.

        They are written in the reader's language: the page's when the signed-in person
        writes to themselves (they read it now), else the language of the account that
        holds the address (a password reset asked for by anyone).
        """
        request = allauth_context.request
        site = get_current_site(request)
        site.name = settings.PORTAL_NAME
        language = self.mail_language(request, email)
        # Its links open the pages in that language too.
        links = {
            key: translate_url(context[key], language)
            for key in ("activate_url", "password_reset_url")
            if context.get(key)
        }
        with translation.override(language):
            super().send_mail(template_prefix, email, {"current_site": site, **context, **links})

    def mail_language(self, request, email: str) -> str:
        """The language of a message of allauth to ``email``."""
        current = translation.get_language() or settings.LANGUAGE_CODE
        owner = (
            User.objects.filter(email__iexact=email).first()
            or User.objects.filter(emailaddress__email__iexact=email).first()
        )
        user = getattr(request, "user", None)
        if owner is None or (user is not None and user.pk == owner.pk):
            return current
        return language_of(owner)
