"""The one access rule (networks/access.py), tried by everyone who should and should not pass.

The matrix asks every kind of user about every kind of record of two networks, for view,
change and export, twice: the object check (``user.has_perm(perm, obj)``) and the scoped
queryset (``Model.objects.for_user(user, action)``) must both give the expected answer.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from conferences.models import Challenge, Minutes
from networks import access
from networks.enums import MembershipRole
from networks.models import Membership, Network, Person
from networks.services import membership_end
from practices.enums import AttachmentKind, ReviewStatus
from practices.models import Attachment, Practice
from practices.services import attachment_add, attachment_delete, practice_save, practice_submit
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    MinutesFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

LAST_YEAR = datetime.date.today() - datetime.timedelta(days=365)

ROLES = (
    "anonymous",
    "coordinator of A",
    "coordinator of B",
    "co-coordinator of A",
    "former coordinator of A",
    "member of A",
    "account with no person",
    "staff without permissions",
    "staff with view only",
    "full staff",
)

# kind -> (app label, model name), the permission each check asks for.
KINDS = {
    "network": ("networks", "network"),
    "person": ("networks", "person"),
    "membership": ("networks", "membership"),
    "institution": ("networks", "institution"),
    "session": ("conferences", "session"),
    "participation": ("conferences", "participation"),
    "minutes": ("conferences", "minutes"),
    "agreement": ("conferences", "agreement"),
    "challenge": ("conferences", "challenge"),
    "draft practice": ("practices", "practice"),
    "published practice": ("practices", "practice"),
    "draft practice's attachment": ("practices", "attachment"),
    "published practice's attachment": ("practices", "attachment"),
}

# What anyone may view: the directory, institutions, published practices and their files.
PUBLIC = {"network", "institution", "published practice", "published practice's attachment"}

# Kinds whose model has an export permission of its own: the others export what is viewed.
EXPORT_PERMISSION = {"network", "person", "membership", "institution", "participation"}

# What a coordinator may do with the records of their own network, by kind.
COORDINATOR = {
    "network": {"view", "change", "export"},
    "person": {"view", "change", "export"},
    "membership": {"view", "change", "export"},
    "institution": {"view"},
    "session": {"view", "change", "export"},
    "participation": {"view", "change", "export"},
    "minutes": {"view", "change"},
    "agreement": {"view", "change"},
    "challenge": {"view", "change"},
    "draft practice": {"view", "change", "export"},
    "published practice": {"view", "export"},
    "draft practice's attachment": {"view", "change"},
    "published practice's attachment": {"view"},
}


def expected(role, kind, network, action):
    """The rule, written out independently of networks/access.py."""
    if role == "full staff":
        return True
    if role == "staff with view only":
        # Exporting personal data (and registry files) takes the explicit export permission.
        return action == "view" or (action == "export" and kind not in EXPORT_PERMISSION)
    if role in ("coordinator of A", "co-coordinator of A") and network == "A":
        return action in COORDINATOR[kind]
    if role == "coordinator of B" and network == "B":
        return action in COORDINATOR[kind]
    return action == "view" and kind in PUBLIC


def _records_of(network):
    person = PersonFactory(institution__name=f"Alcaldía de {network.name}")
    membership = MembershipFactory(person=person, network=network, institution=person.institution)
    session = SessionFactory(networks=[network], is_public=True)
    participation = ParticipationFactory(session=session, person=person)
    minutes = MinutesFactory(session=session)
    agreement = AgreementFactory(session=session)
    challenge = Challenge.objects.create(session=session, text="Falta de presupuesto")
    draft = PracticeFactory(network=network)
    published = PublishedPracticeFactory(network=network)
    return {
        "network": network,
        "person": person,
        "membership": membership,
        "institution": person.institution,
        "session": session,
        "participation": participation,
        "minutes": minutes,
        "agreement": agreement,
        "challenge": challenge,
        "draft practice": draft,
        "published practice": published,
        "draft practice's attachment": _attachment(draft),
        "published practice's attachment": _attachment(published),
    }


def _attachment(practice):
    attachment = Attachment(
        practice=practice, title="Ordenanza", original_name="o.pdf", content_type="x", size=3
    )
    attachment.file.save("o.pdf", ContentFile(b"pdf"), save=False)
    attachment.save()
    return attachment


def _seat(network, role, **kwargs):
    user = UserFactory()
    MembershipFactory(person__user=user, network=network, role=role, **kwargs)
    return user


def _staff(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # without the permission cache of the factory's object


def _all_codenames(*actions):
    return [f"{action}_{model}" for _app, model in KINDS.values() for action in actions]


@pytest.fixture
def world(db):
    network_a = NetworkFactory(name="Mesa Trifinio")
    network_b = NetworkFactory(name="Red Ocotepeque")
    users = {
        "anonymous": AnonymousUser(),
        "coordinator of A": _seat(network_a, MembershipRole.COORDINATOR),
        "coordinator of B": _seat(network_b, MembershipRole.COORDINATOR),
        "co-coordinator of A": _seat(network_a, MembershipRole.CO_COORDINATOR),
        "former coordinator of A": _seat(
            network_a, MembershipRole.COORDINATOR, start_date=LAST_YEAR, end_date=LAST_YEAR
        ),
        "member of A": _seat(network_a, MembershipRole.MEMBER),
        "account with no person": UserFactory(),
        "staff without permissions": _staff(),
        "staff with view only": _staff(*_all_codenames("view")),
        "full staff": _staff(*_all_codenames("view", "add", "change", "delete", "export")),
    }
    records = {"A": _records_of(network_a), "B": _records_of(network_b)}
    return users, records


def test_access_matrix_object_checks_and_querysets_agree_with_the_rule(world):
    users, records = world
    wrong = []
    checked = 0
    for role in ROLES:
        for network, objects in records.items():
            for kind, obj in objects.items():
                app, model = KINDS[kind]
                for action in ("view", "change", "export"):
                    # A fresh user object, as every request has.
                    user = users[role]
                    if user.is_authenticated:
                        user = User.objects.get(pk=user.pk)
                    want = expected(role, kind, network, action)
                    by_object = user.has_perm(f"{app}.{action}_{model}", obj)
                    in_scope = type(obj).objects.for_user(user, action).filter(pk=obj.pk).exists()
                    checked += 1
                    if by_object != want or in_scope != want:
                        wrong.append((role, network, kind, action, want, by_object, in_scope))
    assert wrong == []
    assert checked == len(ROLES) * 2 * len(KINDS) * 3


def test_get_or_404_answers_404_outside_the_scope_and_403_for_a_seen_record(world):
    users, records = world
    coordinator_b = users["coordinator of B"]
    other_draft = records["A"]["draft practice"]
    with pytest.raises(Http404):
        access.get_or_404(coordinator_b, Practice.objects.all(), pk=other_draft.pk)
    with pytest.raises(Http404):
        access.get_or_404(coordinator_b, Practice.objects.all(), pk="not-a-number")
    own_published = records["B"]["published practice"]
    with pytest.raises(PermissionDenied):
        access.get_or_404(coordinator_b, Practice.objects.all(), "change", pk=own_published.pk)
    assert access.get_or_404(
        coordinator_b, Practice, "change", pk=records["B"]["draft practice"].pk
    )


def test_a_seat_not_yet_begun_gives_nothing(db):
    network = NetworkFactory()
    user = _seat(
        network,
        MembershipRole.COORDINATOR,
        start_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    draft = PracticeFactory(network=network)
    assert not user.has_perm("practices.view_practice", draft)
    assert access.coordinated_network_ids(user) == frozenset()


def test_technical_secretariat_and_observers_do_not_manage_the_network(db):
    network = NetworkFactory()
    person = PersonFactory()
    MembershipFactory(person=person, network=network)
    for role in (MembershipRole.TECHNICAL_SECRETARIAT, MembershipRole.OBSERVER):
        user = _seat(network, role)
        assert not user.has_perm("networks.view_person", person)
        assert list(Membership.objects.for_user(user)) == []


def test_an_inactive_staff_account_gets_nothing_private(db):
    person = PersonFactory()
    user = StaffUserFactory(is_active=False, is_superuser=True)
    assert not access.allows(user, "view", type(person), person)
    assert list(type(person).objects.for_user(user)) == []


def test_the_coordinated_networks_are_read_once_per_user_object(db, django_assert_num_queries):
    networks = NetworkFactory.create_batch(5)
    user = UserFactory()
    coordinator = PersonFactory(user=user)
    for network in networks:
        MembershipFactory(person=coordinator, network=network, role=MembershipRole.COORDINATOR)
    practices = [PracticeFactory(network=network) for network in networks for _ in range(4)]
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert all(user.has_perm("practices.change_practice", p) for p in practices)
        assert all(user.has_perm("networks.change_network", n) for n in networks)


@pytest.mark.parametrize("networks_coordinated", [1, 8])
def test_a_scoped_list_costs_the_same_whatever_the_number_of_networks(
    db, django_assert_num_queries, networks_coordinated
):
    user = UserFactory()
    coordinator = PersonFactory(user=user)
    for network in NetworkFactory.create_batch(networks_coordinated):
        MembershipFactory(person=coordinator, network=network, role=MembershipRole.COORDINATOR)
        for _ in range(3):
            MembershipFactory(network=network)
    user = User.objects.get(pk=user.pk)
    # One query for the coordinated networks, one for the list.
    with django_assert_num_queries(2):
        people = list(Person.objects.for_user(user))
    # Three members of each network, and the coordinator (in all of them) once.
    assert len(people) == networks_coordinated * 3 + 1


def test_a_person_in_two_coordinated_networks_is_listed_once(db):
    user = UserFactory()
    coordinator = PersonFactory(user=user)
    person = PersonFactory()
    for network in NetworkFactory.create_batch(2):
        MembershipFactory(person=coordinator, network=network, role=MembershipRole.COORDINATOR)
        MembershipFactory(person=person, network=network)
    people = list(Person.objects.for_user(User.objects.get(pk=user.pk)))
    assert people.count(person) == 1


def test_the_system_actor_may_do_everything_and_is_no_account(db):
    person = PersonFactory()
    assert access.allows(access.SYSTEM, "delete", type(person), person)
    assert access.coordinated_network_ids(access.SYSTEM) == frozenset()
    assert list(Network.objects.for_user(access.SYSTEM, "change")) == list(Network.objects.all())


def test_minutes_and_practices_of_another_network_are_not_reached_by_ids(world):
    users, records = world
    coordinator = users["coordinator of A"]
    assert not Minutes.objects.for_user(coordinator).filter(pk=records["B"]["minutes"].pk)
    assert not Practice.objects.for_user(coordinator, "change").filter(
        pk=records["B"]["draft practice"].pk
    )
    # Sent back for changes: the coordinators may edit again; in review: not.
    draft = records["A"]["draft practice"]
    for status, editable in (
        (ReviewStatus.CHANGES_REQUESTED, True),
        (ReviewStatus.SUBMITTED, False),
        (ReviewStatus.WITHDRAWN, False),
    ):
        Practice.objects.filter(pk=draft.pk).update(status=status)
        draft.refresh_from_db()
        assert coordinator.has_perm("practices.change_practice", draft) is editable


# Property: over random seats, access is granted exactly when the rule says ------------------

SEAT_ROLES = [choice for choice, _label in MembershipRole.choices]


@st.composite
def seats(draw):
    """A person's seats in networks 0-2 (one each at most, as periods do not overlap):
    role, start and end in days from today."""
    chosen = draw(
        st.dictionaries(
            st.integers(0, 2),
            st.tuples(
                st.sampled_from(SEAT_ROLES),
                st.integers(-400, 10),
                st.one_of(st.none(), st.integers(0, 400)),
            ),
            max_size=3,
        )
    )
    # An end is given as days after the start, so it never precedes it.
    return [
        (index, role, start, None if length is None else start + length)
        for index, (role, start, length) in chosen.items()
    ]


def _rule_says(seat_list, network_index, today):
    """The rule in its plain words: an open coordinator or co-coordinator seat, begun."""
    return any(
        index == network_index
        and role in (MembershipRole.COORDINATOR, MembershipRole.CO_COORDINATOR)
        and end is None
        and start <= 0
        for index, role, start, end in seat_list
    )


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seat_list=seats(), record_network=st.integers(0, 2), active=st.booleans())
def test_access_is_granted_exactly_when_the_rule_says(seat_list, record_network, active):
    today = timezone.localdate()
    with transaction.atomic():
        networks = NetworkFactory.create_batch(3)
        user = UserFactory(is_active=active)
        person = PersonFactory(user=user)
        for index, role, start, end in seat_list:
            start_date = today + datetime.timedelta(days=start)
            end_date = None if end is None else today + datetime.timedelta(days=end)
            Membership.objects.create(
                person=person,
                network=networks[index],
                role=role,
                start_date=start_date,
                end_date=end_date,
            )
        member = MembershipFactory(network=networks[record_network])
        draft = PracticeFactory(network=networks[record_network])
        session = SessionFactory(networks=[networks[record_network]])
        fresh = User.objects.get(pk=user.pk)
        want = active and _rule_says(seat_list, record_network, today)
        try:
            for perm, obj in (
                ("networks.view_person", member.person),
                ("networks.change_membership", member),
                ("practices.change_practice", draft),
                ("conferences.view_session", session),
            ):
                assert fresh.has_perm(perm, obj) is want, perm
                in_scope = type(obj).objects.for_user(fresh, perm.split(".")[1].split("_")[0])
                assert in_scope.filter(pk=obj.pk).exists() is want, perm
        finally:
            transaction.set_rollback(True)


# Ending a seat ends every access, on every path -----------------------------------------------


def test_ending_a_coordinators_seat_removes_every_access_at_once(db, client, media_root):
    network = NetworkFactory()
    user = UserFactory()
    seat = MembershipFactory(person__user=user, network=network, role=MembershipRole.COORDINATOR)
    draft = PracticeFactory(network=network, submitted_by=user, themes=[], municipalities=[])
    attachment = _attachment(draft)
    client.force_login(user)
    download = reverse("practices:attachment-download", args=[attachment.pk])
    assert client.get(download).status_code == 200
    practice_save(practice=draft, actor=User.objects.get(pk=user.pk))  # allowed while seated

    membership_end(membership=seat, end_date=timezone.localdate(), actor=access.SYSTEM)

    former = User.objects.get(pk=user.pk)
    draft.refresh_from_db()
    with pytest.raises(PermissionDenied):
        practice_save(practice=draft, actor=former)
    with pytest.raises(PermissionDenied):
        attachment_add(
            practice=draft,
            uploaded_file=SimpleUploadedFile("o.pdf", b"%PDF-1.4\n%%EOF\n"),
            title="Otra",
            kind=AttachmentKind.REPORT,
            actor=former,
        )
    with pytest.raises(PermissionDenied):
        attachment_delete(attachment=attachment, actor=former)
    with pytest.raises(PermissionDenied):
        practice_submit(practice=draft, actor=former)
    assert client.get(download).status_code == 404
    assert list(Person.objects.for_user(former)) == []
    assert list(Practice.objects.for_user(former)) == []
    assert not former.has_perm("networks.change_network", network)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT
    assert draft.attachments.count() == 1


def test_templates_ask_the_same_rule(world):
    users, records = world
    template = Template(
        "{% load rules %}"
        '{% has_perm "practices.change_practice" user practice as may_edit %}'
        '{{ may_edit|yesno:"edit,read" }}'
    )
    draft = records["A"]["draft practice"]

    def rendered(role):
        return template.render(Context({"user": users[role], "practice": draft}))

    assert rendered("coordinator of A") == "edit"
    assert rendered("coordinator of B") == "read"
    assert rendered("anonymous") == "read"


ADMIN_LISTS = [
    ("networks", "network"),
    ("networks", "institution"),
    ("networks", "person"),
    ("networks", "membership"),
    ("conferences", "session"),
    ("conferences", "minutes"),
    ("conferences", "agreement"),
    ("conferences", "challenge"),
    ("practices", "practice"),
]


@pytest.mark.parametrize(("app", "model"), ADMIN_LISTS)
def test_the_admin_opens_a_list_only_to_staff_with_its_permission(client, db, app, model):
    client.force_login(_staff())
    refused = client.get(reverse(f"admin:{app}_{model}_changelist"))
    client.force_login(_staff(f"view_{model}"))
    allowed = client.get(reverse(f"admin:{app}_{model}_changelist"))

    # Even a public record (a network, an institution) is no reason to open the staff's tool.
    assert (refused.status_code, allowed.status_code) == (403, 200)


def test_the_admin_export_of_people_needs_the_export_permission(client, db):
    PersonFactory(email="ana@example.org")
    client.force_login(_staff("view_person"))
    refused = client.get(reverse("admin:networks_person_export"))
    client.force_login(_staff("view_person", "export_person"))
    allowed = client.get(reverse("admin:networks_person_export"))

    assert (refused.status_code, allowed.status_code) == (403, 200)


def test_a_coordinator_who_ends_their_own_seat_loses_access_in_the_same_request(db):
    user = UserFactory()
    seat = MembershipFactory(person__user=user, role=MembershipRole.COORDINATOR)
    draft = PracticeFactory(network=seat.network)
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("practices.change_practice", draft)
    # Someone else keeps the network coordinated (the last seat cannot simply end).
    MembershipFactory(network=seat.network, role=MembershipRole.CO_COORDINATOR)

    membership_end(membership=seat, end_date=timezone.localdate(), actor=user)

    assert not user.has_perm("practices.change_practice", draft)
