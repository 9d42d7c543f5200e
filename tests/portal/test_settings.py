"""Production settings refuse to fall back to development defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.pop("EMAIL_URL", None)
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DATABASE_URL="sqlite:////tmp/portal-settings-test.sqlite3")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_database_url():
    result = _manage("check", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="k3y-" + "z9Q!" * 15,
        DATABASE_URL="sqlite:////tmp/portal-settings-test.sqlite3",
        EMAIL_URL="smtp+tls://portal:pw@smtp.example.org:587",
        DJANGO_DEFAULT_FROM_EMAIL="portal@example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_mode_starts_with_development_defaults():
    result = _manage("check", DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr


def _setting(expression, **env):
    code = f"from django.conf import settings; print({expression})"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_public_pages_are_cached_in_production_and_fresh_in_development():
    production = {
        "DJANGO_SECRET_KEY": "k3y-" + "z9Q!" * 15,
        "DATABASE_URL": "sqlite:////tmp/portal-settings-test.sqlite3",
        "EMAIL_URL": "smtp+tls://portal:pw@smtp.example.org:587",
        "DJANGO_DEFAULT_FROM_EMAIL": "portal@example.org",
    }

    assert _setting("settings.PUBLIC_PAGE_CACHE_SECONDS", **production) == "300"
    assert _setting("settings.PUBLIC_PAGE_CACHE_SECONDS", DJANGO_DEBUG="1") == "0"
    # Shared by every worker of the machine, so that a change is forgotten by all of them.
    backend = "settings.CACHES['pages']['BACKEND']"
    assert _setting(backend, **production) == "django.core.cache.backends.filebased.FileBasedCache"
    assert _setting(backend, PAGE_CACHE_URL="locmemcache://", **production) == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_an_unconfigured_checkout_runs_commands_with_development_defaults():
    result = _manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


PRODUCTION = {
    "DJANGO_SECRET_KEY": "k3y-" + "z9Q!" * 15,
    "DATABASE_URL": "sqlite:////tmp/portal-settings-test.sqlite3",
    "EMAIL_URL": "smtp+tls://portal:pw@smtp.example.org:587",
    "DJANGO_DEFAULT_FROM_EMAIL": "portal@example.org",
}
COOKIES = (
    "(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,"
    " settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_DOMAIN, settings.CSRF_COOKIE_DOMAIN,"
    " settings.SESSION_COOKIE_PATH, settings.CSRF_COOKIE_PATH)"
)


def test_production_cookies_carry_the_host_prefix_and_development_ones_do_not():
    # "__Host-" holds only with Secure, Path=/ and no Domain; plain HTTP on 127.0.0.1 cannot.
    assert _setting(COOKIES, **PRODUCTION) == (
        "('__Host-sessionid', '__Host-csrftoken', True, True, None, None, '/', '/')"
    )
    assert _setting(COOKIES, DJANGO_DEBUG="1") == (
        "('sessionid', 'csrftoken', False, False, None, None, '/', '/')"
    )
    # A browser drops a "__Host-" cookie without Secure: with secure cookies turned off, so is
    # the prefix, or nobody could sign in.
    assert _setting(COOKIES, DJANGO_SECURE_COOKIES="0", **PRODUCTION) == (
        "('sessionid', 'csrftoken', False, False, None, None, '/', '/')"
    )


def test_production_leaves_https_to_gunicorn_and_the_policy_covers_the_admin():
    # Django would take the first entry of X-Forwarded-Proto from anybody ("https, http" is
    # HTTPS to it); gunicorn believes only our proxy's exact "https" (test_security_settings.py).
    expression = (
        "(settings.SECURE_PROXY_SSL_HEADER,"
        " settings.CONTENT_SECURITY_POLICY.get('EXCLUDE_URL_PREFIXES'))"
    )

    assert _setting(expression, **PRODUCTION) == "(None, None)"
