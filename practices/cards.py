"""The cards of practices in lists (the catalogue, the home page): plain values, read fast.

A card shows a practice's title, type, themes, places, network and year. It is read as
values in one statement for any number of cards (the practices with their facet keys), never
as model instances with their relations: a page of twenty cards built from instances spent
more time making objects than the database took. The names of its themes, places and network
come from the catalogue's label table (``practices/facets.py``), kept with the facet counts
and forgotten on every write, through the practice's facet keys, which name them all.
"""

import functools
import html
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.languages import is_english

from . import facets
from .enums import PracticeType
from .models import Practice


@dataclass(frozen=True)
class PracticeCard:
    pk: int
    slug: str
    title: str
    summary: str
    type_label: str
    year_started: int | None
    network_name: str
    themes: tuple[str, ...]
    #: "Municipality (Country)", by municipality name.
    places: tuple[str, ...]
    url: str

    def get_absolute_url(self) -> str:
        return self.url

    def __html__(self) -> str:
        """The card as a list item: ``{{ card }}`` in a template, in the active language.

        Written here rather than as an included template: twenty includes per page cost
        more than the rest of the page's rendering together. Every value is escaped."""
        themes = "".join(
            f'<span class="tag tag--theme">{escape(theme)}</span>' for theme in self.themes
        )
        where, network, since = _terms(get_language())
        facts = [_fact(where, ", ".join(self.places) or "—")]
        if self.network_name:
            facts.append(_fact(network, self.network_name))
        if self.year_started:
            facts.append(_fact(since, self.year_started))
        summary = Truncator(self.summary).words(40, truncate=" …")
        # Safe to mark: every value above and below passes through escape().
        return mark_safe(  # noqa: S308
            '<li class="card practice-card">'
            f'<h3 class="card__title"><a href="{escape(self.url)}">{escape(self.title)}</a></h3>'
            f'<p class="tags"><span class="tag">{escape(self.type_label)}</span>{themes}</p>'
            f"<p>{escape(summary)}</p>"
            f'<dl class="facts">{"".join(facts)}</dl>'
            "</li>"
        )

    __str__ = __html__


@functools.cache
def _terms(language: str) -> tuple[str, str, str]:
    """The card's headings in ``language`` (the active one), escaped: asked once per
    language rather than three times per card."""
    return tuple(escape(term) for term in (_("Where"), _("Network"), _("Since")))


def _fact(term: str, value) -> str:
    """A heading (escaped already) and its value."""
    return f'<div class="facts__row"><dt>{term}</dt><dd>{escape(value)}</dd></div>'


def escape(value) -> str:
    """HTML-escaped text, as Django's ``escape`` (the standard library's, without the
    lazy-string wrapper that made it the card's slowest step)."""
    return html.escape(str(value))


def practice_cards(practice_ids: Iterable[int]) -> list[PracticeCard]:
    """The cards of these practices, in the order given (ids not found are left out).

    Reads whatever the ids are: callers pass ids they took from a public query. One short
    statement written out (the ORM's compiling took longer than the database did)."""
    ids = [int(pk) for pk in practice_ids]
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CARD_PRACTICES.format(ids=", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    labels = facets.label_table()
    english = is_english()
    type_labels = dict(PracticeType.choices)
    # One reverse() for the batch (in the active language's prefix), not one per card.
    url_pattern = reverse("practices:practice-detail", kwargs={"slug": SLUG_MARK})
    cards = {}
    for pk, slug, title, summary, practice_type, year_started, stored_keys in rows:
        filed_under = sorted(
            (labels[facet_key] for facet_key in _decoded(stored_keys) if facet_key in labels),
            key=_in_list_order,
        )
        cards[pk] = PracticeCard(
            pk=pk,
            slug=slug,
            title=title,
            summary=summary,
            type_label=str(type_labels.get(practice_type, practice_type)),
            year_started=year_started,
            network_name=next((row.label for row in filed_under if row.kind == NETWORK), ""),
            themes=tuple(row.name(english) for row in filed_under if row.kind == THEME),
            places=tuple(
                f"{row.label} ({labels[COUNTRY_KEY + row.country].name(english)})"
                for row in filed_under
                if row.kind == MUNICIPALITY
            ),
            url=url_pattern.replace(SLUG_MARK, slug),
        )
    return [cards[pk] for pk in ids if pk in cards]


NETWORK, THEME, MUNICIPALITY = (facets.KINDS[kind] for kind in ("network", "theme", "municipality"))
COUNTRY_KEY = facets.key("country", 0)
_FACET_KEYS = Practice._meta.get_field("facet_keys")


def _decoded(stored_keys) -> list[int]:
    """The facet keys as the cursor gave them: an array on PostgreSQL, JSON text elsewhere."""
    return _FACET_KEYS.from_db_value(stored_keys, None, connection) or []


def _in_list_order(row: facets.LabelRow) -> int:
    return row.position


SLUG_MARK = "slug-of-the-practice"  # a valid slug, replaced by each card's own

# "{ids}" becomes one placeholder per id.
CARD_PRACTICES = (
    "SELECT id, slug, title, summary, practice_type, year_started, facet_keys "  # noqa: S608 (the table name only; values are parameters)
    f"FROM {Practice._meta.db_table} WHERE id IN ({{ids}})"
)
