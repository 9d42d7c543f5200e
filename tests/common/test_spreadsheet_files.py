"""Imports take the files people really have: as Excel and LibreOffice save them in the region.

Semicolons and a byte-order mark (Spanish-locale Excel), Windows-1252, tabs, blank rows in
between and at the end, headers with trailing spaces, dates as text and as date cells, choices
written as words ("F", "Coordinadora"), through the admin, the workspace members upload and
the attendance sheet. A bad row is named with its number (the spreadsheet's line minus the
header's: blank rows count), and nothing is written.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext, override
from openpyxl import Workbook

from common.spreadsheets.reading import UnreadableSheet, read_sheet
from conferences.enums import ParticipationRole
from conferences.models import Participation
from networks.enums import MembershipRole, Sex
from networks.models import Membership, Person
from tests.factories import (
    InstitutionFactory,
    NetworkFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # positions in the admin's import formats


def excel_csv(lines, *, delimiter=";", encoding="utf-8-sig"):
    """A CSV as Spanish-locale Excel saves it: ``;``, a byte-order mark, CRLF."""
    return "\r\n".join(delimiter.join(cells) for cells in lines).encode(encoding) + b"\r\n"


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def grant(user, app_label, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


@pytest.fixture
def admin_importer(client, staff_user):
    grant(staff_user, "networks", "view_person", "add_person", "change_person", "import_person")
    client.force_login(staff_user)
    return client


def admin_preview(client, content, *, name="personas.csv", file_format=CSV_FORMAT):
    return client.post(
        reverse("admin:networks_person_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def admin_confirm(client, response):
    confirm_form = response.context["confirm_form"]
    return client.post(
        reverse("admin:networks_person_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )


PEOPLE_HEADER = ["first_name ", " last_name", "sex ", "email", "position"]


# The reader --------------------------------------------------------------------------------


def test_reader_finds_delimiter_and_encoding_and_numbers_rows_as_the_sheet():
    content = excel_csv(
        [
            PEOPLE_HEADER,
            ["José", "Núñez", "M", "jose@example.org", "Técnico"],
            ["", "", "", "", ""],
            ["Begoña", "Ibáñez", "F", "begona@example.org", "Señora, alcaldesa"],
            ["", "", "", "", ""],
        ],
        encoding="cp1252",
    )

    dataset = read_sheet(content, "csv")

    assert dataset.headers == ["first_name", "last_name", "sex", "email", "position"]
    assert [row[:2] for row in dataset] == [("José", "Núñez"), ("Begoña", "Ibáñez")]
    assert dataset.sheet_rows == [2, 4]  # the header is row 1; the blank row 3 still counts


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_reader_takes_each_delimiter(delimiter):
    content = excel_csv([["email", "attended"], ["ana@example.org", "sí"]], delimiter=delimiter)

    assert read_sheet(content, "csv").dict == [{"email": "ana@example.org", "attended": "sí"}]


def test_reader_refuses_a_damaged_workbook_in_plain_words():
    with pytest.raises(UnreadableSheet) as refused:
        read_sheet(b"PK\x03\x04 not really a workbook", "xlsx")

    assert str(refused.value) == "El archivo no es un libro XLSX."  # in the user's language


# The admin -------------------------------------------------------------------------------


def test_admin_imports_spanish_excel_csv_with_blank_rows_and_words(admin_importer):
    content = excel_csv(
        [
            PEOPLE_HEADER,
            ["José", "Núñez", "M", "jose@example.org", "Técnico"],
            ["", "", "", "", ""],
            ["Begoña", "Ibáñez", "femenino", "begona@example.org", "Alcaldesa"],
            ["Ana", "Peña", "Prefiere no decir", "ana@example.org", ""],
            ["", "", "", "", ""],
        ]
    )

    response = admin_preview(admin_importer, content)
    assert not response.context["result"].has_validation_errors()
    admin_confirm(admin_importer, response)

    assert set(Person.objects.values_list("first_name", "last_name", "sex", "position")) == {
        ("José", "Núñez", Sex.MALE, "Técnico"),
        ("Begoña", "Ibáñez", Sex.FEMALE, "Alcaldesa"),
        ("Ana", "Peña", Sex.NOT_STATED, ""),
    }


def test_admin_imports_windows_1252_with_accents_intact(admin_importer):
    content = excel_csv(
        [PEOPLE_HEADER, ["Begoña", "Ibáñez", "Mujer", "begona@example.org", "Coordinación"]],
        delimiter=",",
        encoding="cp1252",
    )

    response = admin_preview(admin_importer, content)
    admin_confirm(admin_importer, response)

    assert list(Person.objects.values_list("first_name", "last_name", "position")) == [
        ("Begoña", "Ibáñez", "Coordinación")
    ]


def test_admin_names_each_bad_row_where_the_sheet_shows_it_and_writes_nothing(admin_importer):
    content = excel_csv(
        [
            PEOPLE_HEADER,
            ["José", "Núñez", "M", "jose@example.org", ""],
            ["", "", "", "", ""],
            ["", "", "", "", ""],
            ["Begoña", "Ibáñez", "robot", "begona@example.org", ""],
        ]
    )

    response = admin_preview(admin_importer, content)

    with override("es"):
        unknown = gettext("Unknown value “%(value)s”. Allowed values: %(allowed)s.") % {
            "value": "robot",
            "allowed": "Mujer, Hombre, Prefiere no decirlo",
        }
    problems = response.content.decode().split('class="errorlist import-problems"')[1]
    # Row 5 of the spreadsheet: the two blank rows count.
    assert re.findall(r"<li>(.*?)</li>", problems.split("</ul>")[0], re.S) == [
        f"Fila 5 · <strong>Sexo</strong>: {unknown}"
    ]
    assert "confirm_form" not in response.context
    assert Person.objects.count() == 0


def test_admin_refuses_an_unreadable_file_without_exception_or_path(admin_importer):
    response = admin_preview(
        admin_importer, b"\x00\x01garbage", name="personas.xlsx", file_format=XLSX_FORMAT
    )

    content = response.content.decode()
    with override("es"):
        assert gettext("The file is not an XLSX workbook.") in content
    assert "Error" not in content.split('id="content"')[1].split("<form")[0]
    assert "BadZipFile" not in content
    assert "Traceback" not in content
    assert "/tmp" not in content
    assert Person.objects.count() == 0


def test_admin_semicolon_file_without_its_key_column_is_refused_in_words(admin_importer):
    content = excel_csv([["nombre", "apellido"], ["Ana", "Peña"]])

    response = admin_preview(admin_importer, content)

    content = response.content.decode()
    assert "Correo electrónico" in content and "nombre, apellido" in content
    assert "import_id_fields" not in content
    assert "Traceback" not in content
    assert Person.objects.count() == 0


# The workspace members upload --------------------------------------------------------------


def members_upload(client, network, content, name):
    with override("en"):
        upload_url = reverse("dashboard:members:upload", kwargs={"network": network.slug})
        response = client.post(upload_url, {"sheet": SimpleUploadedFile(name, content)})
        confirm_url = reverse("dashboard:members:upload-confirm", kwargs={"network": network.slug})
    return response, confirm_url


MEMBERS_HEADER = ["first_name", "last_name", "sex", "email", "role ", "start_date"]


def test_workspace_members_xlsx_with_date_cells_blank_rows_and_words(coordinator_client, network):
    content = xlsx(
        [
            MEMBERS_HEADER,
            ["Begoña", "Ibáñez", "F", "begona@example.org", "Miembro", datetime.date(2024, 6, 1)],
            [None, None, None, None, None, None],
            ["José", "Núñez", "masculino", "jose@example.org", "observadora", "15/07/2024"],
            [None, None, None, None, None, None],
        ]
    )

    response, confirm_url = members_upload(coordinator_client, network, content, "miembros.xlsx")
    assert response.context["preview"]["is_clean"], response.context["preview"]["bad_rows"]
    coordinator_client.post(confirm_url)

    seats = Membership.objects.filter(network=network, person__email__endswith="@example.org")
    assert set(
        seats.exclude(role=MembershipRole.COORDINATOR).values_list(
            "person__last_name", "person__sex", "role", "start_date"
        )
    ) == {
        ("Ibáñez", Sex.FEMALE, MembershipRole.MEMBER, datetime.date(2024, 6, 1)),
        ("Núñez", Sex.MALE, MembershipRole.OBSERVER, datetime.date(2024, 7, 15)),
    }


def test_workspace_members_bad_rows_after_blank_rows_are_numbered_as_the_sheet(
    coordinator_client, network
):
    content = excel_csv(
        [
            MEMBERS_HEADER,
            ["Begoña", "Ibáñez", "F", "begona@example.org", "miembro", "01/06/2024"],
            ["", "", "", "", "", ""],
            ["José", "Núñez", "M", "jose@example.org", "jefe", "01/06/2024"],
        ],
        encoding="cp1252",
    )

    response, confirm_url = members_upload(coordinator_client, network, content, "miembros.csv")
    coordinator_client.post(confirm_url)

    bad_rows = response.context["preview"]["bad_rows"]
    assert [number for number, _problems in bad_rows] == [4]  # the blank row 3 counts
    (problem,) = bad_rows[0][1]
    assert problem.startswith("Role: Unknown value “jefe”. Allowed values: Coordinator,")
    # The preview's table shows each row under the same number, with its own problems.
    table = {
        row["email"]: (row["number"], bool(row["problems"]))
        for row in response.context["preview"]["rows"]
    }
    assert table == {"begona@example.org": (2, False), "jose@example.org": (4, True)}
    assert not Person.objects.filter(email="begona@example.org").exists()


# The attendance sheet --------------------------------------------------------------------


def test_attendance_sheet_from_spanish_excel_with_words_and_blank_rows(attendance_importer):
    session = SessionFactory(networks=[NetworkFactory()])
    institution = InstitutionFactory()
    ana = PersonFactory(email="ana@example.org", institution=institution)
    luis = PersonFactory(email="luis@example.org", institution=institution)
    content = excel_csv(
        [
            ["name", "email ", "role", "attended"],
            ["Ana Peña", "ana@example.org", "Ponente", "Sí"],
            ["", "", "", ""],
            ["Luis Núñez", "LUIS@example.org", "asistente", "no"],
            ["", "", "", ""],
        ]
    )
    import_url = reverse("admin:conferences_session_attendance_import", args=[session.pk])

    response = attendance_importer.post(
        import_url, {"attendance-sheet": SimpleUploadedFile("asistencia.csv", content)}
    )
    assert response.context["bad_rows"] == []
    confirm_form = response.context["confirm_form"]
    attendance_importer.post(
        import_url,
        {**{name: confirm_form.initial[name] for name in confirm_form.fields}, "confirm": "1"},
    )

    assert set(Participation.objects.values_list("person", "role", "attended")) == {
        (ana.pk, ParticipationRole.SPEAKER, True),
        (luis.pk, ParticipationRole.PARTICIPANT, False),
    }
