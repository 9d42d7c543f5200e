"""gunicorn configuration for production (`make serve`).

Threads rather than processes per core: most time goes to PostgreSQL round trips,
and persistent database connections (CONN_MAX_AGE) are kept per thread.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Django is loaded once in the master and the workers are forked from it: a worker starts in
# milliseconds, and the code is shared between workers until written to.
preload_app = True
# A safety net against slow memory growth, not a routine: each restart empties the worker's
# in-process page cache (common/caching.py), so at 2 000 a busy worker restarted every few
# seconds and paid for cold pages each time (bench/results/, 2026-11-29).
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# Method, path without its query string (search words, tokens in links), status, size and
# milliseconds; no referrer or user agent: the access log never passes the personal-data
# filter of the application's logs (portal/logging.py), so it holds nothing that could name
# a person.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# The proxies whose X-Forwarded-Proto gunicorn believes (https behind the TLS proxy). gunicorn
# never rewrites REMOTE_ADDR from X-Forwarded-For: it passes the header on as the client sent it
# and Django picks the client's address out of it only as DJANGO_TRUSTED_PROXY_COUNT or
# DJANGO_CLIENT_IP_HEADER say (portal/settings/base.py). Those are safe only while the proxy is
# the one peer gunicorn hears from: keep the bind on loopback (or firewall it to the proxy) and
# list the same proxy here.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn alone decides whether a request came over HTTPS (Django has no
# SECURE_PROXY_SSL_HEADER and reads wsgi.url_scheme): only from the proxy above, only the one
# header the proxy sets, and only when its whole value is exactly "https". The defaults also
# believe X-Forwarded-Ssl and X-Forwarded-Protocol, which our proxy never sets and a client
# could; "https, http" (a client's "https" with the proxy's value appended) is plain HTTP.
# The proxy must overwrite X-Forwarded-Proto, not append to it (README, "Production").
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Nor may the proxy pass on headers that rewrite SCRIPT_NAME or PATH_INFO (gunicorn's default).
forwarder_headers = ""


def pre_fork(server, worker):
    """Freeze what the preloaded application allocated before a worker is forked.

    Django, the URL patterns, templates and translations are loaded once (preload_app) and
    live as long as the worker. Frozen, the garbage collector no longer walks them on every
    full collection (those walks were the slowest requests' extra milliseconds), and the
    pages they sit on stay shared with the master instead of being copied into every worker.
    """
    gc.freeze()
