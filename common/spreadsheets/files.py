"""Downloads as files people open in Excel or LibreOffice: one way to write them.

A download is rows (the header first) written as CSV or XLSX while they are read, so a large
sheet never sits in memory:

- CSV starts with a UTF-8 byte-order mark, without which Excel shows "Ã©" for "é";
- XLSX is written in write-only mode to a temporary file, dropping the control characters
  the format cannot hold.

Text a spreadsheet would run as a formula is quoted by the resources that make the rows
(``RegistryResource.export_field``), before it reaches these writers.
"""

import csv
import io
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, Http404, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


def xlsx_file(rows: Iterable, *, sheet_title: str):
    """The rows as an XLSX workbook of one sheet, in a temporary file open at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])  # the format's limit
    for row in rows:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                for value in row
            ]
        )
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output


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
