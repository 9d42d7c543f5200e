"""Downloads as files people open in Excel or LibreOffice: one way to write them.

A download is rows (the header first) written as CSV or XLSX while they are read, so a large
sheet never sits in memory:

- CSV starts with a UTF-8 byte-order mark, without which Excel shows "Ã©" for "é";
- XLSX is written in write-only mode to a temporary file, dropping the control characters
  the format cannot hold, with a bold frozen header and columns as wide as their contents.

The admin's exports (django-import-export) write through the same functions
(``ExportCSV``, ``ExportXLSX``), so every file the portal gives looks the same.

Text a spreadsheet would run as a formula is quoted by the resources that make the rows
(``RegistryResource.export_field``), before it reaches these writers; the XLSX writer quotes
again what dropping control characters leaves starting as a formula.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable
from itertools import chain, islice

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.text import neutralise_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_lines(rows: Iterable) -> Iterable[bytes]:
    """The rows as CSV, line by line, after a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


#: Rows read before an XLSX sheet's column widths are set (write-only sheets set them first).
WIDTH_SAMPLE_ROWS = 200
#: Column widths, in characters: wide enough for the header, never wider than a screen.
MIN_WIDTH, MAX_WIDTH = 8, 60


def _cell_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_file(rows: Iterable, *, sheet_title: str):
    """The rows as an XLSX workbook of one sheet, in a temporary file open at its start.

    The first row is the header: bold and frozen, so it stays in sight while scrolling. Each
    column is as wide as its header and the first rows' values need (within limits).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])  # the format's limit
    rows = iter(rows)
    header = next(rows, None)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    if header is not None:
        widths = [_cell_width(value) for value in header]
        for row in sample:
            for position, value in enumerate(row):
                if position < len(widths):
                    widths[position] = max(widths[position], _cell_width(value))
        for position, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(position)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, width + 2)
            )
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for value in _writable(header):
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    for row in chain(sample, rows):
        sheet.append(_writable(row))
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output


def _writable(row):
    # Dropping a control character can bare a formula ("\x01=1+1" gives "=1+1", which XLSX
    # would store as one): the formula guard runs again on the text written.
    return [_guarded(value) if isinstance(value, str) else value for value in row]


def _guarded(text: str) -> str:
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", text))


def download(rows: Iterable, *, file_format: str, filename: str, sheet_title: str):
    """The response that sends ``rows`` as ``filename`` (``.csv`` or ``.xlsx``); 404 for
    another format."""
    if file_format == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if file_format == "xlsx":
        return FileResponse(
            xlsx_file(rows, sheet_title=sheet_title),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES["xlsx"],
        )
    raise Http404


# The formats of the admin's export ----------------------------------------------------------


def _dataset_rows(dataset):
    yield list(dataset.headers or [])
    yield from dataset


class ExportCSV(CSV):
    """The admin's CSV export, written by :func:`csv_lines` (with the byte-order mark)."""

    CONTENT_TYPE = CONTENT_TYPES["csv"]

    def export_data(self, dataset, **kwargs):
        return b"".join(csv_lines(_dataset_rows(dataset)))

    def is_binary(self):
        return True


class ExportXLSX(XLSX):
    """The admin's XLSX export, written by :func:`xlsx_file`."""

    def export_data(self, dataset, **kwargs):
        with xlsx_file(
            _dataset_rows(dataset), sheet_title=dataset.title or gettext("Data")
        ) as output:
            return output.read()


EXPORT_FORMATS = [ExportCSV, ExportXLSX]
