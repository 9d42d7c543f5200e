"""An account whose password others know (the demo's staff account) chooses its own first."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long passphrase of my own 2026"


def test_flagged_account_is_sent_to_choose_a_new_password_before_any_page(client):
    user = UserFactory(must_change_password=True)
    user.set_password("demo-known-password")
    user.save()
    client.force_login(user)

    for path in ("/dashboard/", "/en/dashboard/", "/practices/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/accounts/password/change/") or response.url.startswith(
            "/en/accounts/password/change/"
        ), path


def test_new_password_clears_the_flag_and_opens_the_portal(client):
    user = UserFactory(must_change_password=True)
    user.set_password("demo-known-password")
    user.save()
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "demo-known-password",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_current_password_keeps_the_flag(client):
    user = UserFactory(must_change_password=True)
    user.set_password("demo-known-password")
    user.save()
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password
    assert client.get("/dashboard/").status_code == 302


def test_unflagged_accounts_are_left_alone(client):
    client.force_login(UserFactory())

    assert client.get("/dashboard/").status_code == 200
