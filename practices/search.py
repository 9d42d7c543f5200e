"""Full-text search of practices: stored search data and the query that reads it.

PostgreSQL searches the weighted ``search_vector`` (configuration ``spanish_unaccent``,
created by migration 0002: accents folded, Spanish stems, GIN index). Other databases
(SQLite in development and tests) search ``search_text``, an accent-folded, lower-cased
copy of the text, with a small parser for the same web-search syntax: ``"quoted
phrases"``, ``-exclusions`` and ``or``. Both are written by ``practice_index`` when a
practice changes, never computed per row at query time.
"""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet

from common.text import folded_words

from .facets import facet_keys_store
from .models import Practice

SEARCH_CONFIG = "spanish_unaccent"
# Longer queries are cut: nobody types more, and it bounds the work a request can ask for.
MAX_QUERY_LENGTH = 200

# Text the fallback search reads, in the order it is stored.
TEXT_FIELDS = (
    "title",
    "summary",
    "body",
    "results",
    "lessons_learned",
    "challenges",
    "replication_requirements",
)
# Spanish stop words are ignored, as PostgreSQL's Spanish configuration does.
STOP_WORDS = frozenset(
    {
        "a", "al", "con", "de", "del", "e", "el", "en", "la", "las", "lo", "los", "o",
        "para", "por", "que", "se", "su", "sus", "un", "una", "y",
    }
)  # fmt: skip
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def clean_query(query: str) -> str:
    """What a visitor typed, made safe to store, show and search: no NUL bytes, bounded."""
    query = " ".join(query.replace("\x00", "").split())
    return query[:MAX_QUERY_LENGTH].strip()


def practice_index(practice_ids: Iterable[int]) -> None:
    """Refresh the stored search data and the facet keys of these practices (call after any
    change to their text or to what they are filed under: places, network, themes...)."""
    ids = list(practice_ids)
    if not ids:
        return
    practices = list(Practice.objects.filter(pk__in=ids).only("pk", *TEXT_FIELDS))
    for practice in practices:
        # A leading space lets every term match from the start of a word (" poy" never
        # matches inside "apoyo").
        practice.search_text = " " + folded_words(
            " ".join(getattr(practice, name) for name in TEXT_FIELDS)
        )
    Practice.objects.bulk_update(practices, ["search_text"], batch_size=500)
    if uses_postgres():
        # One UPDATE: the database builds the vectors, no row passes through Python.
        Practice.objects.filter(pk__in=ids).update(**search_vectors())
    facet_keys_store(ids)


def search_vectors() -> dict:
    """The stored vectors as expressions over a practice's columns: the whole text, weighted
    (what a search matches), and its title and summary (what relevance weighs)."""
    weighted = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "summary", weight="B", config=SEARCH_CONFIG
    )
    return {
        "search_vector": weighted
        + SearchVector(*TEXT_FIELDS[2:], weight="C", config=SEARCH_CONFIG),
        "rank_vector": weighted,
    }


def practice_search(queryset: QuerySet[Practice], query: str) -> QuerySet[Practice]:
    """``queryset`` narrowed to the practices matching ``query`` (web-search syntax).

    On PostgreSQL the result is annotated with ``rank`` (higher is more relevant: the words in
    the title weigh most, then those in the summary; practices matching in their body only
    rank alike, and callers break ties by date); elsewhere there is no ranking and callers
    sort by date. An empty query leaves ``queryset`` as it
    is; one made only of stop words or punctuation matches nothing.
    """
    query = clean_query(query)
    if not query:
        return queryset
    if uses_postgres():
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.filter(search_vector=search_query).annotate(
            rank=SearchRank(F("rank_vector"), search_query)
        )
    condition = _fallback_condition(query)
    # Only stop words or punctuation: PostgreSQL matches nothing, and so does the fallback.
    return queryset.none() if condition is None else queryset.filter(condition)


# The fallback parser ---------------------------------------------------------------------


def _stem(word: str) -> str:
    """A naive Spanish plural stripper: enough for "ordenanzas" to find "ordenanza".

    Stored words are matched from their start, so a stem that is a prefix of both singular
    and plural forms ("madres" -> "madr") finds both.
    """
    if len(word) > 4 and word.endswith("es"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s"):
        return word[:-1]
    return word


def parse_query(query: str) -> list[list[tuple[bool, str]]]:
    """Alternatives (joined by ``or``) of terms ``(excluded, text)`` that must all hold.

    Follows PostgreSQL's ``websearch_to_tsquery``: quoted text is a phrase, a leading
    ``-`` excludes, ``or`` separates alternatives, any other punctuation is ignored.
    """
    alternatives: list[list[tuple[bool, str]]] = [[]]
    for match in TOKEN.finditer(query):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare.casefold() == "or":
                alternatives.append([])
                continue
            minus, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            words = [_stem(word) for word in folded_words(bare).split() if word not in STOP_WORDS]
        else:
            words = folded_words(phrase).split()
            if all(word in STOP_WORDS for word in words):
                # PostgreSQL drops stop words from phrases too: '"de la"' matches nothing.
                words = []
            elif len(words) == 1:
                words = [_stem(words[0])]
            else:
                # A phrase is matched as written (accents folded), word for word.
                words = [" ".join(words)]
        alternatives[-1].extend((bool(minus), word) for word in words)
    return [terms for terms in alternatives if terms]


def _fallback_condition(query: str) -> Q | None:
    condition = None
    for terms in parse_query(query):
        alternative = Q()
        for excluded, text in terms:
            term = Q(search_text__contains=f" {text}")
            alternative &= ~term if excluded else term
        condition = alternative if condition is None else condition | alternative
    return condition
