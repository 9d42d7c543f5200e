"""Practice cards (practices/cards.py): what a list shows of each practice, escaped."""

import re

import pytest
from django.utils import translation

from practices.cards import practice_cards
from practices.enums import PracticeType
from tests.factories import NetworkFactory, PracticeFactory, PublishedPracticeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def cards_of(response):
    return re.findall(r'<li class="card practice-card">.*?</li>', response.content.decode(), re.S)


def test_a_card_shows_what_the_practice_is_filed_under(client, border_municipalities):
    network = NetworkFactory(name="Mesa del Trifinio")
    practice = PublishedPracticeFactory(
        title="Ordenanza de empleo juvenil",
        practice_type=PracticeType.MUNICIPAL_ORDINANCE,
        themes=[ThemeFactory(slug="salud-prueba", name_es="Salud", name_en="Health", position=1)],
        municipalities=[border_municipalities["HN"], border_municipalities["SV"]],
        network=network,
        year_started=2019,
    )

    (card,) = cards_of(client.get("/en/practices/"))

    assert f'href="/en/practices/{practice.slug}/"' in card
    assert ">Ordenanza de empleo juvenil</a>" in card
    assert '<span class="tag">Municipal ordinance</span>' in card
    assert '<span class="tag tag--theme">Health</span>' in card
    # Places by name, each with its country.
    assert "<dd>Metapán (El Salvador), Ocotepeque (Honduras)</dd>" in card
    assert "<dd>Mesa del Trifinio</dd>" in card
    assert "<dd>2019</dd>" in card


def test_a_card_follows_the_language_of_the_page(client, border_municipalities):
    PublishedPracticeFactory(
        themes=[ThemeFactory(slug="salud-prueba", name_es="Salud", name_en="Health")],
        municipalities=[border_municipalities["SV"]],
    )

    (spanish,) = cards_of(client.get("/practices/"))
    (english,) = cards_of(client.get("/en/practices/"))

    assert "<dt>Dónde</dt>" in spanish and '<span class="tag tag--theme">Salud</span>' in spanish
    assert "<dt>Where</dt>" in english and '<span class="tag tag--theme">Health</span>' in english
    assert 'href="/practices/' in spanish and 'href="/en/practices/' in english


def test_a_card_without_places_network_or_year_says_so_plainly(client):
    PublishedPracticeFactory(network=None, year_started=None)

    (card,) = cards_of(client.get("/en/practices/"))

    assert "<dd>—</dd>" in card
    assert "Network" not in card and "Since" not in card


def test_a_long_summary_is_cut_at_forty_words(client):
    PublishedPracticeFactory(summary=" ".join(f"palabra{n}" for n in range(60)))

    (card,) = cards_of(client.get("/en/practices/"))

    assert "palabra39 …</p>" in card
    assert "palabra40" not in card


@pytest.mark.parametrize("page", ["/en/practices/", "/en/"])
def test_every_value_on_a_card_is_escaped(client, border_municipalities, page):
    border_municipalities["SV"].name = HOSTILE
    border_municipalities["SV"].save()
    PublishedPracticeFactory(
        title=HOSTILE,
        summary=HOSTILE,
        themes=[ThemeFactory(slug="hostile", name_es=HOSTILE, name_en=HOSTILE)],
        municipalities=[border_municipalities["SV"]],
        network=NetworkFactory(name=HOSTILE, slug="hostile-network"),
    )

    (card,) = cards_of(client.get(page))

    assert "<script>" not in card and "<img" not in card
    assert card.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 5


def test_cards_come_in_the_order_asked_and_only_for_practices_that_exist(db):
    first, second = PublishedPracticeFactory(), PublishedPracticeFactory()

    with translation.override("es"):
        cards = practice_cards([second.pk, 999_999, first.pk])

    assert [card.pk for card in cards] == [second.pk, first.pk]
    assert practice_cards([]) == []


def test_unpublished_practices_never_reach_the_public_list(client):
    PracticeFactory(title="Borrador interno")

    assert cards_of(client.get("/en/practices/")) == []
