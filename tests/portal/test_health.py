import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_readyz_reports_database_ok(client):
    response = client.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert (response.status_code, response.content) == (200, b"ok")


def test_readyz_is_503_when_the_database_is_unreachable():
    # A separate process whose DATABASE_URL points at a database that cannot be opened.
    script = (
        "import django, json;"
        "django.setup();"
        "from django.test.utils import setup_test_environment;"
        "setup_test_environment();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": "sqlite:////nonexistent-directory/portal.sqlite3",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        503,
        {"status": "unavailable", "database": "error"},
    ]


def test_favicon_ico_redirects_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/img/favicon.svg")
