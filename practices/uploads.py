"""Checks on uploaded attachments. The type is read from the file's bytes, never trusted from
its name or from the browser's Content-Type, and the name must agree with the content."""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from filetype.types import archive, document, image


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
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={
                "size": filesizeformat(uploaded_file.size),
                "limit": filesizeformat(limit),
            },
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
    return detected


def safe_original_name(name) -> str:
    """The uploader's file name, kept for display and downloads only: no folders, no control
    characters (which could break a Content-Disposition header), at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        character
        for character in unicodedata.normalize("NFC", name)
        if unicodedata.category(character)[0] != "C"
    ).strip(" .")
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name or "attachment"
