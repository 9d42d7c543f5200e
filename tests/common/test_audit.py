"""The audit trail (common/audit.py on django-simple-history): who did what, when, with the
values before and after, on every path; and a person's data scrubbed from it on request."""

import pytest
import tablib
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from networks.access import SYSTEM
from networks.enums import MembershipRole
from networks.models import Membership, Network, Person
from networks.resources import PersonResource
from networks.services import (
    ERASED,
    membership_end,
    network_save,
    person_delete,
    person_history_erase,
    person_save,
)
from tests.admin_forms import change_form_data
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    PersonFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db


def staff_with(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


def versions(record):
    return list(
        type(record)
        .history.filter(id=record.pk)
        .order_by("history_id")
        .values_list("history_type", "history_user_id", "history_change_reason")
    )


def test_a_service_write_records_its_actor_and_the_values_before_and_after():
    editor = staff_with("view_person", "change_person")
    person = PersonFactory(first_name="Ana", phone="+503 7000 0000")
    person.phone = "+503 7111 1111"

    person_save(person=person, actor=editor)

    latest, previous = person.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.history_user_id) == ("~", editor.pk)
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("phone", "+503 7000 0000", "+503 7111 1111")
    ]


def test_commands_and_the_demo_write_as_the_system():
    person = person_save(person=PersonFactory.build(institution=None), actor=SYSTEM)

    assert versions(person) == [("+", None, "system")]


def test_a_deletion_is_recorded_with_who_deleted():
    remover = staff_with("view_person", "delete_person")
    person = PersonFactory()
    person_id = person.pk

    person_delete(person=person, actor=remover)

    assert Person.history.filter(id=person_id).latest("history_id").history_type == "-"
    assert Person.history.filter(id=person_id).latest("history_id").history_user == remover


def test_a_network_keeps_the_municipalities_of_each_version(border_municipalities):
    network = network_save(
        network=Network(name="Mesa Trifinio", kind="cross_border_table"),
        municipalities=[border_municipalities["SV"], border_municipalities["GT"]],
        actor=SYSTEM,
    )
    network_save(
        network=network,
        municipalities=[border_municipalities["SV"], border_municipalities["HN"]],
        actor=SYSTEM,
    )

    latest = network.history.latest("history_id")
    assert {m.municipality_id for m in latest.municipalities.all()} == {
        border_municipalities["SV"].pk,
        border_municipalities["HN"].pk,
    }


def test_an_import_writes_one_version_per_record_naming_the_importer(countries):
    importer = staff_with("view_person", "add_person", "change_person", "import_person")
    existing = PersonFactory(email="ana@example.org", first_name="Ana", institution=None)
    dataset = tablib.Dataset(
        ["Ana María", "López", "female", "ana@example.org"],
        ["Luis", "Pérez", "male", "luis@example.org"],
        headers=["first_name", "last_name", "sex", "email"],
    )

    result = PersonResource(actor=importer).import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    luis = Person.objects.get(email="luis@example.org")
    assert versions(luis) == [("+", importer.pk, "import")]
    assert versions(existing)[-1] == ("~", importer.pk, "import")
    assert existing.history.latest("history_id").first_name == "Ana María"


def test_a_preview_leaves_no_version_behind(countries):
    importer = staff_with("view_person", "add_person", "change_person", "import_person")
    dataset = tablib.Dataset(
        ["Luis", "Pérez", "male", "luis@example.org"],
        headers=["first_name", "last_name", "sex", "email"],
    )

    PersonResource(actor=importer).import_data(dataset, dry_run=True)

    assert not Person.history.exists()


def test_an_import_by_someone_not_allowed_writes_nothing(countries):
    coordinator = User.objects.get(
        pk=MembershipFactory(
            role=MembershipRole.COORDINATOR, person__user=StaffUserFactory(is_staff=False)
        ).person.user_id
    )
    stranger = PersonFactory(email="otra@example.org", first_name="Otra")
    dataset = tablib.Dataset(
        ["Cambiada", "Persona", "female", "otra@example.org"],
        headers=["first_name", "last_name", "sex", "email"],
    )

    with pytest.raises(PermissionDenied):
        PersonResource(actor=coordinator).import_data(dataset, dry_run=False)

    stranger.refresh_from_db()
    assert stranger.first_name == "Otra"
    assert versions(stranger) == [("+", None, None)]


def test_the_admin_history_page_shows_who_changed_what(client):
    editor = staff_with("view_person", "change_person")
    person = PersonFactory(first_name="Ana", last_name="López", phone="+503 7000 0000")
    client.force_login(editor)
    change_url = reverse("admin:networks_person_change", args=[person.pk])
    data = change_form_data(client.get(change_url))
    data.update(phone="+503 7999 9999")
    assert client.post(change_url, data).status_code == 302

    page = client.get(reverse("admin:networks_person_history", args=[person.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert str(editor) in html
    assert "+503 7000 0000" in html and "+503 7999 9999" in html
    assert person.history.latest("history_id").history_user == editor


def test_saving_an_unchanged_admin_form_writes_no_version(client):
    editor = staff_with("view_person", "change_person")
    person = PersonFactory()
    client.force_login(editor)
    change_url = reverse("admin:networks_person_change", args=[person.pk])
    data = change_form_data(client.get(change_url))

    assert client.post(change_url, data).status_code == 302

    assert versions(person) == [("+", None, None)]


def test_the_history_page_of_a_record_outside_the_scope_is_not_found(client):
    person = PersonFactory()
    client.force_login(staff_with("view_membership"))

    page = client.get(reverse("admin:networks_person_history", args=[person.pk]))

    assert page.status_code in (403, 404)


# Erasure ---------------------------------------------------------------------------------


def test_erasure_scrubs_a_persons_data_from_every_version_and_the_admin_log():
    officer = staff_with("view_person", "change_person", "delete_person")
    person = PersonFactory(
        first_name="Ana", last_name="López", email="ana.lopez@example.org", phone="+503 7000"
    )
    seat = MembershipFactory(person=person, institution=InstitutionFactory())
    membership_end(membership=seat, end_date=seat.start_date, actor=SYSTEM)
    person.position = "Alcaldesa"
    person_save(person=person, actor=officer)
    for record in (person, seat):
        LogEntry.objects.log_actions(
            officer.pk, [record], CHANGE, change_message="changed", single_object=True
        )

    scrubbed = person_history_erase(person_id=person.pk, actor=officer)

    assert scrubbed == person.history.count() == 2
    personal = ("Ana", "López", "ana.lopez@example.org", "+503 7000", "Alcaldesa")
    for version in person.history.all():
        kept = (version.first_name, version.last_name, version.email, version.phone)
        assert not {*kept, version.position} & set(personal)
        assert version.first_name == ERASED
    assert set(
        LogEntry.objects.filter(
            content_type__in=ContentType.objects.get_for_models(Person, Membership).values()
        ).values_list("object_repr", flat=True)
    ) == {ERASED}
    # Dates, actors and the other fields stay: the trail is still an audit trail.
    assert versions(person) == [("+", None, None), ("~", officer.pk, None)]
    assert seat.history.count() == 2


def test_erasure_is_refused_without_the_delete_permission():
    person = PersonFactory(first_name="Ana")

    with pytest.raises(PermissionDenied):
        person_history_erase(person_id=person.pk, actor=staff_with("view_person"))

    assert person.history.get().first_name == "Ana"


@pytest.mark.parametrize(
    "object_id", ["abc", "6/change"]
)  # a NUL byte gets a 400 first: tests/portal/test_hostile_urls.py
def test_a_malformed_id_on_a_history_page_is_not_found(client, object_id):
    client.force_login(staff_with("view_person"))

    page = client.get(f"/admin/networks/person/{object_id}/history/")
    version = client.get(f"/admin/networks/person/{object_id}/history/abc/")

    assert page.status_code == 404
    # Not a page of a version at all: the admin's catch-all sends it to the change page.
    assert version.status_code == (302 if "/" in object_id else 404)


def test_versions_of_a_bulk_write_equal_those_of_a_single_save(countries):
    """The imports' versions are copied by the database in bulk: they must hold exactly what
    django-simple-history writes for one save."""
    from common.audit import acting_as, bulk_create_audited

    importer = staff_with("add_person")
    institution = InstitutionFactory()
    fields = {
        "first_name": "Ana",
        "last_name": "López",
        "sex": "female",
        "phone": "+503 7000 0000",
        "position": "Regidora",
        "institution": institution,
    }
    with acting_as(importer, "import"):
        (bulk,) = bulk_create_audited([Person(email="bulk@example.org", **fields)], Person)
        single = Person(email="single@example.org", **fields)
        single.save()

    def version(person):
        row = person.history.values().get()
        return {
            key: value
            for key, value in row.items()
            if key not in {"id", "email", "history_id", "history_date", "created_at", "updated_at"}
        }

    assert version(bulk) == version(single)
    assert version(bulk)["history_user_id"] == importer.pk
    assert version(bulk)["history_change_reason"] == "import"
    assert bulk.history.get().history_date.tzinfo is not None


def test_a_past_version_has_no_editable_page_of_its_own(client):
    person = PersonFactory()
    client.force_login(staff_with("view_person", "change_person"))
    version = person.history.get()

    page = client.get(f"/admin/networks/person/{person.pk}/history/{version.history_id}/")

    assert page.status_code == 404
