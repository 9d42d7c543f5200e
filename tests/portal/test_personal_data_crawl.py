"""No public page, feed, sitemap, calendar or open-data file names a member of a network.

The crawl loads the demo data (every kind of record, people with names, e-mails and phones,
their seats, participations and agreements), then walks the public site as a visitor would,
from the home pages, the sitemap and the feeds, following every link that stays on the site
outside the accounts, the workspace and the admin. Every page is first checked to render;
then its text is searched for each person's full name, e-mail address and phone number, and
the same is done for the log records written during the crawl and for the pages the cache
stored. Names are searched as written and folded (no accents, any case), as search data keep
them.
"""

import html
import logging
import re
from collections import Counter
from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation

from common.text import fold
from networks.models import Person

pytestmark = pytest.mark.django_db

START = ["/", "/en/", "/sitemap.xml", "/robots.txt", "/practices/feed/", "/en/practices/feed/"]
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/dashboard/", "/en/accounts/", "/en/dashboard/")
PRIVATE_PREFIXES += ("/static/",)  # files of the site itself, not data
LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""")
SITEMAP_LOCATION = re.compile(r"<loc>([^<]+)</loc>")
#: The catalogue links every facet option; a few of each kind of address are enough.
PER_KIND = 4
MAX_PAGES = 900


def personal_needles():
    """Each person's full name (as written and folded), e-mail and phone digits."""
    needles = set()
    for first, last, email, phone in Person.objects.values_list(
        "first_name", "last_name", "email", "phone"
    ):
        if first.strip() and last.strip():
            needles.add(fold(f"{first} {last}"))
            needles.add(fold(f"{last}, {first}"))
        if email:
            needles.add(email.casefold())
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 7:
            needles.add(digits)
    return needles


def searchable(text):
    """The text as the needles are written: unescaped, folded; plus its digits alone."""
    folded = fold(html.unescape(text))
    return folded, re.sub(r"\D", "", text)


def hits(text, needles):
    folded, digits = searchable(text)
    return sorted(
        needle for needle in needles if needle in (digits if needle.isdigit() else folded)
    )


def kind_of(url):
    """Addresses that differ only in their values are of one kind."""
    parts = urlsplit(url)
    path = re.sub(r"/[^/]+/", "/x/", parts.path) if parts.path.count("/") > 2 else parts.path
    return path, tuple(sorted(name for name, _ in parse_qsl(parts.query)))


def links(url, response):
    content_type = response.get("Content-Type", "")
    if not any(kind in content_type for kind in ("html", "xml", "calendar")):
        return []
    text = response.content.decode(errors="replace")
    found = LINK.findall(text) + SITEMAP_LOCATION.findall(text)
    out = []
    for link in found:
        link = html.unescape(link).strip()
        parts = urlsplit(link)
        if parts.scheme and parts.netloc not in {"testserver", "localhost"}:
            continue  # another site
        path = parts.path if parts.path.startswith("/") else None
        if path is None or path.startswith(PRIVATE_PREFIXES):
            continue
        out.append(path + (f"?{parts.query}" if parts.query else ""))
    return out


class LogRecords(logging.Handler):
    """Every record logged during the crawl, formatted with its traceback."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def demo():
    with translation.override("en"), override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=300)
def test_no_public_response_names_a_person(demo):
    needles = personal_needles()
    assert len(needles) > 50, "the demo data should hold people to look for"
    client = Client()
    queue, seen, kinds = list(START), set(), Counter()
    rendered, leaks, broken = Counter(), [], []
    logged = LogRecords()
    root = logging.getLogger()
    root.addHandler(logged)
    previous_level, root.level = root.level, logging.DEBUG
    try:
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen or kinds[kind_of(url)] >= PER_KIND:
                continue
            seen.add(url)
            kinds[kind_of(url)] += 1
            response = client.get(url, secure=True)
            if response.status_code in (301, 302):
                queue.append(response["Location"])
                continue
            if response.status_code != 200:
                broken.append(f"{url}: {response.status_code}")
                continue
            body = b"".join(response) if response.streaming else response.content
            rendered[response.get("Content-Type", "").split(";")[0]] += 1
            found = hits(body.decode(errors="replace"), needles)
            if found:
                leaks.append(f"{url}: {found[:3]}")
            queue += [link for link in links(url, response) if link not in seen]
    finally:
        root.removeHandler(logged)
        root.level = previous_level
    print(f"{len(seen)} public addresses fetched: {dict(rendered)}")

    # Each kind of public page was reached and rendered, so the search below means something.
    assert broken == []
    assert rendered["text/html"] > 100
    for kind in (
        "application/atom+xml",
        "application/xml",
        "text/calendar",
        "text/csv",
        "application/json",
    ):
        assert any(kind in rendered_kind for rendered_kind in rendered), kind
    assert leaks == []
    assert hits("\n".join(logged.lines), needles) == []
