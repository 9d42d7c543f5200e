"""Writes to a user's own account that are the portal's (allauth writes the password,
e-mail addresses, authenticators and sessions through its own views)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from .models import User


def user_language_set(*, user: User, language: str, actor) -> User:
    """Set the language ``user`` reads the portal's pages and e-mails in.

    Only the account's owner chooses it (staff set it in the admin).
    """
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(gettext("Only the account's owner may choose its language."))
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": gettext("Choose a language from the list.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
