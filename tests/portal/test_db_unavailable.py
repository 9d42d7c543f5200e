"""An unreachable database: 503 with Retry-After, never a 500 (common/db_unavailable.py)."""

import pytest
from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

MESSAGE = "The service is unavailable for a moment; please try again in a few seconds."


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')


def connection_closed(request):
    raise InterfaceError("connection already closed")


def other_error(request):
    raise ValueError("a bug, not an outage")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("down/", database_down),
    path("closed/", connection_closed),
    path("bug/", other_error),
    path("ok/", ok),
]


def spanish(text):
    with translation.override("es"):
        return gettext(text)


@pytest.fixture
def client():
    # Uncaught exceptions become responses, as under gunicorn, instead of being re-raised.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("address", ["/down/", "/closed/"])
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_view_failing_on_the_database_answers_503_with_retry_after(client, address):
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    # Both languages, so that the message reads even when the visitor's choice is unknown.
    assert f'<p class="lead" lang="en">{MESSAGE}</p>' in page
    assert f'lang="es">{spanish(MESSAGE)}</p>' in page
    assert "Traceback" not in page and "Connection refused" not in page
    assert "connection already closed" not in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_the_spanish_page_puts_the_spanish_message_first(client):
    page = client.get("/down/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert page.index('lang="es"') < page.index('<p lang="en">')
    assert '<html lang="es">' in page


class SessionReadFails:
    """Stands for the session read by the sign-in checks, deep in the middleware chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


def test_a_database_error_in_a_middleware_is_a_503_as_well(client):
    # Django turns a middleware's exception into a 500 response on the spot, before any outer
    # middleware sees the exception.
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        f"{__name__}.SessionReadFails",
    )
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False, MIDDLEWARE=middleware):
        response = client.get("/ok/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert MESSAGE in response.content.decode()
    assert "server closed" not in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_other_errors_stay_500(client):
    response = client.get("/bug/")

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_pages_that_work_are_untouched(client):
    response = client.get("/ok/")

    assert (response.status_code, response.content) == (200, b"ok")
