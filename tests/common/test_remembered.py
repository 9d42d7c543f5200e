"""Values kept with the public pages (common/caching.py): reused until a write, never after."""

import pytest
from django.core.cache import caches

from common import caching
from common.caching import PAGE_CACHE, remembered, remembered_here


@pytest.fixture
def pages_cache():
    caches[PAGE_CACHE].clear()
    caching._kept_here.clear()
    yield caches[PAGE_CACHE]
    caches[PAGE_CACHE].clear()
    caching._kept_here.clear()


class Source:
    """A value that changes, and how many times it was computed."""

    def __init__(self):
        self.value, self.computed = "first", 0

    def __call__(self):
        self.computed += 1
        return self.value


def test_a_remembered_value_is_computed_once_per_question(pages_cache):
    source = Source()

    assert remembered("labels", {"q": "a"}, source, seconds=60) == "first"
    assert remembered("labels", {"q": "a"}, source, seconds=60) == "first"
    assert remembered("labels", {"q": "b"}, source, seconds=60) == "first"
    assert source.computed == 2


def shared_key(name):
    return f"remembered:{name}:{caching.hashlib.sha256(b'[]').hexdigest()}"


def test_a_value_kept_in_the_process_is_reused_without_reading_the_cache(pages_cache):
    source = Source()
    remembered_here("labels", source, seconds=60)
    # Only the small generation token is read from the shared cache from now on.
    pages_cache.delete(shared_key("labels"))

    assert remembered_here("labels", source, seconds=60) == "first"
    assert source.computed == 1


def test_a_value_kept_in_the_process_is_forgotten_when_the_pages_are(pages_cache):
    """Another process's write empties the shared cache: this process must not keep serving
    what it held."""
    source = Source()
    remembered_here("labels", source, seconds=60)
    source.value = "after the write"

    caching._clear_pages()

    assert remembered_here("labels", source, seconds=60) == "after the write"
    assert source.computed == 2


def test_a_value_kept_in_the_process_expires(pages_cache, monkeypatch):
    source = Source()
    remembered_here("labels", source, seconds=60)
    source.value = "later"
    clock = caching.time.monotonic() + 61
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock)
    pages_cache.delete(shared_key("labels"))  # the shared copy has expired too

    assert remembered_here("labels", source, seconds=60) == "later"


def test_nothing_is_kept_when_keeping_is_off(pages_cache):
    source = Source()

    remembered_here("labels", source, seconds=0)
    remembered_here("labels", source, seconds=0)

    assert source.computed == 2
