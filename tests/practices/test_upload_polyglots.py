"""Attachments whose first bytes are right but whose content is not (polyglots, damaged or
active files, zip bombs) are refused, each with its own code, and nothing is stored; real
files made by Pillow, pypdf and zipfile are accepted."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from networks.enums import MembershipRole
from practices.demo import pdf_document
from practices.enums import AttachmentKind
from practices.models import Attachment
from practices.services import attachment_add
from practices.uploads import sizes_over_limit, validate_attachment_file
from tests.factories import MembershipFactory, NetworkFactory, PracticeFactory, UserFactory

from .workspace_helpers import practice_of, url

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
MB = 1 << 20

# Real files ----------------------------------------------------------------------------------


def png_bytes(size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 128, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(16, 16)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf_bytes(change=None):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes(parts, *, stored_first=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for index, (name, data) in enumerate(parts):
            compression = zipfile.ZIP_STORED if stored_first and index == 0 else None
            packed.writestr(name, data, compress_type=compression)
    return buffer.getvalue()


DOCX_PARTS = [
    ("[Content_Types].xml", '<Types><Default Extension="xml" ContentType="application/xml"/>'),
    ("_rels/.rels", "<Relationships/>"),
    ("word/document.xml", "<w:document><w:body><w:p>Ordenanza</w:p></w:body></w:document>"),
]
XLSX_PARTS = [
    ("[Content_Types].xml", "<Types/>"),
    ("_rels/.rels", "<Relationships/>"),
    ("xl/workbook.xml", "<workbook/>"),
    ("xl/worksheets/sheet1.xml", "<worksheet/>"),
]
ODT_PARTS = [
    ("mimetype", "application/vnd.oasis.opendocument.text"),
    ("content.xml", "<office:document-content/>"),
    ("META-INF/manifest.xml", "<manifest:manifest/>"),
]


def docx_bytes(*extra):
    return zip_bytes([*DOCX_PARTS, *extra])


# Hostile files -------------------------------------------------------------------------------


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_with_text(text):
    """A valid PNG (correct CRCs) carrying ``text`` in a tEXt chunk before IEND."""
    data = png_bytes()
    return data[:-12] + png_chunk(b"tEXt", b"Comment\x00" + text) + data[-12:]


def png_claiming_pixels(width, height):
    """A PNG header announcing a huge picture, with hardly any data: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def pdf_with_hidden_javascript():
    """An OpenAction running JavaScript, its names hex-escaped (/J#61vaScript) so that a
    byte scan for "/JavaScript" misses it: the walk through the parsed document finds it."""
    data = pdf_document(["Hola"])
    return data.replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
    )


def add_launch_action(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )


def zip_with_html_prefix():
    """A DOCX after a lone zip entry holding a web page: the first bytes still say zip,
    and zipfile finds the real archive after the prefix."""
    name = b"word/leeme.html"
    prefix = (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            0,
            0,
            0,
            zlib.crc32(HTML),
            len(HTML),
            len(HTML),
            len(name),
            0,
        )
        + name
        + HTML
    )
    return prefix + docx_bytes()


def docx_with_bad_crc():
    data = bytearray(docx_bytes(("word/media/notes.txt", "x" * 2000)))
    position = data.index(b"word/media/notes.txt") + len("word/media/notes.txt")
    data[position + 5] ^= 0xFF  # a byte of the compressed member
    return bytes(data)


def encrypted_pdf():
    return pdf_bytes(lambda writer: writer.encrypt("secreto", algorithm="RC4-128"))


def svg_named_png():
    return b'<svg xmlns="http://www.w3.org/2000/svg">' + HTML


def pdf_with_javascript():
    return pdf_bytes(lambda writer: writer.add_open_action(JavaScript("app.alert(1);")))


def pdf_with_embedded_file():
    return pdf_bytes(lambda writer: writer.add_attachment("a.exe", b"MZ"))


def pdf_without_pages():
    return pdf_bytes(lambda writer: writer.remove_page(0))


def docx_with_macros():
    return docx_bytes(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"))


def xlsx_macro_enabled():
    types = '<Types><Override ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
    return zip_bytes([("[Content_Types].xml", types), *XLSX_PARTS[1:]])


def docx_zip_bomb():
    """50 MB of zeros packed into some 50 KB."""
    return docx_bytes(("word/media/image1.png", b"\x00" * (50 * MB)))


def docx_without_document():
    return zip_bytes([*DOCX_PARTS[:2], ("word/styles.xml", "<w:styles/>")])


def odt_with_macros():
    macro = ("Basic/Standard/Module1.xml", "<script:module/>")
    return zip_bytes([*ODT_PARTS, macro], stored_first=True)


HOSTILE = [
    # (what it is, its name, how it is made, the code it is refused with)
    ("png-header-then-script", "foto.png", lambda: b"\x89PNG\r\n\x1a\n" + HTML, "image_damaged"),
    ("png-then-html", "foto.png", lambda: png_bytes() + HTML, "image_extra_data"),
    ("jpeg-then-html", "foto.jpg", lambda: jpeg_bytes() + HTML, "image_extra_data"),
    ("png-script-in-text-chunk", "foto.png", lambda: png_with_text(HTML), "image_html"),
    ("png-truncated", "foto.png", lambda: png_bytes((64, 64))[:-40], "image_damaged"),
    ("jpeg-truncated", "foto.jpg", lambda: jpeg_bytes((64, 64))[:-200], "image_damaged"),
    ("png-bomb", "foto.png", lambda: png_claiming_pixels(30000, 30000), "image_too_many_pixels"),
    ("svg-named-png", "foto.png", svg_named_png, "type_not_allowed"),
    ("pdf-header-then-html", "informe.pdf", lambda: b"%PDF-1.7\n" + HTML, "pdf_damaged"),
    ("pdf-then-html", "informe.pdf", lambda: pdf_bytes() + HTML, "pdf_extra_data"),
    ("pdf-javascript-openaction", "informe.pdf", pdf_with_javascript, "pdf_active_content"),
    ("pdf-hidden-javascript", "informe.pdf", pdf_with_hidden_javascript, "pdf_active_content"),
    ("pdf-launch", "informe.pdf", lambda: pdf_bytes(add_launch_action), "pdf_active_content"),
    ("pdf-embedded-file", "informe.pdf", pdf_with_embedded_file, "pdf_active_content"),
    ("pdf-without-pages", "informe.pdf", pdf_without_pages, "pdf_no_pages"),
    ("pdf-password", "informe.pdf", encrypted_pdf, "pdf_encrypted"),
    ("html-named-pdf", "informe.pdf", lambda: HTML, "type_not_allowed"),
    ("docx-with-macros", "acta.docx", docx_with_macros, "office_macros"),
    ("xlsx-macro-enabled", "datos.xlsx", xlsx_macro_enabled, "office_macros"),
    ("docx-zip-bomb", "acta.docx", docx_zip_bomb, "office_too_large"),
    ("docx-dotdot-member", "acta.docx", lambda: docx_bytes(("../x", "")), "office_unsafe_names"),
    ("docx-absolute-member", "acta.docx", lambda: docx_bytes(("/x", "")), "office_unsafe_names"),
    ("docx-after-html-entry", "acta.docx", zip_with_html_prefix, "office_extra_data"),
    ("html-then-docx", "acta.docx", lambda: HTML + docx_bytes(), "type_not_allowed"),
    ("docx-bad-crc", "acta.docx", docx_with_bad_crc, "office_damaged"),
    ("docx-without-document", "acta.docx", docx_without_document, "office_damaged"),
    ("odt-with-basic-macros", "acta.odt", odt_with_macros, "office_macros"),
    ("empty", "informe.pdf", lambda: b"", "empty"),
]  # fmt: skip


def upload(name, data):
    # The browser's Content-Type is deliberately a harmless one: it must be ignored.
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("name", "make", "code"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_file_is_refused_with_its_code(name, make, code):
    with pytest.raises(ValidationError) as error:
        validate_attachment_file(upload(name, make()))

    assert [item.code for item in error.value.error_list] == [code]
    with override("en"):
        [message] = error.value.messages
    assert "%(" not in message


def test_refusal_messages_say_what_to_do():
    with pytest.raises(ValidationError) as error:
        validate_attachment_file(upload("informe.pdf", pdf_bytes() + HTML))

    with override("en"):
        assert error.value.messages == [
            "The PDF has extra data before or after the document, which is not allowed. Save "
            "it again as PDF from the original program and upload the new file."
        ]


def restricted(writer):
    writer.encrypt("", "dueño", algorithm="RC4-128")


@pytest.mark.parametrize(
    ("name", "make", "label"),
    [
        ("foto.png", png_bytes, "PNG"),
        ("foto.jpg", jpeg_bytes, "JPEG"),
        ("foto-grande.jpg", lambda: jpeg_bytes((1200, 900)), "JPEG"),
        # Phones store a depth or HDR map as a second JPEG after the first.
        ("foto-hdr.jpg", lambda: jpeg_bytes() + jpeg_bytes((8, 8)), "JPEG"),
        ("foto-relleno.jpg", lambda: jpeg_bytes() + b"\x00\x00", "JPEG"),
        ("informe.pdf", pdf_bytes, "PDF"),
        ("ordenanza.pdf", lambda: pdf_document(["Ordenanza municipal", "Artículo 1"]), "PDF"),
        # Restrictions under an empty password, as in many official gazettes.
        ("gaceta.pdf", lambda: pdf_bytes(restricted), "PDF"),
        ("acta.docx", docx_bytes, "DOCX"),
        ("datos.xlsx", lambda: zip_bytes(XLSX_PARTS), "XLSX"),
        ("acta.odt", lambda: zip_bytes(ODT_PARTS, stored_first=True), "ODT"),
    ],
)  # fmt: skip
def test_real_file_is_accepted(name, make, label):
    uploaded = upload(name, make())

    assert validate_attachment_file(uploaded).label == label
    assert uploaded.tell() == 0  # ready to be stored whole


# The size limit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "english", "spanish"),
    [
        (
            10 * MB + 42_000,  # 10.04 MB: both read "10,0 MB" with one decimal
            "The file is 10.04\xa0MB; the limit is 10.00\xa0MB.",
            "El archivo pesa 10,04\xa0MB; el límite es 10,00\xa0MB.",
        ),
        (
            10 * MB + 3_000,  # 10.003 MB
            "The file is 10.002\xa0MB; the limit is 10.000\xa0MB.",
            "El archivo pesa 10,002\xa0MB; el límite es 10,000\xa0MB.",
        ),
        (
            10 * MB + 1,
            "The file is 10,485,761\xa0bytes; the limit is 10,485,760\xa0bytes.",
            "El archivo pesa 10\xa0485\xa0761\xa0bytes; el límite es 10\xa0485\xa0760\xa0bytes.",
        ),
        (
            12 * MB,
            "The file is 12.0\xa0MB; the limit is 10.0\xa0MB.",
            "El archivo pesa 12,0\xa0MB; el límite es 10,0\xa0MB.",
        ),
    ],
)
def test_file_over_the_limit_shows_a_size_above_the_limit(settings, size, english, spanish):
    settings.PRACTICE_ATTACHMENT_MAX_BYTES = 10 * MB
    messages = {}

    for language in ("en", "es"):
        with override(language):
            with pytest.raises(ValidationError) as error:
                validate_attachment_file(upload("informe.pdf", b"%PDF-" + b"\x00" * (size - 5)))
            messages[language] = error.value.messages

    assert messages == {"en": [english], "es": [spanish]}


def test_sizes_over_limit_never_reads_equal():
    limit = 10 * MB
    for size in (limit + 1, limit + 1023, limit + 5_000, limit + 52_000, limit + 60_000):
        with override("es"):
            size_text, limit_text = sizes_over_limit(size, limit)
        assert size_text != limit_text


# Nothing is stored ------------------------------------------------------------------------


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(municipalities=[border_municipalities["SV"]])


@pytest.fixture
def coordinator(network):
    user = UserFactory()
    MembershipFactory(person__user=user, network=network, role=MembershipRole.COORDINATOR)
    return type(user).objects.get(pk=user.pk)


def test_no_hostile_file_is_stored_by_the_service(media_root, coordinator, network):
    practice = PracticeFactory(submitted_by=coordinator, network=network)
    refused = []

    for case, name, make, _code in HOSTILE:
        try:
            attachment_add(
                practice=practice,
                uploaded_file=upload(name, make()),
                title="Documento",
                kind=AttachmentKind.OTHER,
                actor=coordinator,
            )
        except ValidationError as error:
            assert list(error.message_dict) == ["file"]
            refused.append(case)

    assert refused == [case for case, *_rest in HOSTILE]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_polyglot_through_the_coordinators_form_is_refused_and_nothing_is_stored(
    client, coordinator, network, media_root
):
    practice = practice_of(network)
    client.force_login(coordinator)

    response = client.post(
        url("attachments", practice),
        {
            "file": upload("foto.png", png_bytes() + HTML),
            "title": "Foto",
            "kind": AttachmentKind.PHOTO,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "The image has extra data after the picture, which is not allowed. Open it in an "
            "image editor, save it again as PNG and upload the new file."
        ]
    }
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []
