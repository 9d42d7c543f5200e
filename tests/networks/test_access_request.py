"""The access request: everything the portal holds about one person, for staff."""

import datetime
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone
from django.utils.translation import override

from accounts.models import User
from networks.enums import ConsentBasis, MembershipRole
from networks.models import Invitation
from networks.personal_data import ACCESS_REQUEST_MESSAGES, person_personal_data
from networks.services import person_save
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def staff_with(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def ana():
    person = PersonFactory(
        first_name="Ana",
        last_name="López",
        email="ana.lopez@example.org",
        consent_date=datetime.date(2021, 5, 1),
        consent_basis=ConsentBasis.WRITTEN,
        user=UserFactory(email="ana.lopez@example.org"),
    )
    MembershipFactory(person=person, network__name="Red de Metapán")
    ParticipationFactory(person=person, session=SessionFactory(title="Mesa del Trifinio"))
    AgreementFactory(responsible_person=person, text="Presentar el informe.")
    person.phone = "+503 7999 0000"
    person_save(person=person, actor=staff_with("view_person", "change_person"))
    return person


def section(data, key):
    (found,) = [s for s in data["related"] if s["key"] == key]
    return found


def test_the_data_hold_the_person_their_seats_participations_agreements_and_history(ana):
    data = person_personal_data(ana)

    assert data["person"]["email"] == "ana.lopez@example.org"
    assert data["person"]["consent_basis"]["value"] == ConsentBasis.WRITTEN
    assert data["account"]["email"] == "ana.lopez@example.org"
    seats = section(data, "networks.membership")["records"]
    assert [(s["network"]["label"], s["start_date"], s["end_date"]) for s in seats] == [
        ("Red de Metapán", "2021-05-01", None)
    ]
    assert [
        p["session"]["label"] for p in section(data, "conferences.participation")["records"]
    ] == ["Mesa del Trifinio"]
    assert [a["text"] for a in section(data, "conferences.agreement")["records"]] == [
        "Presentar el informe."
    ]
    assert [(v["kind"], v["values"]["phone"]) for v in data["history"]][-1][1] == "+503 7999 0000"
    assert json.loads(json.dumps(data)) == data  # JSON holds it as it is


def test_no_secret_is_handed_out(ana):
    Invitation.objects.create(
        person=ana, email=ana.email, key_hash="f" * 64, expires_at=timezone.now()
    )

    text = json.dumps(person_personal_data(ana))

    assert "f" * 64 not in text
    assert "password" not in text


def test_staff_download_the_json(client, ana):
    client.force_login(staff_with("view_person"))

    response = client.get(f"/admin/networks/person/{ana.pk}/personal-data/json/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["person"]["last_name"] == "López"
    assert section(data, "conferences.participation")["records"][0]["attended"] is True


def test_staff_read_the_printable_page(client, ana):
    client.force_login(staff_with("view_person"))

    page = client.get(f"/admin/networks/person/{ana.pk}/personal-data/")

    assert page.status_code == 200
    html = page.content.decode()
    for text in ("ana.lopez@example.org", "Mesa del Trifinio", "Red de Metapán", "+503 7999 0000"):
        assert text in html


@pytest.mark.parametrize(("suffix", "form"), [("", "page"), ("json/", "json")])
def test_each_access_request_is_written_to_the_admin_log(client, ana, suffix, form):
    officer = staff_with("view_person")
    client.force_login(officer)

    client.get(f"/admin/networks/person/{ana.pk}/personal-data/{suffix}")
    client.get(f"/admin/networks/person/{ana.pk}/personal-data/{suffix}")

    # In the staff member's language, Spanish here, as the admin log's messages are.
    with override("es"):
        message = str(ACCESS_REQUEST_MESSAGES[form])
    assert message.startswith("Datos personales")
    entries = LogEntry.objects.filter(user=officer, object_id=str(ana.pk))
    assert [entry.change_message for entry in entries] == [message, message]
    # The log names the person by id, never by name.
    assert {entry.object_repr for entry in entries} == {f"#{ana.pk}"}


def test_a_refused_access_request_leaves_no_log_entry(client, ana):
    client.force_login(StaffUserFactory())

    assert client.get(f"/admin/networks/person/{ana.pk}/personal-data/json/").status_code == 404
    assert not LogEntry.objects.filter(object_id=str(ana.pk), change_message__contains="access")


@pytest.mark.parametrize("suffix", ["", "json/"])
def test_staff_without_the_view_permission_get_nothing(client, ana, suffix):
    client.force_login(staff_with("change_network"))

    response = client.get(f"/admin/networks/person/{ana.pk}/personal-data/{suffix}")

    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "json/"])
def test_a_coordinator_of_the_persons_network_gets_nothing(client, ana, suffix):
    coordinator = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=coordinator),
        network=ana.memberships.get().network,
        role=MembershipRole.COORDINATOR,
    )
    client.force_login(coordinator)

    response = client.get(f"/admin/networks/person/{ana.pk}/personal-data/{suffix}")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("suffix", ["", "json/"])
def test_an_anonymous_visitor_gets_nothing(client, ana, suffix):
    response = client.get(f"/admin/networks/person/{ana.pk}/personal-data/{suffix}")

    assert response.status_code == 302
    assert "ana.lopez" not in response.content.decode()


@pytest.mark.parametrize("object_id", ["999999", "abc"])
def test_an_unknown_person_is_not_found(client, object_id):
    client.force_login(staff_with("view_person"))

    response = client.get(f"/admin/networks/person/{object_id}/personal-data/json/")

    assert response.status_code == 404
