"""Settings for the test suite: the base settings with fast, isolated services."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
# Production settings want a real mail server and sender; the suite keeps mail in memory (below).
os.environ.setdefault("EMAIL_URL", "smtp://mail.invalid:25")
os.environ.setdefault("DJANGO_DEFAULT_FROM_EMAIL", "portal@example.org")

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
FACET_COUNTS_CACHE_SECONDS = 0
CACHES = {
    **CACHES,
    # The database cache of production, in the test database (Django's test runner creates its
    # table), whatever CACHE_URL or REDIS_URL say: the suite never touches a real Redis except
    # in tests/accounts/test_rate_limits.py, which asks for REDIS_URL itself.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-pages",
    },
}
