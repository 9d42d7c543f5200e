"""The donor page as an XLSX workbook: a sheet of filters, then one sheet per table.

The sheets hold the very rows the page shows (``report.Table``), numbers as numbers, so a
donor's spreadsheet and the screen agree cell by cell.
"""

import re
import tempfile

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from common.text import neutralise_formula

from .report import Table

SHEET_TITLE_LIMIT = 31  # the format's limit
FORBIDDEN_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\]")


def _cell(value):
    if isinstance(value, str):
        # Names come from the registry: none may run as a formula in the donor's spreadsheet.
        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def sheet_titles(tables: list[Table]) -> list[str]:
    """Each table's sheet title, shortened to the limit and made unique."""
    titles: list[str] = []
    for table in tables:
        title = FORBIDDEN_IN_SHEET_TITLES.sub("-", table.sheet_title)[:SHEET_TITLE_LIMIT]
        number = 2
        while title in titles:
            suffix = f" {number}"
            title = title[: SHEET_TITLE_LIMIT - len(suffix)] + suffix
            number += 1
        titles.append(title)
    return titles


def figures_workbook(tables: list[Table], *, filters: list[tuple[str, str]]):
    """The workbook in a temporary file, open at its start (the response closes it)."""
    workbook = Workbook()
    about = workbook.active
    about.title = gettext("Filters")[:SHEET_TITLE_LIMIT]
    about.append([gettext("Filter"), gettext("Value")])
    for label, value in filters or [(gettext("Filters"), gettext("None: all records"))]:
        about.append([_cell(label), _cell(value)])
    for title, table in zip(sheet_titles(tables), tables, strict=True):
        sheet = workbook.create_sheet(title=title)
        sheet.append([_cell(header) for header in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
        sheet.column_dimensions["A"].width = 48
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output
