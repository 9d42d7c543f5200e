"""Attachments: the type comes from the bytes, the size is bounded, refusals store nothing,
and downloads follow the practice's visibility with safe headers."""

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override
from PIL import Image
from pypdf import PdfWriter

from networks.enums import MembershipRole
from practices.enums import AttachmentKind, ReviewStatus
from practices.models import Attachment
from practices.services import attachment_add, attachment_delete
from practices.uploads import safe_original_name, validate_attachment_file
from tests.factories import (
    MembershipFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Tiny but real files ---------------------------------------------------------------------


def pdf_bytes():
    """A valid one-page PDF (the whole file is checked, so it must really be one)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = pdf_bytes()


def png_bytes():
    """A valid 1x1 transparent PNG."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


JPEG = jpeg_bytes()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def zip_bytes(parts, *, stored_first=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(parts):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else None
            archive.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("word/document.xml", "<w:document/>"),
        ]
    )


def odt_bytes():
    # OpenDocument: an uncompressed "mimetype" entry first, as the specification requires.
    return zip_bytes(
        [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office/>")],
        stored_first=True,
    )


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Municipio"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    # The browser's Content-Type is deliberately wrong: it must be ignored.
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root):
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def english(error):
    with override("en"):
        return error.messages


# The validator ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "label", "mime"),
    [
        ("informe.pdf", lambda: PDF, "PDF", "application/pdf"),
        ("foto.png", png_bytes, "PNG", "image/png"),
        ("foto.JPG", lambda: JPEG, "JPEG", "image/jpeg"),
        ("foto.jpeg", lambda: JPEG, "JPEG", "image/jpeg"),
        (
            "ordenanza.docx",
            docx_bytes,
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "datos.xlsx",
            xlsx_bytes,
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("acta.odt", odt_bytes, "ODT", "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_types_are_detected_from_their_bytes(name, make, label, mime):
    detected = validate_attachment_file(upload(name, make()))

    assert (detected.label, detected.mime) == (label, mime)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "informe.pdf",
            png_bytes(),
            "The file's content is PNG but its name ends in “.pdf”.",
        ),
        (
            "datos.docx",
            xlsx_bytes(),
            "The file's content is XLSX but its name ends in “.docx”.",
        ),
        ("acta.docx", odt_bytes(), "The file's content is ODT but its name ends in “.docx”."),
        ("sin-extension", PDF, "The file's content is PDF but its name has no extension."),
        (
            "programa.pdf",
            EXE,
            "This kind of file is not accepted. Accepted: PDF, JPEG, PNG, DOCX, XLSX, ODT.",
        ),
        (
            "archivo.docx",
            zip_bytes([("leeme.txt", "hola")]),
            "This kind of file is not accepted. Accepted: PDF, JPEG, PNG, DOCX, XLSX, ODT.",
        ),
        (
            "pagina.pdf",
            b"<html><script>alert(1)</script></html>",
            "This kind of file is not accepted. Accepted: PDF, JPEG, PNG, DOCX, XLSX, ODT.",
        ),
        ("vacio.pdf", b"", "The file is empty."),
    ],
)
def test_refused_files_say_why(name, data, message):
    with pytest.raises(ValidationError) as error:
        validate_attachment_file(upload(name, data, content_type="application/pdf"))

    assert english(error.value) == [message]


def test_file_over_the_size_limit_is_refused(settings):
    settings.PRACTICE_ATTACHMENT_MAX_BYTES = 40
    data = PDF + b"%" * 10

    with pytest.raises(ValidationError) as error:
        validate_attachment_file(upload("informe.pdf", data))

    assert english(error.value) == [f"The file is {len(data)}\xa0bytes; the limit is 40\xa0bytes."]


def test_file_at_the_size_limit_is_accepted(settings):
    settings.PRACTICE_ATTACHMENT_MAX_BYTES = len(PDF)

    assert validate_attachment_file(upload("informe.pdf", PDF)).label == "PDF"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Informe final.pdf", "Informe final.pdf"),
        ('a"b\r\nSet-Cookie: x.pdf', 'a"bSet-Cookie: x.pdf'),
        ("...", "attachment"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_original_names_lose_folders_and_control_characters(name, safe):
    assert safe_original_name(name) == safe


# attachment_add ---------------------------------------------------------------------------


@pytest.fixture
def reviewer(db):
    user = StaffUserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_practice"))
    return type(user).objects.get(pk=user.pk)


def test_attachment_add_stores_metadata_and_a_server_made_name(media_root, reviewer):
    practice = PracticeFactory()

    attachment = attachment_add(
        practice=practice,
        uploaded_file=upload("../Ordenanza Nº 12.PDF", PDF, content_type="text/html"),
        title="Texto de la ordenanza",
        kind=AttachmentKind.LEGAL_TEXT,
        actor=reviewer,
    )

    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "Ordenanza Nº 12.PDF",
        "application/pdf",
        len(PDF),
    )
    assert attachment.file.name.startswith("practices/")
    assert attachment.file.name.endswith(".pdf")
    assert "Ordenanza" not in attachment.file.name
    assert stored_files(media_root) == [attachment.file.name]
    assert (media_root / attachment.file.name).read_bytes() == PDF


def test_the_networks_coordinator_may_attach_files_to_a_draft(media_root):
    submitter = UserFactory()
    seat = MembershipFactory(person__user=submitter, role=MembershipRole.COORDINATOR)
    practice = PracticeFactory(submitted_by=submitter, network=seat.network)

    attachment_add(
        practice=practice,
        uploaded_file=upload("foto.png", png_bytes()),
        title="Foto",
        kind=AttachmentKind.PHOTO,
        actor=submitter,
    )

    assert [a.content_type for a in practice.attachments.all()] == ["image/png"]


@pytest.mark.parametrize(
    ("name", "data", "limit"),
    [
        ("informe.pdf", png_bytes(), 10 * 1024 * 1024),
        ("programa.pdf", EXE, 10 * 1024 * 1024),
        ("informe.pdf", PDF, 10),
    ],
)
def test_refused_upload_stores_nothing(media_root, settings, reviewer, name, data, limit):
    settings.PRACTICE_ATTACHMENT_MAX_BYTES = limit
    practice = PracticeFactory()

    with pytest.raises(ValidationError) as error:
        attachment_add(
            practice=practice,
            uploaded_file=upload(name, data),
            title="Documento",
            kind=AttachmentKind.OTHER,
            actor=reviewer,
        )

    assert list(error.value.message_dict) == ["file"]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_invalid_title_stores_no_file(media_root, reviewer):
    with pytest.raises(ValidationError) as error:
        attachment_add(
            practice=PracticeFactory(),
            uploaded_file=upload("informe.pdf", PDF),
            title="",
            kind=AttachmentKind.REPORT,
            actor=reviewer,
        )

    assert list(error.value.message_dict) == ["title"]
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other user", ReviewStatus.DRAFT),
        ("submitter", ReviewStatus.SUBMITTED),
        ("submitter", ReviewStatus.PUBLISHED),
        ("staff without change permission", ReviewStatus.DRAFT),
    ],
)
def test_attachment_add_refuses_users_who_may_not_edit(media_root, who, status):
    submitter = UserFactory()
    seat = MembershipFactory(person__user=submitter, role=MembershipRole.COORDINATOR)
    practice = PracticeFactory(
        network=seat.network,
        submitted_by=submitter,
        status=status,
        published_at="2024-01-01T00:00Z" if status == ReviewStatus.PUBLISHED else None,
    )
    user = {
        "other user": UserFactory(),
        "submitter": submitter,
        "staff without change permission": StaffUserFactory(),
    }[who]

    with pytest.raises(PermissionDenied):
        attachment_add(
            practice=practice,
            uploaded_file=upload("informe.pdf", PDF),
            title="Informe",
            kind=AttachmentKind.REPORT,
            actor=user,
        )

    assert stored_files(media_root) == []


def test_attachment_delete_removes_the_row_and_the_file(
    media_root, reviewer, django_capture_on_commit_callbacks
):
    attachment = attachment_add(
        practice=PracticeFactory(),
        uploaded_file=upload("informe.pdf", PDF),
        title="Informe",
        kind=AttachmentKind.REPORT,
        actor=reviewer,
    )

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=attachment, actor=reviewer)

    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


# Downloads ---------------------------------------------------------------------------------


def add_pdf(practice, user, name="Ordenanza municipal.pdf"):
    return attachment_add(
        practice=practice,
        uploaded_file=upload(name, PDF),
        title="Ordenanza",
        kind=AttachmentKind.LEGAL_TEXT,
        actor=user,
    )


def download(client, attachment):
    response = client.get(reverse("practices:attachment-download", args=[attachment.pk]))
    # Reading the whole stream also closes the file (the test client wraps it).
    body = b"".join(response.streaming_content) if response.streaming else b""
    return response, body


def test_attachment_of_published_practice_downloads_for_anyone(client, reviewer):
    attachment = add_pdf(PublishedPracticeFactory(), reviewer)

    response, body = download(client, attachment)

    assert response.status_code == 200
    assert body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Ordenanza municipal.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_name_with_accents_and_quotes_is_encoded(client, reviewer):
    attachment = add_pdf(PublishedPracticeFactory(), reviewer, name='Acta "final" Nº 3.pdf')

    response, _body = download(client, attachment)

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Acta%20%22final%22%20N%C2%BA%203.pdf"
    )


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT, ReviewStatus.SUBMITTED])
def test_attachment_of_unpublished_practice_is_404_for_visitors_and_other_users(
    client, reviewer, status
):
    attachment = add_pdf(PracticeFactory(status=status, submitted_by=UserFactory()), reviewer)

    anonymous, _body = download(client, attachment)
    client.force_login(UserFactory())
    other_user, _body = download(client, attachment)

    assert (anonymous.status_code, other_user.status_code) == (404, 404)


@pytest.mark.parametrize("who", ["submitter", "staff"])
def test_attachment_of_unpublished_practice_downloads_for_its_coordinator_and_staff(
    client, reviewer, who
):
    submitter = UserFactory()
    seat = MembershipFactory(person__user=submitter, role=MembershipRole.COORDINATOR)
    practice = PracticeFactory(submitted_by=submitter, network=seat.network)
    attachment = add_pdf(practice, reviewer)
    client.force_login(submitter if who == "submitter" else reviewer)

    response, body = download(client, attachment)

    assert (response.status_code, body) == (200, PDF)
    assert response["Cache-Control"] == "private, no-store"


def test_download_of_unknown_attachment_is_404(client):
    response = client.get(reverse("practices:attachment-download", args=[999999]))

    assert response.status_code == 404
