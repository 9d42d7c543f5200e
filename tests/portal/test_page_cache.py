"""The public page cache: anonymous visitors share rendered pages, nobody else does, and
any change to a public record is visible on the next request."""

import pytest
import tablib
from django.contrib.messages import constants
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from common.caching import PAGE_CACHE, forget_public_pages
from networks.access import SYSTEM
from networks.resources import InstitutionResource
from practices.services import practice_publish, practice_save
from tests.factories import (
    MunicipalityFactory,
    NetworkFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    StaffUserFactory,
    ThemeFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def page_cache():
    cache = caches[PAGE_CACHE]
    cache.clear()
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=60):
        yield cache
    cache.clear()


def commit_setup():
    """Run what the test's setup left for commit time, as a real commit of it would.

    The test's own transaction never commits, and a page cache forget already pending in it
    would hide whether the change under test asks for one.
    """
    pending, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _savepoints, callback, _robust in pending:
        callback()


@pytest.fixture
def catalogue(db):
    return PublishedPracticeFactory(title="Ordenanza de medios de vida de Citalá")


def test_second_anonymous_visit_is_served_without_touching_the_database(
    client, catalogue, django_assert_num_queries
):
    first = client.get("/practices/")
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get("/practices/")

    assert second.status_code == 200
    assert second.content == first.content
    assert "max-age=60" in second["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/", "/practices/?q=ordenanza", "/networks/", "/en/practices/", "/conferences/"]
)
def test_every_public_listing_is_cached_per_address(client, catalogue, path, page_cache):
    client.get(path)

    assert len(page_cache._cache) > 0  # locmem: entries are inspectable


def test_each_query_string_is_its_own_page(client, catalogue):
    client.get("/practices/?q=ordenanza")

    other = client.get("/practices/?q=inexistente")

    assert "Ordenanza de medios de vida de Citalá" not in other.text


def test_publishing_a_practice_shows_it_on_the_next_anonymous_visit(
    client, catalogue, django_capture_on_commit_callbacks
):
    reviewer = StaffUserFactory(is_superuser=True)
    draft = PracticeFactory(
        title="Ruta municipal de atención a personas retornadas",
        status="submitted",
        themes=[ThemeFactory()],
        municipalities=[MunicipalityFactory()],
    )
    commit_setup()
    client.get("/practices/")

    with django_capture_on_commit_callbacks(execute=True):
        practice_publish(practice=draft, actor=reviewer)

    assert "Ruta municipal de atención a personas retornadas" in client.get("/practices/").text


def test_editing_in_the_admin_or_any_save_forgets_the_pages(
    client, catalogue, django_capture_on_commit_callbacks
):
    commit_setup()
    client.get(catalogue.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        catalogue.title = "Ordenanza renovada de Citalá"
        catalogue.save()

    assert "Ordenanza renovada de Citalá" in client.get(catalogue.get_absolute_url()).text


def test_writing_a_draft_never_published_keeps_the_pages(
    client, catalogue, django_capture_on_commit_callbacks, django_assert_num_queries
):
    themes = [ThemeFactory(), ThemeFactory()]
    commit_setup()
    client.get("/practices/")

    with django_capture_on_commit_callbacks(execute=True):
        draft = PracticeFactory(
            title="Borrador de la mesa", network=catalogue.network, themes=themes[:1]
        )
        draft.summary = "Segunda versión del borrador."
        draft.save()
        draft.themes.add(themes[1])

    # Still the stored page: no draft is on any public page.
    with django_assert_num_queries(0):
        assert client.get("/practices/").status_code == 200


def test_a_practice_leaving_the_catalogue_forgets_the_pages(
    client, catalogue, django_capture_on_commit_callbacks
):
    commit_setup()
    assert catalogue.title in client.get("/practices/").text

    with django_capture_on_commit_callbacks(execute=True):
        # Back to review: published_at stays, the practice is no longer public.
        catalogue.status = "submitted"
        catalogue.save()

    assert catalogue.title not in client.get("/practices/").text


def test_a_spreadsheet_import_forgets_the_pages(
    client, countries, page_cache, django_capture_on_commit_callbacks
):
    commit_setup()
    client.get("/networks/")
    assert len(page_cache._cache) > 0

    dataset = tablib.Dataset(
        ["Alcaldía de Citalá", "", "municipal_government", "SV", "", ""],
        headers=["name", "acronym", "sector", "country", "municipality", "website"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = InstitutionResource(actor=SYSTEM).import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert len(page_cache._cache) == 0


def test_a_signed_in_users_page_is_never_served_to_anonymous_visitors(client, catalogue):
    staff = StaffUserFactory(email="revisora.privada@example.org")
    client.force_login(staff)
    signed_in = client.get("/practices/").text
    assert "Administración" in signed_in  # the staff header

    client.logout()
    anonymous = client.get("/practices/").text

    assert "Administración" not in anonymous
    assert "Iniciar sesión" in anonymous


def test_a_signed_in_user_never_gets_the_anonymous_page(client, catalogue, page_cache):
    client.get("/practices/")
    cached_entries = len(page_cache._cache)
    client.force_login(UserFactory())

    html = client.get("/practices/").text

    assert "Cerrar sesión" in html
    assert len(page_cache._cache) == cached_entries  # nothing stored for the signed-in user


def test_a_page_carrying_a_message_for_one_visitor_is_not_cached(rf, catalogue, page_cache):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from practices.views import PracticeListView

    request = rf.get("/practices/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._messages.add(constants.SUCCESS, "Has cerrado sesión.")

    PracticeListView.as_view()(request).render()

    assert not [key for key in page_cache._cache if "cache_page" in key]


def test_a_rolled_back_write_does_not_stop_later_changes_from_forgetting(
    client, catalogue, page_cache, django_capture_on_commit_callbacks
):
    commit_setup()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                forget_public_pages()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        client.get("/networks/")
        NetworkFactory(name="Red local de Jutiapa")

    assert callbacks  # the commit after the rollback still empties the cache
    assert "Red local de Jutiapa" in client.get("/networks/").text


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=0)
def test_a_zero_timeout_renders_every_page_afresh(client, catalogue, page_cache):
    client.get("/practices/")

    assert len(page_cache._cache) == 0


def test_a_search_is_counted_once_by_its_facet_counts(client, db):
    for number in range(25):
        PublishedPracticeFactory(title=f"Ordenanza municipal {number}")
    client.force_login(UserFactory())  # signed in: pages are rendered every time

    with CaptureQueriesContext(connection) as second_page:
        response = client.get("/practices/?q=ordenanza&page=2&sort=newest")

    # The number of results is the facet counts' total: no COUNT(*) of its own.
    counting = [query["sql"] for query in second_page if "COUNT(" in query["sql"].upper()]
    assert len(counting) == 1
    assert response.context["paginator"].count == 25
    assert sum(option.count for option in response.context["facets"]["type"]) == 25


def test_unknown_parameters_and_their_order_share_the_cached_page(
    client, catalogue, django_assert_num_queries
):
    commit_setup()
    first = client.get("/practices/?q=huerto&country=SV")

    with django_assert_num_queries(0):  # the same entry: order and junk do not count
        again = client.get("/practices/?country=SV&junk=1&q=huerto&utm_source=x&type=")
    with CaptureQueriesContext(connection) as other:
        client.get("/practices/?q=huerto&country=GT")  # a parameter the page reads does

    assert again.content == first.content
    assert len(other) > 0


def test_facet_counts_follow_a_change(client, catalogue, django_capture_on_commit_callbacks):
    commit_setup()
    client.force_login(UserFactory())
    before = client.get("/practices/").context["facets"]["year"]

    with django_capture_on_commit_callbacks(execute=True):
        catalogue.year_started = 1999
        practice_save(practice=catalogue, actor=SYSTEM)

    after = client.get("/practices/").context["facets"]["year"]
    assert [option.value for option in after] == ["1999"]
    assert [option.value for option in before] != ["1999"]


@pytest.mark.parametrize(
    "path",
    ["/", "/practices/", "/networks/", "/conferences/", "/figures/", "/en/practices/"],
)
def test_junk_parameters_neither_fill_nor_flush_the_cache(client, catalogue, page_cache, path):
    commit_setup()
    client.get(path)
    stored = len(page_cache._cache)

    for number in range(30):
        response = client.get(path, {f"junk{number}": "x" * 50, "utm_source": number})
        assert response.status_code == 200

    assert len(page_cache._cache) == stored


def test_a_page_asked_with_junk_is_served_the_stored_page_without_its_junk(
    client, catalogue, django_assert_num_queries
):
    commit_setup()
    clean = client.get("/practices/", {"country": "SV"})

    with django_assert_num_queries(0):
        junk = client.get("/practices/", {"country": "SV", "evil": "https://evil.example"})

    assert junk.content == clean.content
    assert b"evil.example" not in junk.content


def test_a_page_first_asked_with_junk_is_rendered_but_not_stored(client, catalogue):
    commit_setup()
    junk = client.get("/networks/", {"evil": "https://evil.example"})
    assert junk.status_code == 200

    clean = client.get("/networks/")

    # Rendered for its own visitor only: the language links of the next one carry no junk.
    assert b"evil.example" not in clean.content


def test_pages_without_parameters_share_one_entry_whatever_the_query(
    client, catalogue, django_assert_num_queries
):
    commit_setup()
    path = catalogue.get_absolute_url()
    client.get(path)

    with django_assert_num_queries(0):
        client.get(path, {"page": "2"})
