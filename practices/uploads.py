"""Checks on uploaded attachments. The type is read from the file's bytes, never trusted from
its name or from the browser's Content-Type, and the name must agree with the content.

Then the whole file is checked for that type, so that a file whose first bytes are right but
whose content is not (a polyglot: a PNG header before a web page, a PDF with HTML after its
end, an office file with macros) is refused too:

- PNG and JPEG are decoded with Pillow, nothing may follow the image's end (the IEND chunk,
  the EOI marker) but a few padding bytes, and no HTML or script markers may appear anywhere;
- a PDF must parse with pypdf and have a page, nothing may come before ``%PDF-`` or after
  the last ``%%EOF`` but whitespace, and it may carry no JavaScript, launch actions or
  embedded files;
- DOCX, XLSX and ODT must be sound zip archives with their required parts, no macros, no
  member that could escape a folder (``/…``, ``..``), no bytes before the first member,
  and a bounded size once unpacked (zip bombs).
"""

import math
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.html import avoid_wrapping
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from filetype.types import archive, document, image
from PIL import Image


@dataclass(frozen=True)
class AllowedType:
    label: str
    mime: str
    extensions: tuple  # accepted name endings; the first is the one files are stored with
    matcher: object


ALLOWED_TYPES = (
    AllowedType("PDF", "application/pdf", (".pdf",), archive.Pdf()),
    AllowedType("JPEG", "image/jpeg", (".jpg", ".jpeg"), image.Jpeg()),
    AllowedType("PNG", "image/png", (".png",), image.Png()),
    # The three office formats are zip archives: the matchers look at the names of the parts
    # inside (word/, xl/, the OpenDocument "mimetype" entry) to tell them apart.
    AllowedType(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        document.Docx(),
    ),
    AllowedType(
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        document.Xlsx(),
    ),
    AllowedType("ODT", "application/vnd.oasis.opendocument.text", (".odt",), document.Odt()),
)

ALLOWED_LABELS = ", ".join(allowed.label for allowed in ALLOWED_TYPES)
# What the detectors need to see: filetype itself never reads more than this.
HEAD_BYTES = 8192
#: The size of the pieces a file is read in when it is scanned.
CHUNK_BYTES = 64 * 1024
#: What may follow an image's or a PDF's end: a few bytes some programs pad files with.
PADDING_BYTES = 16
PADDING = b" \t\r\n\x00\xff"
#: The most pixels an image may have: a small file may unpack into a huge picture (a
#: decompression bomb). 50 million covers the photos of today's phones.
MAX_IMAGE_PIXELS = 50_000_000
#: HTML or script that a browser could run if it ever sniffed an image as a web page.
HTML_MARKERS = re.compile(rb"<(?:script|html|body|iframe|svg)[\s>/]|javascript:", re.IGNORECASE)
#: The longest text a marker can match, kept between chunks so none is missed at a border.
MARKER_OVERLAP = 16
#: How much of a PDF's end is searched for its last ``%%EOF``.
PDF_TAIL_BYTES = 64 * 1024
#: Names that mark a PDF's active content: scripts, launched programs, embedded files.
PDF_ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF"}
)
#: The same names as a raw byte scan finds them (the short /JS and /EF are left to the walk
#: through the parsed document: in compressed data they would match by chance).
PDF_ACTIVE_BYTES = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?)(?=[\s()<>\[\]{}/%]|$)")
#: The most objects of a PDF walked in search of active content.
MAX_PDF_OBJECTS = 500_000
#: Bounds of an office file unpacked: its parts together, and how many parts.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PACKING_RATIO = 100  # beyond this, and beyond a few megabytes, it is a zip bomb
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
OFFICE_REQUIRED_MEMBERS = {
    "DOCX": ("[Content_Types].xml", "word/document.xml"),
    "XLSX": ("[Content_Types].xml", "xl/workbook.xml"),
    "ODT": ("mimetype", "content.xml"),
}


def detect_type(uploaded_file):
    """The AllowedType whose signature the file's first bytes carry, or None."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    for allowed in ALLOWED_TYPES:
        if allowed.matcher.match(bytearray(head)):
            return allowed
    return None


def validate_attachment_file(uploaded_file) -> AllowedType:
    """Return the detected type of an acceptable upload; raise ValidationError otherwise."""
    limit = settings.PRACTICE_ATTACHMENT_MAX_BYTES
    if not uploaded_file.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded_file.size > limit:
        size_text, limit_text = sizes_over_limit(uploaded_file.size, limit)
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": size_text, "limit": limit_text},
        )
    detected = detect_type(uploaded_file)
    if detected is None:
        raise ValidationError(
            _("This kind of file is not accepted. Accepted: %(types)s."),
            code="type_not_allowed",
            params={"types": ALLOWED_LABELS},
        )
    extension = PurePosixPath(safe_original_name(uploaded_file.name)).suffix.lower()
    if extension not in detected.extensions:
        # The stored name gets the content's own extension; a name claiming another type
        # is refused all the same, since it is what readers see when they download.
        params = {"type": detected.label, "extension": extension}
        raise ValidationError(
            _("The file's content is %(type)s but its name ends in “%(extension)s”.")
            if extension
            else _("The file's content is %(type)s but its name has no extension."),
            code="name_does_not_match_content",
            params=params,
        )
    try:
        CONTENT_CHECKS[detected.label](uploaded_file, detected)
    finally:
        uploaded_file.seek(0)
    return detected


def sizes_over_limit(size: int, limit: int) -> tuple[str, str]:
    """A size above the limit and the limit, written so the size is visibly the larger.

    ``filesizeformat`` rounds to one decimal, so 10.04 MB and a 10 MB limit would both read
    "10,0 MB": then both get as many decimals (up to three) as it takes, the size rounded
    down so it is never overstated, and at last both in bytes.
    """
    size_text, limit_text = filesizeformat(size), filesizeformat(limit)
    if size_text != limit_text:
        return size_text, limit_text
    unit, template = next(
        (unit, template)
        for unit, template in ((1 << 30, "%s GB"), (1 << 20, "%s MB"), (1 << 10, "%s KB"))
        if limit >= unit
    )
    for decimals in (2, 3):
        scale = 10**decimals
        size_value = math.floor(size * scale / unit) / scale
        limit_value = round(limit / unit, decimals)
        if size_value > limit_value:
            return tuple(
                avoid_wrapping(gettext(template) % formats.number_format(value, decimals))
                for value in (size_value, limit_value)
            )
    return tuple(
        avoid_wrapping(
            gettext("%(size)s bytes") % {"size": formats.number_format(value, force_grouping=True)}
        )
        for value in (size, limit)
    )


# The whole file, for its type ----------------------------------------------------------------


def _refuse(message, code, detected):
    raise ValidationError(message, code=code, params={"type": detected.label})


def _chunks(uploaded_file, start=0):
    uploaded_file.seek(start)
    while chunk := uploaded_file.read(CHUNK_BYTES):
        yield chunk


def _search(uploaded_file, pattern) -> bool:
    """Whether ``pattern`` occurs anywhere in the file, read in chunks."""
    carry = b""
    for chunk in _chunks(uploaded_file):
        window = carry + chunk
        if pattern.search(window):
            return True
        carry = window[-MARKER_OVERLAP:]
    return False


def _is_padding(data: bytes) -> bool:
    return len(data) <= PADDING_BYTES and not data.strip(PADDING)


IMAGE_DAMAGED = _(
    "The image seems damaged or incomplete and cannot be read. Open it in an image editor, "
    "save it again as %(type)s and upload the new file."
)
IMAGE_TOO_MANY_PIXELS = _(
    "The image has too many pixels to be checked. Reduce its dimensions in an image editor, "
    "save it again as %(type)s and upload the new file."
)
IMAGE_EXTRA_DATA = _(
    "The image has extra data after the picture, which is not allowed. Open it in an image "
    "editor, save it again as %(type)s and upload the new file."
)
IMAGE_HTML = _(
    "The image contains web page code (HTML or script), which is not allowed. Open it in an "
    "image editor, save it again as %(type)s and upload the new file."
)


def check_image(uploaded_file, detected) -> None:
    """A PNG or JPEG that Pillow decodes whole, with nothing after its end and no HTML."""
    formats_read = {"PNG": {"PNG"}, "JPEG": {"JPEG", "MPO"}}[detected.label]
    try:
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as picture:
            if picture.format not in formats_read:
                _refuse(IMAGE_DAMAGED, "image_damaged", detected)
            width, height = picture.size
            if width * height > MAX_IMAGE_PIXELS:
                _refuse(IMAGE_TOO_MANY_PIXELS, "image_too_many_pixels", detected)
            picture.verify()
        # verify() leaves the image unusable: decode it again, whole.
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as picture:
            if picture.format == "JPEG":
                # Decoding at an eighth of the size reads every byte of the image's data
                # as a full decode does, with a sixty-fourth of the memory.
                picture.draft(picture.mode, (width // 8 or 1, height // 8 or 1))
            picture.load()
    except Image.DecompressionBombError:
        _refuse(IMAGE_TOO_MANY_PIXELS, "image_too_many_pixels", detected)
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError):
        _refuse(IMAGE_DAMAGED, "image_damaged", detected)
    end = _png_end(uploaded_file) if detected.label == "PNG" else _jpeg_end(uploaded_file)
    if end is None:
        _refuse(IMAGE_DAMAGED, "image_damaged", detected)
    uploaded_file.seek(end)
    if not _is_padding(uploaded_file.read(PADDING_BYTES + 1)):
        _refuse(IMAGE_EXTRA_DATA, "image_extra_data", detected)
    if _search(uploaded_file, HTML_MARKERS):
        _refuse(IMAGE_HTML, "image_html", detected)


def _png_end(uploaded_file):
    """Where the PNG's IEND chunk ends, walking its chunks; None if it has none."""
    uploaded_file.seek(8)
    while len(header := uploaded_file.read(8)) == 8:
        length = int.from_bytes(header[:4], "big")
        uploaded_file.seek(length + 4, 1)  # the data and its CRC
        if header[4:] == b"IEND":
            return uploaded_file.tell() if uploaded_file.tell() <= uploaded_file.size else None
    return None


def _jpeg_end(uploaded_file):
    """Where the JPEG's data ends, walking its segments to the EOI marker. Phones store
    more pictures (a depth or HDR map, the multi-picture format) as whole JPEGs after the
    first: those are walked too. None when the structure breaks off."""
    uploaded_file.seek(0)
    data = uploaded_file.read()  # within the size limit, checked before
    position = 0
    while data.startswith(b"\xff\xd8", position):
        position = _jpeg_image_end(data, position + 2)
        if position is None:
            return None
    return position


def _jpeg_image_end(data: bytes, position: int):
    size = len(data)
    while position < size:
        if data[position] != 0xFF:
            return None
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            return None
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if position + 2 > size:
            return None
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            return None
        position += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
    return None


PDF_DAMAGED = _(
    "The PDF seems damaged or incomplete and cannot be read. Save it again as PDF from the "
    "original program and upload the new file."
)
PDF_NO_PAGES = _(
    "The PDF has no pages. Save it again as PDF from the original program and upload the new file."
)
PDF_EXTRA_DATA = _(
    "The PDF has extra data before or after the document, which is not allowed. Save it "
    "again as PDF from the original program and upload the new file."
)
PDF_ENCRYPTED = _(
    "The PDF is protected with a password, so it cannot be checked. Save a copy without "
    "password protection and upload it."
)
PDF_ACTIVE_CONTENT = _(
    "The PDF contains scripts, embedded files or actions that open programs, which are not "
    "allowed. Save it again as PDF from the original program (for example with “Print to "
    "PDF”) and upload the new file."
)


def check_pdf(uploaded_file, detected) -> None:
    """A PDF that pypdf parses, with a page, nothing around it, and no active content."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    uploaded_file.seek(0)
    head = uploaded_file.read(1024)
    start = head.find(b"%PDF-")
    if start < 0 or head[:start].strip(PADDING):
        _refuse(PDF_EXTRA_DATA, "pdf_extra_data", detected)
    tail_start = max(0, uploaded_file.size - PDF_TAIL_BYTES)
    uploaded_file.seek(tail_start)
    tail = uploaded_file.read()
    end = tail.rfind(b"%%EOF")
    if end < 0:
        _refuse(PDF_DAMAGED, "pdf_damaged", detected)
    if tail[end + len(b"%%EOF") :].strip(PADDING):
        _refuse(PDF_EXTRA_DATA, "pdf_extra_data", detected)
    if _search(uploaded_file, PDF_ACTIVE_BYTES):
        _refuse(PDF_ACTIVE_CONTENT, "pdf_active_content", detected)
    try:
        uploaded_file.seek(0)
        reader = PdfReader(uploaded_file, strict=False)
        if reader.is_encrypted:
            # Many official PDFs carry restrictions under an empty password: those open.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, PdfReadError):
                opened = 0
            if not opened:
                _refuse(PDF_ENCRYPTED, "pdf_encrypted", detected)
        if len(reader.pages) < 1:
            _refuse(PDF_NO_PAGES, "pdf_no_pages", detected)
        active = _pdf_has_active_content(reader.trailer)
    except ValidationError:
        raise
    except FileNotDecryptedError:
        _refuse(PDF_ENCRYPTED, "pdf_encrypted", detected)
    except Exception:  # a damaged PDF: pypdf raises many kinds of error
        _refuse(PDF_DAMAGED, "pdf_damaged", detected)
    if active is None:
        _refuse(PDF_DAMAGED, "pdf_damaged", detected)
    if active:
        _refuse(PDF_ACTIVE_CONTENT, "pdf_active_content", detected)


def _pdf_has_active_content(trailer):
    """Whether any object reachable from the trailer names a script, a launch action or an
    embedded file (as a key or a value: ``/S /JavaScript``); None past MAX_PDF_OBJECTS."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen, pending, walked = set(), [trailer], 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            return None
        if isinstance(node, DictionaryObject):
            if PDF_ACTIVE_NAMES.intersection(node.keys()):
                return True
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
        elif isinstance(node, NameObject) and node in PDF_ACTIVE_NAMES:
            return True
    return False


OFFICE_DAMAGED = _(
    "The %(type)s file seems damaged or incomplete and cannot be read. Save it again as "
    "%(type)s from the original program and upload the new file."
)
OFFICE_MACROS = _(
    "The %(type)s file contains macros, which are not allowed. Save it again as %(type)s "
    "without macros from the original program and upload the new file."
)
OFFICE_UNSAFE_NAMES = _(
    "The %(type)s file contains parts with names that are not allowed. Save it again as "
    "%(type)s from the original program and upload the new file."
)
OFFICE_TOO_LARGE = _(
    "The %(type)s file becomes too large once opened, which is not allowed. Save it again as "
    "%(type)s from the original program, with smaller pictures or split into several files, "
    "and upload the new file."
)
OFFICE_EXTRA_DATA = _(
    "The %(type)s file has extra data before its content, which is not allowed. Save it "
    "again as %(type)s from the original program and upload the new file."
)


def check_office(uploaded_file, detected) -> None:
    """A DOCX, XLSX or ODT: a sound zip archive with its required parts and nothing
    dangerous in it (see the module docstring)."""
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as packed:
            members = packed.infolist()
            _check_members(members, uploaded_file.size, detected)
            names = {member.filename for member in members}
            if not all(name in names for name in OFFICE_REQUIRED_MEMBERS[detected.label]):
                _refuse(OFFICE_DAMAGED, "office_damaged", detected)
            if detected.label == "ODT":
                if packed.read("mimetype") != detected.mime.encode():
                    _refuse(OFFICE_DAMAGED, "office_damaged", detected)
            elif re.search(
                rb"vbaProject|macroEnabled", packed.read("[Content_Types].xml"), re.IGNORECASE
            ):
                _refuse(OFFICE_MACROS, "office_macros", detected)
            if packed.testzip() is not None:
                _refuse(OFFICE_DAMAGED, "office_damaged", detected)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        _refuse(OFFICE_DAMAGED, "office_damaged", detected)
    except Exception:  # an unsupported compression or a broken stream inside a member
        _refuse(OFFICE_DAMAGED, "office_damaged", detected)


def _check_members(members, size, detected) -> None:
    if not members or len(members) > MAX_ARCHIVE_MEMBERS:
        _refuse(OFFICE_DAMAGED, "office_damaged", detected)
    # zipfile shifts every offset by the bytes found before the archive: a prefix shows as
    # a first member that does not start at 0.
    if min(member.header_offset for member in members) != 0:
        _refuse(OFFICE_EXTRA_DATA, "office_extra_data", detected)
    names = [member.filename for member in members]
    if len(set(names)) != len(names) or not all(map(_is_safe_member_name, names)):
        _refuse(OFFICE_UNSAFE_NAMES, "office_unsafe_names", detected)
    if any(_is_macro_member(name) for name in names):
        _refuse(OFFICE_MACROS, "office_macros", detected)
    # The declared sizes bound what zipfile unpacks: a member longer than it says fails its
    # CRC check in testzip() and is refused as damaged.
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES or (
        unpacked > RATIO_FLOOR_BYTES and unpacked > MAX_PACKING_RATIO * size
    ):
        _refuse(OFFICE_TOO_LARGE, "office_too_large", detected)


def _is_safe_member_name(name: str) -> bool:
    normalized = name.replace("\\", "/")
    return bool(normalized) and not (
        normalized.startswith("/")
        or re.match(r"^[A-Za-z]:", normalized)
        or ".." in normalized.split("/")
        or any(unicodedata.category(character)[0] == "C" for character in normalized)
    )


def _is_macro_member(name: str) -> bool:
    lowered = name.lower()
    base = lowered.rsplit("/", 1)[-1]
    return (
        base.startswith("vbaproject")
        or base.startswith("vbadata")
        or lowered.startswith(("basic/", "scripts/"))  # OpenDocument macros
    )


CONTENT_CHECKS = {
    "PNG": check_image,
    "JPEG": check_image,
    "PDF": check_pdf,
    "DOCX": check_office,
    "XLSX": check_office,
    "ODT": check_office,
}


def safe_original_name(name) -> str:
    """The uploader's file name, kept for display and downloads only: no folders, no control
    characters (which could break a Content-Disposition header) nor line or paragraph
    separators, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        character
        for character in unicodedata.normalize("NFC", name)
        if unicodedata.category(character)[0] != "C"
        and unicodedata.category(character) not in {"Zl", "Zp"}
    ).strip(" .")
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name or "attachment"
