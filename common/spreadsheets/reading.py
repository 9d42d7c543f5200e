"""Uploaded spreadsheets read as people save them: one reader for every import.

Excel and LibreOffice, in the region's locales, save CSV with ``;`` (Spanish) or ``,``, or
tab ("Unicode text"), in UTF-8 with or without a byte-order mark, in Windows-1252 or Latin-1,
or UTF-16; and they leave blank rows (``,,,,``) in between and at the end. :func:`read_sheet`
reads all of those, XLSX and ODS (LibreOffice Calc's own format), into a ``tablib.Dataset``:

- the text of a CSV is decoded as :func:`decode_text` says (or in the encoding the person
  chose), so accents are never garbled; ``dataset.encoding_guess`` names the encoding read
  and ``dataset.encoding_unsure`` says that the file should be looked at;
- the delimiter is the one that splits the header row into most columns;
- header cells lose their outer spaces; blank rows are dropped and blank columns without a
  header too;
- ``dataset.sheet_rows`` holds, for each row kept, its number in the spreadsheet, so that
  a problem is reported where the person sees the row (see ``FileResult``).

Anything unreadable raises :class:`UnreadableSheet`, whose message is for the person who
uploaded the file (never an exception's name or a path). Before a workbook's XML is parsed,
:func:`check_workbook_archive` refuses one that unpacks beyond a bound (a zip bomb) or
declares a DOCTYPE or entities (billion laughs, external entities such as
``file:///etc/passwd``), which spreadsheet programs never write; the parsers themselves
(openpyxl and odfpy) also go through ``defusedxml``. The formats registered with the
admin's import (``SheetCSV``, ``SheetXLSX``, ``SheetODS``) read through the same function.
"""

import codecs
import csv
import datetime
import decimal
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, ODS, XLSX
from odf import opendocument
from odf.namespaces import OFFICENS, TABLENS, TEXTNS

logger = logging.getLogger(__name__)

#: The delimiters a CSV may use, in order of preference when they split the header alike.
DELIMITERS = (",", ";", "\t")
#: The number of the header row in a sheet built in code (a file's rows keep their own).
HEADER_ROW = 1
_BLANK = ("", None)

#: The encodings a person may choose for a CSV (the keys), and the codec each reads with.
ENCODINGS = {
    "utf-8": "utf-8-sig",  # with or without the byte-order mark
    "cp1252": "cp1252",
    "latin-1": "latin-1",
    "mac_roman": "mac_roman",
    "cp850": "cp850",
    "utf-16": "utf-16",
}
#: Letters Windows-1252 has and Spanish never writes: what a Mac Roman é, ú, ü or É becomes.
_FOREIGN_LETTERS = frozenset("ƒŠŒŽšœžŸ")


class UnreadableSheet(ValueError):
    """The upload cannot be read as a spreadsheet of the chosen format (message for people)."""


# CSV text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """The text of a CSV, the encoding it was read in (a key of :data:`ENCODINGS`, or
    ``utf-16-le``/``utf-16-be``) and whether that encoding is only a guess to check."""

    text: str
    encoding: str
    unsure: bool = False


def decode_text(content: bytes, encoding: str = "") -> Decoded:
    """The text of a CSV file, in ``encoding`` (a key of :data:`ENCODINGS`) or detected.

    Detection, in this order:

    1. a UTF-16 byte-order mark, or the zero bytes of every other byte that UTF-16 without
       the mark leaves in Latin text: UTF-16 (sure);
    2. valid UTF-8, with or without the mark: UTF-8 (sure: text in Windows-1252 with accents
       is practically never valid UTF-8, and text without accents reads alike in all);
    3. otherwise Windows-1252, what Excel on Windows saves (Latin-1 when the file has one of
       the five bytes Windows-1252 leaves undefined). That is the guess to check, **unsure**,
       when the text read has, anywhere:

       - a C1 control character (U+0080 to U+009F: those undefined bytes), or
       - one of the letters ``ƒ Š Œ Ž š œ ž Ÿ``, which Spanish never writes and which a
         Mac Roman ``é``, ``ú``, ``ü`` or ``É`` becomes, or
       - a character beyond ASCII that is not a letter (a dash, a quote, a symbol, a
         non-breaking space) right between two letters, where a Mac Roman accent
         (``ñ`` → ``–``, ``í`` → ``’``, ``ó`` → ``—``, ``á`` → ``‡``) or an MS-DOS
         (code page 850) one (``ñ`` → ``¤``, ``í`` → ``¡``, ``á`` → NBSP) lands.

       A name like "O’Neill" is flagged too: the person only has to look at the preview.

    An ``encoding`` given overrides detection; text it cannot decode is an
    :class:`UnreadableSheet` saying so.
    """
    if encoding:
        if encoding not in ENCODINGS:
            raise UnreadableSheet(_("Unknown text encoding: choose one from the list."))
        try:
            return Decoded(content.decode(ENCODINGS[encoding]), encoding)
        except UnicodeError as error:
            raise UnreadableSheet(
                _(
                    "The file cannot be read as %(encoding)s: choose another text encoding, "
                    "or Automatic."
                )
                % {"encoding": encoding_label(encoding)}
            ) from error
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(content.decode("utf-16"), "utf-16")
    utf16 = utf16_without_mark(content)
    if utf16:
        try:
            return Decoded(content.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(content.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text, guess = content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        text, guess = content.decode("latin-1"), "latin-1"
    return Decoded(text, guess, unsure=_looks_misread(text))


def decode(content: bytes) -> str:
    """The text of a CSV file, whatever encoding a spreadsheet program saved it in."""
    return decode_text(content).text


def utf16_without_mark(content: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be`` when the start of ``content`` has the shape of
    UTF-16 text without a byte-order mark (a zero byte beside each Latin letter), else ""."""
    sample = content[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    even, odd = sample[0::2], sample[1::2]
    if b"\x00" not in even and odd.count(0) * 2 >= len(odd):
        return "utf-16-le"
    if b"\x00" not in odd and even.count(0) * 2 >= len(even):
        return "utf-16-be"
    return ""


def _looks_misread(text: str) -> bool:
    """Whether Windows-1252 text has the marks of another encoding (see decode_text)."""
    for position, char in enumerate(text):
        if char < "\x80":
            continue
        if "\x80" <= char <= "\x9f" or char in _FOREIGN_LETTERS:
            return True
        if (
            not unicodedata.category(char).startswith("L")
            and 0 < position < len(text) - 1
            and text[position - 1].isalpha()
            and text[position + 1].isalpha()
        ):
            return True
    return False


def encoding_label(encoding: str) -> str:
    """The name people know an encoding by."""
    labels = {
        "utf-8": "UTF-8",
        "cp1252": "Windows-1252",
        "latin-1": "Latin-1 (ISO-8859-1)",
        "mac_roman": "Mac Roman",
        "cp850": "MS-DOS (850)",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
    }
    return labels.get(encoding, encoding)


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


def csv_rows(text: str):
    """``(row number, cells)`` of each row of a CSV file's text (see decode_text).

    Rows are numbered as a spreadsheet program shows them: a quoted cell holding a line
    break is still one row (the reader's ``line_num`` counts lines of text, and would put
    every later problem under the wrong row); blank lines are rows too.
    """
    if "\x00" in text:
        raise UnreadableSheet(_("The file is not a CSV file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise UnreadableSheet(
            _("Line %(line)s of the file cannot be read as CSV (a quote may be left open).")
            % {"line": reader.line_num}
        ) from error


#: The most a workbook's parts may add up to once unpacked, and how many parts it may have.
MAX_WORKBOOK_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_WORKBOOK_MEMBERS = 10_000
#: What XML parts of XLSX and ODS files never contain: what entity attacks need.
_XML_DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SCAN_BYTES = 64 * 1024


def check_workbook_archive(content: bytes, file_format: str) -> None:
    """Refuse a workbook that unpacks beyond :data:`MAX_WORKBOOK_UNPACKED_BYTES` or whose
    XML parts declare a DOCTYPE or entities. A file that is no zip archive at all is left
    to the reader, which says so."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        if (
            len(members) > MAX_WORKBOOK_MEMBERS
            or sum(member.file_size for member in members) > MAX_WORKBOOK_UNPACKED_BYTES
        ):
            raise UnreadableSheet(
                _("The sheet is too large to import: keep only the rows to import.")
            )
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels")) and _declares_entities(
                archive, member
            ):
                raise UnreadableSheet(
                    _(
                        "The file contains XML declarations (a DOCTYPE or entities) that "
                        "spreadsheet programs do not write, so it is not read. Open it in the "
                        "spreadsheet program, save it again as %(format)s and upload the new "
                        "file."
                    )
                    % {"format": file_format.upper()}
                )


def _declares_entities(archive, member) -> bool:
    carry = b""
    try:
        with archive.open(member) as part:
            while chunk := part.read(_SCAN_BYTES):
                window = carry + chunk
                if _XML_DECLARATIONS.search(window):
                    return True
                carry = window[-16:]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False  # a damaged part: the reader says the file cannot be read
    return False


def xlsx_rows(content: bytes):
    """``(row number, cells)`` of each row of the first sheet of an XLSX upload."""
    import openpyxl

    check_workbook_archive(content, "xlsx")
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


# ODS ---------------------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
#: The most cells an ODS sheet may fill: a value repeated down a whole column would fill
#: millions. Empty runs, which LibreOffice writes to the end of the sheet's 1 048 576 rows
#: and 16 384 columns, are only counted and never built.
MAX_ODS_CELLS = 2_000_000
_TIME = re.compile(r"^PT(\d+)H(\d+)M(\d+)(?:[.,](\d+))?S$")


def ods_rows(content: bytes):
    """``(row number, cells)`` of each row of the first sheet of an ODS upload, numbered as
    LibreOffice Calc numbers them.

    Repeated rows and cells (``table:number-rows-repeated``, ``…-columns-repeated``) count
    as many as they stand for; empty ones are only counted, so a sheet that ends in a million
    empty rows costs nothing. Cells read as an XLSX cell does: a number as ``int`` when it is
    whole (a phone typed as a number), a date as ``datetime.date`` (``datetime.datetime``
    with a time of day), a time as ``datetime.time``, a boolean as ``bool``, text as the
    text shown, its paragraphs on separate lines.
    """
    check_workbook_archive(content, "ods")
    try:
        document = opendocument.load(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableSheet(_("The file is not an ODS spreadsheet.")) from error
    if not document.mimetype.startswith(ODS_MIMETYPE):
        raise UnreadableSheet(_("The file is not an ODS spreadsheet."))
    sheet = next(
        (node for node in document.spreadsheet.childNodes if node.qname == (TABLENS, "table")),
        None,
    )
    if sheet is None:
        return
    number, budget = 1, MAX_ODS_CELLS
    for row in _ods_table_rows(sheet):
        repeat = _repeat(row, "number-rows-repeated")
        values = _ods_row_values(row)
        if values:
            budget -= len(values) * repeat
            if budget < 0:
                raise UnreadableSheet(
                    _("The sheet is too large to import: keep only the rows to import.")
                )
            for offset in range(repeat):
                yield number + offset, list(values)
        number += repeat


def _ods_table_rows(element):
    """The rows of a table, also those inside row groups and header rows."""
    for node in element.childNodes:
        if node.qname == (TABLENS, "table-row"):
            yield node
        elif node.qname in (
            (TABLENS, "table-row-group"),
            (TABLENS, "table-header-rows"),
            (TABLENS, "table-rows"),
        ):
            yield from _ods_table_rows(node)


def _repeat(element, attribute):
    try:
        return max(1, int(element.getAttrNS(TABLENS, attribute) or 1))
    except ValueError:
        return 1


def _ods_row_values(row):
    """The cells of a row up to its last value; [] for an empty row."""
    values, blanks = [], 0
    for cell in row.childNodes:
        if cell.qname not in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell")):
            continue
        repeat = _repeat(cell, "number-columns-repeated")
        value = _ods_cell_value(cell)
        if value in _BLANK:
            blanks += repeat  # a run before a value is built; a trailing one never
            continue
        values += [None] * blanks + [value] * repeat
        blanks = 0
    return values


def _ods_cell_value(cell):
    kind = cell.getAttrNS(OFFICENS, "value-type")
    if kind in ("float", "percentage", "currency"):
        number = decimal.Decimal(cell.getAttrNS(OFFICENS, "value"))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        value = cell.getAttrNS(OFFICENS, "date-value")
        if "T" in value:
            return datetime.datetime.fromisoformat(value)
        return datetime.date.fromisoformat(value)
    if kind == "time":
        match = _TIME.match(cell.getAttrNS(OFFICENS, "time-value") or "")
        if match and int(match[1]) < 24:
            return datetime.time(int(match[1]), int(match[2]), int(match[3]))
    if kind == "boolean":
        return cell.getAttrNS(OFFICENS, "boolean-value") == "true"
    text = _ods_text(cell)
    if not text and kind == "string":
        return cell.getAttrNS(OFFICENS, "string-value") or ""
    return text


def _ods_text(cell) -> str:
    """The text a cell shows: its paragraphs, one a line (not its comments)."""
    return "\n".join(
        _ods_inline_text(node)
        for node in cell.childNodes
        if node.qname in ((TEXTNS, "p"), (TEXTNS, "h"))
    )


def _ods_inline_text(element) -> str:
    parts = []
    for node in element.childNodes:
        if node.nodeType == node.TEXT_NODE:
            parts.append(node.data)
        elif node.qname == (TEXTNS, "s"):
            parts.append(" " * _count(node.getAttrNS(TEXTNS, "c")))
        elif node.qname == (TEXTNS, "tab"):
            parts.append("\t")
        elif node.qname == (TEXTNS, "line-break"):
            parts.append("\n")
        elif node.qname != (OFFICENS, "annotation"):
            parts.append(_ods_inline_text(node))  # spans, links, fields
    return "".join(parts)


def _count(value) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# Any sheet -----------------------------------------------------------------------------------

WORKBOOK_READERS = {"xlsx": xlsx_rows, "ods": ods_rows}
#: The formats read_sheet reads.
FORMATS = ("csv", *WORKBOOK_READERS)


def read_sheet(content: bytes, file_format: str, encoding: str = "") -> tablib.Dataset:
    """The upload as a ``tablib.Dataset`` (see the module docstring).

    ``encoding`` (a key of :data:`ENCODINGS`) reads a CSV in that encoding instead of the
    detected one; workbooks carry their own and ignore it.
    """
    if file_format not in FORMATS:
        raise UnreadableSheet(
            _("Files in %(format)s cannot be imported: save the sheet as CSV, XLSX or ODS.")
            % {"format": str(file_format).upper()}
        )
    if file_format == "csv":
        decoded = decode_text(content, encoding)
        source = csv_rows(decoded.text)
    else:
        decoded, source = Decoded("", ""), WORKBOOK_READERS[file_format](content)
    try:  # the readers are generators: a damaged file shows while its rows are read
        rows = [(number, list(values)) for number, values in source]
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
        # An empty cell is "" in every format, as in CSV (XLSX and ODS give None).
        dataset.append(["" if values[position] is None else values[position] for position in kept])
    dataset.sheet_rows = [number for number, _values in data]
    dataset.encoding_guess = decoded.encoding
    dataset.encoding_unsure = decoded.unsure
    return dataset


def sheet_row(dataset, position: int) -> int:
    """The number reported for the ``position``-th row (from 1) of ``dataset``: the number
    the spreadsheet program shows beside it (the header is row 1, blank rows count), also
    for a dataset built in code, read as a sheet whose header is row 1."""
    rows = getattr(dataset, "sheet_rows", None)
    if rows and 0 < position <= len(rows):
        return rows[position - 1]
    return position + HEADER_ROW


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


class SheetODS(SheetFormat, ODS):
    file_format = "ods"


IMPORT_FORMATS = [SheetCSV, SheetXLSX, SheetODS]
