"""A full upload disk: a clear message on the form, no attachment row, no partial file."""

import errno
import os

import pytest
from django.core.files.storage import filesystem

from practices.enums import AttachmentKind
from practices.models import Attachment
from tests.factories import NetworkFactory

from .test_workspace_files import stored_files, upload
from .workspace_helpers import PDF, coordinator_of, practice_of, url

pytestmark = pytest.mark.django_db

DISK_FULL = "The file could not be saved: the server's disk is full. Please tell the IOM team."


class FillsUp:
    """A file on a disk with room for ``room`` bytes: the rest of a write fails with ENOSPC."""

    def __init__(self, real, room):
        self.real, self.room = real, room

    def write(self, data):
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.real.flush()  # the first bytes do reach the disk, as they would
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def close(self):
        self.real.close()


@pytest.fixture
def disk_full(monkeypatch):
    """FileSystemStorage's own writing code, on a disk that fills after 100 bytes."""
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        filesystem.os, "fdopen", lambda fd, mode: FillsUp(real_fdopen(fd, mode), room=100)
    )


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(municipalities=[border_municipalities["SV"]])


def test_a_full_disk_is_a_form_error_and_stores_nothing(client, network, media_root, disk_full):
    practice = practice_of(network)
    client.force_login(coordinator_of(network))

    response = client.post(
        url("attachments", practice),
        {"file": upload("Acta.pdf", PDF), "title": "Acta", "kind": AttachmentKind.REPORT},
    )

    assert response.status_code == 200  # the form again, not a 500
    assert response.context["form"].errors["file"] == [DISK_FULL]
    assert DISK_FULL.replace("'", "&#x27;") in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []  # the 100 bytes written are gone


def test_other_storage_errors_are_not_disguised(network, media_root, monkeypatch):
    # Permission denied is a misconfiguration, not a full disk: it stays an error (a 500).
    from practices.services import attachment_add

    def refuse(fd, mode):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(filesystem.os, "fdopen", refuse)
    user = coordinator_of(network)

    with pytest.raises(PermissionError):
        attachment_add(
            practice=practice_of(network),
            uploaded_file=upload("Acta.pdf", PDF),
            title="Acta",
            kind=AttachmentKind.REPORT,
            actor=user,
        )
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []
