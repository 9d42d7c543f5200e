"""Properties of the practice search (practices/search.py) over generated text.

The example-based tests (test_search.py) pin the syntax; these check what must hold for any
text a visitor can type: nothing raises, the cleaned query is stable, the parse is made of
folded words, and a practice is found by any spelling of a word of its title. They run on
whichever database runs the suite (SQLite's fallback parser or PostgreSQL's tsvector).
"""

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from common.text import fold
from practices.models import Practice
from practices.search import (
    MAX_QUERY_LENGTH,
    STOP_WORDS,
    _fallback_condition,
    clean_query,
    parse_query,
    practice_search,
    uses_postgres,
)
from tests.factories import PracticeFactory, PublishedPracticeFactory
from tests.transactions import rolled_back

pytestmark = pytest.mark.django_db

CATALOGUE = "/en/practices/"
DATABASE_EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything a visitor can send but a NUL, which the request guard refuses before the search
# runs (common/request_guard.py), and lone surrogates, which no decoded request holds (Django
# replaces undecodable bytes); the pure functions get both.
query_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=300
)
any_text = st.text(max_size=300)
# Punctuation, quotes, minus signs and stop words: text that carries no word. ("or" is one on
# PostgreSQL when it joins nothing, so it is left out.)
SYNTAX = ['"', "-", " ", "&", "|", "!", "(", ")", ":", "*", "'", "\\", ";", ","]
no_word_query = st.lists(
    st.sampled_from(SYNTAX + sorted(STOP_WORDS)).map(lambda piece: f" {piece} "), max_size=12
).map("".join)
SPANISH_LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúüñ"
spanish_word = st.text(alphabet=SPANISH_LETTERS, min_size=4, max_size=14)


def unaccented(word: str) -> str:
    return "".join(fold(letter) for letter in word)


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


def searchable(word: str) -> bool:
    """A word both backends index: not a stop word (PostgreSQL's Spanish list is longer)."""
    if fold(word) in STOP_WORDS:
        return False
    if uses_postgres():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('spanish_unaccent', %s) <> ''::tsvector", [word])
            return cursor.fetchone()[0]
    return True


# The cleaned query --------------------------------------------------------------------------


@given(any_text)
def test_clean_query_is_idempotent_bounded_and_drops_nul(query):
    cleaned = clean_query(query)

    assert clean_query(cleaned) == cleaned
    assert len(cleaned) <= MAX_QUERY_LENGTH
    assert "\x00" not in cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned and not re.search(r"[^\S ]", cleaned)  # only single spaces


@given(any_text)
def test_clean_query_keeps_the_words_of_a_short_query(query):
    words = query.replace("\x00", "").split()
    assume(len(" ".join(words)) <= MAX_QUERY_LENGTH)

    assert clean_query(query).split() == words


@given(any_text)
def test_folding_is_stable(text):
    """Stored text and query words are compared folded: folding a folded text changes nothing
    (found "𝖠" folding to "A", which "a" never matched)."""
    assert fold(fold(text)) == fold(text)


# The fallback parser ------------------------------------------------------------------------


@given(any_text)
def test_parse_query_gives_folded_non_empty_terms(query):
    alternatives = parse_query(query)

    for terms in alternatives:
        assert terms, "an empty alternative would match everything"
        for excluded, text in terms:
            assert isinstance(excluded, bool)
            assert text and text == text.strip()
            assert fold(text) == text, "a term is compared with folded stored text"
            assert all(re.fullmatch(r"\w+", word) for word in text.split(" "))
            assert " " in text or text not in STOP_WORDS


@given(query_text)
def test_parse_query_reads_the_cleaned_query_alike(query):
    assume(len(" ".join(query.split())) <= MAX_QUERY_LENGTH)

    assert parse_query(clean_query(query)) == parse_query(query)


@given(no_word_query)
def test_a_query_without_words_has_no_condition(query):
    assert parse_query(query) == []
    assert _fallback_condition(query) is None


# The search on the database -----------------------------------------------------------------


@DATABASE_EXAMPLES
@given(query=query_text)
def test_any_query_answers_a_subset_of_the_given_queryset(query):
    with rolled_back():
        published = PublishedPracticeFactory(title="Ordenanza de atención al migrante")
        PracticeFactory(title="Ordenanza en borrador")  # outside the queryset searched

        found = list(practice_search(Practice.objects.published(), query))

        assert set(found) <= {published}


@DATABASE_EXAMPLES
@given(query=no_word_query)
def test_a_query_without_words_finds_nothing_or_everything_when_blank(query):
    with rolled_back():
        PublishedPracticeFactory(title="Centro de atención al migrante")

        found = practice_search(Practice.objects.published(), query)

        # An empty query keeps the queryset; one of only stop words or punctuation matches
        # nothing, on both backends (practice_search's docstring).
        expected = 1 if clean_query(query) == "" else 0
        assert found.count() == expected


@DATABASE_EXAMPLES
@given(word=spanish_word, other=spanish_word, filler=st.sampled_from(["Práctica", "Red", "Mesa"]))
def test_a_word_of_the_title_finds_the_practice_in_any_spelling(word, other, filler):
    assume(searchable(word) and fold(other) != fold(word))
    with rolled_back():
        practice = PublishedPracticeFactory(title=f"{filler} {word} comunitaria")
        PublishedPracticeFactory(title="Huertos familiares", summary="Ahorro y crédito.")
        published = Practice.objects.published()

        for spelling in (word, word.upper(), unaccented(word), unaccented(word).upper()):
            assert practice.title in titles(practice_search(published, spelling)), spelling
        assert practice.title in titles(practice_search(published, f"{word} OR {other}"))
        assert practice.title in titles(practice_search(published, f'"{filler} {word}"'))
        assert practice.title not in titles(practice_search(published, f"-{word}"))
        assert "Huertos familiares" in titles(practice_search(published, f"-{word}"))


# The catalogue page -------------------------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=any_text)
def test_the_catalogue_answers_any_search(client, query):
    response = client.get(CATALOGUE, {"q": query})

    # A NUL is refused whole (common/request_guard.py); any other text shows the page.
    assert response.status_code == (400 if "\x00" in query else 200)
