import csv
import datetime
import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from accounts.models import User
from networks import access
from networks.demo import BORDER_MUNICIPALITIES_CSV, demo_counts
from networks.enums import MembershipRole, NetworkKind, Sector
from networks.models import BorderCrossing, Institution, Membership, Municipality, Network, Person

pytestmark = pytest.mark.django_db

PASSWORD_LINE = re.compile(r"^Password \(shown only now\): (\S+)$", re.MULTILINE)
COORDINATORS_PASSWORD_LINE = re.compile(
    r"^Coordinators' password, the same for each \(shown only now\): (\S+)$", re.MULTILINE
)


@dataclass
class Run:
    output: str
    counts: dict
    memberships: list
    people_updated: dict


def _run_command() -> Run:
    stdout = StringIO()
    # As `make run` does: passwords are printed in debug only (tests/portal/test_load_demo_guard.py)
    with translation.override("en"), override_settings(DEBUG=True):
        call_command("load_demo", stdout=stdout)
    return Run(
        output=stdout.getvalue(),
        counts=demo_counts(),
        memberships=sorted(
            Membership.objects.values_list(
                "pk", "person__email", "network__name", "role", "start_date", "end_date"
            )
        ),
        people_updated=dict(Person.objects.values_list("email", "updated_at")),
    )


@pytest.fixture(scope="module")
def demo_runs(django_db_setup, django_db_blocker):
    """The command run twice, once for the whole module; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        runs = [_run_command(), _run_command()]
        yield runs
        transaction.set_rollback(True)


def test_load_demo_second_run_changes_nothing(demo_runs):
    first, second = demo_runs

    assert first.counts == {
        "countries": 3,
        "departments": 54,
        # 54 rows of the reference file and the 10 Salvadoran municipalities of 2024.
        "municipalities": 64,
        "crossings": 14,
        "institutions": 31,
        "people": 34,
        "networks": 3,
        "memberships": 35,
    }
    assert second.counts == first.counts
    assert second.memberships == first.memberships
    assert second.people_updated == first.people_updated


def test_load_demo_networks_have_kinds_and_countries(demo_runs):
    networks = {
        network.name: (network.kind, network.status, {c.code for c in network.countries()})
        for network in Network.objects.for_directory()
    }

    assert networks == {
        "Mesa Técnica Transfronteriza del Trifinio": (
            NetworkKind.CROSS_BORDER_TABLE,
            "active",
            {"SV", "GT", "HN"},
        ),
        "Mesa Técnica Transfronteriza El Amatillo – Goascorán": (
            NetworkKind.CROSS_BORDER_TABLE,
            "active",
            {"SV", "HN"},
        ),
        "Red Local de Movilidad Humana de Jutiapa": (NetworkKind.LOCAL_NETWORK, "active", {"GT"}),
    }


def test_load_demo_citala_is_a_district_of_chalatenango_norte(demo_runs):
    with BORDER_MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["municipality_name"] == "Citalá")
    assert row["source"].startswith("Citalá -> Chalatenango Norte ")

    citala = Municipality.objects.get(slug="citala-sv")

    assert (citala.official_code, citala.valid_until, citala.is_current) == (
        "0404",
        datetime.date(2024, 4, 30),
        False,
    )
    successor = citala.successor
    assert (successor.name, successor.slug, successor.department.code) == (
        "Chalatenango Norte",
        "chalatenango-norte-sv",
        "SV-CH",
    )
    assert (successor.official_code, successor.valid_from, successor.valid_until) == (
        "",
        datetime.date(2024, 5, 1),
        None,
    )
    assert {d.name for d in successor.districts.all()} == {"Citalá", "San Ignacio"}
    assert [c.name for c in citala.crossings.all()] == ["El Poy"]


def test_load_demo_crossings_lead_to_the_neighbour(demo_runs):
    crossings = {
        (c.municipality.name, c.municipality.department.country.code, c.leads_to.code)
        for c in BorderCrossing.objects.select_related(
            "municipality__department__country", "leads_to"
        ).filter(name__in=["El Amatillo", "Anguiatú"])
    }

    assert crossings == {
        ("Pasaquina", "SV", "HN"),
        ("Goascorán", "HN", "SV"),
        ("Metapán", "SV", "GT"),
    }


def test_load_demo_staff_password_is_printed_only_when_created(demo_runs):
    first, second = demo_runs

    printed = PASSWORD_LINE.findall(first.output)
    assert len(printed) == 1
    staff = User.objects.get(email="staff@example.org")
    assert staff.check_password(printed[0])
    assert (staff.is_staff, staff.is_superuser) == (True, True)
    # Its password is printed: the first sign-in asks for a new one (and the admin for MFA).
    assert staff.must_change_password is True
    assert "authenticator app" in first.output
    assert staff.emailaddress_set.filter(verified=True, primary=True).count() == 1
    assert "Sign in to the administration at /admin/" in first.output

    assert "Password" not in second.output
    assert "manage.py changepassword staff@example.org" in second.output


def test_load_demo_people_are_fictional_with_matching_phone_prefixes(demo_runs):
    prefixes = {"SV": "+503 ", "GT": "+502 ", "HN": "+504 "}
    people = Person.objects.select_related("institution__country")

    assert {p.email.endswith("@example.org") for p in people} == {True}
    assert {p.phone.startswith(prefixes[p.institution.country.code]) for p in people} == {True}
    assert {p.sex for p in people} == {"female", "male", "not_stated"}
    assert {bool(p.consent_date and p.consent_basis) for p in people} == {True}


def test_load_demo_institutions_cover_every_sector(demo_runs):
    assert set(Institution.objects.values_list("sector", flat=True)) == set(Sector.values)


def test_load_demo_each_network_has_every_role(demo_runs):
    for network in Network.objects.all():
        roles = set(network.memberships.open().values_list("role", flat=True))
        assert roles == set(MembershipRole.values), network.name


def test_load_demo_cross_border_tables_seat_both_sides(demo_runs):
    for network in Network.objects.filter(kind=NetworkKind.CROSS_BORDER_TABLE):
        countries = set(
            network.memberships.open()
            .filter(institution__sector=Sector.MUNICIPAL_GOVERNMENT)
            .values_list("institution__country__code", flat=True)
        )
        assert len(countries) >= 2, network.name


def test_load_demo_officials_rotate_after_the_2024_elections(demo_runs):
    ended = set(
        Membership.objects.exclude(end_date=None).values_list("person__email", "role", "end_date")
    )
    assert ended == {
        ("carlos.guardado@example.org", "member", datetime.date(2024, 4, 30)),
        ("rosa.alvarenga@example.org", "member", datetime.date(2024, 4, 30)),
        ("manuel.ventura@example.org", "coordinator", datetime.date(2024, 4, 30)),
        ("yesenia.canales@example.org", "member", datetime.date(2024, 4, 30)),
        ("hector.barrientos@example.org", "co_coordinator", datetime.date(2024, 1, 14)),
    }
    successors = set(
        Membership.objects.filter(start_date=datetime.date(2024, 5, 1)).values_list(
            "person__email", "role", "institution__name"
        )
    )
    assert successors == {
        ("karla.landaverde@example.org", "member", "Alcaldía Municipal de Santa Ana Norte"),
        ("alex.rivera@example.org", "member", "Alcaldía Municipal de Chalatenango Norte"),
        ("claudia.reyes@example.org", "coordinator", "Alcaldía Municipal de La Unión Norte"),
    }


def test_load_demo_gives_each_network_coordinator_an_account(demo_runs):
    first, second = demo_runs

    (password,) = COORDINATORS_PASSWORD_LINE.findall(first.output)
    assert COORDINATORS_PASSWORD_LINE.findall(second.output) == []
    accounts = {}
    for network in Network.objects.all():
        coordinators = Person.objects.filter(
            memberships__network=network,
            memberships__role=MembershipRole.COORDINATOR,
            memberships__end_date=None,
        )
        (person,) = coordinators
        user = person.user
        assert user is not None, network.name
        assert (user.email, user.is_staff, user.must_change_password) == (
            person.email,
            False,
            False,
        )
        assert user.check_password(password)
        assert list(user.emailaddress_set.values_list("email", "verified", "primary")) == [
            (person.email, True, True)
        ]
        assert network.pk in access.coordinated_network_ids(user)
        accounts[network.name] = user.email
        for run in demo_runs:
            assert f"  {user.email}  ({network.name})" in run.output
    assert accounts == {
        "Mesa Técnica Transfronteriza del Trifinio": "marta.cardona@example.org",
        "Mesa Técnica Transfronteriza El Amatillo – Goascorán": "claudia.reyes@example.org",
        "Red Local de Movilidad Humana de Jutiapa": "brenda.morales@example.org",
    }
    assert "Sign in as a coordinator at /en/accounts/login/:" in first.output
    assert User.objects.filter(is_staff=False).count() == 3
