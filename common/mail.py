"""The portal's own e-mails (invitations, notifications): one way to write and send them.

A message is two templates, ``<prefix>_subject.txt`` and ``<prefix>_message.txt``, rendered in
the recipient's language (their account's ``language`` when they have one, else the portal's
default). Every subject starts with the portal's name (``EMAIL_SUBJECT_PREFIX``), every body
ends with the same signature, and links are absolute (``site_url``), since no request tells
the host name to a daily command.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def site_url(path: str) -> str:
    """An absolute link for an e-mail, where no request tells the host name.

    PORTAL_BASE_URL (e.g. https://redes.example.org) wins; otherwise the first allowed host.
    """
    base = settings.PORTAL_BASE_URL
    if not base:
        host = next((h for h in settings.ALLOWED_HOSTS if h not in {"*", ""}), "localhost")
        base = f"https://{host.lstrip('.')}"
    return base.rstrip("/") + path


def language_of(user) -> str:
    """The language to write to ``user`` in: their choice, else the portal's default."""
    chosen = getattr(user, "language", "") or ""
    known = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in known else settings.LANGUAGE_CODE


def render_message(template_prefix: str, context: dict, *, language: str) -> tuple[str, str]:
    """The subject (one line, with the portal's prefix) and body of a message."""
    context = {"portal_name": settings.PORTAL_NAME, **context}
    with translation.override(language):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_message.txt", context)
    # A subject is one line: a header must never carry a line break.
    subject = " ".join(subject.split())
    return f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", body.strip() + "\n"


def send_message(template_prefix: str, context: dict, *, to: str, language: str) -> None:
    """Send one message to the address ``to``, written in ``language``."""
    subject, body = render_message(template_prefix, context, language=language)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()


def send_to_user(template_prefix: str, context: dict, *, user) -> None:
    """Send one message to an account, in the language the account chose."""
    send_message(
        template_prefix, {"recipient": user, **context}, to=user.email, language=language_of(user)
    )
