"""The cards of practices in lists (the catalogue, the home page): plain values, read fast.

A card shows a practice's title, type, themes, places, network and year. It is read as
values in three statements for any number of cards (the practices with their network, their
themes, their places), never as model instances with their relations: a page of twenty
cards built from instances spent more time making objects than the database took.
"""

import html
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from common.languages import localized
from networks.models import Country, Department, Municipality, Network

from .enums import PracticeType
from .models import Practice, Theme

ThemeLink = Practice.themes.through
MunicipalityLink = Practice.municipalities.through


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
        facts = [_fact(_("Where"), ", ".join(self.places) or "—")]
        if self.network_name:
            facts.append(_fact(_("Network"), self.network_name))
        if self.year_started:
            facts.append(_fact(_("Since"), self.year_started))
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


def _fact(term, value) -> str:
    return f'<div class="facts__row"><dt>{escape(term)}</dt><dd>{escape(value)}</dd></div>'


def escape(value) -> str:
    """HTML-escaped text, as Django's ``escape`` (the standard library's, without the
    lazy-string wrapper that made it the card's slowest step)."""
    return html.escape(str(value))


def practice_cards(practice_ids: Iterable[int]) -> list[PracticeCard]:
    """The cards of these practices, in the order given (ids not found are left out).

    Reads whatever the ids are: callers pass ids they took from a public query. Three short
    statements written out (the ORM's compiling took longer than the database did)."""
    ids = [int(pk) for pk in practice_ids]
    if not ids:
        return []
    themes: dict[int, list[str]] = {}
    for practice_id, name_es, name_en in _rows(CARD_THEMES, ids):
        themes.setdefault(practice_id, []).append(localized(name_es, name_en))
    places: dict[int, list[str]] = {}
    for practice_id, name, country_es, country_en in _rows(CARD_PLACES, ids):
        places.setdefault(practice_id, []).append(f"{name} ({localized(country_es, country_en)})")
    type_labels = dict(PracticeType.choices)
    # One reverse() for the batch (in the active language's prefix), not one per card.
    url_pattern = reverse("practices:practice-detail", kwargs={"slug": SLUG_MARK})
    cards = {
        pk: PracticeCard(
            pk=pk,
            slug=slug,
            title=title,
            summary=summary,
            type_label=str(type_labels.get(practice_type, practice_type)),
            year_started=year_started,
            network_name=network_name or "",
            themes=tuple(themes.get(pk, ())),
            places=tuple(places.get(pk, ())),
            url=url_pattern.replace(SLUG_MARK, slug),
        )
        for pk, slug, title, summary, practice_type, year_started, network_name in _rows(
            CARD_PRACTICES, ids
        )
    }
    return [cards[pk] for pk in ids if pk in cards]


SLUG_MARK = "slug-of-the-practice"  # a valid slug, replaced by each card's own

# The statements, from the models' own table names; "{ids}" becomes one placeholder per id.
CARD_PRACTICES = (
    "SELECT p.id, p.slug, p.title, p.summary, p.practice_type, p.year_started, n.name "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {Practice._meta.db_table} p LEFT JOIN {Network._meta.db_table} n "
    "ON n.id = p.network_id WHERE p.id IN ({ids})"
)
CARD_THEMES = (
    "SELECT l.practice_id, t.name_es, t.name_en "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {ThemeLink._meta.db_table} l JOIN {Theme._meta.db_table} t ON t.id = l.theme_id "
    "WHERE l.practice_id IN ({ids}) ORDER BY t.position, t.name_es, t.id"
)
CARD_PLACES = (
    "SELECT l.practice_id, m.name, c.name_es, c.name_en "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {MunicipalityLink._meta.db_table} l "
    f"JOIN {Municipality._meta.db_table} m ON m.id = l.municipality_id "
    f"JOIN {Department._meta.db_table} d ON d.id = m.department_id "
    f"JOIN {Country._meta.db_table} c ON c.id = d.country_id "
    "WHERE l.practice_id IN ({ids}) ORDER BY m.name, m.id"
)


def _rows(statement: str, ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(ids=", ".join(["%s"] * len(ids))), ids)
        return cursor.fetchall()
