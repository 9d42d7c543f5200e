"""Staff open the admin only with two-factor authentication (accounts/middleware.py)."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in_with_password(user):
    """A real sign-in through allauth's form: a password, and the code when asked."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client, response


def test_staff_without_an_authenticator_app_is_sent_to_set_one_up():
    staff = StaffUserFactory(is_superuser=True)
    client, _response = signed_in_with_password(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert "next=%2Fadmin%2F" in response.url


def test_a_staff_session_that_skipped_the_second_factor_is_asked_for_a_code():
    staff = StaffUserFactory(is_superuser=True)
    client, _response = signed_in_with_password(staff)
    # The app is set up after this session signed in (say, on another device).
    TOTP.activate(staff, generate_totp_secret())

    response = client.get(reverse("admin:networks_person_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))


def test_staff_with_the_second_factor_reach_the_admin():
    staff = StaffUserFactory(is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client, response = signed_in_with_password(staff)
    # allauth asks for the code before the sign-in completes.
    assert response.url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_leaves_staff_outside():
    staff = StaffUserFactory(is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client, _response = signed_in_with_password(staff)
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.get(reverse("admin:index"))

    # Still not signed in: the admin sends them to sign in.
    assert "_auth_user_id" not in client.session
    assert response.url.startswith(reverse("admin:login"))


def test_recovery_codes_alone_are_not_a_second_factor():
    staff = StaffUserFactory(is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.RECOVERY_CODES, data={})
    client, _response = signed_in_with_password(staff)

    response = client.get(reverse("admin:index"))

    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_pages_outside_the_admin_and_other_users_are_left_alone():
    staff = StaffUserFactory()
    client, _response = signed_in_with_password(staff)
    assert client.get(reverse("home")).status_code == 200

    coordinator_client, _response = signed_in_with_password(UserFactory())
    response = coordinator_client.get(reverse("admin:index"))

    # Not staff: the admin's own rule answers (sign-in page), not the two-factor detour.
    assert not response.url.startswith(reverse("mfa_activate_totp"))


def test_after_setting_up_two_factor_staff_have_a_way_on_to_the_admin(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.factories import StaffUserFactory

    staff = StaffUserFactory()
    client.force_login(staff)  # a session that passed MFA (tests/conftest.py)
    RecoveryCodes.activate(staff)  # as activating the authenticator app does

    # Showing the codes asks for the password again, as right after setting up the app.
    client.post("/accounts/reauthenticate/", {"password": "correct horse battery staple"})
    response = client.get("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200, response.get("Location")
    page = response.content.decode()

    assert 'href="/admin/"' in page
    assert "Continuar a la administración" in page
