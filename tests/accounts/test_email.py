"""E-mail addresses count only once verified, nobody claims someone else's, and the mail that
confirms them reaches people: the portal's name, the reader's language, a real sender."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from networks.demo import STAFF_EMAIL, demo_staff_account_ensure
from tests.factories import PersonFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
REFUSAL = "This e-mail address cannot be added to your account"

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(email="coordinadora@example.org", name="Coordinadora")
    client.force_login(user)
    return user


def _add_email(client, email, prefix="/en"):
    return client.post(f"{prefix}/accounts/email/", {"email": email, "action_add": ""})


def _assert_refused(response, user, email):
    page = response.content.decode()
    assert response.status_code == 200
    assert REFUSAL in page
    assert not EmailAddress.objects.filter(user=user, email__iexact=email).exists()
    assert mail.outbox == []
    return page


# Addresses that are someone else's ----------------------------------------------------------


def test_another_accounts_verified_address_cannot_be_added(client, coordinator):
    other = UserFactory(email="alcalde@example.org", name="Alcalde Ramírez")

    page = _assert_refused(_add_email(client, "alcalde@example.org"), coordinator, "alcalde@")

    # Whose it is stays unsaid.
    assert other.name not in page
    assert "registered" not in page


def test_another_accounts_unverified_address_cannot_be_added(client, coordinator):
    other = UserFactory(email="tecnico@example.org")
    EmailAddress.objects.create(user=other, email="tecnico.personal@example.org", verified=False)

    _assert_refused(
        _add_email(client, "Tecnico.Personal@example.org"), coordinator, "tecnico.personal@"
    )


def test_an_account_that_never_verified_its_address_still_holds_it(client, coordinator):
    UserFactory(email="nueva@example.org", email_verified=False)

    _assert_refused(_add_email(client, "nueva@example.org"), coordinator, "nueva@")


def test_the_superusers_address_cannot_be_added_in_any_case(client, coordinator):
    # createsuperuser makes no EmailAddress row: the account's own field holds the address.
    User.objects.create_superuser(email="root@example.org", password="x")

    _assert_refused(_add_email(client, "ROOT@Example.ORG"), coordinator, "root@example.org")


def test_a_registry_persons_address_cannot_be_added_in_another_case(client, coordinator):
    person = PersonFactory(email="maria.lopez@example.org", first_name="María", last_name="López")

    page = _assert_refused(
        _add_email(client, "Maria.Lopez@EXAMPLE.org"), coordinator, "maria.lopez@"
    )

    assert person.last_name not in page


def test_the_refusal_is_in_spanish_on_the_spanish_page(client, coordinator):
    PersonFactory(email="maria.lopez@example.org")

    response = _add_email(client, "maria.lopez@example.org", prefix="")

    assert (
        "No se puede añadir esta dirección de correo electrónico a su cuenta"
        in response.content.decode()
    )


def test_the_address_of_ones_own_person_can_be_added_and_waits_for_verification(
    client, coordinator
):
    PersonFactory(email="Coordinadora.Trabajo@example.org", user=coordinator)

    response = _add_email(client, "coordinadora.trabajo@example.org")

    assert response.status_code == 302
    added = EmailAddress.objects.get(user=coordinator, email="coordinadora.trabajo@example.org")
    assert not added.verified
    assert [message.to for message in mail.outbox] == [["coordinadora.trabajo@example.org"]]


def test_a_free_address_is_added_unverified_and_the_link_verifies_it(client, coordinator):
    _add_email(client, "otra@example.org")

    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/en/accounts/confirm-email/[^/\s]+/)", message.body)
    assert link, message.body
    assert not EmailAddress.objects.get(email="otra@example.org").verified

    client.post(link.group(1))

    assert EmailAddress.objects.get(email="otra@example.org").verified


# Signing in ---------------------------------------------------------------------------------


def _sign_in(client, login, password=PASSWORD, prefix="/en"):
    return client.post(f"{prefix}/accounts/login/", {"login": login, "password": password})


def test_signing_in_with_an_unverified_added_address_is_refused(client):
    # The attack of the issue: an address added (but never verified) to one's own account.
    user = UserFactory(email="coordinador@example.org")
    EmailAddress.objects.create(user=user, email="alcaldesa@example.org", verified=False)

    response = _sign_in(client, "alcaldesa@example.org")

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    # The link goes to the address typed, whose owner decides.
    assert [message.to for message in mail.outbox] == [["alcaldesa@example.org"]]


def test_an_account_whose_only_address_is_unverified_cannot_sign_in(client):
    UserFactory(email="nueva@example.org", email_verified=False)

    response = _sign_in(client, "nueva@example.org")

    assert "_auth_user_id" not in client.session
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert [message.to for message in mail.outbox] == [["nueva@example.org"]]


def test_signing_in_with_a_verified_address_works(client):
    user = UserFactory(email="coordinadora@example.org")

    _sign_in(client, "Coordinadora@Example.org")

    assert client.session["_auth_user_id"] == str(user.pk)
    assert mail.outbox == []


def test_the_demo_staff_account_signs_in_with_its_printed_password(client):
    _, password = demo_staff_account_ensure()

    _sign_in(client, STAFF_EMAIL, password)

    assert client.session["_auth_user_id"] == str(User.objects.get(email=STAFF_EMAIL).pk)


# The verification mail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "subject", "greeting"),
    [
        (
            "/en",
            "[Portal de redes] Please Confirm Your Email Address",
            "Hello from Portal de redes!",
        ),
        (
            "",
            "[Portal de redes] Por favor, confirme su dirección de correo electrónico",
            "¡Hola de parte de Portal de redes!",
        ),
    ],
)
def test_verification_mail_carries_the_portal_name_in_the_readers_language(
    client, coordinator, settings, prefix, subject, greeting
):
    _add_email(client, "otra@example.org", prefix=prefix)

    (message,) = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert f"{prefix}/accounts/confirm-email/" in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL == "portal@example.org"


def test_portal_mail_subjects_share_the_prefix(settings):
    assert settings.EMAIL_SUBJECT_PREFIX == "[Portal de redes] "
    assert settings.ACCOUNT_EMAIL_SUBJECT_PREFIX == settings.EMAIL_SUBJECT_PREFIX


# The login page -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_login_page_does_not_invite_to_sign_up(client, prefix):
    page = client.get(f"{prefix}/accounts/login/").content.decode()

    assert "/accounts/signup/" not in page
    assert not re.search(r"sign[ -]?up|regístr|registr|crear una cuenta", page, re.IGNORECASE)
    assert 'name="login"' in page and 'name="password"' in page


def test_login_page_says_who_opens_accounts_in_both_languages(client):
    assert "Accounts are opened by IOM staff." in client.get("/en/accounts/login/").content.decode()
    assert "Las cuentas las abre el personal de la OIM." in (
        client.get("/accounts/login/").content.decode()
    )


# Production settings ------------------------------------------------------------------------

PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "z9Q!" * 15,
    "DATABASE_URL": "sqlite:////tmp/portal-settings-test.sqlite3",
    "EMAIL_URL": "smtp+tls://portal:pw@smtp.example.org:587",
    "DJANGO_DEFAULT_FROM_EMAIL": "Portal de redes <portal@example.org>",
}


def _check(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in {"DATABASE_URL", "EMAIL_URL"}
    }
    env.update({**PRODUCTION, **overrides})
    env = {key: value for key, value in env.items() if value is not None}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "email_url", [None, "consolemail://", "memorymail://", "dummymail://"], ids=str
)
def test_production_refuses_mail_that_reaches_nobody(email_url):
    result = _check(EMAIL_URL=email_url)

    assert result.returncode != 0
    assert "EMAIL_URL must name a mail server" in result.stderr


@pytest.mark.parametrize(
    "sender", [None, "portal@localhost", "Portal <portal@LOCALHOST>", "portal"], ids=str
)
def test_production_refuses_the_default_sender(sender):
    result = _check(DJANGO_DEFAULT_FROM_EMAIL=sender)

    assert result.returncode != 0
    assert "DJANGO_DEFAULT_FROM_EMAIL must be a real sender address" in result.stderr


def test_production_starts_with_a_mail_server_and_a_sender():
    result = _check()

    assert result.returncode == 0, result.stderr


def test_development_keeps_the_console_backend_and_default_sender():
    result = _check(
        DJANGO_DEBUG="1", EMAIL_URL=None, DJANGO_DEFAULT_FROM_EMAIL=None, DATABASE_URL=None
    )

    assert result.returncode == 0, result.stderr
