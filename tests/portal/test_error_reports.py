"""The optional error reports (portal/error_reports.py): scrubbed like the logs, and required
to be installed once SENTRY_DSN asks for them."""

import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import error_reports

ROOT = Path(__file__).resolve().parents[2]


def test_before_send_scrubs_the_event_and_drops_personal_context():
    event = {
        "message": "Invitation to ana@example.org bounced",
        "logentry": {
            "message": "Mail to %s failed",
            "params": ["ana@example.org"],
            "formatted": "Mail to ana@example.org failed",
        },
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "Key (email)=(ana@example.org) already exists.",
                    "stacktrace": {"frames": [{"function": "person_save", "vars": {"e": "x"}}]},
                }
            ]
        },
        "request": {
            "url": "https://redes.example.org/practices/?q=ana@example.org",
            "method": "GET",
            "query_string": "q=ana@example.org",
            "cookies": {"__Host-sessionid": "secret"},
            "data": {"email": "ana@example.org"},
            "headers": {
                "Host": "redes.example.org",
                "Cookie": "__Host-sessionid=secret",
                "Authorization": "Basic xyz",
                "Referer": "https://redes.example.org/?q=ana",
            },
        },
        "user": {"email": "ana@example.org", "ip_address": "10.0.0.1"},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT 1", "data": {"params": ["b@example.org"]}},
                {"category": "django", "message": "GET /es/?q=agua"},
            ]
        },
        "extra": {"note": "for ana@example.org", "rows": 3},
    }

    scrubbed = error_reports.before_send(event, {})

    assert scrubbed["message"] == "Invitation to [email] bounced"
    assert scrubbed["logentry"] == {
        "message": "Mail to %s failed",
        "formatted": "Mail to [email] failed",
    }
    exception = scrubbed["exception"]["values"][0]
    assert exception["value"] == "Key (email)=([email]) already exists."
    assert exception["stacktrace"]["frames"] == [{"function": "person_save"}]
    assert scrubbed["request"] == {
        "url": "https://redes.example.org/practices/",
        "method": "GET",
        "headers": {"Host": "redes.example.org", "Referer": "https://redes.example.org/"},
    }
    assert "user" not in scrubbed
    assert scrubbed["breadcrumbs"]["values"] == [
        {"category": "query", "message": "SELECT 1", "data": {"params": ["[email]"]}},
        {"category": "django", "message": "GET /es/"},
    ]
    assert scrubbed["extra"] == {"note": "for [email]", "rows": 3}
    assert "example.org" not in str({k: v for k, v in scrubbed.items() if k != "request"})


@pytest.fixture
def fake_sentry(monkeypatch):
    """sentry_sdk as far as init_error_reports uses it, recording the call."""
    calls = []
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = lambda **options: calls.append(options)
    integrations = types.ModuleType("sentry_sdk.integrations")
    django_module = types.ModuleType("sentry_sdk.integrations.django")

    class DjangoIntegration:
        pass

    django_module.DjangoIntegration = DjangoIntegration
    monkeypatch.setitem(sys.modules, "sentry_sdk", sdk)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations", integrations)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.django", django_module)
    return calls, DjangoIntegration


def test_init_sends_no_personal_data_and_scrubs_every_event(fake_sentry):
    calls, django_integration = fake_sentry

    error_reports.init_error_reports(
        "https://key@errors.example.org/1", "staging", "abc123", traces_sample_rate=0.1
    )

    [options] = calls
    assert options["dsn"] == "https://key@errors.example.org/1"
    assert (options["environment"], options["release"]) == ("staging", "abc123")
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["traces_sample_rate"] == 0.1
    assert options["before_send"] is error_reports.before_send
    assert options["before_breadcrumb"] is error_reports.before_breadcrumb
    assert [type(integration) for integration in options["integrations"]] == [django_integration]


def test_init_without_sentry_sdk_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # "import sentry_sdk" fails

    with pytest.raises(ImproperlyConfigured, match="sentry-sdk is not installed"):
        error_reports.init_error_reports("https://key@errors.example.org/1")


def _check_with(**variables):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("SENTRY_DSN", None)
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.base", DJANGO_DEBUG="1", **variables)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.skipif(
    importlib.util.find_spec("sentry_sdk") is not None,
    reason="sentry-sdk is installed here, so the portal starts",
)
def test_the_portal_refuses_to_start_with_a_dsn_and_no_sentry_sdk():
    result = _check_with(SENTRY_DSN="https://key@errors.example.org/1")

    assert result.returncode != 0
    assert "SENTRY_DSN is set but sentry-sdk is not installed" in result.stderr
