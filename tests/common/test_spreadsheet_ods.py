"""ODS files as LibreOffice Calc saves them: repeated blank rows and columns to the end of the
sheet, dates as date cells and as text, a phone typed as a number, accented names, imported
through the reader, the workspace members upload and the admin's import of people."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P, S, Span

from common.spreadsheets.reading import UnreadableSheet, ods_rows, read_sheet
from networks.enums import MembershipRole, Sex
from networks.models import Membership, Person
from tests.common.test_spreadsheet_files import admin_confirm, grant

pytestmark = pytest.mark.django_db

ODS_FORMAT = "2"  # position in the admin's import formats: CSV, XLSX, ODS
SHEET_COLUMNS = 1024  # what LibreOffice writes a row's trailing blank run up to
SHEET_ROWS = 1_048_576
JUNE_1 = datetime.date(2024, 6, 1)


def ods_cell(value=None, *, repeat=None):
    """A cell as LibreOffice writes it: the value in its attributes, the text it shows."""
    attributes = {"numbercolumnsrepeated": repeat} if repeat else {}
    if value is None:
        return TableCell(**attributes)
    if isinstance(value, datetime.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attributes)
        cell.addElement(P(text=value.strftime("%d/%m/%y")))
    elif isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **attributes)
        cell.addElement(P(text=str(value).upper()))
    elif isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=repr(value), **attributes)
        cell.addElement(P(text=f"{value:g}"))
    else:
        cell = TableCell(valuetype="string", **attributes)
        for paragraph in str(value).split("\n"):
            cell.addElement(P(text=paragraph))
    return cell


def ods_row(values, *, repeat=None):
    """A row of ``values`` and, as LibreOffice saves it, a blank run to the sheet's edge."""
    row = TableRow(numberrowsrepeated=repeat) if repeat else TableRow()
    for value in values:
        row.addElement(value if isinstance(value, Element) else ods_cell(value))
    row.addElement(ods_cell(repeat=SHEET_COLUMNS - len(values)))
    return row


def ods(rows, *, blank_rows_after=True):
    """An ODS workbook whose first sheet holds ``rows``: a list is a row, an int a run of
    that many blank rows (one ``number-rows-repeated`` element), a ``TableRow`` itself; the
    rest of the sheet's 1 048 576 rows follow as one blank run, as LibreOffice writes them."""
    document = OpenDocumentSpreadsheet()
    sheet = Table(name="Hoja1")
    sheet.addElement(TableColumn(numbercolumnsrepeated=SHEET_COLUMNS))
    used = 0
    for row in rows:
        if isinstance(row, Element):
            sheet.addElement(row)
            used += int(row.getAttribute("numberrowsrepeated") or 1)
        elif isinstance(row, int):
            sheet.addElement(ods_row([], repeat=row))
            used += row
        else:
            sheet.addElement(ods_row(row))
            used += 1
    if blank_rows_after:
        sheet.addElement(ods_row([], repeat=SHEET_ROWS - used))
    document.spreadsheet.addElement(sheet)
    second = Table(name="Hoja2")
    second.addElement(ods_row(["not read"]))
    document.spreadsheet.addElement(second)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def phone_cell():
    return ods_cell(50312345678.0)


# The reader ------------------------------------------------------------------------------


def test_ods_rows_are_numbered_as_libreoffice_and_cells_typed_as_xlsx_cells():
    content = ods(
        [
            ["name ", "phone", "day", "when", "share", "present"],
            ["Begoña\nIbáñez", phone_cell(), datetime.date(2024, 6, 1)],
            2,
            ["José", None, "15/07/2024", datetime.datetime(2024, 7, 15, 9, 30), 0.25, True],
        ]
    )

    assert list(ods_rows(content)) == [
        (1, ["name ", "phone", "day", "when", "share", "present"]),
        (2, ["Begoña\nIbáñez", 50312345678, datetime.date(2024, 6, 1)]),
        (5, ["José", None, "15/07/2024", datetime.datetime(2024, 7, 15, 9, 30), 0.25, True]),
    ]


def test_ods_sheet_reads_headers_without_spaces_and_keeps_the_sheet_rows():
    content = ods([["first_name ", " last_name"], ["Begoña", "Ibáñez"], 3, ["José", "Núñez"]])

    dataset = read_sheet(content, "ods")

    assert dataset.headers == ["first_name", "last_name"]
    assert list(dataset) == [("Begoña", "Ibáñez"), ("José", "Núñez")]
    assert dataset.sheet_rows == [2, 6]
    assert (dataset.encoding_guess, dataset.encoding_unsure) == ("", False)


def test_ods_cell_text_keeps_its_spaces_spans_and_paragraphs():
    cell = TableCell(valuetype="string")
    first = P(text="Técnica")
    first.addElement(S(c=2))
    first.addText("de")
    first.addElement(S())
    span = Span(text="campo")
    first.addElement(span)
    cell.addElement(first)
    cell.addElement(P(text="Metapán"))
    content = ods([["position"], [cell]])

    assert list(ods_rows(content))[1] == (2, ["Técnica  de campo\nMetapán"])


def test_ods_repeated_values_and_covered_cells_count_as_the_columns_they_fill():
    content = ods([["a", "b", "c", "d"], [ods_cell("x", repeat=2), CoveredTableCell(), "y"]])

    assert list(ods_rows(content))[1] == (2, ["x", "x", None, "y"])


def test_ods_a_value_repeated_down_a_whole_sheet_is_refused():
    filled_down = TableRow(numberrowsrepeated=SHEET_ROWS - 1)
    filled_down.addElement(ods_cell("ana@example.org", repeat=SHEET_COLUMNS))
    content = ods([["email"], filled_down], blank_rows_after=False)

    with override("en"), pytest.raises(UnreadableSheet) as refused:
        read_sheet(content, "ods")

    assert str(refused.value) == "The sheet is too large to import: keep only the rows to import."


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not really a workbook", b"first_name,last_name\n", b""],
    ids=["damaged", "text", "empty"],
)
def test_ods_damaged_file_is_refused_in_plain_words(content):
    with override("en"), pytest.raises(UnreadableSheet) as refused:
        read_sheet(content, "ods")

    assert str(refused.value) == "The file is not an ODS spreadsheet."


def test_ods_text_document_is_not_taken_for_a_spreadsheet():
    document = OpenDocumentText()
    document.text.addElement(P(text="Acta"))
    output = io.BytesIO()
    document.save(output)

    with override("en"), pytest.raises(UnreadableSheet) as refused:
        read_sheet(output.getvalue(), "ods")

    assert str(refused.value) == "The file is not an ODS spreadsheet."


# The workspace members upload ------------------------------------------------------------


MEMBERS_HEADER = ["first_name ", "last_name", "sex", "email", "phone", "role ", "start_date"]


def members_sheet(second_sex="masculino"):
    return ods(
        [
            MEMBERS_HEADER,
            [
                "Begoña",
                "Ibáñez",
                "F",
                "begona@example.org",
                phone_cell(),
                "Miembro",
                datetime.date(2024, 6, 1),
            ],
            2,  # rows 3 and 4, blank
            ["José", "Núñez", second_sex, "jose@example.org", None, "observadora", "15/07/2024"],
        ]
    )


def members_upload(client, network, content):
    with override("en"):
        upload_url = reverse("dashboard:members:upload", kwargs={"network": network.slug})
        confirm_url = reverse("dashboard:members:upload-confirm", kwargs={"network": network.slug})
        response = client.post(upload_url, {"sheet": SimpleUploadedFile("miembros.ods", content)})
    return response, confirm_url


def test_workspace_members_ods_as_libreoffice_saves_it(coordinator_client, network):
    response, confirm_url = members_upload(coordinator_client, network, members_sheet())
    preview = response.context["preview"]
    assert preview["is_clean"], preview["bad_rows"]
    assert [row["number"] for row in preview["rows"]] == [2, 5]
    coordinator_client.post(confirm_url)

    seats = Membership.objects.filter(network=network).exclude(role=MembershipRole.COORDINATOR)
    assert set(
        seats.values_list(
            "person__first_name",
            "person__last_name",
            "person__sex",
            "person__phone",
            "role",
            "start_date",
        )
    ) == {
        (
            "Begoña",
            "Ibáñez",
            Sex.FEMALE,
            "50312345678",
            MembershipRole.MEMBER,
            datetime.date(2024, 6, 1),
        ),
        ("José", "Núñez", Sex.MALE, "", MembershipRole.OBSERVER, datetime.date(2024, 7, 15)),
    }


def test_workspace_members_ods_bad_row_is_numbered_as_libreoffice_and_nothing_is_written(
    coordinator_client, network
):
    response, confirm_url = members_upload(coordinator_client, network, members_sheet("robot"))
    coordinator_client.post(confirm_url)

    bad_rows = response.context["preview"]["bad_rows"]
    assert [number for number, _problems in bad_rows] == [5]  # blank rows 3 and 4 count
    assert not Person.objects.filter(email__in=["begona@example.org", "jose@example.org"]).exists()


# The admin's import of people ------------------------------------------------------------


@pytest.fixture
def admin_importer(client, staff_user):
    grant(staff_user, "networks", "view_person", "add_person", "change_person", "import_person")
    client.force_login(staff_user)
    return client


def people_sheet(sex="M"):
    return ods(
        [
            ["first_name ", " last_name", "sex ", "email", "phone", "position"],
            ["Begoña", "Ibáñez", "Mujer", "begona@example.org", phone_cell(), "Coordinación"],
            1,
            ["José", "Núñez", sex, "jose@example.org", None, "Técnico"],
        ]
    )


def admin_preview(client, content):
    return client.post(
        reverse("admin:networks_person_import"),
        {
            "resource": "0",
            "format": ODS_FORMAT,
            "import_file": SimpleUploadedFile("personas.ods", content),
        },
    )


def test_admin_imports_people_from_ods(admin_importer):
    response = admin_preview(admin_importer, people_sheet())
    assert not response.context["result"].has_validation_errors()
    admin_confirm(admin_importer, response)

    assert set(
        Person.objects.values_list("first_name", "last_name", "sex", "phone", "position")
    ) == {
        ("Begoña", "Ibáñez", Sex.FEMALE, "50312345678", "Coordinación"),
        ("José", "Núñez", Sex.MALE, "", "Técnico"),
    }


def test_admin_ods_bad_row_is_numbered_as_libreoffice_and_nothing_is_written(admin_importer):
    response = admin_preview(admin_importer, people_sheet(sex="robot"))

    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [4]  # the blank row 3 counts
    assert "confirm_form" not in response.context
    assert Person.objects.count() == 0
