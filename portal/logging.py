"""What the portal's logs may hold: no e-mail address and no query string.

Logs leave the machine (a log service, an operator's terminal) and are kept longer than the
records they mention, so nothing in them may name a person. Two things would, left alone:
e-mail addresses (in messages, in exceptions, in the arguments of a failed mail) and query
strings (the catalogue's search words, an address typed into a search box, tokens in links).
:class:`PersonalDataFilter` sits on the one console handler (``LOGGING`` in the settings)
and rewrites every record before any formatter, plain or JSON, sees it.
"""

import logging
import re

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# "?" right after a path or word, up to the next space or quote: "/practices/?q=agua" keeps
# "/practices/". A lone question mark ("Is it ready? yes") is left alone.
QUERY_STRING = re.compile(r"(?<=[\w/.%-])\?[^\s\"'<>]+")
EMAIL_PLACEHOLDER = "[email]"

# The attributes every LogRecord has; anything else on a record is an ``extra``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text):
    """``text`` without e-mail addresses and query strings."""
    return QUERY_STRING.sub("", EMAIL.sub(EMAIL_PLACEHOLDER, text))


class PersonalDataFilter(logging.Filter):
    """Rewrite a record so that no handler after this one sees personal data.

    - The message is formatted with its arguments, then scrubbed (an argument may be an
      address or a URL with its query).
    - The exception's traceback is formatted here and scrubbed: the exception's text often
      quotes the value that failed.
    - ``request`` (django.request and django.server log the request object, whose repr holds
      the query string) becomes ``method`` and ``path``; any other text extra is scrubbed.
    """

    def filter(self, record):
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        request = vars(record).pop("request", None)
        if request is not None:
            # django.server passes the socket, which has neither.
            record.method = getattr(request, "method", None)
            record.path = scrub(getattr(request, "path", "") or "") or None
        for name, value in list(vars(record).items()):
            if name not in _RECORD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, scrub(value))
        return True
