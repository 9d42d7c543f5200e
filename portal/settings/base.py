"""Settings for every environment, read from the environment.

Local development sets ``DJANGO_DEBUG=1`` (the Makefile does). With debug off the
portal refuses to start without an explicit secret key and database URL, so a
production deployment can never fall back to development defaults.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV, XLSX

from .storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

if not DEBUG and "DATABASE_URL" not in env:
    raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_DEBUG is off.")

# Absolute base of links in e-mails, where no request tells the host name.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Applications ---------------------------------------------------------------
DJANGO_APPS = [
    # Django's admin on the portal's site (common/admin_site.py: prefills checked).
    "common.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    # The widget templates for FORM_RENDERER (TemplatesSetting finds them through the app).
    "django.forms",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Each person sees and ends their own signed-in sessions (My account).
    "allauth.usersessions",
    "import_export",
    "csp",
    "rules",
    "simple_history",
]
LOCAL_APPS = [
    "portal",
    "accounts",
    "networks",
    "practices",
    "conferences",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The database unreachable (PostgreSQL restarting): 503 and Retry-After, not a 500; outside
    # every middleware that may query (common/db_unavailable.py).
    "common.db_unavailable.DatabaseUnavailableMiddleware",
    # A NUL byte: 400 before static files, sessions or queries see it (common/request_guard.py).
    "common.request_guard.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail names the signed-in user of a request that writes (common/audit.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # An account whose password others know chooses a new one first (accounts/middleware.py).
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # The admin in the staff member's own language (accounts/middleware.py).
    "accounts.middleware.AdminLanguageMiddleware",
    # Staff reach the admin only after a second factor (accounts/middleware.py).
    "accounts.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# The portal's own forms: label, hint and error tied to each input (common/forms.py).
FORM_RENDERER = "common.forms.PortalFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
            ],
        },
    },
]

# Database -------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches -------------------------------------------------------------------------
# "default": the login rate limits (allauth counts failed sign-ins there) and small lookups.
# Every gunicorn worker, on every machine, must read and write the same counters, or each one
# grants its own allowance: Redis when REDIS_URL is set, otherwise a table in the database
# (`manage.py createcachetable`, which `make run` and `make serve` run: `migrate` does not create
# it). CACHE_URL, when set, overrides both (locmemcache:// keeps the counters per process).
# "pages": public pages for anonymous visitors
# (common/caching.py), emptied whenever a public record changes. In production the pages live
# in files on local disk, shared by every gunicorn worker on the machine and kept across worker
# restarts, so a change is forgotten everywhere at once (redis://... works as well).
if "CACHE_URL" in env:
    _default_cache = env.cache_url("CACHE_URL")
elif env.str("REDIS_URL", default=""):
    _default_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
    }
else:
    _default_cache = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
        # Counters live five minutes at most; a cull (a third of the rows, past MAX_ENTRIES)
        # would forget some of them early, so leave room for a busy spell.
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
CACHES = {
    "default": _default_cache,
    "pages": env.cache_url(
        "PAGE_CACHE_URL",
        default="locmemcache://pages" if DEBUG else f"filecache://{BASE_DIR / 'var' / 'pages'}",
    ),
}
CACHES["pages"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 1000)
# How long an anonymous visitor's page is reused at most; 0 renders every page afresh (the
# default in development, where templates change under the developer's eyes).
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=0 if DEBUG else 300)
# How long the facet counts of a search are kept (in the same cache, forgotten with the
# pages on every write): every page, order and language of a search shares them, and for a
# broad search they are most of the work. 0 counts on every request.
FACET_COUNTS_CACHE_SECONDS = env.int("FACET_COUNTS_CACHE_SECONDS", default=0 if DEBUG else 600)

# Client address ---------------------------------------------------------------------
# The login rate limits count per client address. Behind the TLS proxy every request comes
# from the proxy, so say how to find the client's own address (allauth reads these settings):
# DJANGO_TRUSTED_PROXY_COUNT, the number of proxies of ours that each append the address they
# received from to X-Forwarded-For (the client's is then the count-th from the right; what the
# client wrote further left is ignored), or DJANGO_CLIENT_IP_HEADER, a header our proxy sets to
# the client's address on every request, overwriting any the client sent (e.g. X-Real-IP).
# By default no proxy is trusted: the address is the connection's (REMOTE_ADDR) and forwarded
# headers, which anybody can write, are ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="") or None
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
if ALLAUTH_TRUSTED_PROXY_COUNT and ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    raise ImproperlyConfigured(
        "Set DJANGO_TRUSTED_PROXY_COUNT or DJANGO_CLIENT_IP_HEADER, not both: the header wins "
        "and the count would be ignored."
    )

# Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The audit trail (common/audit.py). Reverting from the admin's history would write around
# the services, so it is off; past versions are read only.
SIMPLE_HISTORY_REVERT_DISABLED = True

AUTHENTICATION_BACKENDS = [
    # Object permissions (user.has_perm(perm, obj)) ask networks.access through django-rules.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# An address counts only once its owner followed the link mailed to it: signing in with an
# unverified address sends that link instead. Someone else's address cannot be added
# (accounts.adapters.AccountAdapter.clean_email_to_add).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_FORMS = {"add_email": "accounts.forms.AddEmailForm"}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Confirming who you are before a sensitive change (e-mail, two-factor): the password or the
# second factor, never a code mailed to an inbox someone else may read.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Days an invitation link to the portal works (networks/invitations.py).
INVITATION_VALID_DAYS = 7
# Days after their last activity (a seat's end, a session, a change to their record) when a
# person with no open seat is listed for review, for erasure (networks/personal_data.py,
# `manage.py retention_report`). Five years by default.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=5 * 365)

# Two-factor authentication (allauth MFA), required for staff by accounts/middleware.py: an
# authenticator app, backed by recovery codes. Security keys (WebAuthn) can follow once tried.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portal de redes y mesas transfronterizas"
# My account lists each session's device and address as recorded at sign-in. Tracking every
# request ("last seen") would cost a database write per page, on slow connections: off.
USERSESSIONS_TRACK_ACTIVITY = False

# Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The region's display time zone (UTC-6 all year, no daylight saving).
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="America/Guatemala")

# Static and uploaded files ----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
PRACTICE_ATTACHMENT_MAX_BYTES = env.int("PRACTICE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
FIGURES_SUPPRESSION_THRESHOLD = env.int("FIGURES_SUPPRESSION_THRESHOLD", default=5)  # public "<5"
# In development whitenoise serves straight from the app and static/ folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    # MEDIA_ROOT on local disk, or an S3-compatible bucket (DJANGO_MEDIA_STORAGE=s3,
    # AWS_STORAGE_BUCKET_NAME...; portal/settings/storage.py, docs/deploy.md).
    "default": media_storage(env.ENVIRON),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail -----------------------------------------------------------------------
# Production mail must reach people: a backend that prints, keeps or drops messages would put
# password-reset and verification links in the log, so it refuses to start with one.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if not DEBUG and EMAIL_CONFIG["EMAIL_BACKEND"] in UNDELIVERED_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        "EMAIL_URL must name a mail server (e.g. smtp+tls://user:password@host:587) when "
        "DJANGO_DEBUG is off."
    )
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="portal@localhost")
# "portal@example.org" or "Portal de redes <portal@example.org>"; not the development default.
_sender_domain = (
    DEFAULT_FROM_EMAIL.rstrip("> ").rpartition("@")[2] if "@" in DEFAULT_FROM_EMAIL else ""
)
if not DEBUG and _sender_domain.lower() in {"", "localhost"}:
    raise ImproperlyConfigured(
        "DJANGO_DEFAULT_FROM_EMAIL must be a real sender address when DJANGO_DEBUG is off."
    )
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every subject starts with the portal's short name (the admin header, portal/urls.py, and the
# MFA issuer give the long one).
PORTAL_NAME = "Portal de redes"
EMAIL_SUBJECT_PREFIX = f"[{PORTAL_NAME}] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
ADMINS = [("Operators", address) for address in env.list("DJANGO_ADMIN_EMAILS", default=[])]

# Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    # No SECURE_PROXY_SSL_HEADER: Django would read X-Forwarded-Proto itself, from any peer,
    # and take its first entry, so "https, http" (the client's "https" with our proxy's "http"
    # appended) would count as HTTPS. gunicorn decides instead (portal/gunicorn.conf.py): it
    # believes the header only from the proxy's address, and only when the whole value is
    # exactly "https"; Django reads its verdict from wsgi.url_scheme.
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if SESSION_COOKIE_SECURE:
        # A "__Host-" cookie is only accepted with Secure, Path=/ and no Domain (Django's
        # defaults, kept: no SESSION_COOKIE_DOMAIN or CSRF_COOKIE_DOMAIN), so neither a
        # sibling subdomain nor a plain-HTTP page can set or overwrite it. Debug, on
        # http://127.0.0.1, keeps the plain names.
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# One strict policy for every page, the admin included: no inline script or style anywhere.
# The admin's scripts and styles are static files, and its few inline bits are blocked
# without harm: the import-export export page's "select all" toggle (an onchange
# attribute; the field checkboxes still work one by one) and a few style attributes of
# third-party templates (spacing only: that page's, the history list's paginator). Django's
# change list adds a <style> only to a model admin with no actions bar (none here; blocked,
# it widens a column). Nonces are not used: public pages
# are cached for anonymous visitors (common/caching.py), and a cached page would carry a
# nonce its header no longer names.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Spreadsheets (django-import-export) ----------------------------------------------
# Import and export need explicit permissions (networks.import_<model>, export_<model>):
# by default the library lets any staff user do both.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_FORMATS = [CSV, XLSX]
# An upload waiting for its confirmation is kept in a folder of its own and removed once
# abandoned (common/spreadsheets/uploads.py), not left in the system temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "common.spreadsheets.uploads.KeptSheetStorage"
# Upload limit for spreadsheets and request bodies (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024
)

# Logging: everything to stderr, where the process manager collects it. In production one JSON
# object per line (timestamp, level, logger, message; method, path and status of a request),
# for a log service to index; plain lines in development. Either way no e-mail address and no
# query string (search words) reaches the log: portal/logging.py rewrites every record first.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured('DJANGO_LOG_FORMAT must be "json" or "text".')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "portal.logging.PersonalDataFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "status_code": "status"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# Error reports: off unless SENTRY_DSN is set (needs sentry-sdk, requirements/deploy.txt);
# scrubbed like the logs before they leave (portal/error_reports.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from portal.error_reports import init_error_reports

    init_error_reports(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
