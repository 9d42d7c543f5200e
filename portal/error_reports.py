"""The optional error-reporting hook: Sentry (or a Sentry-compatible service such as GlitchTip).

Off unless ``SENTRY_DSN`` is set; sentry-sdk is then needed (the ``sentry`` extra, locked in
requirements/deploy.txt), and the portal refuses to start without it rather than run with
reports silently lost. A report leaves the machine, so it obeys the rule of the logs
(portal/logging.py): no e-mail address, no query string, no cookie, no request body, no
signed-in user and no local variables (a frame's variables hold the people being edited).
"""

from django.core.exceptions import ImproperlyConfigured

from portal.logging import scrub

# Request headers worth keeping: they say which page and browser, nothing about the person.
_KEPT_HEADERS = {"host", "user-agent", "accept", "accept-language", "content-type", "referer"}


def init_error_reports(dsn, environment="production", release=None, traces_sample_rate=0.0):
    """Start sending unhandled errors (and logged errors) to ``dsn``."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: install the deployment lock, "
            "pip install --require-hashes -r requirements/deploy.txt (or unset SENTRY_DSN)."
        ) from error
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
    )


def before_send(event, hint=None):
    """``event`` with e-mail addresses and query strings removed, and no personal context."""
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        # The arguments are folded into the message first: an argument may be an address.
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub(logentry[key])
        logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    request = event.get("request")
    if isinstance(request, dict):
        if isinstance(request.get("url"), str):
            request["url"] = scrub(request["url"])
        for key in ("query_string", "data", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: scrub(value)
                for name, value in headers.items()
                if name.lower() in _KEPT_HEADERS and isinstance(value, str)
            }
    event.pop("user", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        before_breadcrumb(crumb)
    if "extra" in event:
        event["extra"] = _scrubbed(event["extra"])
    return event


def before_breadcrumb(crumb, hint=None):
    """A breadcrumb (a log line, an SQL query, an HTTP call) scrubbed like the logs."""
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    if "data" in crumb:
        # An SQL breadcrumb's parameters, an HTTP call's URL.
        crumb["data"] = _scrubbed(crumb["data"])
    return crumb


def _scrubbed(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {name: _scrubbed(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value
