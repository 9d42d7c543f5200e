"""Media on local disk or an S3-compatible bucket (portal/settings/storage.py), and the
attachment download working with a storage that is not the local disk."""

import os

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.urls import reverse

from portal.settings import storage
from portal.settings.storage import media_storage
from practices.models import Attachment
from tests.factories import PublishedPracticeFactory


@pytest.fixture
def installed(monkeypatch):
    """django-storages and boto3 present, without installing them."""
    monkeypatch.setattr(storage.importlib.util, "find_spec", lambda name: object())


def test_local_disk_by_default_and_when_asked():
    assert media_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_storage({"DJANGO_MEDIA_STORAGE": "local", "AWS_STORAGE_BUCKET_NAME": "b"}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_the_settings_read_the_choice_from_the_environment():
    assert settings.STORAGES["default"] == media_storage(os.environ)


def test_a_bucket_name_chooses_a_private_s3_bucket(installed):
    chosen = media_storage({"AWS_STORAGE_BUCKET_NAME": "portal-media"})

    assert chosen == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "portal-media",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 3600,
        },
    }


def test_an_s3_compatible_service_with_its_endpoint_region_domain_and_prefix(installed):
    chosen = media_storage(
        {
            "DJANGO_MEDIA_STORAGE": "S3",
            "AWS_STORAGE_BUCKET_NAME": "portal-media",
            "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_CUSTOM_DOMAIN": "files.example.org",
            "AWS_LOCATION": "portal",
            "AWS_QUERYSTRING_AUTH": "false",
            "AWS_QUERYSTRING_EXPIRE": "600",
        }
    )

    assert chosen["OPTIONS"] == {
        "bucket_name": "portal-media",
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": False,
        "querystring_expire": 600,
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "us-east-1",
        "custom_domain": "files.example.org",
        "location": "portal",
    }


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DJANGO_MEDIA_STORAGE": "s3"}, "needs the bucket's name in AWS_STORAGE_BUCKET_NAME"),
        ({"DJANGO_MEDIA_STORAGE": "ftp"}, 'must be "local" or "s3"'),
    ],
)
def test_an_incomplete_or_unknown_choice_is_refused(installed, environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage(environ)


def test_s3_without_the_packages_says_what_to_install(monkeypatch):
    monkeypatch.setattr(storage.importlib.util, "find_spec", lambda name: None)

    with pytest.raises(ImproperlyConfigured, match=r"not installed \(storages, boto3\)"):
        media_storage({"AWS_STORAGE_BUCKET_NAME": "portal-media"})


class MemoryStorage(Storage):
    """A storage with no local path, as a bucket has none: files exist only through open()."""

    files = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        if name not in self.files:
            raise FileNotFoundError(name)  # what S3Storage raises for a missing object
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files

    def size(self, name):
        return len(self.files[name])

    def delete(self, name):
        self.files.pop(name, None)


@pytest.mark.django_db
def test_the_download_view_streams_from_a_storage_without_local_files(client, settings, media_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.MemoryStorage"},
    }
    MemoryStorage.files.clear()
    data = b"%PDF-1.4 " + bytes(range(256)) * 20
    practice = PublishedPracticeFactory()
    attachment = Attachment.objects.create(
        practice=practice,
        title="Ordenanza",
        file=ContentFile(data, name="ordenanza.pdf"),
        original_name="Ordenanza.pdf",
        content_type="application/pdf",
        size=len(data),
    )
    url = reverse("practices:attachment-download", args=[attachment.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"] == 'attachment; filename="Ordenanza.pdf"'
    assert not any(media_root.iterdir())  # nothing on local disk
    MemoryStorage.files.clear()
    assert client.get(url).status_code == 404
