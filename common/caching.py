"""Public pages served from a cache to anonymous visitors, forgotten on every change.

Visitors without an account read the same catalogue, directory and session pages over and
over, and their cost (facet counts over every published practice, the directory of networks)
grows with the data. So a page rendered for an anonymous visitor is kept in the ``pages``
cache for ``PUBLIC_PAGE_CACHE_SECONDS`` and served from there to the next one.

Two rules keep it honest:

- Only anonymous requests read or fill the cache. A signed-in coordinator or staff member
  always gets a freshly rendered page (it may show what only they may see: the anonymous
  cache never holds personal data, and they see their own edits at once).
- Any write to a model of the public apps (and any spreadsheet import, which may write in
  bulk without model signals) empties the ``pages`` cache once its transaction commits:
  ``portal/apps.py`` connects :func:`forget_public_pages` to the model signals of those apps.

In production the cache is files on local disk (``PAGE_CACHE_URL``), shared by every
gunicorn worker of the machine: all of them forget at once, and a restarted worker starts
warm. With an in-process cache (``locmemcache://``) another worker may serve a page up to
the timeout late.
"""

import copy
import hashlib
import json
import secrets
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.middleware.cache import CacheMiddleware

PAGE_CACHE = "pages"


def public_page(view=None, *, parameters=()):
    """Serve ``view`` from the ``pages`` cache to anonymous visitors (see the module docs).

    ``parameters`` are the query-string names the page understands (none by default). The
    cache keys the page on those alone, non-empty and in a normal order, so a reordered link
    finds the same entry; and only a request asking for nothing else fills it: ``?junk=1``
    is served the stored page when there is one, rendered afresh when there is not, and never
    stored (it cannot fill or flush the cache, nor leave its junk in the links of a page
    others are served).
    """
    if view is None:
        return lambda view: public_page(view, parameters=parameters)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if seconds <= 0 or not _is_shareable(request):
            return view(request, *args, **kwargs)
        keyed = _keyed_on(request, parameters)
        # Built per request (cheap) so that the timeout and the cache follow the settings.
        middleware = CacheMiddleware(view, page_timeout=seconds, cache_alias=PAGE_CACHE)
        cached = middleware.process_request(keyed)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if not _asks_only_for(request, parameters):
            return response
        if hasattr(response, "render") and callable(response.render):
            response.add_post_render_callback(
                lambda rendered: middleware.process_response(keyed, rendered)
            )
            return response
        return middleware.process_response(keyed, response)

    return wrapper


def _keyed_on(request, parameters):
    """A copy of ``request`` whose query string holds only ``parameters``, sorted."""
    kept = sorted(
        (name, value) for name in parameters for value in request.GET.getlist(name) if value.strip()
    )
    keyed = copy.copy(request)
    keyed.META = {**request.META, "QUERY_STRING": urlencode(kept)}
    return keyed


def _asks_only_for(request, parameters) -> bool:
    """Whether every non-empty parameter of ``request`` is one the page understands."""
    return all(
        name in parameters
        for name, values in request.GET.lists()
        if any(value.strip() for value in values)
    )


def _is_shareable(request) -> bool:
    """Whether the page this request gets is the same for every anonymous visitor."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    # A pending message ("you have signed out") belongs to this visitor's page only.
    return not len(get_messages(request))


def forget_public_pages(**_signal_arguments) -> None:
    """Empty the ``pages`` cache when the current transaction commits (at once outside one).

    Registered once per transaction however many rows it writes.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and any(
        callback is _clear_pages for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_clear_pages, robust=True)


def remembered(name: str, parts, compute, *, seconds: int):
    """``compute()``, kept ``seconds`` in the ``pages`` cache under ``name`` and ``parts``.

    For values derived from public data only (the facet counts of a search): they live and
    are forgotten with the pages, emptied on every write, so they are never stale after a
    change. ``parts`` is anything JSON can write (the normalised question); 0 seconds
    computes every time.
    """
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    key = f"remembered:{name}:{digest}"
    cache = caches[PAGE_CACHE]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def remembered_here(name: str, compute, *, seconds: int):
    """``remembered(name, [], compute)``, and kept in this process as well while the
    ``pages`` cache has not been emptied since: for a small value that nearly every request
    reads (the catalogue's label table), where unpickling the shared copy each time costs more
    than the rest of its use.

    The cache's generation (a token that emptying the cache removes) is read before the
    value, so a value computed before a write is never kept past it."""
    if seconds <= 0:
        return compute()
    generation = _pages_generation()
    held = _kept_here.get(name)
    now = time.monotonic()
    if held is not None and held[0] == generation and held[1] > now:
        return held[2]
    value = remembered(name, [], compute, seconds=seconds)
    _kept_here[name] = (generation, now + seconds, value)
    return value


#: name -> (generation of the pages cache, expiry on the monotonic clock, value).
_kept_here: dict[str, tuple[str, float, object]] = {}
GENERATION_KEY = "remembered:generation"


def _pages_generation() -> str:
    cache = caches[PAGE_CACHE]
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = secrets.token_hex(8)
        # Another process may have been first: either token works, as long as all agree.
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def _clear_pages() -> None:
    caches[PAGE_CACHE].clear()
