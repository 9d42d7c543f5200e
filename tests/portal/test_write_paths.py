"""One access rule, one write path: the same membership, network and participation made
through the admin (forms and inlines), a spreadsheet import (the admin's import flow and the
resource with ``actor=``) and the service itself are stored alike, and the audit trail names
who made each one ("import" as the reason of the imports).

Every path starts from the same data and is rolled back before the next one, so the rows
they store can be compared field by field (all concrete fields but the primary key and the
automatic timestamps), each against the values the documented behaviour gives.
"""

import datetime
from contextlib import contextmanager

import pytest
import tablib
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.urls import reverse

from accounts.models import User
from conferences.enums import ParticipationRole
from conferences.models import Participation
from conferences.resources import attendance_import
from conferences.services import participation_register
from networks.access import SYSTEM
from networks.enums import MembershipRole, NetworkKind, NetworkStatus, Sector
from networks.models import Membership, Network, Person
from networks.resources import MembershipResource, NetworkResource
from networks.services import membership_start, network_save
from tests.admin_forms import add_inline_row, change_form_data
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    ProgrammeFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # position of CSV in settings.IMPORT_EXPORT_FORMATS
IMPORT = "import"  # the reason the audit trail records for an import's versions


def grant(user, *permissions):
    """Give ``user`` exactly ``permissions`` ("app.codename")."""
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


# Posting the admin's real forms (as tests/conferences/test_admin.py does) ---------------------


def saved(response):
    """Assert the admin accepted the post (a redirect), or show why not."""
    if response.status_code != 302:
        context = response.context or {}
        errors = [context["adminform"].form.errors] if "adminform" in context else []
        errors += [inline.formset.errors for inline in context.get("inline_admin_formsets", [])]
        pytest.fail(f"the admin answered {response.status_code}: {errors}")
    return response


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def admin_import(client, model, text):
    """The admin's import flow of a registry model: upload and preview, then confirm."""
    preview = client.post(
        reverse(f"admin:networks_{model}_import"),
        {"resource": "0", "format": CSV_FORMAT, "import_file": upload(f"{model}.csv", text)},
    )
    assert preview.status_code == 200, preview.status_code
    result = preview.context["result"]
    assert not (result.has_errors() or result.has_validation_errors()), [
        (row.number, row.error_dict) for row in result.invalid_rows
    ]
    confirm_form = preview.context["confirm_form"]
    confirmed = client.post(
        reverse(f"admin:networks_{model}_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse(f"admin:networks_{model}_changelist")


def resource_import(resource, text):
    """An import as the admin runs it: the resource made with ``actor=`` the importer."""
    result = resource.import_data(tablib.Dataset().load(text, format="csv"), dry_run=False)
    assert not (result.has_errors() or result.has_validation_errors()), [
        (row.number, row.error_dict) for row in result.invalid_rows
    ]


# What a path leaves behind -------------------------------------------------------------------


@contextmanager
def rolled_back():
    """Run one path and undo it, so the next one starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def stored(record, *also):
    """Every concrete field of the stored row but its primary key and automatic timestamps,
    and the values of ``also`` (lookups such as ``municipalities__slug``)."""
    model = type(record)
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    row = model._default_manager.filter(pk=record.pk).values(*names).get()
    for lookup in also:
        row[lookup] = sorted(
            model._default_manager.filter(pk=record.pk).values_list(lookup, flat=True)
        )
    return row


def audited_models():
    """The history tables of every audited model (django-simple-history)."""
    return [
        model
        for model in apps.get_models()
        if any(field.name == "history_user" for field in model._meta.fields)
    ]


class VersionsWritten:
    """The history versions written while the block runs, by audited model:
    ``{"networks.Membership": [(history_type, history_user_id, history_change_reason)]}``."""

    def __enter__(self):
        self._last = {
            model: model.objects.aggregate(last=models.Max("history_id"))["last"] or 0
            for model in audited_models()
        }
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.versions = {}
        if exc_type is not None:
            return False  # let the path's own error show
        for model, last in self._last.items():
            rows = list(
                model.objects.filter(history_id__gt=last)
                .order_by("history_id")
                .values_list("history_type", "history_user_id", "history_change_reason")
            )
            if rows:
                self.versions[model.instance_type._meta.label] = rows
        return False


def created(user, reason=None):
    return ("+", user.pk, reason)


def changed(user, reason=None):
    return ("~", user.pk, reason)


# The data every path starts from ---------------------------------------------------------------


@pytest.fixture
def metapan(border_municipalities, countries):
    """The institution the people work for, with its country and municipality."""
    return InstitutionFactory(
        name="Alcaldía de Metapán",
        sector=Sector.MUNICIPAL_GOVERNMENT,
        country=countries["SV"],
        municipality=border_municipalities["SV"],
    )


@pytest.fixture
def ana(metapan):
    return PersonFactory(
        first_name="Ana", last_name="López", email="ana@example.org", institution=metapan
    )


@pytest.fixture
def staff(client):
    """The staff member of every path, with no permission yet: each path grants exactly the
    ones it needs. The client is signed in as them."""
    user = StaffUserFactory(email="staff@example.org", name="Marta Rivas")
    client.force_login(user)
    return user


def run_paths(paths, client, staff, make, find):
    """Run each path from the same data, rolled back afterwards: ``{name: (row, versions)}``.

    ``paths`` maps a name to ``(permissions, write)``; the permissions are granted inside
    the rolled-back block, so each path runs with exactly its own. ``write(client, user)``
    makes the record, ``find()`` returns it and ``make(record)`` what to compare of it.
    """
    outcome = {}
    for name, (permissions, write) in paths.items():
        with rolled_back(), VersionsWritten() as written:
            grant(staff, *permissions)
            user = User.objects.get(pk=staff.pk)  # no permission cache from an earlier path
            write(client, user)
            row = make(find())
        outcome[name] = (row, written.versions)
    return outcome


# Memberships -----------------------------------------------------------------------------------

SEAT_START = datetime.date(2024, 1, 15)


@pytest.fixture
def red_metapan(border_municipalities):
    return NetworkFactory(
        name="Red local de Metapán",
        slug="red-metapan",
        kind=NetworkKind.LOCAL_NETWORK,
        municipalities=[border_municipalities["SV"]],
    )


def membership_by_admin_form(client, user, person, network):
    url = reverse("admin:networks_membership_add")
    data = change_form_data(client.get(url))
    data.update(
        {
            "person": str(person.pk),
            "network": str(network.pk),
            "institution": "",  # not given: the person's institution
            "role": MembershipRole.TECHNICAL_SECRETARIAT,
            "start_date": SEAT_START.isoformat(),
            "end_date": "",
        }
    )
    saved(client.post(url, data))


def membership_by_person_inline(client, user, person, network):
    url = reverse("admin:networks_person_change", args=[person.pk])
    data = change_form_data(client.get(url))
    add_inline_row(
        data,
        "memberships",
        network=str(network.pk),
        institution="",
        role=MembershipRole.TECHNICAL_SECRETARIAT,
        start_date=SEAT_START.isoformat(),
        end_date="",
    )
    saved(client.post(url, data))


def membership_by_network_inline(client, user, person, network):
    url = reverse("admin:networks_network_change", args=[network.pk])
    data = change_form_data(client.get(url))
    add_inline_row(
        data,
        "memberships",
        person=str(person.pk),
        institution="",
        role=MembershipRole.TECHNICAL_SECRETARIAT,
        start_date=SEAT_START.isoformat(),
        end_date="",
    )
    saved(client.post(url, data))


MEMBERSHIP_FILE = (
    "person,network,institution,role,start_date,end_date\n"
    "ANA@example.org,red-metapan,,Secretaría técnica,15/01/2024,\n"
)


def membership_by_admin_import(client, user, person, network):
    admin_import(client, "membership", MEMBERSHIP_FILE)


def membership_by_resource(client, user, person, network):
    resource_import(MembershipResource(actor=user), MEMBERSHIP_FILE)


def membership_by_service(client, user, person, network):
    membership_start(
        person=person,
        network=network,
        start_date=SEAT_START,
        role=MembershipRole.TECHNICAL_SECRETARIAT,
        actor=user,
    )


def test_a_new_seat_is_stored_alike_on_every_path(client, staff, ana, red_metapan, metapan):
    def write(path):
        return lambda client, user: path(client, user, ana, red_metapan)

    importing = [
        "networks.add_membership",
        "networks.change_membership",
        "networks.import_membership",
    ]
    paths = {
        "admin form": (["networks.add_membership"], write(membership_by_admin_form)),
        "admin person inline": (
            ["networks.change_person", "networks.add_membership"],
            write(membership_by_person_inline),
        ),
        "admin network inline": (
            ["networks.change_network", "networks.add_membership"],
            write(membership_by_network_inline),
        ),
        "admin import": (importing, write(membership_by_admin_import)),
        "resource import": (importing, write(membership_by_resource)),
        "service": (["networks.add_membership"], write(membership_by_service)),
    }

    outcome = run_paths(
        paths,
        client,
        staff,
        make=stored,
        find=lambda: Membership.objects.get(person=ana, network=red_metapan),
    )

    # A new seat with no institution given represents the person's institution, everywhere.
    expected = {
        "person_id": ana.pk,
        "network_id": red_metapan.pk,
        "institution_id": metapan.pk,
        "role": MembershipRole.TECHNICAL_SECRETARIAT,
        "start_date": SEAT_START,
        "end_date": None,
    }
    assert {name: row for name, (row, _) in outcome.items()} == dict.fromkeys(paths, expected)
    assert {name: versions for name, (_, versions) in outcome.items()} == {
        "admin form": {"networks.Membership": [created(staff)]},
        # The person's or the network's own form was not changed: no version of it.
        "admin person inline": {"networks.Membership": [created(staff)]},
        "admin network inline": {"networks.Membership": [created(staff)]},
        "admin import": {"networks.Membership": [created(staff, IMPORT)]},
        "resource import": {"networks.Membership": [created(staff, IMPORT)]},
        "service": {"networks.Membership": [created(staff)]},
    }


def test_a_seat_added_on_the_page_of_a_new_person_or_network_takes_the_persons_institution(
    client, staff, ana, red_metapan, metapan, border_municipalities
):
    """The inlines of the add pages: the seat is saved right after its new person or network,
    still with no institution given."""
    grant(staff, "networks.add_person", "networks.add_network", "networks.add_membership")
    person_page = reverse("admin:networks_person_add")
    data = change_form_data(client.get(person_page))
    data.update(
        {
            "first_name": "Rosa",
            "last_name": "Díaz",
            "sex": "female",
            "email": "rosa@example.org",
            "institution": str(metapan.pk),
        }
    )
    add_inline_row(
        data,
        "memberships",
        network=str(red_metapan.pk),
        institution="",
        role=MembershipRole.MEMBER,
        start_date=SEAT_START.isoformat(),
        end_date="",
    )
    network_page = reverse("admin:networks_network_add")
    network_data = change_form_data(client.get(network_page))
    network_data.update(
        {
            "name": "Red local de Citalá",
            "slug": "red-citala",
            "kind": NetworkKind.LOCAL_NETWORK,
            "status": NetworkStatus.ACTIVE,
            "municipalities": [str(border_municipalities["SV"].pk)],
        }
    )
    add_inline_row(
        network_data,
        "memberships",
        person=str(ana.pk),
        institution="",
        role=MembershipRole.MEMBER,
        start_date=SEAT_START.isoformat(),
        end_date="",
    )

    with VersionsWritten() as written:
        saved(client.post(person_page, data))
        saved(client.post(network_page, network_data))

    rosa = Person.objects.get(email="rosa@example.org")
    red_citala = Network.objects.get(slug="red-citala")
    assert [stored(seat) for seat in Membership.objects.order_by("person__email")] == [
        {
            "person_id": ana.pk,
            "network_id": red_citala.pk,
            "institution_id": metapan.pk,
            "role": MembershipRole.MEMBER,
            "start_date": SEAT_START,
            "end_date": None,
        },
        {
            "person_id": rosa.pk,
            "network_id": red_metapan.pk,
            "institution_id": metapan.pk,
            "role": MembershipRole.MEMBER,
            "start_date": SEAT_START,
            "end_date": None,
        },
    ]
    assert written.versions == {
        "networks.Person": [created(staff)],
        "networks.Network": [created(staff), changed(staff)],
        "networks.Membership": [created(staff), created(staff)],
    }


# Networks --------------------------------------------------------------------------------------

TABLE = {
    "name": "Mesa Trifinio",
    "kind": NetworkKind.CROSS_BORDER_TABLE,
    "status": NetworkStatus.FORMING,
    "description": "Mesa técnica transfronteriza del Trifinio.",
    "founded_on": datetime.date(2019, 3, 1),
}


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Programa Trifinio")


def network_by_admin_form(client, user, municipalities, programme):
    url = reverse("admin:networks_network_add")
    data = change_form_data(client.get(url))
    data.update(
        {
            "name": TABLE["name"],
            # What the page's prepopulated field writes as the name is typed.
            "slug": "mesa-trifinio",
            "kind": TABLE["kind"],
            "status": TABLE["status"],
            "municipalities": [str(m.pk) for m in municipalities],
            "description": TABLE["description"],
            "founded_on": TABLE["founded_on"].isoformat(),
            "programme": str(programme.pk),
        }
    )
    saved(client.post(url, data))


NETWORK_FILE = (
    "name,slug,kind,status,municipalities,description,founded_on,programme\n"
    "Mesa Trifinio,,Mesa técnica transfronteriza,forming,SV:Metapán; HN:Ocotepeque; "
    "GT:Esquipulas,Mesa técnica transfronteriza del Trifinio.,01/03/2019,programa trifinio\n"
)


def network_by_admin_import(client, user, municipalities, programme):
    admin_import(client, "network", NETWORK_FILE)


def network_by_resource(client, user, municipalities, programme):
    resource_import(NetworkResource(actor=user), NETWORK_FILE)


def network_by_service(client, user, municipalities, programme):
    network_save(
        network=Network(programme=programme, **TABLE), municipalities=municipalities, actor=user
    )


def network_compared(table):
    """The stored row with its municipalities, and the municipalities its last version in
    the audit trail holds."""
    row = stored(table, "municipalities__slug")
    last_version = table.history.latest()
    row["audited municipalities"] = sorted(
        last_version.municipalities.values_list("municipality__slug", flat=True)
    )
    return row


def test_a_new_network_is_stored_alike_on_every_path(
    client, staff, border_municipalities, programme
):
    municipalities = list(border_municipalities.values())

    def write(path):
        return lambda client, user: path(client, user, municipalities, programme)

    importing = ["networks.add_network", "networks.change_network", "networks.import_network"]
    paths = {
        "admin form": (["networks.add_network"], write(network_by_admin_form)),
        "admin import": (importing, write(network_by_admin_import)),
        "resource import": (importing, write(network_by_resource)),
        "service": (["networks.add_network"], write(network_by_service)),
    }

    outcome = run_paths(
        paths,
        client,
        staff,
        make=network_compared,
        find=lambda: Network.objects.get(name=TABLE["name"]),
    )

    slugs = ["esquipulas-gt", "metapan-sv", "ocotepeque-hn"]
    expected = {
        **TABLE,
        "slug": "mesa-trifinio",
        "programme_id": programme.pk,
        "municipalities__slug": slugs,
        "audited municipalities": slugs,
    }
    assert {name: row for name, (row, _) in outcome.items()} == dict.fromkeys(paths, expected)
    # Saved, then its municipalities set: two versions, the last one with the municipalities.
    assert {name: versions for name, (_, versions) in outcome.items()} == {
        "admin form": {"networks.Network": [created(staff), changed(staff)]},
        "admin import": {"networks.Network": [created(staff, IMPORT), changed(staff, IMPORT)]},
        "resource import": {"networks.Network": [created(staff, IMPORT), changed(staff, IMPORT)]},
        "service": {"networks.Network": [created(staff), changed(staff)]},
    }


# Participations --------------------------------------------------------------------------------


@pytest.fixture
def table(border_municipalities):
    return NetworkFactory(
        name="Mesa Trifinio",
        slug="mesa-trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[border_municipalities["SV"], border_municipalities["GT"]],
    )


@pytest.fixture
def session(table):
    """A session held on 17 September 2020 (the factory's default) of the table."""
    return SessionFactory(title="Gobernanza local", slug="gobernanza-local", networks=[table])


@pytest.fixture
def luis(countries, metapan, table):
    """Works for a church organisation in Guatemala, but sits in the table for the Alcaldía
    de Metapán since 2019: the seat on the session's day is the affiliation snapshot."""
    person = PersonFactory(
        first_name="Luis",
        last_name="Pérez",
        email="luis@example.org",
        institution=InstitutionFactory(
            name="Pastoral de Movilidad Humana",
            sector=Sector.FAITH_BASED,
            country=countries["GT"],
            municipality=None,
        ),
    )
    MembershipFactory(
        person=person, network=table, institution=metapan, start_date=datetime.date(2019, 1, 1)
    )
    return person


def participation_by_admin_inline(client, user, session, person):
    url = reverse("admin:conferences_session_change", args=[session.pk])
    data = change_form_data(client.get(url))
    add_inline_row(
        data,
        "participations",
        person=str(person.pk),
        role=ParticipationRole.SPEAKER,
        registered="on",
        attended="on",
    )
    saved(client.post(url, data))


ATTENDANCE_FILE = "email,role,attended\nLuis@Example.org,speaker,sí\n"


def participation_by_admin_import(client, user, session, person):
    url = reverse("admin:conferences_session_attendance_import", args=[session.pk])
    preview = client.post(url, {"attendance-sheet": upload("asistencia.csv", ATTENDANCE_FILE)})
    assert preview.status_code == 200, preview.status_code
    assert preview.context["bad_rows"] == []
    confirm_form = preview.context["confirm_form"]
    confirmed = client.post(
        url, {**{name: confirm_form.initial[name] for name in confirm_form.fields}, "confirm": "1"}
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:conferences_session_change", args=[session.pk])


def participation_by_resource(client, user, session, person):
    result = attendance_import(
        session=session,
        dataset=tablib.Dataset().load(ATTENDANCE_FILE, format="csv"),
        dry_run=False,
        actor=user,
    )
    assert not (result.has_errors() or result.has_validation_errors())


def participation_by_service(client, user, session, person):
    participation_register(
        session=session, person=person, role=ParticipationRole.SPEAKER, attended=True, actor=user
    )


def test_a_registration_is_stored_alike_on_every_path(
    client, staff, session, luis, metapan, countries, border_municipalities
):
    def write(path):
        return lambda client, user: path(client, user, session, luis)

    importing = [
        "conferences.view_session",
        "conferences.add_participation",
        "conferences.change_participation",
        "conferences.import_participation",
    ]
    paths = {
        "admin inline": (
            ["conferences.change_session", "conferences.add_participation"],
            write(participation_by_admin_inline),
        ),
        "admin import": (importing, write(participation_by_admin_import)),
        "resource import": (importing, write(participation_by_resource)),
        "service": (["conferences.add_participation"], write(participation_by_service)),
    }

    outcome = run_paths(
        paths,
        client,
        staff,
        make=stored,
        find=lambda: Participation.objects.get(session=session, person=luis),
    )

    # The snapshot is the seat's institution on the session's day, not the person's own.
    expected = {
        "session_id": session.pk,
        "person_id": luis.pk,
        "role": ParticipationRole.SPEAKER,
        "registered": True,
        "attended": True,
        "institution_id": metapan.pk,
        "sector": Sector.MUNICIPAL_GOVERNMENT,
        "country_id": countries["SV"].pk,
        "municipality_id": border_municipalities["SV"].pk,
    }
    assert {name: row for name, (row, _) in outcome.items()} == dict.fromkeys(paths, expected)
    assert {name: versions for name, (_, versions) in outcome.items()} == {
        # The session's own form was not changed: no version of it.
        "admin inline": {"conferences.Participation": [created(staff)]},
        "admin import": {"conferences.Participation": [created(staff, IMPORT)]},
        "resource import": {"conferences.Participation": [created(staff, IMPORT)]},
        "service": {"conferences.Participation": [created(staff)]},
    }


# A service names the actor it is given ----------------------------------------------------------


def test_a_service_names_the_actor_it_is_given(ana, red_metapan):
    colleague = StaffUserFactory(email="colega@example.org", is_superuser=True)
    rosa = PersonFactory(email="rosa@example.org", institution=ana.institution)

    by_colleague = membership_start(
        person=ana,
        network=red_metapan,
        start_date=SEAT_START,
        role=MembershipRole.MEMBER,
        actor=colleague,
    )
    by_system = membership_start(
        person=rosa,
        network=red_metapan,
        start_date=SEAT_START,
        role=MembershipRole.MEMBER,
        actor=SYSTEM,
    )

    versions = Membership.history.filter(id__in=[by_colleague.pk, by_system.pk])
    assert sorted(
        versions.values_list("id", "history_type", "history_user_id", "history_change_reason")
    ) == [
        (by_colleague.pk, "+", colleague.pk, None),
        # Management commands and the demo data: nobody to name, the reason says so.
        (by_system.pk, "+", None, "system"),
    ]


# The admin's history page of a person ---------------------------------------------------------


def test_person_history_page_lists_the_staff_member_who_changed_them(client, staff, ana):
    grant(staff, "networks.change_person")
    url = reverse("admin:networks_person_change", args=[ana.pk])
    data = change_form_data(client.get(url))
    data["position"] = "Alcaldesa"
    saved(client.post(url, data))

    response = client.get(reverse("admin:networks_person_history", args=[ana.pk]))

    assert response.status_code == 200
    assert "simple_history/object_history.html" in [t.name for t in response.templates]
    # Newest first: the staff member's change, then the record's creation (by the factory,
    # outside any request or service: nobody to name).
    assert [
        (record.history_type, record.history_user_id, record.position)
        for record in response.context["page_obj"]
    ] == [("~", staff.pk, "Alcaldesa"), ("+", None, "")]
    content = response.content.decode()
    table = content[content.index('id="change-history"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")[2:]  # the header, then one row per version
    assert len(rows) == 2
    assert "Marta Rivas" in rows[0]
    assert "Marta Rivas" not in rows[1]
