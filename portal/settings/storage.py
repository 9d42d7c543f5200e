"""Where uploaded files (practice attachments) live: local disk or an S3-compatible bucket.

A plain function of the environment, so the choice can be tested without boto3 installed.
Files are never linked to directly: every download goes through the access-checking view
(practices/views_attachments.py), which reads the file through the storage and streams it.
So the bucket stays private; signed URLs (``AWS_QUERYSTRING_AUTH``) and a custom domain
only matter to code that asks the storage for a URL, which the portal's pages do not.
"""

import importlib.util
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"
_TRUE = {"1", "true", "yes", "y", "on", "ok"}


def _flag(environ, name, default):
    value = environ.get(name, "").strip().lower()
    return default if not value else value in _TRUE


def media_storage(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry that ``environ`` asks for.

    ``DJANGO_MEDIA_STORAGE=s3``, or a bucket named in ``AWS_STORAGE_BUCKET_NAME``, chooses
    the bucket; otherwise files go to ``MEDIA_ROOT`` on local disk. Credentials are not read
    here: boto3 finds ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` (or the machine's
    role) itself, so they never sit in the settings.
    """
    kind = environ.get("DJANGO_MEDIA_STORAGE", "").strip().lower()
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if kind not in {"", "local", "s3"}:
        raise ImproperlyConfigured('DJANGO_MEDIA_STORAGE must be "local" or "s3".')
    if kind == "local" or (not kind and not bucket):
        return dict(LOCAL)
    if not bucket:
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_STORAGE=s3 needs the bucket's name in AWS_STORAGE_BUCKET_NAME."
        )
    missing = [name for name in ("storages", "boto3") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImproperlyConfigured(
            "Media on S3 needs django-storages and boto3, which are not installed ("
            + ", ".join(missing)
            + "): install the deployment lock, "
            "pip install --require-hashes -r requirements/deploy.txt."
        )
    options = {
        "bucket_name": bucket,
        # Private objects, and a new upload never replaces an existing object of that name.
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": _flag(environ, "AWS_QUERYSTRING_AUTH", True),
        "querystring_expire": int(environ.get("AWS_QUERYSTRING_EXPIRE") or 3600),
    }
    optional = {
        "endpoint_url": "AWS_S3_ENDPOINT_URL",  # S3-compatible services (MinIO, Ceph, ...)
        "region_name": "AWS_S3_REGION_NAME",
        "custom_domain": "AWS_S3_CUSTOM_DOMAIN",
        "location": "AWS_LOCATION",  # a prefix inside the bucket
    }
    for option, name in optional.items():
        if value := environ.get(name, "").strip():
            options[option] = value
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
