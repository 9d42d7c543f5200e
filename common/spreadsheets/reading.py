"""Uploaded spreadsheets read as people save them: one reader for every import.

Excel and LibreOffice, in the region's locales, save CSV with ``;`` (Spanish) or ``,``, or
tab ("Unicode text"), in UTF-8 with or without a byte-order mark, in Windows-1252 or Latin-1,
or UTF-16; and they leave blank rows (``,,,,``) in between and at the end. :func:`read_sheet`
reads all of those, and XLSX, into a ``tablib.Dataset``:

- the text is decoded by trying UTF-8 (with or without the mark), then Windows-1252, then
  Latin-1, so accents are never garbled;
- the delimiter is the one that splits the header row into most columns;
- header cells lose their outer spaces; blank rows are dropped and blank columns without a
  header too;
- ``dataset.sheet_rows`` holds, for each row kept, its number in the spreadsheet, so that
  a problem is reported where the person sees the row (see ``FileResult``).

Anything unreadable raises :class:`UnreadableSheet`, whose message is for the person who
uploaded the file (never an exception's name or a path). The formats registered with the
admin's import (``SheetCSV``, ``SheetXLSX``) read through the same function.
"""

import codecs
import csv
import io
import logging
import zipfile

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

logger = logging.getLogger(__name__)

#: The delimiters a CSV may use, in order of preference when they split the header alike.
DELIMITERS = (",", ";", "\t")
#: The number a report gives the first row under the header (the header is line 1).
FIRST_DATA_ROW = 1
_BLANK = ("", None)


class UnreadableSheet(ValueError):
    """The upload cannot be read as a spreadsheet of the chosen format (message for people)."""


def decode(content: bytes) -> str:
    """The text of a CSV file, whatever encoding a spreadsheet program saved it in."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return content.decode("latin-1")


def _is_blank(values) -> bool:
    return all(
        value in _BLANK or (isinstance(value, str) and not value.strip()) for value in values
    )


def _delimiter(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    widths = {
        delimiter: len(next(csv.reader([first_line], delimiter=delimiter), []))
        for delimiter in DELIMITERS
    }
    return max(DELIMITERS, key=lambda delimiter: widths[delimiter])


def csv_rows(content: bytes):
    """``(line number, cells)`` of each row of a CSV upload."""
    text = decode(content)
    if "\x00" in text:
        raise UnreadableSheet(_("The file is not a CSV file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as error:
        raise UnreadableSheet(
            _("Line %(line)s of the file cannot be read as CSV (a quote may be left open).")
            % {"line": reader.line_num}
        ) from error


def xlsx_rows(content: bytes):
    """``(row number, cells)`` of each row of the first sheet of an XLSX upload."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableSheet(_("The file is not an XLSX workbook.")) from error
    try:
        sheet = workbook.active
        # In read-only mode rows come in order; a row with no cell at all may be skipped,
        # so each row's number is read from its cells.
        expected = 1
        for cells in sheet.iter_rows():
            number = next((cell.row for cell in cells if getattr(cell, "row", None)), expected)
            yield number, [cell.value for cell in cells]
            expected = number + 1
    finally:
        workbook.close()


READERS = {"csv": csv_rows, "xlsx": xlsx_rows}


def read_sheet(content: bytes, file_format: str) -> tablib.Dataset:
    """The upload as a ``tablib.Dataset`` (see the module docstring)."""
    if file_format not in READERS:
        raise UnreadableSheet(
            _("Files in %(format)s cannot be imported: save the sheet as CSV or XLSX.")
            % {"format": str(file_format).upper()}
        )
    try:
        rows = [(number, list(values)) for number, values in READERS[file_format](content)]
    except UnreadableSheet:
        raise
    except Exception as error:  # a damaged file: many libraries, many exceptions
        logger.info("Unreadable %s upload", file_format, exc_info=True)
        raise UnreadableSheet(
            _("The file could not be read as %(format)s.") % {"format": file_format.upper()}
        ) from error
    rows = [(number, values) for number, values in rows if not _is_blank(values)]
    if not rows:
        raise UnreadableSheet(_("The file is empty: it has no header row and no rows."))
    (_header_number, header), *data = rows
    headers = ["" if cell is None else str(cell).strip(" \u00a0\ufeff") for cell in header]
    width = max([len(headers), *(len(values) for _number, values in data)])
    headers += [""] * (width - len(headers))
    # Columns without a header and without a value (what a spreadsheet leaves at the right).
    kept = [
        position
        for position, name in enumerate(headers)
        if name
        or any(
            position < len(values) and not _is_blank([values[position]]) for _number, values in data
        )
    ]
    dataset = tablib.Dataset(headers=[headers[position] for position in kept])
    for _number, values in data:
        values = values + [""] * (width - len(values))
        dataset.append([values[position] for position in kept])
    dataset.sheet_rows = [number - 1 + FIRST_DATA_ROW - 1 for number, _values in data]
    return dataset


def sheet_row(dataset, position: int) -> int:
    """The number reported for the ``position``-th row (from 1) of ``dataset``: its row in
    the spreadsheet when the dataset was read from a file."""
    rows = getattr(dataset, "sheet_rows", None)
    if rows and 0 < position <= len(rows):
        return rows[position - 1]
    return position


# The formats of the admin's import ----------------------------------------------------------


class SheetFormat:
    """An import format reading raw bytes through :func:`read_sheet`."""

    file_format = ""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_sheet(in_stream, self.file_format)

    def is_binary(self):
        return True  # the bytes are decoded here, not by the admin (which assumes UTF-8)

    def get_read_mode(self):
        return "rb"


class SheetCSV(SheetFormat, CSV):
    file_format = "csv"


class SheetXLSX(SheetFormat, XLSX):
    file_format = "xlsx"


IMPORT_FORMATS = [SheetCSV, SheetXLSX]
