"""What every spreadsheet upload form asks and checks, before the file is read.

:func:`sheet_upload` takes the uploaded file of a form's ``clean_<field>()``: a ``.csv``,
``.xlsx`` or ``.ods`` within the size limit, whose content is what its name says (a
workbook is a ZIP archive; an ODS one starts with its uncompressed ``mimetype`` member, as
the OpenDocument standard requires), and returns its content and format for
``reading.read_sheet``. Every refusal is a ``ValidationError`` in words for people, with
the code ``format`` or ``size``.

:func:`encoding_field` is the optional question "Text encoding (CSV only)", for when the
preview says that the encoding of a CSV was only guessed (``reading.decode_text``).

:class:`KeptSheetStorage` keeps an upload between its preview and the confirmation (the
admin's import and ``kept.py``): in a folder of its own, and an upload whose preview was
abandoned is removed once it is older than :data:`KEPT_MAX_AGE` (:func:`remove_abandoned_uploads`,
run whenever a new upload is kept).
"""

import codecs
import contextlib
import io
import os
import re
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.tmp_storages import TempFolderStorage

from .reading import FORMATS, ODS_MIMETYPE, utf16_without_mark

#: The largest spreadsheet accepted (a file of 10 000 members is well under it).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SHEET_FORMATS = FORMATS
ZIP_SIGNATURE = b"PK\x03\x04"

#: The keys of ``reading.ENCODINGS``, as people know them.
ENCODING_CHOICES = [
    ("", gettext_lazy("Automatic")),
    ("utf-8", "UTF-8"),
    ("cp1252", gettext_lazy("Windows-1252 (Excel on Windows)")),
    ("latin-1", gettext_lazy("Latin-1 (ISO-8859-1)")),
    ("mac_roman", "Mac Roman"),
    ("cp850", gettext_lazy("MS-DOS (Excel's “CSV (MS-DOS)”)")),
    ("utf-16", gettext_lazy("UTF-16 (Excel's “Unicode text”)")),
]


@dataclass(frozen=True)
class SheetUpload:
    content: bytes
    file_format: str


def sheet_upload(uploaded, *, max_bytes: int = MAX_UPLOAD_BYTES) -> SheetUpload:
    """The content and format of an uploaded spreadsheet; ValidationError when refused."""
    file_format = os.path.splitext(uploaded.name or "")[1].lower().lstrip(".")
    if file_format not in SHEET_FORMATS:
        raise ValidationError(_("Upload a .csv, .xlsx or .ods file."), code="format")
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(size)s.") % {"size": filesizeformat(max_bytes)},
            code="size",
        )
    uploaded.seek(0)  # a form cleaned twice reads the file twice
    content = uploaded.read()
    is_ods = _is_ods(content)
    if file_format == "xlsx" and (is_ods or not content.startswith(ZIP_SIGNATURE)):
        raise ValidationError(
            _("This file is not an XLSX spreadsheet. Save it again as .xlsx, .ods or .csv."),
            code="format",
        )
    if file_format == "ods" and not is_ods:
        raise ValidationError(
            _("This file is not an ODS spreadsheet. Save it again as .ods, .xlsx or .csv."),
            code="format",
        )
    if file_format == "csv" and (content.startswith(ZIP_SIGNATURE) or _is_binary(content)):
        raise ValidationError(
            _("This file is not a CSV text file. Save it again as .csv, .xlsx or .ods."),
            code="format",
        )
    return SheetUpload(content=content, file_format=file_format)


def _is_ods(content: bytes) -> bool:
    """An OpenDocument spreadsheet: a ZIP archive whose first member is ``mimetype``,
    uncompressed, saying so."""
    if not content.startswith(ZIP_SIGNATURE):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            first = archive.infolist()[0]
            return (
                first.filename == "mimetype"
                and first.compress_type == zipfile.ZIP_STORED
                and archive.read(first).strip() == ODS_MIMETYPE.encode()
            )
    except (zipfile.BadZipFile, IndexError, OSError, ValueError):
        return False


def _is_binary(content: bytes) -> bool:
    """Zero bytes that are not those of UTF-16 text (with or without its byte-order mark)."""
    sample = content[:4096]
    if b"\x00" not in sample or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return not utf16_without_mark(sample)


def sheet_help_text(max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    return _("A CSV, XLSX or ODS file, at most %(size)s.") % {"size": filesizeformat(max_bytes)}


def encoding_field(**kwargs) -> forms.ChoiceField:
    """The optional choice of a CSV's text encoding ("" is Automatic: detected)."""
    kwargs.setdefault(
        "help_text",
        gettext_lazy("Leave it on Automatic unless the accents of a CSV file come out wrong."),
    )
    return forms.ChoiceField(
        label=gettext_lazy("Text encoding (CSV only)"),
        choices=ENCODING_CHOICES,
        required=False,
        **kwargs,
    )


# Uploads kept between preview and confirmation ---------------------------------------------

#: How long an upload waits for its confirmation (seconds); settings.SHEET_KEPT_MAX_AGE.
KEPT_MAX_AGE = 6 * 60 * 60
#: A kept upload's name (tempfile's names): never a path.
KEPT_NAME = re.compile(r"^tmp[A-Za-z0-9_]{1,64}$")


def kept_folder() -> str:
    """The folder only kept uploads live in (settings.SHEET_KEPT_DIR), so that clearing it
    never touches another program's temporary files."""
    return getattr(settings, "SHEET_KEPT_DIR", "") or os.path.join(
        tempfile.gettempdir(), "portal-sheet-uploads"
    )


def kept_max_age() -> int:
    return getattr(settings, "SHEET_KEPT_MAX_AGE", KEPT_MAX_AGE)


class KeptSheetStorage(TempFolderStorage):
    """django-import-export's temporary folder storage (``IMPORT_EXPORT_TMP_STORAGE_CLASS``),
    in :func:`kept_folder`, with bare names only, and expiring: an upload older than
    :func:`kept_max_age` reads as gone and is removed the next time any upload is kept."""

    def save(self, data):
        folder = kept_folder()
        os.makedirs(folder, mode=0o700, exist_ok=True)
        remove_abandoned_uploads()
        with tempfile.NamedTemporaryFile(dir=folder, prefix="tmp", delete=False) as kept:
            kept.write(data)
        self.name = os.path.basename(kept.name)

    def get_full_path(self):
        if not self.name or not KEPT_NAME.match(self.name):
            raise FileNotFoundError("not a kept upload")  # a name sent back altered
        return os.path.join(kept_folder(), self.name)

    def read(self):
        path = self.get_full_path()
        if time.time() - os.stat(path).st_mtime > kept_max_age():
            with contextlib.suppress(OSError):
                os.remove(path)
            raise FileNotFoundError("the kept upload has expired")
        return super().read()


def remove_abandoned_uploads(*, max_age: int | None = None, now: float | None = None) -> int:
    """Remove the kept uploads older than ``max_age`` seconds (:func:`kept_max_age`): those
    whose preview was never confirmed. Returns how many were removed."""
    max_age = kept_max_age() if max_age is None else max_age
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(kept_folder()))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if not KEPT_NAME.match(entry.name):
            continue
        try:
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and now - status.st_mtime > max_age:
                os.remove(entry.path)
                removed += 1
        except FileNotFoundError:
            continue  # taken or removed meanwhile by another process
    return removed
