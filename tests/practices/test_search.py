"""Full-text search of practices, on whichever database runs the suite.

The same expectations hold on PostgreSQL (tsvector, ``spanish_unaccent``) and on SQLite
(the accent-folded ``search_text`` and the small web-search parser).
"""

import pytest
from django.db import connection

from practices.models import Practice
from practices.search import parse_query, practice_index, practice_search
from tests.factories import PracticeFactory, PublishedPracticeFactory

pytestmark = pytest.mark.django_db


def found(query, queryset=None):
    queryset = Practice.objects.published() if queryset is None else queryset
    return {practice.title for practice in practice_search(queryset, query)}


@pytest.fixture
def library():
    return {
        "ordinance": PublishedPracticeFactory(
            title="Ordenanza municipal de migración",
            summary="Protección de las personas migrantes retornadas.",
        ),
        "centre": PublishedPracticeFactory(
            title="Centro de atención al migrante",
            summary="Orientación y salud para personas en tránsito.",
        ),
        "fair": PublishedPracticeFactory(
            title="Feria de empleo juvenil",
            summary="Atención a jóvenes; un migrante retornado coordina la feria.",
            body="Empleo local con apoyo de la alcaldía.",
        ),
    }


def test_search_ignores_accents_and_case(library):
    assert found("migracion") == {"Ordenanza municipal de migración"}
    assert found("MIGRACIÓN") == {"Ordenanza municipal de migración"}
    assert found("orientacion") == {"Centro de atención al migrante"}


def test_search_plural_finds_singular(library):
    assert found("ordenanzas") == {"Ordenanza municipal de migración"}


def test_search_reads_the_body_too(library):
    assert found("alcaldía") == {"Feria de empleo juvenil"}


def test_search_quoted_phrase_needs_the_words_together(library):
    # The fair has both words, but apart.
    assert found('"atención al migrante"') == {"Centro de atención al migrante"}
    assert found("atención migrante") == {
        "Centro de atención al migrante",
        "Feria de empleo juvenil",
    }


def test_search_minus_excludes_a_word(library):
    assert found("migrante -salud") == {
        "Ordenanza municipal de migración",
        "Feria de empleo juvenil",
    }


def test_search_or_joins_alternatives(library):
    assert found("feria or ordenanza") == {
        "Feria de empleo juvenil",
        "Ordenanza municipal de migración",
    }


def test_search_all_words_must_match(library):
    assert found("empleo salud") == set()


def test_search_only_stop_words_or_punctuation_matches_nothing(library):
    assert found("de la") == set()
    assert found("&|!():*'") == set()


@pytest.mark.parametrize(
    "query",
    [
        "&|!():*'",
        "migrante & salud | (ordenanza:*)",
        '"unclosed phrase',
        '""',
        "-",
        "or",
        "or or -",
        "migra\x00cion",
        "\\' ; DROP TABLE practices_practice; --",
        "a" * 10_000,
    ],
)
def test_search_odd_input_never_fails(library, query):
    assert isinstance(found(query), set)


def test_search_empty_query_keeps_everything(library):
    assert len(found("   ")) == 3


def test_search_never_leaves_the_given_queryset(library):
    PracticeFactory(title="Ordenanza en borrador")

    assert found("ordenanza") == {"Ordenanza municipal de migración"}


def test_practice_index_refreshes_after_an_edit(library):
    practice = library["fair"]
    Practice.objects.filter(pk=practice.pk).update(title="Feria de cooperativas")
    assert found("cooperativas") == set()  # not indexed yet

    practice_index([practice.pk])

    assert found("cooperativas") == {"Feria de cooperativas"}
    assert found("juvenil") == set()


def test_practice_index_fills_the_stored_search_data(db):
    practice = PracticeFactory(title="Atención Médica", summary="Niñez migrante.")

    practice.refresh_from_db()

    assert practice.search_text == " atencion medica ninez migrante"
    if connection.vendor == "postgresql":
        assert practice.search_vector is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_search_ranks_title_matches_above_body_matches(db):
    PublishedPracticeFactory(title="Huertos familiares", body="Apoyo a cooperativas.")
    PublishedPracticeFactory(title="Cooperativas de mujeres", summary="Ahorro y crédito.")

    ranked = practice_search(Practice.objects.published(), "cooperativas").order_by("-rank")

    assert [practice.title for practice in ranked] == [
        "Cooperativas de mujeres",
        "Huertos familiares",
    ]


def test_parse_query_follows_websearch_syntax():
    assert parse_query('"Atención al migrante" -salud or ordenanzas de Metapán') == [
        [(False, "atencion al migrante"), (True, "salud")],
        [(False, "ordenanza"), (False, "metapan")],
    ]


def test_search_matches_words_from_their_start_not_inside_them():
    crossing = PublishedPracticeFactory(title="Acuerdo de salud en el paso de El Poy")
    PublishedPracticeFactory(title="Apoyo psicosocial a familias retornadas")

    found = practice_search(Practice.objects.published(), "Poy")

    assert list(found) == [crossing]
