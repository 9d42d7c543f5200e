"""My account (/dashboard/account/): who I am, my networks, my language, the way to my
password, e-mail addresses, two-factor authentication and signed-in sessions."""

import datetime

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from networks.enums import MembershipRole
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACCOUNT = "/dashboard/account/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def coordinator(client):
    user = UserFactory(email="coordinadora@example.org", name="Ana Coordinadora")
    person = PersonFactory(user=user)
    network = NetworkFactory(name="Red Trifinio", slug="red-trifinio")
    MembershipFactory(person=person, network=network, role=MembershipRole.COORDINATOR)
    client.force_login(user)
    return user


def signed_in_client(user, user_agent="Navegador de prueba"):
    """A real sign-in through allauth's form, so allauth records the session."""
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


# The page -----------------------------------------------------------------------------------


def test_account_page_shows_name_email_and_coordinated_networks(client, coordinator):
    other = NetworkFactory(name="Red Ocotepeque")
    MembershipFactory(
        person=PersonFactory(), network=other, role=MembershipRole.COORDINATOR
    )  # someone else's seat

    response = client.get(ACCOUNT)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ana Coordinadora" in page
    assert "coordinadora@example.org" in page
    assert "Red Trifinio" in page
    assert reverse("dashboard:network", kwargs={"network": "red-trifinio"}) in page
    assert "Red Ocotepeque" not in page
    assert list(response.context["networks"]) == [coordinator.person.memberships.get().network]


def test_a_former_coordinator_sees_no_network(client):
    user = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=user),
        role=MembershipRole.COORDINATOR,
        end_date=datetime.date(2022, 1, 1),
    )
    client.force_login(user)

    response = client.get(ACCOUNT)

    assert list(response.context["networks"]) == []


def test_account_page_links_to_each_allauth_page(client, coordinator):
    page = client.get(ACCOUNT).content.decode()

    for name in (
        "account_change_password",
        "account_email",
        "mfa_index",
        "usersessions_list",
        "account_logout",
    ):
        assert f'href="{reverse(name)}"' in page, name


def test_account_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(ACCOUNT)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_account_page_is_never_cached(client, coordinator):
    assert "no-cache" in client.get(ACCOUNT)["Cache-Control"]


def test_staff_are_told_their_networks_are_on_my_networks(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/en/dashboard/account/")

    assert response.status_code == 200
    assert response.context["networks"] is None
    assert "As IOM staff" in response.content.decode()


# Two-factor status -------------------------------------------------------------------------


def test_two_factor_is_shown_off_without_an_authenticator(client, coordinator):
    response = client.get("/en/dashboard/account/")

    assert response.context["two_factor"] == {"enabled": False, "recovery_codes_left": None}
    assert ">Off<" in response.content.decode()


def test_two_factor_is_shown_on_with_the_recovery_codes_left(client, coordinator):
    TOTP.activate(coordinator, generate_totp_secret())
    codes = RecoveryCodes.activate(coordinator)
    codes.validate_code(codes.get_unused_codes()[0])  # one used

    response = client.get("/en/dashboard/account/")

    total = len(codes.generate_codes())
    assert response.context["two_factor"] == {"enabled": True, "recovery_codes_left": total - 1}
    page = response.content.decode()
    assert ">On<" in page
    assert f"{total - 1} recovery codes left" in page


# Language -----------------------------------------------------------------------------------


def test_choosing_english_saves_it_and_shows_the_page_in_english(client, coordinator):
    response = client.post(ACCOUNT, {"language": "en"}, follow=True)

    coordinator.refresh_from_db()
    assert coordinator.language == "en"
    assert response.redirect_chain == [("/en/dashboard/account/", 302)]
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Language saved" in page


def test_choosing_spanish_from_the_english_page_goes_back_to_the_spanish_one(client, coordinator):
    User.objects.filter(pk=coordinator.pk).update(language="en")

    response = client.post("/en/dashboard/account/", {"language": "es"}, follow=True)

    coordinator.refresh_from_db()
    assert coordinator.language == "es"
    assert response.redirect_chain == [("/dashboard/account/", 302)]
    assert '<html lang="es">' in response.content.decode()


def test_the_language_form_shows_the_saved_choice(client, coordinator):
    User.objects.filter(pk=coordinator.pk).update(language="en")

    response = client.get(ACCOUNT)

    assert response.context["form"]["language"].value() == "en"
    assert 'value="en" required id="id_language_1" checked' in response.content.decode()


def test_an_unknown_language_is_refused_with_a_message(client, coordinator):
    response = client.post("/en/dashboard/account/", {"language": "fr"})

    coordinator.refresh_from_db()
    assert coordinator.language == "es"
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a valid choice" in page


# After signing in -----------------------------------------------------------------------------


def test_an_english_user_lands_on_the_english_workspace(client):
    user = UserFactory(language="en")

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/en/dashboard/"


def test_a_spanish_user_signing_in_on_the_english_page_lands_on_the_spanish_workspace(client):
    user = UserFactory(language="es")

    with translation.override("en"):
        login_url = reverse("account_login")
    response = client.post(login_url, {"login": user.email, "password": PASSWORD})

    assert login_url == "/en/accounts/login/"
    assert response.url == "/dashboard/"


def test_signing_in_keeps_the_next_page_whatever_the_language(client):
    user = UserFactory(language="en")

    response = client.post(
        f"{reverse('account_login')}?next=/dashboard/account/",
        {"login": user.email, "password": PASSWORD},
    )

    assert response.url == "/dashboard/account/"


# Signed-in sessions ---------------------------------------------------------------------------


def test_sessions_list_shows_the_current_session(coordinator):
    client = signed_in_client(coordinator, user_agent="Firefox en el teléfono")

    response = client.get(reverse("usersessions_list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [s.session_key for s in response.context["sessions"]] == [client.session.session_key]
    assert "Firefox en el teléfono" in page
    assert "Esta sesión" in page or "This session" in page


def test_a_user_can_sign_out_their_other_sessions(coordinator):
    phone = signed_in_client(coordinator, user_agent="Teléfono")
    laptop = signed_in_client(coordinator, user_agent="Portátil")
    assert UserSession.objects.filter(user=coordinator).count() == 2

    response = laptop.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert list(
        UserSession.objects.filter(user=coordinator).values_list("user_agent", flat=True)
    ) == ["Portátil"]
    # The phone is signed out, the laptop is not.
    assert phone.get(ACCOUNT).status_code == 302
    assert laptop.get(ACCOUNT).status_code == 200


def test_a_user_never_sees_another_users_sessions(coordinator):
    other = UserFactory(email="otro@example.org")
    signed_in_client(other, user_agent="Navegador del otro")
    mine = signed_in_client(coordinator, user_agent="Mi navegador")

    page = mine.get(reverse("usersessions_list")).content.decode()

    assert "Mi navegador" in page
    assert "Navegador del otro" not in page


def test_ending_sessions_leaves_another_users_sessions_alone(coordinator):
    other = UserFactory(email="otro@example.org")
    other_client = signed_in_client(other)
    mine = signed_in_client(coordinator)
    signed_in_client(coordinator)

    mine.post(reverse("usersessions_list"))

    assert UserSession.objects.filter(user=other).count() == 1
    assert other_client.get(ACCOUNT).status_code == 200


def test_account_page_counts_the_signed_in_sessions(coordinator):
    signed_in_client(coordinator)
    client = signed_in_client(coordinator)

    response = client.get("/en/dashboard/account/")

    assert response.context["session_count"] == 2
    assert "2 sessions" in response.content.decode()
