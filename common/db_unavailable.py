"""A database that cannot be reached answers 503 with a short page, not a 500.

While PostgreSQL restarts (or a connection it dropped is noticed), every request that queries
fails with OperationalError or InterfaceError. That is not a bug in the page: the visitor
should retry in a few seconds, and monitoring should count it as unavailability, not as an
error to fix. CONN_HEALTH_CHECKS (portal/settings/base.py) makes the first request after the
outage open a new connection instead of failing on the dead one.

The error can come from a view, a template rendered late, or a middleware (the session read
by the sign-in check, the session saved on the way out). Django turns an exception in any
middleware into a 500 response on the spot, before an outer middleware could catch it, so
this one listens to ``got_request_exception`` (sent for every such exception, while it is
being handled) and replaces the 500 on the way out. Keep it just inside SecurityMiddleware:
outside everything that may query.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger("portal.db_unavailable")

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
FLAG = "_database_unavailable"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_flag_request, dispatch_uid="common.db_unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, FLAG, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        # From a view: answered here, without the traceback logged as a server error.
        if isinstance(exception, DATABASE_DOWN):
            logger.warning(
                "database unavailable: %s %s: %s", request.method, request.path, exception
            )
            return unavailable_response(request)
        return None


def _flag_request(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_DOWN):
        setattr(request, FLAG, True)


def unavailable_response(request) -> HttpResponse:
    """The 503 page: no query, no session, no context processors (templates/503.html)."""
    language = translation.get_language_from_request(request, check_path=True)
    with translation.override(language):
        body = render_to_string("503.html")
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Neither the browser nor a proxy may keep the outage page in place of the real one.
    response["Cache-Control"] = "no-store"
    return response
