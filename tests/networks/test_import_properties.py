"""Properties of reading sheets and validating imported rows, for any content (hypothesis).

Two promises to the person importing a file: every problem is reported under the row number
their spreadsheet program shows (the header is row 1, blank rows count, a cell holding a line
break is still one row), and a file with any bad row writes nothing at all.
"""

import io

import pytest
import tablib
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.spreadsheets.files import csv_lines, xlsx_file
from common.spreadsheets.reading import read_sheet, sheet_row
from networks.access import SYSTEM
from networks.models import Person
from networks.resources import PersonResource
from tests.factories import InstitutionFactory
from tests.transactions import rolled_back

pytestmark = pytest.mark.django_db

# Any text a cell may hold, line breaks, quotes and delimiters included (a NUL makes the file
# no CSV at all: tests/common/test_spreadsheet_files.py).
cell = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=12
)
header = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
    min_size=2,
    max_size=5,
    unique=True,
)


def is_blank(values) -> bool:
    return all(not value.strip() for value in values)


@st.composite
def sheets(draw, cells=cell):
    names = draw(header)
    rows = draw(st.lists(st.lists(cells, min_size=len(names), max_size=len(names)), max_size=12))
    return names, rows


def expected_rows(rows):
    """(row number in the spreadsheet, cells) of each row that is not blank."""
    return [(position + 2, row) for position, row in enumerate(rows) if not is_blank(row)]


def read_back(dataset):
    return [(sheet_row(dataset, position + 1), list(row)) for position, row in enumerate(dataset)]


@settings(max_examples=300, deadline=None)
@given(sheet=sheets())
def test_a_csv_file_reads_back_every_cell_under_its_row_number(sheet):
    names, rows = sheet
    content = b"".join(csv_lines([names, *rows]))

    dataset = read_sheet(content, "csv")

    assert dataset.headers == names
    assert read_back(dataset) == expected_rows(rows)


# Text without what XLSX cannot hold (control characters) or what the export guards as a
# formula (a leading "=", "+", "-" or "@": tests/common/test_spreadsheet_safety.py).
plain_cell = st.text(alphabet="abcñáé ABC 0123456789,;.\"'", max_size=12)


@settings(max_examples=60, deadline=None)
@given(sheet=sheets(cells=plain_cell))
def test_an_xlsx_file_reads_back_every_cell_under_its_row_number(sheet):
    names, rows = sheet
    content = b"".join(xlsx_file([names, *rows], sheet_title="Hoja"))

    dataset = read_sheet(content, "xlsx")

    assert read_back(dataset) == expected_rows(rows)


# People imports --------------------------------------------------------------------------

PEOPLE_HEADER = ["first_name", "last_name", "sex", "email", "phone", "position", "institution"]
INSTITUTION = "Alcaldía de Metapán"
#: How a row can be wrong, and the column its problem is reported in.
FLAWS = {
    "no_email": "email",
    "unknown_sex": "sex",
    "unknown_institution": "institution",
    "bad_email": "email",
}
name = st.text(alphabet="abcdefghijklmnñopqrstuvwxyzáéíóú ABCDEFGHIJKLMNÑOPQRSTUVWXYZ", min_size=1)
person_row = st.tuples(
    name.filter(str.strip), name.filter(str.strip), st.sampled_from([None, *FLAWS])
)


def people_row(number, first, last, flaw):
    email = {"no_email": "", "bad_email": f"persona{number}-en-ningun-lado"}.get(
        flaw, f"persona{number}@example.org"
    )
    sex = "robot" if flaw == "unknown_sex" else "female"
    institution = "Alcaldía de Ninguna Parte" if flaw == "unknown_institution" else INSTITUTION
    return [first, last, sex, email, "", "", institution]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person_row, min_size=1, max_size=8))
def test_a_people_file_imports_whole_or_reports_exactly_its_bad_rows(countries, people):
    rows = [people_row(position, *person) for position, person in enumerate(people)]
    flawed = {position + 2: flaw for position, (*_names, flaw) in enumerate(people) if flaw}
    with rolled_back():
        InstitutionFactory(name=INSTITUTION, country=countries["SV"])
        buffer = io.StringIO()
        data = tablib.Dataset(*rows, headers=PEOPLE_HEADER)
        buffer.write(data.export("csv"))

        with override("en"):
            result = PersonResource(actor=SYSTEM).import_data(
                tablib.Dataset().load(buffer.getvalue(), format="csv"),
                dry_run=False,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )

        reported = {row.number: set(row.error_dict) for row in result.invalid_rows}
        if flawed:
            # Nothing of the file is written, and each bad row is named with its column.
            assert Person.objects.count() == 0
            assert {number: {FLAWS[flaw]} for number, flaw in flawed.items()} == reported
        else:
            assert reported == {}
            assert not result.has_errors()
            assert Person.objects.count() == len(rows)
