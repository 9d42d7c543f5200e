"""The catalogue's facet keys and kept totals (practices/facets.py), sort order and parameters."""

import re

import pytest
from django.db import connection

from networks.access import SYSTEM
from practices import facets
from practices.enums import PracticeType, ReviewStatus
from practices.models import FacetTotal, GCMObjective, Practice, Theme
from practices.services import (
    practice_archive,
    practice_delete,
    practice_publish,
    practice_save,
)
from tests.factories import NetworkFactory, PracticeFactory, PublishedPracticeFactory

LIST = "/en/practices/"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="relevance ranking is PostgreSQL's"
)


@pytest.fixture
def filed(border_municipalities):
    metapan, esquipulas = border_municipalities["SV"], border_municipalities["GT"]
    return PublishedPracticeFactory(
        title="Ordenanza de medios de vida",
        practice_type=PracticeType.MUNICIPAL_ORDINANCE,
        municipalities=[metapan, esquipulas],
        themes=[Theme.objects.get(slug="health")],
        gcm_objectives=[GCMObjective.objects.get(number=15)],
        network=NetworkFactory(),
        year_started=2019,
    )


def kept_totals_are_a_recount():
    """The kept totals equal a count of the published practices made now."""
    recount = facets.facet_counts(Practice.objects.published())
    return dict(FacetTotal.objects.values_list("key", "count")) == recount


def test_a_practice_is_filed_under_each_place_network_theme_objective_type_and_year(filed):
    metapan, esquipulas = filed.municipalities.order_by("pk")
    expected = {
        facets.EVERY_PRACTICE,
        facets.key("municipality", metapan.pk),
        facets.key("municipality", esquipulas.pk),
        facets.key("department", metapan.department_id),
        facets.key("department", esquipulas.department_id),
        facets.key("country", metapan.department.country_id),
        facets.key("country", esquipulas.department.country_id),
        facets.key("network", filed.network_id),
        facets.key("theme", Theme.objects.get(slug="health").pk),
        facets.key("gcm", GCMObjective.objects.get(number=15).pk),
        facets.type_key(PracticeType.MUNICIPAL_ORDINANCE),
        facets.key("year", 2019),
    }

    filed.refresh_from_db()
    assert set(filed.facet_keys) == expected


def test_the_bulk_rebuild_files_practices_as_practice_index_does(filed):
    indexed = Practice.objects.get(pk=filed.pk).facet_keys
    Practice.objects.filter(pk=filed.pk).update(facet_keys=[])
    FacetTotal.objects.all().delete()

    facets.facet_keys_rebuild()

    assert Practice.objects.get(pk=filed.pk).facet_keys == indexed
    assert kept_totals_are_a_recount()


def test_kept_totals_follow_publication_edits_and_deletion(filed):
    draft = PracticeFactory(
        title="Borrador",
        network=filed.network,
        status=ReviewStatus.SUBMITTED,
        themes=[Theme.objects.get(slug="health")],
        municipalities=list(filed.municipalities.all()[:1]),
    )
    assert kept_totals_are_a_recount()

    practice_publish(practice=draft, actor=SYSTEM)
    assert kept_totals_are_a_recount()
    assert FacetTotal.objects.get(key=facets.key("network", filed.network_id)).count == 2

    filed.year_started = 2001
    practice_save(practice=filed, actor=SYSTEM, themes=[Theme.objects.get(slug="livelihoods")])
    assert kept_totals_are_a_recount()
    assert not FacetTotal.objects.filter(key=facets.key("year", 2019)).exists()

    practice_archive(practice=filed, actor=SYSTEM)
    assert kept_totals_are_a_recount()

    practice_delete(practice=draft, actor=SYSTEM)
    assert kept_totals_are_a_recount()
    # Nothing is published any more: no total is left.
    assert not FacetTotal.objects.exists()


def test_the_unfiltered_catalogue_reads_the_kept_totals(client, filed):
    FacetTotal.objects.filter(key=facets.key("year", 2019)).update(count=41)

    response = client.get(LIST)

    # Proof that the counts came from the kept totals, not from a recount.
    years = {option.value: option.count for option in response.context["facets"]["year"]}
    assert years == {"2019": 41}
    assert response.context["paginator"].count == 1


def test_objective_is_another_name_for_the_gcm_filter(client, filed):
    PublishedPracticeFactory(title="Otra práctica")

    by_objective = client.get(LIST, {"objective": "15"})
    by_gcm = client.get(LIST, {"gcm": "15"})

    assert by_objective.context["paginator"].count == by_gcm.context["paginator"].count == 1


def test_an_objective_written_with_a_leading_zero_is_the_same_objective(client, filed):
    PublishedPracticeFactory(title="Otra práctica")

    response = client.get(LIST, {"gcm": "015"})

    assert response.context["paginator"].count == 1
    assert "Some filters were not recognised" not in response.content.decode()


@pytest.mark.parametrize("parameter", ["country", "department", "municipality", "theme", "gcm"])
def test_a_filter_naming_nothing_is_reported_and_ignored(client, filed, parameter):
    response = client.get(LIST, {parameter: "no-such-thing"})

    assert "Some filters were not recognised" in response.content.decode()
    assert response.context["paginator"].count == 1  # the whole catalogue


def test_the_sort_menu_keeps_the_default_order_for_the_next_search(client, filed):
    html = client.get(LIST).content.decode()

    menu = html[
        html.index('id="filter-sort"') : html.index("</select>", html.index('id="filter-sort"'))
    ]
    # The default is selected, not "newest": a search typed next is ranked by relevance.
    assert re.search(r'<option value=""\s+selected>', menu)
    assert not re.search(r'value="newest"\s+selected', menu)


@postgres_only
def test_a_search_is_ranked_by_relevance_unless_newest_is_chosen(client, db):
    title_match = PublishedPracticeFactory(title="Ordenanza de huertos familiares")
    body_match = PublishedPracticeFactory(
        title="Programa municipal", body="Incluye una ordenanza entre muchas otras cosas."
    )
    # The body match is the newer one: newest first would put it on top.
    Practice.objects.filter(pk=body_match.pk).update(published_at=title_match.published_at)
    Practice.objects.filter(pk=title_match.pk).update(
        published_at=title_match.published_at.replace(year=2020)
    )

    ranked = client.get(LIST, {"q": "ordenanza"}).context["practices"]
    newest = client.get(LIST, {"q": "ordenanza", "sort": "newest"}).context["practices"]
    explicit = client.get(LIST, {"q": "ordenanza", "sort": "relevance"}).context["practices"]

    assert [p.pk for p in ranked] == [title_match.pk, body_match.pk]
    assert [p.pk for p in explicit] == [title_match.pk, body_match.pk]
    assert [p.pk for p in newest] == [body_match.pk, title_match.pk]
