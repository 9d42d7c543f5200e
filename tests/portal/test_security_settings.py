"""What counts as HTTPS behind the TLS proxy, and the Content Security Policy of the admin.

gunicorn, configured by portal/gunicorn.conf.py as `make serve` runs it, parses raw requests
here and Django reads the request it builds: no server, no browser. The production settings
themselves (no SECURE_PROXY_SSL_HEADER, the cookie names) are in tests/portal/test_settings.py.
"""

import datetime
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIRequest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.errors import InvalidSchemeHeaders
from gunicorn.http.parser import RequestParser

from tests.portal.test_admin_spanish import records, staff_pages, superuser  # noqa: F401

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "portal" / "gunicorn.conf.py"
PROXY = ("127.0.0.1", 41000)  # the default GUNICORN_FORWARDED_ALLOW_IPS
STRANGER = ("203.0.113.7", 41000)


def _gunicorn_config():
    """The configuration as gunicorn reads the file: every name it knows, set in turn."""
    config = Config()
    for name, value in runpy.run_path(str(GUNICORN_CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def _request(*headers, peer=PROXY):
    """The request Django sees when ``peer`` sends a GET with ``headers`` to gunicorn."""
    config = _gunicorn_config()
    raw = "".join(f"{line}\r\n" for line in ("GET / HTTP/1.1", "Host: example.org", *headers))
    parsed = next(RequestParser(config, iter([f"{raw}\r\n".encode()]), peer))
    _response, environ = wsgi.create(parsed, None, peer, ("127.0.0.1", 8000), config)
    return WSGIRequest(environ)


def test_gunicorn_access_log_names_no_query_string_nor_referrer():
    from gunicorn.glogging import Logger, SafeAtoms

    config = _gunicorn_config()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/practices/?q=ana.lopez%40example.org",
        "PATH_INFO": "/practices/",
        "QUERY_STRING": "q=ana.lopez%40example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://redes.example.org/practices/?q=ana.lopez%40example.org",
        "HTTP_USER_AGENT": "Mozilla/5.0 (ana.lopez)",
    }
    response = type("Response", (), {"status": "200 OK", "sent": 10, "headers": []})()
    request = type("Request", (), {"headers": []})()

    atoms = Logger(config).atoms(response, request, environ, datetime.timedelta(milliseconds=12))
    line = config.access_log_format % SafeAtoms(atoms)

    assert '"GET /practices/" 200 10 12ms' in line
    assert "ana" not in line and "q=" not in line


def test_gunicorn_believes_only_the_proxys_forwarded_proto():
    config = _gunicorn_config()

    assert config.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    assert config.forwarded_allow_ips == ["127.0.0.1"]
    assert config.forwarder_headers == []


@pytest.mark.parametrize(
    ("headers", "peer", "secure"),
    [
        (["X-Forwarded-Proto: https"], PROXY, True),
        ([], PROXY, False),
        (["X-Forwarded-Proto: http"], PROXY, False),
        # The client wrote "https" and a proxy appended what it saw: not one value from us.
        (["X-Forwarded-Proto: https, http"], PROXY, False),
        (["X-Forwarded-Proto: http, https"], PROXY, False),
        (["X-Forwarded-Proto: HTTPS"], PROXY, False),
        # Headers gunicorn believes by default, which our proxy never sets.
        (["X-Forwarded-Ssl: on"], PROXY, False),
        (["X-Forwarded-Protocol: ssl"], PROXY, False),
        # Anybody but the proxy.
        (["X-Forwarded-Proto: https"], STRANGER, False),
    ],
)
def test_request_is_secure_only_with_the_proxys_single_https(settings, headers, peer, secure):
    settings.SECURE_PROXY_SSL_HEADER = None  # as in production (tests/portal/test_settings.py)

    assert _request(*headers, peer=peer).is_secure() is secure


def test_gunicorn_refuses_a_request_with_conflicting_forwarded_protos():
    with pytest.raises(InvalidSchemeHeaders):
        _request("X-Forwarded-Proto: http", "X-Forwarded-Proto: https")


# The admin's Content Security Policy ---------------------------------------------------------


class _InlineCode(HTMLParser):
    """The scripts, style elements, style attributes and event-handler attributes of a page."""

    def __init__(self):
        super().__init__()
        self.scripts = []  # the attributes of each <script>
        self.style_elements = 0
        self.style_attributes = 0
        self.handlers = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        elif tag == "style":
            self.style_elements += 1
        self.style_attributes += "style" in attributes
        self.handlers |= {name for name in attributes if name.startswith("on")}


def _directives(policy):
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def _script_runs(script, nonces):
    """Whether the policy lets ``script`` run: from a file, or inline with the header's nonce.
    A JSON data block (Django's ``json_script``) is data, never run."""
    return (
        bool(script.get("src"))
        or f"'nonce-{script.get('nonce')}'" in nonces
        or script.get("type") == "application/json"
    )


@pytest.mark.django_db
def test_admin_pages_send_a_policy_that_runs_only_their_script_files(client, records):  # noqa: F811
    user = superuser("es")
    client.force_login(user)
    blocked = {}

    for url in staff_pages(user):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = _directives(response.headers["Content-Security-Policy"])
        assert (directives["script-src"], directives["style-src"]) == (["'self'"], ["'self'"])
        page = _InlineCode()
        page.feed(response.content.decode())
        assert [s for s in page.scripts if not _script_runs(s, directives["script-src"])] == []
        inline = (page.style_elements, page.style_attributes, sorted(page.handlers))
        if inline != (0, 0, []):
            blocked[re.sub(r"/\d+/", "/<id>/", url)] = inline

    # What the policy blocks: third-party markup, harmless to lose (portal/settings/base.py).
    pages = {re.sub(r"/\d+/", "/<id>/", url) for url in staff_pages(user)}
    assert blocked == {url: (0, 2, ["onchange"]) for url in pages if url.endswith("/export/")}
