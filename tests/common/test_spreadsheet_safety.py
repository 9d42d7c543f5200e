"""Spreadsheets are read safely: an XLSX or ODS whose XML declares entities (billion laughs,
an external entity reading /etc/passwd) is refused with a row-less message and nothing is
expanded; uploads kept between preview and confirmation expire and are removed."""

import io
import os
import time
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.utils.translation import override
from odf import opendocument
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from common.spreadsheets.reading import UnreadableSheet, read_sheet
from common.spreadsheets.uploads import KeptSheetStorage, remove_abandoned_uploads

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10 if level > 1 else "&lol;" * 10}">'
        for level in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<!DOCTYPE sheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
PAYLOADS = {"billion-laughs": (LAUGHS, "&lol9;"), "external-entity": (EXTERNAL, "&secret;")}


def xlsx_with(payload):
    """A real workbook whose first sheet's XML declares ``payload`` and uses its entity."""
    declaration, reference = PAYLOADS[payload]
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nombre", "Municipio"])
    workbook.active.append(["Ana", "PLACEHOLDER"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return rewrite(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: declaration + xml.replace("<t>PLACEHOLDER</t>", f"<t>{reference}</t>"),
    )


def ods_with(payload):
    declaration, reference = PAYLOADS[payload]
    document = OpenDocumentSpreadsheet()
    table = Table(name="Hoja1")
    for values in (["Nombre", "Municipio"], ["Ana", "PLACEHOLDER"]):
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return rewrite(
        buffer.getvalue(),
        "content.xml",
        lambda xml: xml.replace("?>", "?>" + declaration, 1).replace("PLACEHOLDER", reference),
    )


def rewrite(content, part, change):
    """``content`` with its member ``part`` changed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == part:
                changed = change(data.decode())
                assert changed != data.decode()
                data = changed.encode()
            target.writestr(member, data)
    return buffer.getvalue()


@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize(("file_format", "make"), [("xlsx", xlsx_with), ("ods", ods_with)])
def test_workbook_declaring_entities_is_refused_without_expanding_them(file_format, make, payload):
    content = make(payload)

    with override("en"), pytest.raises(UnreadableSheet) as error:
        read_sheet(content, file_format)

    assert str(error.value) == (
        "The file contains XML declarations (a DOCTYPE or entities) that spreadsheet programs "
        f"do not write, so it is not read. Open it in the spreadsheet program, save it again "
        f"as {file_format.upper()} and upload the new file."
    )
    assert "root:" not in str(error.value)
    assert "lollol" not in str(error.value)


def test_the_parsers_themselves_refuse_entities():
    """Behind the check before parsing, openpyxl and odfpy go through defusedxml."""
    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(DefusedXmlException):
        opendocument.load(io.BytesIO(ods_with("external-entity")))
    with pytest.raises(ValueError) as error:  # openpyxl wraps the refusal in a ValueError
        workbook = openpyxl.load_workbook(
            io.BytesIO(xlsx_with("billion-laughs")), read_only=True, data_only=True
        )
        list(workbook.active.iter_rows(values_only=True))
    assert isinstance(error.value, DefusedXmlException) or isinstance(
        error.value.__context__, DefusedXmlException
    )


@pytest.mark.parametrize(("file_format", "make"), [("xlsx", xlsx_with), ("ods", ods_with)])
def test_the_same_workbook_without_the_payload_is_read(file_format, make):
    part = "content.xml" if file_format == "ods" else "xl/worksheets/sheet1.xml"
    clean = rewrite(
        make("external-entity"),
        part,
        lambda xml: xml.replace(EXTERNAL, "").replace("&secret;", "Metapán"),
    )

    dataset = read_sheet(clean, file_format)

    assert (dataset.headers, list(dataset)) == (["Nombre", "Municipio"], [("Ana", "Metapán")])


def test_a_workbook_unpacking_beyond_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr("common.spreadsheets.reading.MAX_WORKBOOK_UNPACKED_BYTES", 1024)
    workbook = openpyxl.Workbook()
    workbook.active.append(["x" * 2000])
    buffer = io.BytesIO()
    workbook.save(buffer)

    with override("en"), pytest.raises(UnreadableSheet) as error:
        read_sheet(buffer.getvalue(), "xlsx")

    assert str(error.value) == "The sheet is too large to import: keep only the rows to import."


# Uploads kept between preview and confirmation --------------------------------------------


@pytest.fixture
def kept_dir(settings, tmp_path):
    settings.SHEET_KEPT_DIR = str(tmp_path / "kept")
    settings.SHEET_KEPT_MAX_AGE = 3600
    return tmp_path / "kept"


def keep(data):
    storage = KeptSheetStorage(read_mode="rb")
    storage.save(data)
    return storage.name


def test_a_kept_upload_is_read_and_removed_by_its_bare_name(kept_dir):
    name = keep(b"Nombre\nAna\n")
    storage = KeptSheetStorage(name=name, read_mode="rb")

    content = storage.read()
    storage.remove()

    assert (content, list(kept_dir.iterdir())) == (b"Nombre\nAna\n", [])
    assert "/" not in name


def test_abandoned_uploads_are_removed_when_the_next_one_is_kept(kept_dir):
    abandoned = keep(b"old")
    an_hour_and_more_ago = time.time() - 3700
    os.utime(kept_dir / abandoned, (an_hour_and_more_ago, an_hour_and_more_ago))
    recent = keep(b"recent")
    newest = keep(b"new")

    assert sorted(path.name for path in kept_dir.iterdir()) == sorted([recent, newest])


def test_an_expired_upload_reads_as_gone_and_is_removed(kept_dir):
    name = keep(b"old")
    long_ago = time.time() - 7200
    os.utime(kept_dir / name, (long_ago, long_ago))

    with pytest.raises(FileNotFoundError):
        KeptSheetStorage(name=name, read_mode="rb").read()

    assert list(kept_dir.iterdir()) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "tmp/../x", ""])
def test_a_name_that_is_not_a_kept_upload_is_never_opened(kept_dir, name):
    with pytest.raises(FileNotFoundError):
        KeptSheetStorage(name=name, read_mode="rb").read()


def test_cleanup_touches_only_kept_uploads(kept_dir):
    kept_dir.mkdir()
    other = kept_dir / "notes.txt"
    other.write_text("not an upload")
    old = kept_dir / "tmpabandoned"
    old.write_bytes(b"old")
    long_ago = time.time() - 7200
    for path in (other, old):
        os.utime(path, (long_ago, long_ago))

    assert remove_abandoned_uploads() == 1
    assert [path.name for path in kept_dir.iterdir()] == ["notes.txt"]
