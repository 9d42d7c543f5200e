"""Files of a practice in the workspace: added with the type and size checks of
practices/uploads.py (a refused file stores nothing), listed, removed on a confirmation page;
read-only once the practice is in review or published."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practices.enums import AttachmentKind, ReviewStatus
from practices.models import Attachment
from practices.services import attachment_add
from tests.factories import NetworkFactory

from .test_uploads import PDF  # a real one-page PDF: the whole file is checked
from .workspace_helpers import EXE, coordinator_of, message_texts, practice_of, url

pytestmark = pytest.mark.django_db

S = ReviewStatus


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(municipalities=[border_municipalities["SV"]])


@pytest.fixture
def coordinator(network):
    return coordinator_of(network)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_file_is_added_and_listed(coordinator_client, network, media_root):
    practice = practice_of(network)

    response = coordinator_client.post(
        url("attachments", practice),
        {"file": upload("Ordenanza 12.pdf", PDF), "title": "", "kind": AttachmentKind.LEGAL_TEXT},
    )

    attachment = Attachment.objects.get()
    assert (attachment.practice, attachment.title, attachment.kind, attachment.content_type) == (
        practice,
        "Ordenanza 12",  # the file's name when no title is given
        AttachmentKind.LEGAL_TEXT,
        "application/pdf",
    )
    assert response.url == url("attachments", practice)
    assert message_texts(response) == ["“Ordenanza 12” is added."]
    assert len(stored_files(media_root)) == 1
    listing = coordinator_client.get(url("attachments", practice)).content.decode()
    assert "Ordenanza 12" in listing
    assert url("attachment-remove", practice, attachment=attachment.pk) in listing
    detail = coordinator_client.get(url("detail", practice)).content.decode()
    assert "Ordenanza 12" in detail


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "programa.pdf",
            EXE,
            "This kind of file is not accepted. Accepted: PDF, JPEG, PNG, DOCX, XLSX, ODT.",
        ),
        ("foto.png", PDF, "The file's content is PDF but its name ends in “.png”."),
        ("vacio.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_file_of_a_wrong_type_is_refused_and_nothing_is_stored(
    coordinator_client, network, media_root, name, content, message
):
    practice = practice_of(network)

    response = coordinator_client.post(
        url("attachments", practice),
        {"file": upload(name, content), "title": "Mi archivo", "kind": AttachmentKind.REPORT},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    content_ = response.content.decode()
    assert "There is a problem" in content_
    assert 'value="Mi archivo"' in content_
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_too_large_is_refused_and_nothing_is_stored(
    coordinator_client, network, media_root, settings
):
    settings.PRACTICE_ATTACHMENT_MAX_BYTES = 20
    practice = practice_of(network)

    response = coordinator_client.post(
        url("attachments", practice),
        {"file": upload("informe.pdf", PDF), "title": "", "kind": AttachmentKind.REPORT},
    )

    assert response.context["form"].errors == {
        "file": [f"The file is {len(PDF)}\xa0bytes; the limit is 20\xa0bytes."]
    }
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_is_removed_on_a_confirmation_page(
    coordinator_client, coordinator, network, media_root, django_capture_on_commit_callbacks
):
    practice = practice_of(network)
    attachment = attachment_add(
        practice=practice,
        uploaded_file=upload("acta.pdf", PDF),
        title="Acta",
        kind=AttachmentKind.OTHER,
        actor=coordinator,
    )

    confirm = coordinator_client.get(url("attachment-remove", practice, attachment=attachment.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url("attachment-remove", practice, attachment=attachment.pk)
        )

    assert confirm.context["title"] == "Remove “Acta”?"
    assert response.url == url("attachments", practice)
    assert message_texts(response) == ["“Acta” is removed."]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("status", [S.SUBMITTED, S.PUBLISHED])
def test_files_of_a_practice_in_review_or_published_cannot_be_changed(
    coordinator_client, coordinator, network, media_root, status
):
    practice = practice_of(network)
    attachment = attachment_add(
        practice=practice,
        uploaded_file=upload("acta.pdf", PDF),
        title="Acta",
        kind=AttachmentKind.OTHER,
        actor=coordinator,
    )
    type(practice).objects.filter(pk=practice.pk).update(status=status, published_at=timezone.now())

    page = coordinator_client.get(url("attachments", practice))
    added = coordinator_client.post(
        url("attachments", practice),
        {"file": upload("otro.pdf", PDF), "title": "Otro", "kind": AttachmentKind.OTHER},
    )
    removal = coordinator_client.post(url("attachment-remove", practice, attachment=attachment.pk))

    assert page.status_code == 200
    assert "Acta" in page.content.decode()
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    assert (added.status_code, removal.status_code) == (403, 403)
    assert list(Attachment.objects.all()) == [attachment]
    assert len(stored_files(media_root)) == 1
