"""The members pages of the workspace: the list, a person's page, adding people, seats, the
members file, and every attempt to reach another network's people."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from networks import access
from networks.enums import MembershipRole, NetworkStatus, Sex
from networks.models import Invitation, Membership, Person
from networks.resources import MembershipResource
from networks.services import (
    LAST_COORDINATOR,
    check_coordinator_kept,
    membership_end,
    membership_hand_over,
    membership_role_change,
    membership_save,
    person_find_or_create,
)
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SINCE = datetime.date(2021, 5, 1)
HEADER = (
    "first_name,last_name,sex,email,phone,position,institution,role,start_date,end_date,network"
)


@pytest.fixture(autouse=True)
def _in_english():
    """Pages (under /en/) and refusals in English, the source text the tests compare."""
    with translation.override("en"):
        yield


@pytest.fixture
def network():
    return NetworkFactory(name="Red Trifinio", slug="red-trifinio")


@pytest.fixture
def other_network():
    return NetworkFactory(name="Red Ocotepeque", slug="red-ocotepeque")


@pytest.fixture
def coordinator(network):
    user = UserFactory(email="coordinadora@example.org")
    MembershipFactory(
        person__user=user,
        person__first_name="Marta",
        person__last_name="Cardona",
        network=network,
        role=MembershipRole.COORDINATOR,
        start_date=datetime.date(2021, 2, 1),
    )
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def member(network):
    return MembershipFactory(
        network=network,
        person__first_name="José",
        person__last_name="Pineda",
        person__email="jose.pineda@example.org",
        person__phone="+503 7000 1111",
        start_date=SINCE,
    )


@pytest.fixture
def outsider(other_network):
    """A member of another network only: nothing of them is this coordinator's."""
    return MembershipFactory(
        network=other_network,
        person__first_name="Brenda",
        person__last_name="Morales",
        person__email="brenda.morales@example.org",
        person__phone="+504 9999 0000",
        person__position="Alcaldesa",
    )


def url(name, network, **kwargs):
    return reverse(f"dashboard:members:{name}", kwargs={"network": network.slug, **kwargs})


def seat_url(name, seat):
    return url(name, seat.network, person=seat.person_id, membership=seat.pk)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _coordinates(person, network):
    return Membership.objects.open().filter(
        person=person, network=network, role__in=access.COORDINATING_ROLES
    )


# Who gets in ---------------------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in(client, network):
    response = client.get(url("list", network))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", ["list", "add", "upload", "download", "download-csv"])
def test_plain_member_and_former_coordinator_find_nothing(client, network, page):
    plain = UserFactory()
    MembershipFactory(person__user=plain, network=network, role=MembershipRole.MEMBER)
    former = UserFactory()
    MembershipFactory(
        person__user=former,
        network=network,
        role=MembershipRole.COORDINATOR,
        end_date=TODAY - datetime.timedelta(days=1),
    )
    statuses = []
    for user in (plain, former):
        client.force_login(user)
        statuses.append(client.get(url(page, network)).status_code)

    assert statuses == [404, 404]


def test_coordinator_of_another_network_finds_nothing_here(client, network, member):
    stranger = UserFactory()
    MembershipFactory(person__user=stranger, role=MembershipRole.COORDINATOR)
    client.force_login(stranger)

    list_page = client.get(url("list", network))
    person_page = client.get(url("detail", network, person=member.person_id))

    assert (list_page.status_code, person_page.status_code) == (404, 404)


# The list ------------------------------------------------------------------------------------


def test_list_shows_current_members_with_institution_role_and_since(
    coordinator_client, network, member, outsider
):
    ended = MembershipFactory(
        network=network, person__last_name="Ventura", end_date=datetime.date(2024, 4, 30)
    )

    page = coordinator_client.get(url("list", network)).content.decode()

    assert "Pineda, José" in page
    assert str(member.institution) in page
    assert "Cardona, Marta" in page
    assert "Ventura" not in page  # a former member, not asked for
    assert ended.person.first_name not in page
    assert "Morales" not in page  # another network's member


def test_list_filters_by_role_institution_name_and_former(coordinator_client, network, member):
    ended = MembershipFactory(
        network=network,
        person__first_name="Manuel",
        person__last_name="Ventura",
        end_date=datetime.date(2024, 4, 30),
    )

    def names(**query):
        response = coordinator_client.get(url("list", network), query)
        return [seat.person.last_name for seat in response.context["seats"]]

    assert names(role=MembershipRole.COORDINATOR) == ["Cardona"]
    assert names(institution=member.institution_id) == ["Pineda"]
    assert names(q="pine") == ["Pineda"]
    assert names(q="jose.pineda@") == ["Pineda"]
    assert names(former="on") == ["Cardona", "Pineda", "Ventura"]
    assert names(former="on", q="ventura")[0] == ended.person.last_name
    assert names(role="nonsense") == ["Cardona", "Pineda"]  # an unknown value is ignored


def test_list_shows_each_former_member_once_with_their_last_seat(
    coordinator_client, network, member
):
    person = PersonFactory(last_name="Ventura")
    MembershipFactory(
        person=person, network=network, start_date=SINCE, end_date=datetime.date(2022, 1, 1)
    )
    last = MembershipFactory(
        person=person,
        network=network,
        role=MembershipRole.OBSERVER,
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    )

    response = coordinator_client.get(url("list", network), {"former": "on"})

    ventura = [seat for seat in response.context["seats"] if seat.person_id == person.pk]
    assert ventura == [last]


def test_list_queries_do_not_grow_with_members(
    coordinator_client, network, django_assert_num_queries
):
    """The same queries with 1 member and with 200 (the session's own, warmed up first)."""
    address = url("list", network)
    MembershipFactory(network=network)
    coordinator_client.get(address, {"former": "on"})
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(address, {"former": "on"})
    MembershipFactory.create_batch(199, network=network)

    with django_assert_num_queries(len(few)):
        response = coordinator_client.get(address, {"former": "on"})

    assert len(response.context["seats"]) == 50


def test_list_is_paginated_by_fifty(coordinator_client, network):
    MembershipFactory.create_batch(60, network=network)

    first = coordinator_client.get(url("list", network))
    second = coordinator_client.get(url("list", network), {"page": "2"})

    assert (len(first.context["seats"]), len(second.context["seats"])) == (50, 11)


# A person's page -----------------------------------------------------------------------------


def test_person_page_shows_contact_data_and_only_this_networks_seats(
    coordinator_client, network, member, other_network
):
    MembershipFactory(person=member.person, network=other_network, role=MembershipRole.OBSERVER)

    page = coordinator_client.get(url("detail", network, person=member.person_id))
    text = page.content.decode()

    assert "jose.pineda@example.org" in text
    assert "+503 7000 1111" in text
    assert [seat.network for seat in page.context["seats"]] == [network]
    assert "Red Ocotepeque" not in text


def test_another_networks_person_is_a_404_everywhere(coordinator_client, network, outsider):
    person = outsider.person
    pages = ["detail", "edit", "start", "invite"]

    statuses = [
        coordinator_client.get(url(page, network, person=person.pk)).status_code for page in pages
    ]
    statuses.append(
        coordinator_client.get(url("detail", outsider.network, person=person.pk)).status_code
    )
    posted = coordinator_client.post(
        url("edit", network, person=person.pk),
        {"first_name": "Hacked", "last_name": "X", "sex": Sex.MALE, "email": "x@example.org"},
    )

    assert statuses == [404, 404, 404, 404, 404]
    assert posted.status_code == 404
    person.refresh_from_db()
    assert person.first_name == "Brenda"
    assert Invitation.objects.count() == 0


def test_another_networks_seat_in_the_url_is_a_404_and_nothing_changes(
    coordinator_client, network, member, outsider, other_network
):
    # The person sits here too, but the seat named is the other network's.
    foreign_seat = MembershipFactory(person=member.person, network=other_network)
    mixed = url("end", network, person=member.person_id, membership=foreign_seat.pk)
    theirs = url("end", network, person=outsider.person_id, membership=outsider.pk)
    role = url("role", network, person=member.person_id, membership=foreign_seat.pk)

    responses = [
        coordinator_client.post(mixed, {"end_date": TODAY.isoformat()}),
        coordinator_client.post(theirs, {"end_date": TODAY.isoformat()}),
        coordinator_client.post(role, {"role": MembershipRole.OBSERVER, "on": TODAY.isoformat()}),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    for seat in (foreign_seat, outsider):
        seat.refresh_from_db()
        assert (seat.end_date, seat.role) == (None, MembershipRole.MEMBER)


def test_contact_data_edit_saves_and_keeps_values_on_error(coordinator_client, network, member):
    edit = url("edit", network, person=member.person_id)
    PersonFactory(email="taken@example.org")
    data = {
        "first_name": "José Luis",
        "last_name": "Pineda",
        "sex": Sex.MALE,
        "email": "TAKEN@example.org",
        "phone": "+503 7000 2222",
        "position": "Síndico",
    }

    refused = coordinator_client.post(edit, data)
    saved = coordinator_client.post(edit, {**data, "email": "jl.pineda@example.org"})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "error-summary" in page and "José Luis" in page and "+503 7000 2222" in page
    assert saved.status_code == 302
    member.person.refresh_from_db()
    assert (member.person.first_name, member.person.email, member.person.position) == (
        "José Luis",
        "jl.pineda@example.org",
        "Síndico",
    )


# Adding someone ------------------------------------------------------------------------------


def _add(client, network, **data):
    answers = {
        "email": "",
        "first_name": "Ana",
        "last_name": "López",
        "sex": Sex.FEMALE,
        "phone": "+502 5555 0000",
        "position": "Técnica",
        "institution": "",
        "role": MembershipRole.MEMBER,
        "start_date": "2024-06-01",
        **data,
    }
    return client.post(url("add", network), answers)


def test_adding_a_new_person_checks_the_answers_first(coordinator_client, network):
    institution = InstitutionFactory(name="Alcaldía de Esquipulas")
    answered = _add(
        coordinator_client, network, email="Ana.Lopez@Example.org", institution=institution.pk
    )
    check = coordinator_client.get(url("add-check", network))
    before = Person.objects.count()

    added = coordinator_client.post(url("add-check", network))

    assert answered["Location"] == url("add-check", network)
    assert before == Person.objects.count() - 1  # nothing written before the confirmation
    text = check.content.decode()
    assert "ana.lopez@example.org" in text and "Alcaldía de Esquipulas" in text
    person = Person.objects.get(email="ana.lopez@example.org")
    seat = person.memberships.get()
    assert (seat.network, seat.role, seat.start_date, seat.institution) == (
        network,
        MembershipRole.MEMBER,
        datetime.date(2024, 6, 1),
        institution,
    )
    assert added["Location"] == url("detail", network, person=person.pk)
    assert "Ana López is now a member of Red Trifinio." in messages_of(added)


def test_adding_an_email_of_another_networks_person_links_them_without_showing_them(
    coordinator_client, network, outsider
):
    _add(coordinator_client, network, email="BRENDA.Morales@example.org", first_name="Otra")
    check = coordinator_client.get(url("add-check", network)).content.decode()
    people = Person.objects.count()

    coordinator_client.post(url("add-check", network))

    for private in ("Brenda", "Morales", "+504 9999 0000", "Alcaldesa", "Red Ocotepeque"):
        assert private not in check
    assert "already has this e-mail address" in check
    assert Person.objects.count() == people  # found, not duplicated
    person = outsider.person
    person.refresh_from_db()
    assert (person.first_name, person.phone) == ("Brenda", "+504 9999 0000")  # left as it was
    assert set(person.memberships.values_list("network__slug", flat=True)) == {
        "red-trifinio",
        "red-ocotepeque",
    }


def test_adding_someone_already_in_the_network_is_refused_with_values_kept(
    coordinator_client, network, member
):
    response = _add(coordinator_client, network, email="JOSE.PINEDA@example.org", phone="+1 23")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This person is already a member of this network." in page
    assert "+1 23" in page and "error-summary" in page
    assert member.person.memberships.count() == 1


def test_add_form_errors_keep_every_value(coordinator_client, network):
    response = _add(coordinator_client, network, first_name="", start_date="31/02/2024")

    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page
    assert 'value="López"' in page and 'value="+502 5555 0000"' in page
    assert not Person.objects.filter(last_name="López").exists()


def test_check_page_without_answers_goes_back_to_the_question(coordinator_client, network):
    response = coordinator_client.get(url("add-check", network))

    assert response["Location"] == url("add", network)


# Seats ---------------------------------------------------------------------------------------


def test_starting_a_new_seat_for_a_former_member(coordinator_client, network):
    former = MembershipFactory(network=network, end_date=datetime.date(2023, 12, 31))

    response = coordinator_client.post(
        url("start", network, person=former.person_id),
        {"role": MembershipRole.OBSERVER, "start_date": "2024-03-01"},
    )

    assert response.status_code == 302
    assert former.person.memberships.open().get().role == MembershipRole.OBSERVER


def test_changing_a_role_keeps_the_old_seat_in_the_history(coordinator_client, network, member):
    response = coordinator_client.post(
        seat_url("role", member),
        {"role": MembershipRole.CO_COORDINATOR, "on": "2024-06-01"},
    )

    assert response.status_code == 302
    seats = list(member.person.memberships.order_by("start_date"))
    assert [(s.role, s.start_date, s.end_date) for s in seats] == [
        (MembershipRole.MEMBER, SINCE, datetime.date(2024, 5, 31)),
        (MembershipRole.CO_COORDINATOR, datetime.date(2024, 6, 1), None),
    ]


def test_ending_a_members_seat(coordinator_client, network, member):
    page = coordinator_client.get(seat_url("end", member)).content.decode()
    response = coordinator_client.post(seat_url("end", member), {"end_date": "2024-06-30"})

    assert "successor" not in page  # not a coordinating seat
    assert response["Location"] == url("detail", network, person=member.person_id)
    member.refresh_from_db()
    assert member.end_date == datetime.date(2024, 6, 30)


def test_the_last_coordinator_seat_needs_a_successor(
    coordinator_client, coordinator, network, member
):
    seat = coordinator.person.memberships.get()

    refused = coordinator_client.post(seat_url("end", seat), {"end_date": TODAY.isoformat()})
    handed = coordinator_client.post(
        seat_url("end", seat), {"end_date": TODAY.isoformat(), "successor": member.person_id}
    )

    assert refused.status_code == 200 and "error-summary" in refused.content.decode()
    assert handed["Location"] == reverse("dashboard:home")  # no longer works on the network
    seat.refresh_from_db()
    assert seat.end_date == TODAY
    successor = _coordinates(member.person, network).get()
    assert (successor.role, successor.start_date) == (MembershipRole.COORDINATOR, TODAY)
    member.refresh_from_db()
    assert member.end_date == TODAY - datetime.timedelta(days=1)  # the member seat ends


def test_a_successor_from_another_network_is_refused(
    coordinator_client, coordinator, network, outsider
):
    seat = coordinator.person.memberships.get()

    response = coordinator_client.post(
        seat_url("end", seat), {"end_date": TODAY.isoformat(), "successor": outsider.person_id}
    )

    assert response.status_code == 200
    seat.refresh_from_db()
    assert seat.end_date is None
    assert not _coordinates(outsider.person, network).exists()


def test_demoting_the_last_coordinator_is_refused_on_the_page(
    coordinator_client, coordinator, network
):
    seat = coordinator.person.memberships.get()

    response = coordinator_client.post(
        seat_url("role", seat), {"role": MembershipRole.MEMBER, "on": TODAY.isoformat()}
    )

    assert response.status_code == 200
    assert "last coordinator seat" in response.content.decode()
    assert list(coordinator.person.memberships.all()) == [seat]
    seat.refresh_from_db()
    assert (seat.role, seat.end_date) == (MembershipRole.COORDINATOR, None)


def test_a_post_without_the_csrf_token_is_refused(coordinator, network, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    response = client.post(seat_url("end", member), {"end_date": TODAY.isoformat()})

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.end_date is None


# The last-coordinator rule, on every path ------------------------------------------------------


def test_ending_the_last_coordinator_seat_is_refused_by_the_service(coordinator, network):
    seat = coordinator.person.memberships.get()
    staff = UserFactory(is_staff=True, is_superuser=True)

    with pytest.raises(ValidationError) as refusal:
        membership_end(membership=seat, end_date=TODAY, actor=staff)
    seat.refresh_from_db()

    assert refusal.value.code == LAST_COORDINATOR
    assert seat.end_date is None


def test_demoting_the_last_coordinator_with_a_save_is_refused(coordinator):
    seat = coordinator.person.memberships.get()
    seat.role = MembershipRole.MEMBER

    with pytest.raises(ValidationError):
        membership_save(membership=seat, actor=coordinator)

    seat.refresh_from_db()
    assert seat.role == MembershipRole.COORDINATOR


def test_a_form_can_check_the_rule_before_saving(coordinator, network):
    seat = coordinator.person.memberships.get()
    seat.end_date = TODAY

    with pytest.raises(ValidationError) as refusal:
        check_coordinator_kept(seat)
    MembershipFactory(network=network, role=MembershipRole.CO_COORDINATOR)
    check_coordinator_kept(seat)  # another coordinating seat: nothing to say

    assert refusal.value.code == LAST_COORDINATOR


def test_a_co_coordinator_lets_the_coordinator_leave(coordinator, network):
    MembershipFactory(network=network, role=MembershipRole.CO_COORDINATOR)
    seat = coordinator.person.memberships.get()

    membership_end(membership=seat, end_date=TODAY, actor=coordinator)

    assert not access.coordinated_network_ids(coordinator)


def test_a_closed_network_and_the_system_need_no_successor(coordinator, network):
    seat = coordinator.person.memberships.get()
    network.status = NetworkStatus.CLOSED
    network.save()

    membership_end(membership=seat, end_date=TODAY, actor=coordinator)
    other = MembershipFactory(role=MembershipRole.COORDINATOR)
    membership_end(membership=other, end_date=TODAY, actor=access.SYSTEM)

    seat.refresh_from_db()
    other.refresh_from_db()
    assert (seat.end_date, other.end_date) == (TODAY, TODAY)


def test_hand_over_gives_the_seat_to_a_new_person(coordinator, network):
    seat = coordinator.person.memberships.get()
    newcomer = PersonFactory()

    successor = membership_hand_over(
        membership=seat, successor_person=newcomer, end_date=TODAY, actor=coordinator
    )

    assert (successor.person, successor.role, successor.start_date) == (
        newcomer,
        MembershipRole.COORDINATOR,
        TODAY,
    )
    seat.refresh_from_db()
    assert seat.end_date == TODAY


def test_role_change_on_the_first_day_changes_the_seat_in_place(network, coordinator, member):
    changed = membership_role_change(
        membership=member, role=MembershipRole.OBSERVER, on=SINCE, actor=coordinator
    )

    assert changed.pk == member.pk
    assert list(member.person.memberships.values_list("role", flat=True)) == ["observer"]


def test_the_admin_import_cannot_end_the_last_coordinator_either(coordinator, network):
    import tablib

    seat = coordinator.person.memberships.get()
    data = tablib.Dataset(
        [seat.person.email, network.slug, "coordinator", "2021-02-01", TODAY.isoformat()],
        headers=["person", "network", "role", "start_date", "end_date"],
    )
    staff = UserFactory(is_staff=True, is_superuser=True)

    result = MembershipResource(actor=staff).import_data(data, dry_run=False)

    assert result.has_validation_errors()
    assert "last coordinator seat" in str(result.invalid_rows[0].error_dict)
    seat.refresh_from_db()
    assert seat.end_date is None


def test_person_find_or_create_matches_the_email_in_any_case(coordinator):
    person = PersonFactory(email="ana@example.org", first_name="Ana")

    found, created = person_find_or_create(
        email="  ANA@Example.ORG ", defaults={"first_name": "Otra"}, actor=coordinator
    )
    new, made = person_find_or_create(
        email="nueva@example.org",
        defaults={"first_name": "Nueva", "last_name": "Persona", "sex": Sex.FEMALE},
        actor=coordinator,
    )

    assert (found, created, found.first_name) == (person, False, "Ana")
    assert (made, new.email) == (True, "nueva@example.org")


# Invitation ---------------------------------------------------------------------------------------


def test_inviting_a_member_asks_first_then_mails_them(coordinator_client, network, member):
    confirm = coordinator_client.get(url("invite", network, person=member.person_id))

    response = coordinator_client.post(url("invite", network, person=member.person_id))

    assert "jose.pineda@example.org" in confirm.content.decode()
    assert response["Location"] == url("detail", network, person=member.person_id)
    invitation = Invitation.objects.get(person=member.person)
    assert invitation.network == network
    assert [message.to for message in mail.outbox] == [["jose.pineda@example.org"]]
    page = coordinator_client.get(url("detail", network, person=member.person_id))
    assert page.context["invitation"] == invitation


# The members file -------------------------------------------------------------------------------


def _upload(client, network, text, name="members.csv"):
    return client.post(
        url("upload", network),
        {"sheet": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def _xlsx(rows):
    import io

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_upload_preview_lists_each_row_then_confirm_writes(
    coordinator_client, network, member, outsider
):
    text = "\n".join(
        [
            HEADER,
            "Ana,López,female,ana.lopez@example.org,+502 5555,Técnica,,member,2024-06-01,,",
            # The person of another network: linked, their data left as it is.
            "Otra,Persona,male,BRENDA.MORALES@example.org,,,,observer,2024-06-01,,red-trifinio",
            # An existing seat of this network, ended by the file.
            f"José,Pineda,male,jose.pineda@example.org,,,,member,{SINCE},2024-05-31,",
        ]
    )

    preview = _upload(coordinator_client, network, text)
    context = preview.context["preview"]
    before = Membership.objects.count()
    confirmed = coordinator_client.post(url("upload-confirm", network))

    assert context["is_clean"], context["bad_rows"]
    assert context["totals"] == {"new": 2, "updated": 1, "skipped": 0}
    assert [row["new_person"] for row in context["rows"]] == [True, False, False]
    assert "Morales" not in preview.content.decode()
    assert before == Membership.objects.count() - 2  # the preview wrote nothing
    assert confirmed["Location"] == url("list", network)
    ana = Person.objects.get(email="ana.lopez@example.org")
    assert (ana.first_name, ana.sex, ana.phone) == ("Ana", Sex.FEMALE, "+502 5555")
    brenda = outsider.person
    brenda.refresh_from_db()
    assert (brenda.first_name, brenda.sex) == ("Brenda", Sex.FEMALE)
    assert brenda.memberships.get(network=network).role == MembershipRole.OBSERVER
    member.refresh_from_db()
    assert member.end_date == datetime.date(2024, 5, 31)


def test_upload_naming_another_network_is_refused_with_its_row_and_writes_nothing(
    coordinator_client, network, other_network
):
    text = "\n".join(
        [
            HEADER,
            "Ana,López,female,ana.lopez@example.org,,,,member,2024-06-01,,",
            "Luis,Paz,male,luis.paz@example.org,,,,member,2024-06-01,,red-ocotepeque",
        ]
    )

    response = _upload(coordinator_client, network, text)
    confirm = coordinator_client.post(url("upload-confirm", network))

    preview = response.context["preview"]
    assert not preview["is_clean"]
    assert [number for number, _problems in preview["bad_rows"]] == [3]
    assert (
        "Row 3: Network (identifier): This file is for “Red Trifinio” only"
        in response.content.decode()
    )
    assert "Save these members" not in response.content.decode()
    assert confirm["Location"] == url("upload", network)  # nothing kept to confirm
    assert not Person.objects.filter(email__in=["ana.lopez@example.org", "luis.paz@example.org"])
    assert not other_network.memberships.exists()


def test_upload_reads_headers_in_english_and_xlsx(coordinator_client, network):
    content = _xlsx(
        [
            ["First names", "Last names", "Sex", "E-mail", "Role", "Start date"],
            ["Ana", "López", "Female", "ana.lopez@example.org", "Co-coordinator", "01/06/2024"],
        ]
    )
    response = coordinator_client.post(
        url("upload", network), {"sheet": SimpleUploadedFile("members.xlsx", content)}
    )
    coordinator_client.post(url("upload-confirm", network))

    assert response.context["preview"]["is_clean"], response.context["preview"]["bad_rows"]
    seat = Membership.objects.get(person__email="ana.lopez@example.org")
    assert (seat.network, seat.role, seat.start_date) == (
        network,
        MembershipRole.CO_COORDINATOR,
        datetime.date(2024, 6, 1),
    )


def test_upload_new_person_rows_are_validated(coordinator_client, network):
    text = "\n".join([HEADER, ",López,unknown,ana.lopez@example.org,,,,member,2024-06-01,,"])

    preview = _upload(coordinator_client, network, text).context["preview"]

    problems = dict(preview["bad_rows"])[2]
    assert any(problem.startswith("First names:") for problem in problems)
    assert any(problem.startswith("Sex:") for problem in problems)
    assert not Person.objects.filter(email="ana.lopez@example.org").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("members.pdf", b"%PDF-1.4", "Upload a .csv, .xlsx or .ods file."),
        ("members.xlsx", b"first_name,last_name", "This file is not an XLSX spreadsheet."),
    ],
)
def test_upload_of_another_type_is_refused(coordinator_client, network, name, content, message):
    response = coordinator_client.post(
        url("upload", network), {"sheet": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors.as_data()["sheet"][0].code == "format"


def test_upload_too_large_is_refused(coordinator_client, network, monkeypatch):
    monkeypatch.setattr("networks.workspace.forms.MAX_UPLOAD_BYTES", 10)

    response = _upload(coordinator_client, network, HEADER)

    assert "The file is too large" in response.content.decode()


def test_upload_confirm_of_another_network_finds_nothing(
    coordinator_client, network, other_network
):
    _upload(
        coordinator_client,
        network,
        "\n".join([HEADER, "Ana,López,female,ana.lopez@example.org,,,,member,2024-06-01,,"]),
    )

    response = coordinator_client.post(url("upload-confirm", other_network))

    assert response.status_code == 404
    assert not Person.objects.filter(email="ana.lopez@example.org").exists()
