import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_signs_in_with_email_whatever_its_case(client):
    UserFactory(email="coordinadora@example.org")

    response = client.post(
        "/en/accounts/login/",
        {"login": "Coordinadora@Example.org", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_wrong_password_re_renders_login_with_an_error(client):
    UserFactory(email="coordinadora@example.org")

    response = client.post(
        "/en/accounts/login/", {"login": "coordinadora@example.org", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_public_signup_is_closed(client):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "intruder@example.org", "password1": "Xy7!longpass", "password2": "Xy7!longpass"},
    )

    assert not User.objects.filter(email="intruder@example.org").exists()
    assert "Sign Up Closed" in response.content.decode()


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/networks/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fnetworks%2F"


def test_staff_signed_in_with_a_password_only_must_set_up_two_factor_first(client):
    # The whole sign-in with the second factor: tests/accounts/test_mfa.py.
    StaffUserFactory(email="staff2@example.org")

    client.post(
        "/accounts/login/?next=/admin/",
        {"login": "staff2@example.org", "password": "correct horse battery staple"},
    )
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"


def test_non_staff_user_opening_admin_is_sent_to_the_workspace(client):
    user = UserFactory(email="coordinador@example.org")
    client.force_login(user)

    response = client.get("/admin/networks/person/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/networks/person/", 302),
        ("/dashboard/", 302),
    ]
    assert response.status_code == 200
    assert response.resolver_match.view_name == "dashboard:home"


def test_user_email_is_unique_regardless_of_case():
    User.objects.create_user(email="ana@example.org", password="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANA@example.org")


def test_a_refusal_is_a_translated_page_with_a_way_back(client):
    # A staff account without the permission: the admin refuses, on the portal's own page.
    client.force_login(StaffUserFactory())

    response = client.get("/admin/networks/person/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Acceso no permitido" in page
    assert 'href="/"' in page
