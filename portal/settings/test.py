"""Settings for the test suite: the base settings with fast, isolated services."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from .base import *  # noqa: F403
from .base import CACHES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
ACCOUNT_RATE_LIMITS = False
WHITENOISE_AUTOREFRESH = True  # no collectstatic before tests
# Pages are rendered afresh in tests; tests/portal/test_page_cache.py turns the cache on, in
# memory (nothing written to disk).
PUBLIC_PAGE_CACHE_SECONDS = 0
CACHES = {
    **CACHES,
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-pages",
    },
}
