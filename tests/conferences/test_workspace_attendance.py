"""Registering the network's members for a session, the attendance page (every participant in
one request), and the attendance sheet to download."""

# The fixtures imported from workspace_setup are arguments of the tests.
# ruff: noqa: F811

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conferences.enums import ParticipationRole, SessionStatus
from conferences.models import Participation
from networks.enums import MembershipRole
from tests.conferences.workspace_setup import (  # noqa: F401 (fixtures)
    coordinator,
    coordinator_client,
    member_of,
    network,
    other_network,
    other_session,
    queries_of,
    session,
)
from tests.factories import (
    MembershipFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, network, session, **kwargs):
    return reverse(
        f"dashboard:sessions:{name}", kwargs={"network": network.slug, "pk": session.pk, **kwargs}
    )


# Registration ------------------------------------------------------------------------------------


def test_registration_lists_current_members_not_yet_registered(
    coordinator_client, coordinator, network, session, other_network
):
    ana = member_of(network, first_name="Ana", last_name="Pérez")
    registered = member_of(network, first_name="Berta", last_name="Ruiz")
    ParticipationFactory(session=session, person=registered)
    MembershipFactory(network=network, person__first_name="Carla", end_date="2022-01-01")
    member_of(other_network, first_name="Dora")

    response = coordinator_client.get(url("participants", network, session))

    choices = set(response.context["form"].fields["people"].queryset)
    assert choices == {ana, coordinator.person}


def test_registration_registers_everyone_ticked_in_one_request(
    coordinator_client, network, session
):
    people = [member_of(network) for _ in range(3)]

    response = coordinator_client.post(
        url("participants", network, session),
        {"people": [person.pk for person in people], "role": ParticipationRole.SPEAKER},
    )

    assert response.status_code == 302
    participations = Participation.objects.filter(session=session)
    assert {p.person for p in participations} == set(people)
    assert {p.role for p in participations} == {ParticipationRole.SPEAKER}
    # The affiliation of the day is kept.
    assert {p.institution for p in participations} == {person.institution for person in people}


def test_registering_someone_of_another_network_registers_nobody(
    coordinator_client, network, session, other_network
):
    mine = member_of(network)
    stranger = member_of(other_network)

    response = coordinator_client.post(
        url("participants", network, session),
        {"people": [mine.pk, stranger.pk], "role": ParticipationRole.PARTICIPANT},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["people"]
    assert not Participation.objects.exists()


def test_removing_a_participant_after_a_confirmation(coordinator_client, network, session):
    participation = ParticipationFactory(session=session, person=member_of(network))

    coordinator_client.post(
        url("participant-remove", network, session, participation=participation.pk)
    )

    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_removing_a_participant_of_another_session_is_not_found(
    coordinator_client, network, session, other_session
):
    foreign = ParticipationFactory(session=other_session)

    response = coordinator_client.post(
        url("participant-remove", network, session, participation=foreign.pk)
    )

    assert response.status_code == 404
    assert Participation.objects.filter(pk=foreign.pk).exists()


# Attendance --------------------------------------------------------------------------------------


def test_attendance_page_has_one_checkbox_per_participant(coordinator_client, network, session):
    came = ParticipationFactory(session=session, attended=True)
    absent = ParticipationFactory(session=session, attended=False)

    page = coordinator_client.get(url("attendance", network, session)).content.decode()

    assert f'name="attended" value="{came.pk}" checked' in page
    assert f'name="attended" value="{absent.pk}">' in page


def test_attendance_post_records_everyone_at_once(coordinator_client, network, session):
    came = ParticipationFactory(session=session, attended=False)
    stayed_home = ParticipationFactory(session=session, attended=True)

    response = coordinator_client.post(url("attendance", network, session), {"attended": [came.pk]})

    assert response.status_code == 302
    assert dict(Participation.objects.values_list("pk", "attended")) == {
        came.pk: True,
        stayed_home.pk: False,
    }
    # Recorded in the audit trail, in the coordinator's name.
    version = came.history.latest()
    assert (version.attended, version.history_user.email) == (True, "coordinadora@example.org")


def test_attendance_naming_someone_not_registered_records_nothing(
    coordinator_client, network, session, other_session
):
    registered = ParticipationFactory(session=session, attended=False)
    elsewhere = ParticipationFactory(session=other_session, attended=False)

    response = coordinator_client.post(
        url("attendance", network, session), {"attended": [registered.pk, elsewhere.pk]}
    )

    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Participation.objects.filter(attended=True).exists()


def test_attendance_at_a_cancelled_session_is_refused(coordinator_client, network):
    cancelled = SessionFactory(networks=[network], status=SessionStatus.CANCELLED)
    participation = ParticipationFactory(session=cancelled, attended=False)

    response = coordinator_client.post(
        url("attendance", network, cancelled), {"attended": [participation.pk]}
    )

    assert response.status_code == 400
    participation.refresh_from_db()
    assert not participation.attended


def test_attendance_of_another_networks_session_is_not_found(
    coordinator_client, network, other_session
):
    participation = ParticipationFactory(session=other_session, attended=False)

    response = coordinator_client.post(
        url("attendance", network, other_session), {"attended": [participation.pk]}
    )

    assert response.status_code == 404
    participation.refresh_from_db()
    assert not participation.attended


def test_attendance_post_without_csrf_token_is_refused(coordinator, network, session):
    participation = ParticipationFactory(session=session, attended=False)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)

    response = browser.post(url("attendance", network, session), {"attended": [participation.pk]})

    assert response.status_code == 403
    participation.refresh_from_db()
    assert not participation.attended


def test_attendance_of_a_former_coordinator_is_refused(client, network, session):
    former = MembershipFactory(
        network=network,
        role=MembershipRole.COORDINATOR,
        start_date="2019-01-01",
        end_date="2023-01-01",
        person__user=UserFactory(),
    )
    participation = ParticipationFactory(session=session, attended=False)
    client.force_login(former.person.user)

    response = client.post(url("attendance", network, session), {"attended": [participation.pk]})

    assert response.status_code == 404
    participation.refresh_from_db()
    assert not participation.attended


def test_attendance_queries_do_not_grow_with_participants(
    coordinator_client, network, session, django_assert_num_queries
):
    def add(count):
        ParticipationFactory.create_batch(count, session=session, attended=False)

    def everyone():
        return {"attended": list(Participation.objects.values_list("pk", flat=True))}

    page = url("attendance", network, session)
    add(1)
    coordinator_client.get(page)  # the first request of a sign-in records it
    _, few_get = queries_of(coordinator_client, "get", page)
    data = everyone()
    _, few_post = queries_of(coordinator_client, "post", page, data)
    Participation.objects.update(attended=False)

    add(199)
    data = everyone()
    with django_assert_num_queries(few_get):
        coordinator_client.get(page)
    with django_assert_num_queries(few_post):
        response = coordinator_client.post(page, data)

    assert response.status_code == 302
    assert Participation.objects.filter(session=session, attended=True).count() == 200


def test_registration_page_queries_do_not_grow_with_members(
    coordinator_client, network, session, django_assert_num_queries
):
    page = url("participants", network, session)
    ParticipationFactory(session=session, person=member_of(network))
    member_of(network)
    coordinator_client.get(page)
    _, few = queries_of(coordinator_client, "get", page)

    for _ in range(199):
        ParticipationFactory(session=session, person=member_of(network))
        member_of(network)
    with django_assert_num_queries(few):
        response = coordinator_client.get(page)
    assert len(response.context["participations"]) == 200


# The attendance sheet ----------------------------------------------------------------------------


def test_attendance_csv_has_a_byte_order_mark_accents_and_no_formulas(
    coordinator_client, network, session
):
    ParticipationFactory(
        session=session,
        person=PersonFactory(
            first_name='=HYPERLINK("x")', last_name="Muñoz", email="m@example.org"
        ),
    )

    response = coordinator_client.get(
        url("attendance-download", network, session, file_format="csv")
    )

    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="attendance-mesa-de-esquipulas.csv"'
    )
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "Nombre"  # headed in the coordinator's language
    assert rows[1][0] == '\'=HYPERLINK("x") Muñoz'


def test_attendance_xlsx_is_formula_safe(coordinator_client, network, session):
    ParticipationFactory(session=session, person=PersonFactory(first_name="+Ana", last_name="Peña"))

    response = coordinator_client.get(
        url("attendance-download", network, session, file_format="xlsx")
    )

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A2"].value == "'+Ana Peña"
    assert sheet["A2"].data_type == "s"


def test_attendance_sheet_of_another_network_is_not_found(
    coordinator_client, network, other_session
):
    ParticipationFactory(session=other_session)

    response = coordinator_client.get(
        url("attendance-download", network, other_session, file_format="csv")
    )

    assert response.status_code == 404


def test_attendance_sheet_needs_the_export_permission(client, network, session):
    staff = StaffUserFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_network", "view_session", "view_participation"]
        )
    )
    client.force_login(staff)

    response = client.get(url("attendance-download", network, session, file_format="csv"))

    assert response.status_code == 403


def test_attendance_sheet_in_an_unknown_format_is_not_found(coordinator_client, network, session):
    response = coordinator_client.get(
        url("attendance-download", network, session, file_format="pdf")
    )

    assert response.status_code == 404
