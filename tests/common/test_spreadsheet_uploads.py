"""The check every spreadsheet upload form makes (type, size, content), and the text encoding
of a CSV: detected, flagged when only guessed, chosen on the form, and carried from the
preview to the confirmation so that both read the file alike."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext, override
from odf.opendocument import OpenDocumentSpreadsheet
from openpyxl import Workbook

from common.spreadsheets.reading import UnreadableSheet, decode_text, read_sheet
from common.spreadsheets.uploads import SheetUpload, sheet_upload
from conferences.models import Participation
from networks.models import Person
from tests.common.test_spreadsheet_files import excel_csv
from tests.factories import (
    InstitutionFactory,
    NetworkFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

UNSURE = (
    "We could not tell for sure how this file's accents are encoded: check the names below; "
    "if they look wrong, choose the encoding and upload it again."
)


def xlsx_content():
    output = io.BytesIO()
    Workbook().save(output)
    return output.getvalue()


def ods_content():
    output = io.BytesIO()
    OpenDocumentSpreadsheet().save(output)
    return output.getvalue()


def checked(name, content, **kwargs):
    with override("en"):
        return sheet_upload(SimpleUploadedFile(name, content), **kwargs)


def refusal(name, content, **kwargs):
    with pytest.raises(ValidationError) as refused:
        checked(name, content, **kwargs)
    return refused.value.code, refused.value.messages


# The upload check --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "file_format"),
    [
        ("miembros.csv", b"email\nana@example.org\n", "csv"),
        ("miembros.CSV", "email\tnombre\n".encode("utf-16"), "csv"),  # Excel's Unicode text
        ("miembros.csv", "email,nombre\n".encode("utf-16-le"), "csv"),  # no byte-order mark
        ("miembros.xlsx", xlsx_content(), "xlsx"),
        ("miembros.ODS", ods_content(), "ods"),
    ],
)
def test_upload_check_takes_each_format_with_its_content(name, content, file_format):
    assert checked(name, content) == SheetUpload(content=content, file_format=file_format)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("miembros.pdf", b"%PDF-1.4", "Upload a .csv, .xlsx or .ods file."),
        ("miembros", b"email\n", "Upload a .csv, .xlsx or .ods file."),
        (
            "miembros.ods",
            b"email,nombre\n",
            "This file is not an ODS spreadsheet. Save it again as .ods, .xlsx or .csv.",
        ),
        (
            "miembros.ods",
            xlsx_content(),  # an XLSX renamed .ods: a ZIP archive, but no ODS mimetype
            "This file is not an ODS spreadsheet. Save it again as .ods, .xlsx or .csv.",
        ),
        (
            "miembros.xlsx",
            ods_content(),
            "This file is not an XLSX spreadsheet. Save it again as .xlsx, .ods or .csv.",
        ),
        (
            "miembros.xlsx",
            b"email,nombre\n",
            "This file is not an XLSX spreadsheet. Save it again as .xlsx, .ods or .csv.",
        ),
        (
            "miembros.csv",
            xlsx_content(),
            "This file is not a CSV text file. Save it again as .csv, .xlsx or .ods.",
        ),
        (
            "miembros.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This file is not a CSV text file. Save it again as .csv, .xlsx or .ods.",
        ),
    ],
    ids=[
        "pdf",
        "no-extension",
        "ods-text",
        "xlsx-as-ods",
        "ods-as-xlsx",
        "xlsx-text",
        "zip-csv",
        "png",
    ],
)
def test_upload_check_refuses_a_file_that_is_not_what_its_name_says(name, content, message):
    assert refusal(name, content) == ("format", [message])


def test_upload_check_refuses_a_file_over_the_limit():
    assert refusal("miembros.ods", ods_content(), max_bytes=10) == (
        "size",
        ["The file is too large: at most 10\xa0bytes."],
    )


# Detecting the encoding ----------------------------------------------------------------------

NAMES = "nombre;apellido\r\nBegoña;Núñez\r\nJosé María;Pérez\r\n"


PUNCTUATION = "Coordinación “Trifinio” – 2024 € ¿Sí?\r\n"


@pytest.mark.parametrize(
    ("text", "codec", "encoding"),
    [
        (NAMES, "utf-8-sig", "utf-8"),
        (NAMES, "utf-8", "utf-8"),
        (NAMES, "utf-16", "utf-16"),
        (NAMES, "utf-16-be", "utf-16-be"),
        (NAMES, "cp1252", "cp1252"),
        (PUNCTUATION, "cp1252", "cp1252"),
    ],
    ids=["utf-8-bom", "utf-8", "utf-16", "utf-16-be", "cp1252", "cp1252-punctuation"],
)
def test_decode_reads_what_spreadsheets_save_and_is_sure(text, codec, encoding):
    decoded = decode_text(text.encode(codec))

    assert (decoded.text.lstrip("\ufeff"), decoded.encoding, decoded.unsure) == (
        text,
        encoding,
        False,
    )


def test_decode_flags_the_bytes_windows_1252_leaves_undefined():
    decoded = decode_text("nombre\r\nJosé\r\n".encode("latin-1") + b"\x81")

    assert (decoded.encoding, decoded.unsure) == ("latin-1", True)


@pytest.mark.parametrize("encoding", ["mac_roman", "cp850"])
def test_decode_flags_a_mac_or_dos_file_read_as_windows_1252(encoding):
    decoded = decode_text(NAMES.encode(encoding))

    assert (decoded.encoding, decoded.unsure) == ("cp1252", True)
    assert "Begoña" not in decoded.text


def test_decode_in_the_chosen_encoding_reads_the_accents():
    assert decode_text(NAMES.encode("mac_roman"), "mac_roman").text == NAMES


def test_decode_in_a_chosen_encoding_the_file_is_not_in_says_so():
    with override("en"), pytest.raises(UnreadableSheet) as refused:
        decode_text(NAMES.encode("cp1252"), "utf-8")

    assert str(refused.value) == (
        "The file cannot be read as UTF-8: choose another text encoding, or Automatic."
    )


def test_read_sheet_carries_the_guess_and_the_choice():
    content = NAMES.encode("mac_roman")

    guessed = read_sheet(content, "csv")
    chosen = read_sheet(content, "csv", "mac_roman")

    assert (guessed.encoding_guess, guessed.encoding_unsure) == ("cp1252", True)
    assert (chosen.encoding_guess, chosen.encoding_unsure) == ("mac_roman", False)
    assert chosen.dict == [
        {"nombre": "Begoña", "apellido": "Núñez"},
        {"nombre": "José María", "apellido": "Pérez"},
    ]


# The workspace members upload --------------------------------------------------------------


def mac_members():
    """A members file as Excel on a Mac saves "CSV (Macintosh)": Mac Roman, CR lines."""
    return excel_csv(
        [
            ["first_name", "last_name", "sex", "email", "role", "start_date"],
            ["Begoña", "Núñez", "F", "begona@example.org", "miembro", "01/06/2024"],
        ],
        encoding="mac_roman",
    ).replace(b"\r\n", b"\r")


def members_upload(client, network, content, *, name="miembros.csv", encoding=""):
    with override("en"):
        url = reverse("dashboard:members:upload", kwargs={"network": network.slug})
        return client.post(url, {"sheet": SimpleUploadedFile(name, content), "encoding": encoding})


def members_confirm(client, network):
    with override("en"):
        url = reverse("dashboard:members:upload-confirm", kwargs={"network": network.slug})
        return client.post(url)


def test_workspace_members_upload_refuses_an_xlsx_renamed_ods(coordinator_client, network):
    response = members_upload(coordinator_client, network, xlsx_content(), name="miembros.ods")

    assert response.context["form"].errors == {
        "sheet": ["This file is not an ODS spreadsheet. Save it again as .ods, .xlsx or .csv."]
    }


def test_workspace_members_mac_file_read_automatically_is_flagged(coordinator_client, network):
    response = members_upload(coordinator_client, network, mac_members())

    preview = response.context["preview"]
    assert preview["encoding_unsure"]
    assert preview["encoding_read"] == "Windows-1252"
    notice = response.content.decode().split('id="encoding-notice"')[1].split("</form>")[0]
    assert UNSURE in notice
    assert "Read as Windows-1252: Bego–a, Nœ–ez" in notice
    assert 'name="encoding"' in notice


def test_workspace_members_mac_file_in_the_chosen_encoding_is_confirmed_alike(
    coordinator_client, network
):
    response = members_upload(coordinator_client, network, mac_members(), encoding="mac_roman")
    preview = response.context["preview"]
    assert preview["is_clean"], preview["bad_rows"]
    assert not preview["encoding_unsure"]
    assert [row["name"] for row in preview["rows"]] == ["Begoña Núñez"]
    assert "encoding-notice" not in response.content.decode()

    members_confirm(coordinator_client, network)

    assert list(
        Person.objects.filter(email="begona@example.org").values_list("first_name", "last_name")
    ) == [("Begoña", "Núñez")]


# The attendance sheet in the admin ---------------------------------------------------------


@pytest.fixture
def session():
    return SessionFactory(networks=[NetworkFactory()])


def attendance_preview(client, session, content, *, name="asistencia.csv", encoding=""):
    with override("en"):
        url = reverse("admin:conferences_session_attendance_import", args=[session.pk])
        return client.post(
            url,
            {
                "attendance-sheet": SimpleUploadedFile(name, content),
                "attendance-encoding": encoding,
            },
        )


def attendance_confirm(client, session, response):
    confirm_form = response.context["confirm_form"]
    with override("en"):
        url = reverse("admin:conferences_session_attendance_import", args=[session.pk])
        return client.post(
            url,
            {**{name: confirm_form.initial[name] for name in confirm_form.fields}, "confirm": "1"},
        )


def mac_attendance():
    return excel_csv(
        [["name", "email", "role", "attended"], ["Ana Peña", "ana@example.org", "Ponente", "Sí"]],
        encoding="mac_roman",
    )


def test_admin_attendance_refuses_an_ods_that_is_not_a_zip(attendance_importer, session):
    response = attendance_preview(attendance_importer, session, b"PK", name="asistencia.ods")

    with override("es"):  # the admin's language
        message = gettext(
            "This file is not an ODS spreadsheet. Save it again as .ods, .xlsx or .csv."
        )
    assert response.context["form"].errors == {"sheet": [message]}


def test_admin_attendance_mac_file_read_automatically_is_flagged(attendance_importer, session):
    PersonFactory(email="ana@example.org", institution=InstitutionFactory())

    response = attendance_preview(attendance_importer, session, mac_attendance())

    assert response.context["encoding_unsure"]
    assert response.context["accented_cells"] == ["Ana Pe–a", "S’"]
    with override("es"):  # the admin's language
        assert gettext(UNSURE) in response.content.decode().split('id="encoding-notice"')[1]


def test_admin_attendance_confirm_reads_the_file_in_the_chosen_encoding(
    attendance_importer, session
):
    ana = PersonFactory(email="ana@example.org", institution=InstitutionFactory())

    response = attendance_preview(
        attendance_importer, session, mac_attendance(), encoding="mac_roman"
    )
    assert response.context["bad_rows"] == []
    assert response.context["confirm_form"].initial["encoding"] == "mac_roman"
    attendance_confirm(attendance_importer, session, response)

    # "Sí" read as Windows-1252 ("S’") would not be a yes: the confirmation read Mac Roman.
    assert list(Participation.objects.values_list("person", "attended")) == [(ana.pk, True)]
