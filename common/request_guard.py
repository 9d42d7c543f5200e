"""Requests carrying a NUL byte are answered 400 before anything reads them.

PostgreSQL can neither store nor compare text containing NUL, so no address, query or form
value with one can ever be valid; left alone, it reaches a query and ends in a 500 (or, on
the static files, in "embedded null byte" from the file system).
"""

from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext

NUL = "\x00"


class RejectNulBytesMiddleware:
    """Answers 400 to a NUL in the path, a query key or value, or a form field's name or
    value. Uploaded files' contents are not looked at: they may be binary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            # LocaleMiddleware has not run yet: the message follows the address and the
            # browser, as the page would have.
            language = translation.get_language_from_request(request, check_path=True)
            with translation.override(language):
                message = gettext(
                    "The address or the form contains a character that is not allowed (a NUL byte)."
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(request) -> bool:
    if NUL in request.path_info or NUL in request.path:
        return True
    if _has_nul_in(request.GET):
        return True
    if request.method == "POST":
        # Parsing the body here raises what it would raise later (too many fields, a
        # malformed multipart): Django answers those with a 400 as well.
        return _has_nul_in(request.POST) or any(NUL in name for name in request.FILES)
    return False


def _has_nul_in(query_dict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists()
    )
