"""Invitations to the portal (networks.invitations, the link page, the admin's actions).

The raw key is never read from the database (only its hash is there): every test takes the
link from the e-mail, as the person would.

A link that does not work answers 404 when its key names nothing (incomplete, replaced) and
410 (gone) when it named an invitation that expired, was revoked or was used.
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import User
from networks import invitations
from networks.access import SYSTEM
from networks.enums import MembershipRole
from networks.invitations import (
    invitation_regenerate,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    key_hash,
)
from networks.models import Invitation, Person
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/invitation/(?P<key>[\w-]+)/")
PASSWORD = "a long river crossing"


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture
def trifinio():
    return NetworkFactory(name="Mesa del Trifinio")


@pytest.fixture
def jutiapa():
    return NetworkFactory(name="Red de Jutiapa")


@pytest.fixture
def coordinator(trifinio):
    user = UserFactory(name="Marta Cardona")
    person = PersonFactory(user=user, email=user.email)
    MembershipFactory(person=person, network=trifinio, role=MembershipRole.COORDINATOR)
    return user


@pytest.fixture
def admin_user():
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True, name="Ana OIM")


@pytest.fixture
def member(trifinio):
    person = PersonFactory(first_name="Rosa", last_name="Alvarenga", email="rosa@example.org")
    MembershipFactory(person=person, network=trifinio)
    return person


@pytest.fixture
def outsider(jutiapa):
    person = PersonFactory(first_name="Otto", last_name="Asencio", email="otto@example.org")
    MembershipFactory(person=person, network=jutiapa)
    return person


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


# Sending ------------------------------------------------------------------------------------


def test_invitation_send_mails_a_link_that_only_its_hash_is_stored_of(admin_user, member):
    invitation = invitation_send(person=member, actor=admin_user)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    key = LINK.search(message.body)["key"]
    stored = Invitation.objects.get()
    assert stored.key_hash == key_hash(key) != key
    assert key not in str(Invitation.objects.values().get())
    assert (stored.status, stored.person, stored.email, stored.network.name) == (
        "pending",
        member,
        "rosa@example.org",
        "Mesa del Trifinio",
    )
    assert (stored.created_by, stored.sent_count, stored.language) == (admin_user, 1, "es")
    assert stored.expires_at - stored.created_at == datetime.timedelta(days=7)
    # The link is on the result once, for "copy the link", and never stored.
    assert invitation.link == link_in(message)


def test_invitation_mail_says_who_for_which_network_once_and_until_when(admin_user, member):
    with translation.override("en"):
        invitation_send(person=member, actor=admin_user, language="en")
    message = mail.outbox[0]
    invitation = Invitation.objects.get()

    assert message.subject == (
        "[Portal de redes] You are invited to the portal of Mesa del Trifinio"
    )
    with translation.override("en"):
        deadline = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    assert "Hello Rosa Alvarenga," in message.body
    assert "Ana OIM invites you to the portal" in message.body
    assert "for Mesa del Trifinio" in message.body
    assert f"The link works only once, until {deadline};" in message.body
    assert "If you did not expect this invitation, you can ignore this message" in message.body
    assert "/en/accounts/invitation/" in link_in(message)


def test_invitation_mail_is_in_the_inviters_language_by_default(admin_user, member):
    invitation_send(person=member, actor=admin_user)  # the tests run in Spanish
    invitation = Invitation.objects.get()
    link = link_in(mail.outbox[0])

    with translation.override("es"):
        deadline = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    assert invitation.language == "es"
    assert deadline in mail.outbox[0].body
    assert " de " in deadline  # Spanish month names: the date is in the mail's language
    assert "/en/" not in link
    assert path_of(link).startswith("/accounts/invitation/")


def test_invitation_send_again_replaces_the_open_invitation(admin_user, member, client):
    invitation_send(person=member, actor=admin_user)
    first_link = link_in(mail.outbox[0])
    invitation_send(person=member, actor=admin_user)
    second_link = link_in(mail.outbox[1])

    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().sent_count == 2
    assert client.get(path_of(first_link)).status_code == 404
    assert client.get(path_of(second_link)).status_code == 200


def test_invitation_send_refuses_a_person_without_email(admin_user, trifinio):
    person = PersonFactory(email="")
    MembershipFactory(person=person, network=trifinio)

    with pytest.raises(ValidationError) as error:
        invitation_send(person=person, actor=admin_user)

    assert error.value.code == invitations.NO_EMAIL
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_invitation_send_refuses_a_person_who_has_an_account(admin_user, member):
    member.user = UserFactory(email="rosa@example.org")
    member.save()

    with pytest.raises(ValidationError) as error:
        invitation_send(person=member, actor=admin_user)

    assert error.value.code == invitations.HAS_ACCOUNT
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_invitation_send_links_an_existing_account_whatever_the_case(admin_user, member):
    account = UserFactory(email="rosa@example.org", name="Rosa A.", language="en")
    member.email = "ROSA@example.org"
    Person.objects.filter(pk=member.pk).update(email="ROSA@example.org")

    invitation = invitation_send(person=member, actor=admin_user)

    member.refresh_from_db()
    assert member.user == account
    assert (invitation.linked_existing_account, invitation.status, invitation.link) == (
        True,
        "accepted",
        None,
    )
    assert invitation.accepted_user == account
    (message,) = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert (
        message.subject
        == "[Portal de redes] Your account now gives you access to Mesa del Trifinio"
    )
    assert "Hello Rosa A.," in message.body  # in the account's language, English
    assert "no new account was opened" in message.body
    assert not LINK.search(message.body)
    assert User.objects.filter(email__iexact="rosa@example.org").count() == 1


def test_invitation_send_links_the_account_with_the_verified_added_address(admin_user, member):
    account = UserFactory(email="rosa.trabajo@example.org")
    EmailAddress.objects.create(user=account, email="Rosa@example.org", verified=True)

    invitation_send(person=member, actor=admin_user)

    member.refresh_from_db()
    assert member.user == account
    assert mail.outbox[0].to == ["rosa.trabajo@example.org"]


def test_invitation_send_refuses_an_account_that_is_another_persons(admin_user, member):
    account = UserFactory(email="rosa@example.org")
    PersonFactory(user=account, email="otra@example.org")

    with pytest.raises(ValidationError) as error:
        invitation_send(person=member, actor=admin_user)

    assert error.value.code == invitations.ACCOUNT_UNAVAILABLE
    member.refresh_from_db()
    assert (member.user, Invitation.objects.count(), len(mail.outbox)) == (None, 0, 0)


def test_invitation_send_records_the_inviter_in_the_trail(coordinator, member):
    invitation_send(person=member, actor=coordinator)

    version = Invitation.objects.get().history.get()
    assert (version.history_type, version.history_user) == ("+", coordinator)
    assert not hasattr(version, "key_hash")  # dead keys stay out of the trail


# Who may invite whom --------------------------------------------------------------------------


def test_coordinator_invites_a_member_of_their_network(coordinator, member, trifinio):
    invitation = invitation_send(person=member, actor=coordinator)

    assert (invitation.network, invitation.created_by) == (trifinio, coordinator)
    assert "Marta Cardona" in mail.outbox[0].body


def test_coordinator_cannot_invite_a_person_of_another_network(coordinator, outsider, jutiapa):
    with pytest.raises(PermissionDenied):
        invitation_send(person=outsider, actor=coordinator)
    with pytest.raises(PermissionDenied):
        invitation_send(person=outsider, actor=coordinator, network=jutiapa)

    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_coordinator_cannot_invite_for_another_network_a_person_of_both(
    coordinator, member, jutiapa
):
    MembershipFactory(person=member, network=jutiapa)

    with pytest.raises(PermissionDenied):
        invitation_send(person=member, actor=coordinator, network=jutiapa)

    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_coordinator_cannot_invite_a_former_member(coordinator, trifinio):
    person = PersonFactory()
    MembershipFactory(person=person, network=trifinio, end_date=datetime.date(2022, 1, 1))

    with pytest.raises(PermissionDenied):
        invitation_send(person=person, actor=coordinator)
    assert len(mail.outbox) == 0


def test_former_coordinator_and_plain_member_cannot_invite(trifinio, member):
    former = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=former),
        network=trifinio,
        role=MembershipRole.COORDINATOR,
        end_date=datetime.date(2024, 4, 30),
    )
    plain = UserFactory()
    MembershipFactory(person=PersonFactory(user=plain), network=trifinio)

    for actor in (former, plain, staff_with("view_person", "change_person")):
        with pytest.raises(PermissionDenied):
            invitation_send(person=member, actor=actor)
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_staff_with_the_permission_invite_and_must_name_a_network_the_person_sits_in(
    member, jutiapa
):
    staff = staff_with("add_invitation")

    with pytest.raises(ValidationError) as error:
        invitation_send(person=member, actor=staff, network=jutiapa)
    assert error.value.code == invitations.NOT_SEATED

    assert invitation_send(person=member, actor=staff).network.name == "Mesa del Trifinio"


def test_staff_invite_a_person_of_no_network(admin_user):
    person = PersonFactory(email="colega@example.org")

    invitation = invitation_send(person=person, actor=admin_user)

    assert invitation.network is None
    # Written in the inviter's language: Spanish here.
    assert mail.outbox[0].subject == (
        "[Portal de redes] Le invitan al portal de las redes de migración transfronterizas"
    )


def test_coordinators_see_the_invitations_of_their_networks_only(
    coordinator, admin_user, member, outsider
):
    mine = invitation_send(person=member, actor=coordinator)
    invitation_send(person=outsider, actor=admin_user)

    assert list(Invitation.objects.for_user(coordinator)) == [mine]
    assert list(Invitation.objects.for_user(coordinator, "change")) == []


def test_coordinator_cannot_resend_regenerate_or_revoke(coordinator, member):
    invitation = invitation_send(person=member, actor=coordinator)

    for service in (invitation_resend, invitation_regenerate, invitation_revoke):
        with pytest.raises(PermissionDenied):
            service(invitation=invitation, actor=coordinator)
    assert Invitation.objects.get().status == "pending"
    assert len(mail.outbox) == 1


# Resend, regenerate, revoke -----------------------------------------------------------------


def test_resend_mails_a_new_link_and_the_old_one_stops_working(admin_user, member, client):
    invitation = invitation_send(person=member, actor=admin_user)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))

    invitation_resend(invitation=invitation, actor=admin_user)

    old, new = (link_in(message) for message in mail.outbox)
    assert old != new
    stored = Invitation.objects.get()
    assert (stored.status, stored.sent_count) == ("pending", 2)
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200


def test_regenerate_gives_a_new_link_without_mail(admin_user, member, client):
    invitation = invitation_send(person=member, actor=admin_user)
    old = link_in(mail.outbox[0])

    regenerated = invitation_regenerate(invitation=invitation, actor=admin_user)

    assert len(mail.outbox) == 1
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(regenerated.link)).status_code == 200


def test_revoked_and_accepted_invitations_cannot_be_renewed(admin_user, member):
    invitation = invitation_send(person=member, actor=admin_user)
    invitation_revoke(invitation=invitation, actor=admin_user)

    for service in (invitation_resend, invitation_regenerate, invitation_revoke):
        with pytest.raises(ValidationError) as error:
            service(invitation=invitation, actor=admin_user)
        assert error.value.code == invitations.CLOSED
    assert len(mail.outbox) == 1
    # A new invitation may follow a revoked one.
    invitation_send(person=member, actor=admin_user)
    assert sorted(i.status for i in Invitation.objects.all()) == ["pending", "revoked"]


# The link's page ------------------------------------------------------------------------------


@pytest.fixture
def invited(admin_user, member):
    invitation_send(person=member, actor=admin_user, language="es")
    return path_of(link_in(mail.outbox[0]))


def test_link_page_shows_who_and_which_network(client, invited):
    response = client.get(invited)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Rosa Alvarenga" in content
    assert "Mesa del Trifinio" in content
    assert "rosa@example.org" in content
    assert 'type="password"' in content
    assert response["Cache-Control"].startswith("max-age=0")


def test_accepting_creates_a_verified_account_linked_to_the_person(client, invited, member):
    response = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home") == "/dashboard/"
    user = User.objects.get(email="rosa@example.org")
    assert (user.name, user.language, user.check_password(PASSWORD)) == (
        member.full_name,
        "es",
        True,
    )
    assert user.is_staff is False
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("rosa@example.org", True, True)]
    member.refresh_from_db()
    assert member.user == user
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.accepted_user) == ("accepted", user)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get("/dashboard/").status_code == 200
    # The trail names the new account as the one who linked the person.
    version = member.history.first()
    assert (version.history_user, version.history_change_reason) == (user, "invitation")


def test_english_link_creates_an_english_account(client, admin_user, member):
    invitation_send(person=member, actor=admin_user, language="en")
    link = path_of(link_in(mail.outbox[0]))
    assert link.startswith("/en/accounts/invitation/")

    page = client.get(link)
    assert "Open your account" in page.content.decode()
    client.post(link, {"password1": PASSWORD, "password2": PASSWORD})

    assert User.objects.get(email="rosa@example.org").language == "en"


def test_used_link_works_once(client, invited):
    client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})
    client.logout()

    again = client.get(f"/en{invited}")
    reused = client.post(
        invited, {"password1": "another long password", "password2": "another long password"}
    )

    assert again.status_code == reused.status_code == 410
    assert "already used" in again.content.decode()
    assert User.objects.filter(email="rosa@example.org").count() == 1
    assert User.objects.get(email="rosa@example.org").check_password(PASSWORD)


def test_expired_link_is_refused_and_nothing_changes(client, invited):
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    page = client.get(f"/en{invited}")
    post = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})

    assert page.status_code == post.status_code == 410
    content = page.content.decode()
    assert "has expired" in content
    assert "Ask whoever invited you" in content
    assert User.objects.filter(email="rosa@example.org").count() == 0
    assert Invitation.objects.get().status == "expired"


def test_revoked_link_is_refused(client, invited, admin_user):
    invitation_revoke(invitation=Invitation.objects.get(), actor=admin_user)

    page = client.get(f"/en{invited}")
    post = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})

    assert page.status_code == post.status_code == 410
    assert "cancelled" in page.content.decode()
    assert User.objects.filter(email="rosa@example.org").count() == 0


@pytest.mark.parametrize("key", ["not-a-key", "x" * 500])
def test_unknown_link_is_a_404_saying_what_to_do(client, invited, key):
    response = client.get("/en" + reverse("invitations:accept", kwargs={"key": key}))

    assert response.status_code == 404
    assert "Ask whoever invited you" in response.content.decode()


def test_link_refuses_a_weak_or_mismatched_password_and_keeps_the_link(client, invited):
    weak = client.post(invited, {"password1": "12345678", "password2": "12345678"})
    mismatched = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD + "!"})
    like_the_name = client.post(
        invited, {"password1": "rosa@example.org", "password2": "rosa@example.org"}
    )

    for response in (weak, mismatched, like_the_name):
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
    assert list(weak.context["form"].errors) == ["password1"]
    assert list(mismatched.context["form"].errors) == ["password2"]
    assert list(like_the_name.context["form"].errors) == ["password1"]
    assert User.objects.filter(email="rosa@example.org").count() == 0
    assert Invitation.objects.get().status == "pending"


def test_signed_in_visitor_is_asked_to_sign_out_and_nothing_changes(client, invited, coordinator):
    client.force_login(coordinator)

    page = client.get(invited)
    post = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})

    assert page.status_code == post.status_code == 200
    assert "Cierre sesión para aceptar esta invitación" in page.content.decode()
    assert User.objects.filter(email="rosa@example.org").count() == 0
    assert Invitation.objects.get().status == "pending"


def test_link_refused_when_the_address_got_an_account_meanwhile(client, invited):
    UserFactory(email="Rosa@example.org")

    response = client.post(invited, {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 410
    assert User.objects.filter(email__iexact="rosa@example.org").count() == 1


# The admin ------------------------------------------------------------------------------------


def changelist(model):
    return reverse(f"admin:networks_{model}_changelist")


def test_admin_invites_people_and_reports_each_outcome(client, admin_user, trifinio):
    fresh = PersonFactory(first_name="Ana", last_name="Nueva", email="ana@example.org")
    known = PersonFactory(first_name="Luis", last_name="Conocido", email="luis@example.org")
    UserFactory(email="luis@example.org")
    silent = PersonFactory(first_name="Sin", last_name="Correo", email="")
    linked = PersonFactory(first_name="Ya", last_name="Cuenta", user=UserFactory())
    for person in (fresh, known, silent, linked):
        MembershipFactory(person=person, network=trifinio)
    client.force_login(admin_user)

    response = client.post(
        changelist("person"),
        {"action": "invite", "_selected_action": [fresh.pk, known.pk, silent.pk, linked.pk]},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    # The admin speaks Spanish.
    assert texts == [
        "Invitación enviada a: Ana Nueva",
        "Se vincularon a su cuenta existente (y se les avisó): Luis Conocido",
        "Sin dirección de correo electrónico: Sin Correo",
        "Ya tienen cuenta: Ya Cuenta",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "luis@example.org"]


def test_admin_invites_from_memberships_for_their_network(client, admin_user, member, jutiapa):
    seat = MembershipFactory(person=member, network=jutiapa)
    client.force_login(admin_user)

    client.post(changelist("membership"), {"action": "invite", "_selected_action": [seat.pk]})

    assert Invitation.objects.get().network == jutiapa
    assert "para Red de Jutiapa" in mail.outbox[0].body  # in the inviter's language


def test_coordinator_posting_the_admin_action_sends_nothing(client, coordinator, member):
    client.force_login(coordinator)

    response = client.post(
        changelist("person"), {"action": "invite", "_selected_action": [member.pk]}
    )

    assert response.status_code == 302
    assert not response["Location"].startswith(changelist("person"))
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_staff_without_the_permission_cannot_run_the_action(client, member):
    staff = staff_with("view_person", "change_person")
    client.force_login(staff)

    listed = client.get(changelist("person"))
    client.post(changelist("person"), {"action": "invite", "_selected_action": [member.pk]})

    assert "Invite to the portal" not in listed.content.decode()
    assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)


def test_admin_regenerate_shows_the_new_link_once(client, admin_user, member):
    invitation = invitation_send(person=member, actor=admin_user)
    old = link_in(mail.outbox[0])
    client.force_login(admin_user)

    response = client.post(
        changelist("invitation"),
        {"action": "regenerate", "_selected_action": [invitation.pk]},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    shown = [LINK.search(text) for text in texts if LINK.search(text)]
    assert len(shown) == 1
    assert len(mail.outbox) == 1
    client.logout()
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(shown[0].group(0))).status_code == 200


def test_admin_resend_and_revoke(client, admin_user, member):
    invitation = invitation_send(person=member, actor=admin_user)
    client.force_login(admin_user)

    client.post(changelist("invitation"), {"action": "resend", "_selected_action": [invitation.pk]})
    assert len(mail.outbox) == 2
    client.post(changelist("invitation"), {"action": "revoke", "_selected_action": [invitation.pk]})

    assert Invitation.objects.get().status == "revoked"
    client.logout()
    assert client.get(path_of(link_in(mail.outbox[1]))).status_code == 410


def test_admin_invitation_page_is_read_only(client, admin_user, member):
    invitation = invitation_send(person=member, actor=admin_user)
    client.force_login(admin_user)
    url = reverse("admin:networks_invitation_change", args=[invitation.pk])

    page = client.get(url)
    post = client.post(url, {"email": "otra@example.org"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert client.get(reverse("admin:networks_invitation_add")).status_code == 403
    assert Invitation.objects.get().email == "rosa@example.org"


@pytest.mark.parametrize("rows", [1, 30])
def test_admin_invitation_list_queries_do_not_grow(
    client, admin_user, trifinio, rows, django_assert_num_queries
):
    for index in range(rows):
        person = PersonFactory(email=f"p{index}@example.org")
        MembershipFactory(person=person, network=trifinio)
        invitation_send(person=person, actor=SYSTEM)
    client.force_login(admin_user)
    client.get(changelist("invitation"))  # warm the session and the content types

    with django_assert_num_queries(9):
        response = client.get(changelist("invitation"))
    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == rows
