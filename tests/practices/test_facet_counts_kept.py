"""Facet counts of a search kept between requests (FACET_COUNTS_CACHE_SECONDS), never stale."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.caching import PAGE_CACHE
from tests.factories import MunicipalityFactory, PublishedPracticeFactory, ThemeFactory
from tests.portal.test_page_cache import commit_setup

pytestmark = pytest.mark.django_db

LIST = "/en/practices/"


@pytest.fixture
def kept_counts(settings):
    settings.FACET_COUNTS_CACHE_SECONDS = 600
    caches[PAGE_CACHE].clear()
    yield
    caches[PAGE_CACHE].clear()


def counted(client, parameters):
    """(number of results shown, whether the request counted facets in the database)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, parameters)
    assert response.status_code == 200
    counting = any("COUNT(*) FROM (SELECT" in query["sql"] for query in captured)
    return response.context["paginator"].count, counting


def test_every_page_order_and_language_of_a_search_shares_its_counts(client, kept_counts):
    for _ in range(3):
        PublishedPracticeFactory(summary="Huerto escolar con familias retornadas.")

    assert counted(client, {"q": "huerto"}) == (3, True)
    assert counted(client, {"q": "huerto", "sort": "newest", "page": "1"}) == (3, False)
    assert client.get("/practices/", {"q": "huerto"}).context["paginator"].count == 3
    # Another search, or the same one with a filter, is counted on its own.
    assert counted(client, {"q": "escolar"}) == (3, True)
    assert counted(client, {"q": "huerto", "year": "2020"}) == (0, True)


def test_a_publication_is_counted_at_once(client, kept_counts, django_capture_on_commit_callbacks):
    PublishedPracticeFactory(summary="Huerto escolar con familias retornadas.")
    assert counted(client, {"q": "huerto"}) == (1, True)
    commit_setup()

    with django_capture_on_commit_callbacks(execute=True):
        PublishedPracticeFactory(summary="Otro huerto comunitario.")

    assert counted(client, {"q": "huerto"}) == (2, True)


def test_counts_are_taken_on_every_request_when_keeping_is_off(client, settings):
    settings.FACET_COUNTS_CACHE_SECONDS = 0
    PublishedPracticeFactory(summary="Huerto escolar con familias retornadas.")

    assert counted(client, {"q": "huerto"}) == (1, True)
    assert counted(client, {"q": "huerto"}) == (1, True)


def test_the_unfiltered_list_reads_the_kept_totals(client, kept_counts):
    PublishedPracticeFactory()

    assert counted(client, {}) == (1, False)


def labels_read(client, parameters):
    """(the municipality options' text, whether the request read the label table)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, parameters)
    reading = any("UNION ALL" in query["sql"] for query in captured)
    options = [option.label for option in response.context["facets"]["municipality"]]
    return options, reading


def test_labels_are_read_once_and_a_renamed_place_shows_at_once(
    client, kept_counts, django_capture_on_commit_callbacks
):
    place = MunicipalityFactory(name="Citalá")
    PublishedPracticeFactory(summary="Huerto escolar.", municipalities=[place])
    department = place.department.name

    assert labels_read(client, {}) == ([f"Citalá ({department})"], True)
    # Another search or filter uses the same table, kept.
    assert labels_read(client, {"q": "huerto"}) == ([f"Citalá ({department})"], False)
    commit_setup()

    with django_capture_on_commit_callbacks(execute=True):
        place.name = "Citalá Norte"
        place.save()

    assert labels_read(client, {"q": "huerto"}) == ([f"Citalá Norte ({department})"], True)


def test_a_chosen_country_keeps_only_its_places_among_the_kept_labels(client, kept_counts):
    here, there = MunicipalityFactory(), MunicipalityFactory()
    assert here.department.country != there.department.country
    PublishedPracticeFactory(municipalities=[here, there])
    labels_read(client, {})  # every label kept

    options, reading = labels_read(client, {"country": here.department.country.code})

    assert not reading
    assert options == [f"{here.name} ({here.department.name})"]


def filters_panel(response) -> str:
    page = response.content.decode()
    return page[page.index('<fieldset class="filters') : page.index('<label for="filter-sort">')]


def test_a_repeated_search_shows_its_kept_filters_without_counting_or_labelling(
    client, kept_counts
):
    PublishedPracticeFactory(summary="Huerto escolar con familias retornadas.")
    first = client.get(LIST, {"q": "huerto"})

    with CaptureQueriesContext(connection) as captured:
        again = client.get(LIST, {"q": "huerto", "sort": "newest"})

    statements = [query["sql"] for query in captured]
    # Only the page's ids and its cards: no count, no label table.
    assert len(statements) == 2, statements
    assert not any("COUNT(" in sql.upper() or "UNION ALL" in sql for sql in statements)
    assert filters_panel(again) == filters_panel(first)
    assert again.context["paginator"].count == 1


def test_a_repeated_filter_looks_nothing_up_in_the_database(client, kept_counts):
    place = MunicipalityFactory()
    PublishedPracticeFactory(municipalities=[place])
    country = place.department.country.code
    client.get(LIST, {"country": country, "municipality": place.slug})

    with CaptureQueriesContext(connection) as captured:
        again = client.get(LIST, {"municipality": place.slug, "country": country, "page": "1"})

    # The chosen country and municipality come from the kept labels: ids and cards only.
    assert len(captured) == 2, [query["sql"] for query in captured]
    assert again.context["paginator"].count == 1
    assert f"Remove filter: {place.name}" in again.content.decode()


def test_the_kept_filters_are_kept_per_language(client, kept_counts):
    theme = ThemeFactory(slug="huertos", name_es="Huertos", name_en="Gardens")
    PublishedPracticeFactory(summary="Huerto escolar.", themes=[theme])

    spanish = filters_panel(client.get("/practices/", {"q": "huerto"}))
    english = filters_panel(client.get(LIST, {"q": "huerto"}))

    assert "Todos los temas" in spanish and ">Huertos (1)</option>" in spanish
    assert "All themes" in english and ">Gardens (1)</option>" in english


def test_a_renamed_place_shows_at_once_on_the_cards(
    client, kept_counts, django_capture_on_commit_callbacks
):
    place = MunicipalityFactory(name="Citalá")
    PublishedPracticeFactory(summary="Huerto escolar.", municipalities=[place])
    assert "Citalá (" in client.get(LIST).content.decode()
    commit_setup()

    with django_capture_on_commit_callbacks(execute=True):
        place.name = "Citalá Norte"
        place.save()

    assert "<dd>Citalá Norte (" in client.get(LIST).content.decode()
