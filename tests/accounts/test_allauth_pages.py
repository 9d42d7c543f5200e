"""allauth's pages (sign in, password, e-mail, two-factor authentication, sessions) in the
portal's look: its header, Spanish by default, the portal's fields, errors and buttons."""

import re
import time

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def signed_in(user):
    """A real sign-in, then the password typed again: allauth asks for it before the
    two-factor pages (``reauthenticate``)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return client


def assert_portal_page(response, *, title):
    """The page is the portal's: its header and footer, Spanish, the portal's stylesheets."""
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert 'class="site-header"' in page
    assert 'class="brand"' in page
    assert 'class="site-footer"' in page
    assert "/static/css/account.css" in page
    assert re.search(r"<h1>\s*" + re.escape(title), page), title
    # allauth's own bare menu ("Menu:", "Messages:") is not there.
    assert "Menu:" not in page and "Menú:" not in page
    return page


@pytest.fixture
def user(db):
    return UserFactory(email="coordinadora@example.org", name="Coordinadora")


# Pages of someone not signed in ---------------------------------------------------------------


def test_sign_in_page(client):
    page = assert_portal_page(client.get(reverse("account_login")), title="Iniciar sesión")

    assert 'class="field"' in page
    assert '<label class="field__label" for="id_login">' in page
    assert 'class="button"' in page


def test_wrong_password_is_shown_in_the_error_summary(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "no"})

    page = assert_portal_page(response, title="Iniciar sesión")
    assert 'class="error-summary"' in page
    assert "no son correctas" in page
    assert 'value="coordinadora@example.org"' in page  # what was typed is kept


def test_password_reset_pages(client, user):
    assert_portal_page(client.get(reverse("account_reset_password")), title="Restablecer")

    response = client.post(reverse("account_reset_password"), {"email": user.email}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("account_reset_password_done")
    assert_portal_page(response, title="Restablecer")


def test_password_reset_from_key_page(client, user):
    key = default_token_generator.make_token(user)
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )

    response = client.get(url, follow=True)

    page = assert_portal_page(response, title="Cambiar la contraseña")
    assert 'name="password1"' in page and 'name="password2"' in page


def test_password_reset_from_a_bad_key(client, user):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": "bad-key"},
    )

    assert_portal_page(client.get(url, follow=True), title="Hay un problema con el token")


def test_unknown_address_for_a_reset_is_an_error_next_to_the_field(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "no-es-un-correo"})

    page = assert_portal_page(response, title="Restablecer")
    assert 'class="field field--error"' in page
    assert 'class="field__error"' in page
    assert 'href="#id_email"' in page  # the summary links to the field


# Pages of the signed-in person ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("account_change_password", "Cambiar la contraseña"),
        ("account_email", "Direcciones de correo electrónico"),
        ("mfa_index", "Autenticación de doble factor"),
        ("mfa_activate_totp", "Activar la aplicación de autenticación"),
        ("usersessions_list", ""),
        ("account_logout", "Cerrar sesión"),
        ("account_reauthenticate", "Confirmar acceso"),
    ],
)
def test_signed_in_pages(user, name, title):
    client = signed_in(user)

    page = assert_portal_page(client.get(reverse(name)), title=title)

    if name != "account_reauthenticate":
        # The person's own settings lead back to My account.
        assert f'<p class="back-link"><a href="{reverse("dashboard:myaccount:overview")}">' in page


def test_the_authenticator_app_page_shows_the_qr_code_and_the_secret(user):
    page = signed_in(user).get(reverse("mfa_activate_totp")).content.decode()

    assert 'class="account-img account-img--qr" src="data:image/svg+xml' in page
    assert 'id="authenticator_secret"' in page
    assert '<label class="field__label" for="id_code">' in page


def test_a_wrong_code_when_activating_the_app_is_shown_next_to_the_field(user):
    client = signed_in(user)
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    page = assert_portal_page(response, title="Activar la aplicación de autenticación")
    assert 'class="field field--error"' in page
    assert 'class="error-summary"' in page


def test_recovery_code_pages(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    client = signed_in(user)
    # Signed in with a password only: the second factor is asked for first.
    response = client.get(reverse("mfa_authenticate"))
    assert_portal_page(response, title="Autenticación de doble factor")
    assert 'name="code"' in response.content.decode()

    client = Client()
    client.force_login(user)
    client.post(reverse("mfa_reauthenticate"), {"code": _current_code(secret)})
    page = assert_portal_page(
        client.get(reverse("mfa_view_recovery_codes")), title="Códigos de recuperación"
    )
    assert 'id="recovery_codes"' in page
    assert_portal_page(
        client.get(reverse("mfa_generate_recovery_codes")), title="Códigos de recuperación"
    )
    page = assert_portal_page(client.get(reverse("mfa_index")), title="Autenticación")
    assert 'class="panel"' in page
    assert "button button--danger" in page  # deactivating the app


def test_mfa_reauthenticate_page(user):
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)

    assert_portal_page(client.get(reverse("mfa_reauthenticate")), title="Confirmar acceso")


def test_a_wrong_current_password_is_shown_next_to_the_field(user):
    client = signed_in(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "Nueva-clave-larga-9", "password2": "x"},
    )

    page = assert_portal_page(response, title="Cambiar la contraseña")
    assert page.count('class="field field--error"') == 2
    assert 'href="#id_oldpassword"' in page


def test_email_page_lists_the_address_with_its_badges(user):
    page = signed_in(user).get(reverse("account_email")).content.decode()

    assert "coordinadora@example.org" in page
    assert 'class="badge badge--success"' in page
    assert 'class="button button--danger"' in page  # remove


def test_pages_are_in_english_under_en(user):
    client = signed_in(user)

    page = client.get("/en/accounts/password/change/").content.decode()

    assert '<html lang="en">' in page
    assert "Change Password" in page


def _current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# Mail in the reader's language ----------------------------------------------------------------


def test_a_password_reset_mail_is_written_in_the_accounts_language(client, mailoutbox):
    UserFactory(email="english@example.org", language="en")

    client.post(reverse("account_reset_password"), {"email": "english@example.org"})

    (message,) = mailoutbox
    assert "Password Reset" in message.subject
    assert "/en/accounts/password/reset/key/" in message.body


def test_a_spanish_account_gets_its_reset_mail_in_spanish_from_the_english_page(client, mailoutbox):
    UserFactory(email="espanol@example.org", language="es")

    client.post("/en/accounts/password/reset/", {"email": "espanol@example.org"})

    (message,) = mailoutbox
    assert "Restablecer" in message.subject or "contraseña" in message.subject.lower()
    assert "/accounts/password/reset/key/" in message.body
    assert "/en/accounts/" not in message.body
