"""The municipality page: its good practices and, after a reform, those of its districts."""

import datetime
import html
import re

import pytest

from networks.views import MunicipalityDetailView
from practices.enums import PracticeType, ReviewStatus
from tests.factories import (
    DepartmentFactory,
    MunicipalityFactory,
    NetworkFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REFORM_DAY = datetime.date(2024, 4, 30)


def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(response, title_id):
    """The HTML of the <section> labelled by the heading with ``title_id``, from its heading."""
    page = response.content.decode()
    start = page.rindex("<h2", 0, page.index(f'id="{title_id}"'))
    return page[start : page.index("</section>", start)]


def practice_cards(response):
    """``[(title, link, where)]`` of the practice cards, in page order."""
    cards = re.findall(
        r'<li class="card practice-card">(.*?)</li>',
        section(response, "practices-title"),
        re.S,
    )
    result = []
    for card in cards:
        link, title = re.search(r'<a href="([^"]+)">([^<]+)</a>', card).groups()
        where = re.search(r"<dt>Where</dt>\s*<dd>(.*?)</dd>", card, re.S)
        result.append((html.unescape(title), link, _text(where.group(1)) if where else ""))
    return result


def practice_titles(response):
    return [title for title, _link, _where in practice_cards(response)]


@pytest.fixture
def reform(countries):
    """El Salvador's 2024 reform: Citalá and La Palma became districts of Chalatenango Norte."""
    department = DepartmentFactory(country=countries["SV"], code="SV-CH", name="Chalatenango")
    successor = MunicipalityFactory(
        department=department, name="Chalatenango Norte", slug="chalatenango-norte"
    )
    districts = {
        slug: MunicipalityFactory(
            department=department,
            name=name,
            slug=slug,
            valid_until=REFORM_DAY,
            successor=successor,
        )
        for slug, name in (("citala", "Citalá"), ("la-palma", "La Palma"))
    }
    return {"successor": successor, **districts}


@pytest.fixture
def fewer_practices_shown(monkeypatch):
    """Two practices on the page instead of twenty, so the cap is reached with three."""
    monkeypatch.setattr(MunicipalityDetailView, "practices_shown", 2)


# Practices of the municipality ----------------------------------------------------------------


def test_municipality_page_lists_its_published_practices_newest_first(
    client, border_municipalities
):
    metapan = border_municipalities["SV"]
    older = PublishedPracticeFactory(
        title="Ventanilla de orientación",
        municipalities=[metapan],
        practice_type=PracticeType.PUBLIC_SERVICE,
        year_started=2019,
        summary=" ".join(f"palabra{n}" for n in range(60)),
    )
    newer = PublishedPracticeFactory(title="Ordenanza de acogida", municipalities=[metapan])
    PublishedPracticeFactory(
        title="Práctica de Esquipulas", municipalities=[border_municipalities["GT"]]
    )

    response = client.get("/en/municipalities/metapan-sv/")

    assert practice_cards(response) == [
        ("Ordenanza de acogida", f"/en/practices/{newer.slug}/", ""),
        ("Ventanilla de orientación", f"/en/practices/{older.slug}/", ""),
    ]
    practices = section(response, "practices-title")
    assert "2 published good practices are carried out in this municipality." in _text(practices)
    older_card = _text(practices[practices.index("Ventanilla") :])
    assert "Public service" in older_card
    assert "Since 2019" in older_card
    assert " ".join(f"palabra{n}" for n in range(30)) + " …" in older_card
    assert "palabra30" not in practices


@pytest.mark.parametrize(
    "status",
    [
        ReviewStatus.DRAFT,
        ReviewStatus.SUBMITTED,
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.ARCHIVED,
        ReviewStatus.WITHDRAWN,
    ],
)
def test_municipality_page_never_lists_an_unpublished_practice(client, reform, status):
    citala = reform["citala"]
    PublishedPracticeFactory(title="Práctica publicada", municipalities=[citala])
    PracticeFactory(
        title="Práctica no publicada", status=status, municipalities=[reform["successor"], citala]
    )

    for path in ("/en/municipalities/citala/", "/en/municipalities/chalatenango-norte/"):
        response = client.get(path)

        assert practice_titles(response) == ["Práctica publicada"], path
        assert "Práctica no publicada" not in response.content.decode(), path


def test_municipality_without_practices_says_so(client, border_municipalities, reform):
    PublishedPracticeFactory(municipalities=[border_municipalities["GT"]])

    plain = client.get("/en/municipalities/metapan-sv/")
    reformed = client.get("/en/municipalities/chalatenango-norte/")

    assert _text(section(plain, "practices-title")) == (
        "Good practices No published good practice is carried out in this municipality yet."
    )
    assert _text(section(reformed, "practices-title")) == (
        "Good practices No published good practice is carried out in this municipality or its "
        "districts yet."
    )


# A reformed municipality and its districts ------------------------------------------------------


def test_reformed_municipality_lists_its_districts_practices_each_once_with_the_district(
    client, reform
):
    successor, citala, la_palma = reform["successor"], reform["citala"], reform["la-palma"]
    PublishedPracticeFactory(title="Mesa de salud", municipalities=[citala])
    PublishedPracticeFactory(title="Ruta de retorno", municipalities=[citala, la_palma])
    PublishedPracticeFactory(title="Ordenanza municipal", municipalities=[successor])
    PublishedPracticeFactory(title="Casa de la juventud", municipalities=[successor, la_palma])

    response = client.get("/en/municipalities/chalatenango-norte/")

    assert [(title, where) for title, _link, where in practice_cards(response)] == [
        ("Casa de la juventud", "in the district of La Palma"),
        ("Ordenanza municipal", ""),
        ("Ruta de retorno", "in the districts of Citalá, La Palma"),
        ("Mesa de salud", "in the district of Citalá"),
    ]
    assert (
        "4 published good practices are carried out in this municipality or its districts."
        in _text(section(response, "practices-title"))
    )


def test_district_page_lists_only_its_own_practices(client, reform):
    PublishedPracticeFactory(title="Mesa de salud", municipalities=[reform["citala"]])
    PublishedPracticeFactory(title="Ordenanza municipal", municipalities=[reform["successor"]])
    PublishedPracticeFactory(title="Huerto escolar", municipalities=[reform["la-palma"]])

    response = client.get("/en/municipalities/citala/")

    assert practice_cards(response) == [
        ("Mesa de salud", "/en/practices/mesa-de-salud/", ""),
    ]


def test_reformed_municipality_shows_the_networks_of_its_districts(client, reform):
    successor, citala = reform["successor"], reform["citala"]
    NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio", municipalities=[citala])
    NetworkFactory(name="Red Chalatenango", slug="red-chalatenango", municipalities=[successor])
    # Listed once, as a network of the municipality itself.
    NetworkFactory(name="Red del Norte", slug="red-del-norte", municipalities=[successor, citala])

    response = client.get("/en/municipalities/chalatenango-norte/")

    networks = section(response, "networks-title")
    items = [_text(item) for item in re.findall(r"<li>(.*?)</li>", networks, re.S)]
    assert items == [
        "Red Chalatenango Local network",
        "Red del Norte Local network",
        "Through its district Citalá: Mesa Trifinio",
    ]
    assert '<a href="/en/networks/mesa-trifinio/">Mesa Trifinio</a>' in networks
    assert "does not take part" not in networks


def test_reformed_municipality_with_networks_only_through_districts_is_not_said_to_have_none(
    client, reform
):
    NetworkFactory(name="Mesa Trifinio", municipalities=[reform["citala"]])
    NetworkFactory(name="Red de La Palma", municipalities=[reform["la-palma"]])

    response = client.get("/en/municipalities/chalatenango-norte/")

    networks = section(response, "networks-title")
    assert [_text(item) for item in re.findall(r"<li>(.*?)</li>", networks, re.S)] == [
        "Through its district Citalá: Mesa Trifinio",
        "Through its district La Palma: Red de La Palma",
    ]
    assert "does not take part in any registered network" not in networks


def test_district_page_shows_its_own_networks_only(client, reform):
    NetworkFactory(name="Mesa Trifinio", municipalities=[reform["citala"]])
    NetworkFactory(name="Red Chalatenango", municipalities=[reform["successor"]])

    response = client.get("/en/municipalities/citala/")

    networks = section(response, "networks-title")
    assert [_text(item) for item in re.findall(r"<li>(.*?)</li>", networks, re.S)] == [
        "Mesa Trifinio Local network"
    ]


# The cap and the catalogue link -----------------------------------------------------------------


def test_municipality_page_under_the_cap_lists_all_without_catalogue_link(
    client, border_municipalities
):
    PublishedPracticeFactory.create_batch(2, municipalities=[border_municipalities["SV"]])

    response = client.get("/en/municipalities/metapan-sv/")

    assert len(practice_cards(response)) == 2
    assert "?municipality=" not in section(response, "practices-title")


def test_municipality_page_over_the_cap_links_the_filtered_catalogue(
    client, border_municipalities, fewer_practices_shown
):
    PublishedPracticeFactory.create_batch(3, municipalities=[border_municipalities["SV"]])

    response = client.get("/en/municipalities/metapan-sv/")

    practices = section(response, "practices-title")
    assert len(practice_cards(response)) == 2
    assert "The 2 most recently published of 3 are shown." in _text(practices)
    assert re.findall(r'<a href="([^"]+\?[^"]+)">([^<]+)</a>', practices) == [
        ("/en/practices/?municipality=metapan-sv", "See them all in the catalogue")
    ]


def test_reformed_municipality_over_the_cap_links_the_catalogue_for_its_own_practices(
    client, reform, fewer_practices_shown
):
    PublishedPracticeFactory(municipalities=[reform["successor"]])
    PublishedPracticeFactory.create_batch(2, municipalities=[reform["citala"]])

    response = client.get("/en/municipalities/chalatenango-norte/")

    practices = section(response, "practices-title")
    assert "The 2 most recently published of 3 are shown." in _text(practices)
    links = re.findall(r'<a href="([^"]+\?[^"]+)">(.*?)</a>', practices, re.S)
    assert [(href, _text(label)) for href, label in links] == [
        (
            "/en/practices/?municipality=chalatenango-norte",
            "See in the catalogue the one carried out in Chalatenango Norte itself",
        )
    ]


def test_reformed_municipality_without_own_practices_gives_the_total_and_no_link(
    client, reform, fewer_practices_shown
):
    PublishedPracticeFactory.create_batch(2, municipalities=[reform["citala"]])
    PublishedPracticeFactory(municipalities=[reform["la-palma"]])

    response = client.get("/en/municipalities/chalatenango-norte/")

    practices = section(response, "practices-title")
    assert "The 2 most recently published of 3 are shown." in _text(practices)
    assert "?municipality=" not in practices


# Public page ------------------------------------------------------------------------------------


def test_municipality_page_shows_nobody_behind_a_practice(client, reform):
    submitter = UserFactory(email="ernestina.pleitez@privado.example", name="Ernestina Pleitez")
    PublishedPracticeFactory(
        title="Mesa de salud", municipalities=[reform["citala"]], submitted_by=submitter
    )

    for path in ("/municipalities/chalatenango-norte/", "/en/municipalities/citala/"):
        page = client.get(path).content.decode()

        assert "Mesa de salud" in page, path
        assert [s for s in ("Ernestina", "Pleitez", "privado.example") if s in page] == [], path


def _reformed_municipality_of_size(reform, size):
    """``size`` more districts, each with ``size`` networks and ``size`` practices, one of them
    shared with the next district, and ``size`` practices of the municipality itself."""
    successor = reform["successor"]
    districts = [reform["citala"], reform["la-palma"]] + [
        MunicipalityFactory(
            department=successor.department, valid_until=REFORM_DAY, successor=successor
        )
        for _ in range(size)
    ]
    for index, district in enumerate(districts):
        NetworkFactory.create_batch(size, municipalities=[district])
        neighbour = districts[(index + 1) % len(districts)]
        PublishedPracticeFactory.create_batch(size, municipalities=[district, neighbour])
    NetworkFactory.create_batch(size, municipalities=[successor])
    PublishedPracticeFactory.create_batch(size, municipalities=[successor, districts[0]])
    return successor


@pytest.mark.parametrize("size", [1, 4])
def test_reformed_municipality_page_query_count_is_constant(
    client, reform, django_assert_num_queries, fewer_practices_shown, size
):
    successor = _reformed_municipality_of_size(reform, size)

    # municipality, borders, crossings, districts, the districts' networks, networks,
    # institutions; practices: the page, their districts, the counts
    with django_assert_num_queries(10):
        response = client.get(successor.get_absolute_url())

    assert len(practice_cards(response)) == 2


@pytest.mark.parametrize("size", [1, 25])
def test_municipality_page_query_count_is_constant(
    client, border_municipalities, django_assert_num_queries, size
):
    metapan = border_municipalities["SV"]
    NetworkFactory.create_batch(size, municipalities=[metapan])
    PublishedPracticeFactory.create_batch(size, municipalities=[metapan])

    # municipality, borders, crossings, districts, networks, institutions;
    # practices: the page, the counts
    with django_assert_num_queries(8):
        response = client.get(metapan.get_absolute_url())

    assert len(practice_cards(response)) == min(size, 20)
