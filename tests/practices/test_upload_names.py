"""Hostile file names (tests/portal/adversarial.py) on a practice's attachments, uploaded
through the workspace's form and through the service: the stored file stays inside the
uploads folder under a server-made name, the name kept for display holds no folders, control
characters or line breaks, the download's Content-Disposition is one safe header, and a name
that leaves nothing usable is refused with the form's message, nothing stored."""

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from practices.enums import AttachmentKind
from practices.models import Attachment
from practices.services import attachment_add
from tests.factories import NetworkFactory
from tests.portal.adversarial import FILE_NAME_TRICKS, UNUSABLE_FILE_NAMES, PageReading

from .test_uploads import PDF
from .workspace_helpers import coordinator_of, practice_of, url

pytestmark = pytest.mark.django_db

#: What the stored file is called: a random hexadecimal name and the content's extension.
STORED_NAME = re.compile(r"^practices/[0-9a-f]{32}\.pdf$")
#: Content-Disposition as Django writes it: a quoted ASCII name or an RFC 5987 encoded one.
DISPOSITION = re.compile(
    r'^attachment; (?:filename="(?P<plain>(?:[^"\\\x00-\x1f\x7f]|\\["\\])*)"'
    r"|filename\*=utf-8''(?P<encoded>[A-Za-z0-9%!#$&+.^_`|~-]*))$"
)


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(municipalities=[border_municipalities["SV"]])


@pytest.fixture
def coordinator(network):
    return coordinator_of(network)


def stored_files(media_root):
    return sorted(path for path in Path(media_root).rglob("*") if path.is_file())


BOUNDARY = "adversarial-boundary"


def add_through_form(client, practice, name):
    """Post the form as a crafted request may: the file name sent as is, percent-encoded
    (RFC 2231), so quotes, line breaks, NUL and folders all reach the server."""
    body = (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\n\r\n'
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="kind"\r\n\r\n{AttachmentKind.REPORT}\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; '
            f"filename*=UTF-8''{quote(name, safe='')}\r\n"
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.post(
        url("attachments", practice),
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def assert_safe_display_name(name):
    assert name, "a name is kept"
    assert len(name) <= 255
    assert "/" not in name and "\\" not in name
    # No control or format characters (NUL, CR, LF, the right-to-left override) and no
    # line or paragraph separators.
    assert [c for c in name if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029"] == []
    assert name == name.strip(" .")
    assert name == unicodedata.normalize("NFC", name)


def assert_stored_inside_uploads(attachment, media_root):
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    uploads = (Path(media_root) / "practices").resolve()
    stored = Path(attachment.file.path).resolve()
    assert stored.parent == uploads
    assert stored.read_bytes() == PDF
    assert stored_files(media_root) == [stored]


def assert_safe_download(client, attachment):
    response = client.get(reverse("practices:attachment-download", args=[attachment.pk]))
    b"".join(response.streaming_content)  # reading the stream closes the file
    disposition = response["Content-Disposition"]
    match = DISPOSITION.match(disposition)
    assert match, disposition
    if match["plain"] is not None:
        sent = re.sub(r"\\(.)", r"\1", match["plain"])
    else:
        sent = unquote(match["encoded"], encoding="utf-8", errors="strict")
    assert sent == attachment.original_name
    assert_safe_display_name(sent)
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", FILE_NAME_TRICKS)
def test_a_hostile_name_through_the_form_is_stored_safely(
    client, network, coordinator, name, media_root
):
    practice = practice_of(network)
    client.force_login(coordinator)

    response = add_through_form(client, practice, name)

    assert response.status_code == 302, response.context["form"].errors
    attachment = Attachment.objects.get()
    assert_safe_display_name(attachment.original_name)
    assert_safe_display_name(attachment.title)
    assert_stored_inside_uploads(attachment, media_root)
    assert_safe_download(client, attachment)
    # The name shown on the workspace's page is text (a name may be markup).
    page = PageReading(client.get(url("attachments", practice)).content.decode())
    assert page.executed == set()
    assert attachment.title in page.text


@pytest.mark.parametrize("name", FILE_NAME_TRICKS)
def test_a_hostile_name_through_the_service_is_stored_safely(
    client, network, coordinator, name, media_root
):
    """The service gets the name as sent, without the upload parser's own clean-up."""
    practice = practice_of(network)
    client.force_login(coordinator)
    uploaded = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    uploaded._name = name  # past UploadedFile's own basename()

    attachment = attachment_add(
        practice=practice, uploaded_file=uploaded, title="Anexo", kind="other", actor=coordinator
    )

    attachment.refresh_from_db()
    assert_safe_display_name(attachment.original_name)
    assert_stored_inside_uploads(attachment, media_root)
    assert_safe_download(client, attachment)


@pytest.mark.parametrize("name", UNUSABLE_FILE_NAMES)
def test_a_name_that_leaves_nothing_usable_is_refused_and_nothing_is_stored(
    client, network, coordinator, name, media_root
):
    practice = practice_of(network)
    client.force_login(coordinator)

    response = add_through_form(client, practice, name)

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors in (
        ["This field is required."],  # the upload parser drops a name without a file name
        ["The file's content is PDF but its name has no extension."],
    ), errors
    assert "There is a problem" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("name", UNUSABLE_FILE_NAMES)
def test_the_service_refuses_a_name_that_leaves_nothing_usable(
    network, coordinator, name, media_root
):
    practice = practice_of(network)
    uploaded = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    uploaded._name = name

    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            attachment_add(
                practice=practice,
                uploaded_file=uploaded,
                title="Anexo",
                kind="other",
                actor=coordinator,
            )
        messages = error.value.messages

    assert messages == ["The file's content is PDF but its name has no extension."]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []
