"""The logs hold no e-mail address and no query string (portal/logging.py, settings.LOGGING)."""

import copy
import io
import json
import logging
import logging.config
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from portal.logging import PersonalDataFilter, scrub


def record(msg, *args, exc_info=None, **extra):
    made = logging.LogRecord("portal.test", logging.ERROR, __file__, 1, msg, args, exc_info)
    for name, value in extra.items():
        setattr(made, name, value)
    return made


def filtered(made):
    assert PersonalDataFilter().filter(made) is True  # rewritten, never dropped
    return made


def test_scrub_removes_addresses_and_query_strings_but_keeps_a_lone_question_mark():
    assert scrub("ana.lopez+redes@alcaldia.gob.sv wrote") == "[email] wrote"
    assert scrub('GET /es/practices/?q=agua&page=2 "x"') == 'GET /es/practices/ "x"'
    assert scrub("Is it ready? yes") == "Is it ready? yes"


def test_the_message_is_formatted_with_its_arguments_then_scrubbed():
    made = filtered(record("Mail to %s failed for %s", "ana@example.org", "/practices/?q=ana"))

    assert made.getMessage() == "Mail to [email] failed for /practices/"
    assert made.args == ()


def test_the_exception_text_is_scrubbed_and_the_traceback_kept():
    try:
        raise ValueError("duplicate key (email)=(ana@example.org)")
    except ValueError:
        made = filtered(record("Import failed", exc_info=sys.exc_info()))

    assert made.exc_info is None
    assert "ValueError: duplicate key (email)=([email])" in made.exc_text
    assert "Traceback" in made.exc_text
    assert "ana@example.org" not in made.exc_text


def test_a_request_becomes_its_method_and_path_and_text_extras_are_scrubbed():
    request = RequestFactory().get("/es/practices/", {"q": "ana@example.org"})
    made = filtered(
        record("Not Found: %s", request.get_full_path(), request=request, note="to ana@example.org")
    )

    assert not hasattr(made, "request")
    assert (made.method, made.path) == ("GET", "/es/practices/")
    assert made.getMessage() == "Not Found: /es/practices/"
    assert made.note == "to [email]"


@pytest.fixture
def json_log():
    """A logger wired like the console handler of settings.LOGGING, JSON formatter, into a
    buffer; the root logger is left alone."""
    config = copy.deepcopy(settings.LOGGING)
    buffer = io.StringIO()
    handler = {**config["handlers"]["console"], "formatter": "json", "stream": buffer}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": config["filters"],
            "formatters": config["formatters"],
            "handlers": {"probe": handler},
            "loggers": {"tests.json_probe": {"handlers": ["probe"], "propagate": False}},
        }
    )
    logger = logging.getLogger("tests.json_probe")
    logger.setLevel(logging.INFO)
    yield logger, buffer
    for attached in list(logger.handlers):
        logger.removeHandler(attached)
        attached.close()


def test_the_json_format_writes_one_object_per_line_without_personal_data(json_log):
    logger, buffer = json_log
    request = RequestFactory().get("/practices/", {"q": "maria@example.org"})

    logger.info("Invitation sent to %s", "maria@example.org")
    logger.warning("Slow page", extra={"request": request, "status_code": 200})
    try:
        raise RuntimeError("SMTP refused maria@example.org")
    except RuntimeError:
        logger.exception("Mail failed")

    output = buffer.getvalue()
    lines = output.splitlines()
    assert len(lines) == 3
    entries = [json.loads(line) for line in lines]
    assert [(e["level"], e["logger"], e["message"]) for e in entries] == [
        ("INFO", "tests.json_probe", "Invitation sent to [email]"),
        ("WARNING", "tests.json_probe", "Slow page"),
        ("ERROR", "tests.json_probe", "Mail failed"),
    ]
    assert all("timestamp" in entry for entry in entries)
    assert (entries[1]["method"], entries[1]["path"], entries[1]["status"]) == (
        "GET",
        "/practices/",
        200,
    )
    assert "RuntimeError: SMTP refused [email]" in entries[2]["exc_info"]
    assert "@example.org" not in output
    assert "?q=" not in output
