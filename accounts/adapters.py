from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext_lazy as _

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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's messages greet and thank "from <site name>", which without the sites
        framework is the host name: they say the portal's name instead."""
        site = get_current_site(allauth_context.request)
        site.name = settings.PORTAL_NAME
        super().send_mail(template_prefix, email, {"current_site": site, **context})
