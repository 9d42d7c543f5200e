"""The public pages of the registry: directory, network profile, municipality page."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from networks.enums import MembershipRole, NetworkKind, NetworkStatus, Sector
from networks.models import BorderCrossing
from tests.factories import (
    DepartmentFactory,
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    PersonFactory,
    PracticeFactory,
    ProgrammeFactory,
    PublishedPracticeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


DIRECTORY = "/networks/"
DIRECTORY_EN = "/en/networks/"


def _text(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def card_titles(response):
    """Names of the networks shown as cards, in page order."""
    page = response.content.decode()
    return [_text(title) for title in re.findall(r'class="card__title">(.*?)</h3>', page, re.S)]


def section(response, title_id):
    """The HTML of the <section> labelled by the heading with ``title_id``."""
    page = response.content.decode()
    start = page.index(f'id="{title_id}"')
    return page[start : page.index("</section>", start)]


def groups(fragment):
    """``{<h3> text: [list item texts]}`` for a section made of headed lists."""
    result = {}
    for heading, body in re.findall(r"<h3>(.*?)</h3>\s*<ul[^>]*>(.*?)</ul>", fragment, re.S):
        result[_text(heading)] = [_text(item) for item in re.findall(r"<li>(.*?)</li>", body, re.S)]
    return result


def aside(response):
    """The facts panel of a profile page."""
    page = response.content.decode()
    return page[page.index("<aside") : page.index("</aside>")]


def facts(fragment):
    """``{label: value}`` of a definition list of facts."""
    return {
        _text(label): " ".join(_text(value).split())
        for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", fragment, re.S)
    }


@pytest.fixture
def directory_networks(border_municipalities):
    """A cross-border table (SV+GT), a Honduran network and a Salvadoran one in formation."""
    m = border_municipalities
    return {
        "table": NetworkFactory(
            name="Mesa Trifinio",
            kind=NetworkKind.CROSS_BORDER_TABLE,
            municipalities=[m["SV"], m["GT"]],
        ),
        "honduras": NetworkFactory(name="Red Ocotepeque", municipalities=[m["HN"]]),
        "salvador": NetworkFactory(
            name="Red Metapán", status=NetworkStatus.FORMING, municipalities=[m["SV"]]
        ),
    }


# Directory ------------------------------------------------------------------------------------


def test_directory_lists_every_network_by_name(client, directory_networks):
    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert card_titles(response) == ["Mesa Trifinio", "Red Metapán", "Red Ocotepeque"]


def test_directory_card_shows_kind_status_countries_and_municipality_count(
    client, directory_networks
):
    response = client.get(DIRECTORY_EN)

    page = response.content.decode()
    card = page[page.index(">Mesa Trifinio<") : page.index("</li>", page.index(">Mesa Trifinio<"))]
    assert "Cross-border technical table" in card
    assert "Active" in card
    assert facts(card) == {"Countries": "El Salvador, Guatemala", "Municipalities": "2"}


def test_directory_filtered_by_country_shows_only_networks_there(client, directory_networks):
    response = client.get(DIRECTORY, {"country": "SV"})

    assert card_titles(response) == ["Mesa Trifinio", "Red Metapán"]


def test_directory_filtered_by_kind_shows_only_that_kind(client, directory_networks):
    response = client.get(DIRECTORY, {"kind": NetworkKind.LOCAL_NETWORK})

    assert card_titles(response) == ["Red Metapán", "Red Ocotepeque"]


def test_directory_filtered_by_country_and_kind_combines_both(client, directory_networks):
    response = client.get(DIRECTORY_EN, {"country": "GT", "kind": NetworkKind.LOCAL_NETWORK})

    assert card_titles(response) == []
    assert "No network matches these filters." in response.content.decode()


def test_directory_filter_form_keeps_the_chosen_values(client, directory_networks):
    response = client.get(DIRECTORY, {"country": "HN", "kind": NetworkKind.CROSS_BORDER_TABLE})

    page = response.content.decode()
    assert '<option value="HN" selected>' in page
    assert '<option value="cross_border_table" selected>' in page


def test_directory_country_filter_offers_only_countries_with_networks(client, countries):
    salvadoran = MunicipalityFactory(department=DepartmentFactory(country=countries["SV"]))
    NetworkFactory(name="Red salvadoreña", municipalities=[salvadoran])

    response = client.get(DIRECTORY)

    select = re.search(r'<select name="country".*?</select>', response.content.decode(), re.S)
    assert re.findall(r'<option value="(\w*)"', select.group(0)) == ["", "SV"]


@pytest.mark.parametrize(
    "query",
    [
        {"country": "XX"},
        {"country": "sv"},
        {"kind": "mesa"},
        {"country": "' OR 1=1 --", "kind": '"><script>alert(1)</script>'},
        {"country": "&|!():*'"},
        {"country": "S" * 10_000},
    ],
)
def test_directory_with_unknown_filter_ignores_it_and_says_so(client, directory_networks, query):
    response = client.get(DIRECTORY_EN, query)

    assert response.status_code == 200
    assert card_titles(response) == ["Mesa Trifinio", "Red Metapán", "Red Ocotepeque"]
    assert "Some filters were not recognised and have been ignored." in response.content.decode()
    assert "<script>alert" not in response.content.decode()


def test_directory_keeps_the_valid_filter_when_the_other_is_unknown(client, directory_networks):
    response = client.get(DIRECTORY_EN, {"country": "HN", "kind": "nonsense"})

    assert card_titles(response) == ["Red Ocotepeque"]
    assert "Some filters were not recognised" in response.content.decode()


@pytest.mark.parametrize(
    "raw_query",
    ["page=abc", "page=-1", "page=0", "page=1e9", "page=" + "9" * 10_000, "a=%27&&b"],
)
def test_directory_with_junk_query_string_answers_200(client, directory_networks, raw_query):
    response = client.get(f"{DIRECTORY}?{raw_query}")

    assert response.status_code == 200
    assert card_titles(response) == ["Mesa Trifinio", "Red Metapán", "Red Ocotepeque"]


@pytest.fixture
def thirty_networks(border_municipalities):
    return [
        NetworkFactory(name=f"Red {number:02d}", municipalities=[border_municipalities["SV"]])
        for number in range(1, 31)
    ]


def test_directory_paginates_by_24_and_links_the_next_page(client, thirty_networks):
    first = client.get(DIRECTORY_EN)
    second = client.get(DIRECTORY_EN, {"page": 2})

    assert card_titles(first) == [f"Red {n:02d}" for n in range(1, 25)]
    assert card_titles(second) == [f"Red {n:02d}" for n in range(25, 31)]
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_directory_page_past_the_end_shows_the_last_page(client, thirty_networks):
    response = client.get(DIRECTORY, {"page": 99999})

    assert response.status_code == 200
    assert card_titles(response) == [f"Red {n:02d}" for n in range(25, 31)]


def test_directory_pagination_links_keep_the_filters(client, thirty_networks):
    response = client.get(DIRECTORY, {"country": "SV", "kind": "local_network", "junk": "1"})

    assert 'href="?country=SV&amp;kind=local_network&amp;page=2"' in response.content.decode()


def test_directory_query_count_is_constant(
    client, border_municipalities, django_assert_num_queries
):
    municipalities = list(border_municipalities.values())
    NetworkFactory(municipalities=municipalities[:1])
    with django_assert_num_queries(4):  # countries for the filter, count, page, municipalities
        client.get(DIRECTORY)

    for _ in range(30):
        NetworkFactory(municipalities=municipalities)
    with django_assert_num_queries(4):
        client.get(DIRECTORY, {"country": "SV"})


# Network profile ------------------------------------------------------------------------------


def test_network_profile_shows_facts_and_description(client, directory_networks):
    table = directory_networks["table"]
    table.founded_on = datetime.date(2019, 6, 20)
    table.description = "Coordina la atención a personas migrantes en el Trifinio."
    table.programme = ProgrammeFactory(name="Programa Mesoamérica", donor="PRM")
    table.save()

    response = client.get(f"/en/networks/{table.slug}/")

    assert response.status_code == 200
    assert "Coordina la atención a personas migrantes en el Trifinio." in response.content.decode()
    assert facts(aside(response)) == {
        "Kind": "Cross-border technical table",
        "Status": "Active",
        "Founded": "June 20, 2019",
        "Programme": "Programa Mesoamérica",
        "Donor": "PRM",
        "Members": "0",
    }


def test_network_profile_groups_municipalities_by_country(client, border_municipalities):
    extra = MunicipalityFactory(
        department=border_municipalities["SV"].department, name="Citalá", slug="citala"
    )
    table = NetworkFactory(
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[border_municipalities["SV"], border_municipalities["HN"], extra],
    )

    response = client.get(table.get_absolute_url())

    municipalities = section(response, "municipalities-title")
    assert groups(municipalities) == {
        "El Salvador": ["Citalá Santa Ana", "Metapán Santa Ana"],
        "Honduras": ["Ocotepeque Ocotepeque"],
    }
    assert 'href="/municipalities/citala/"' in municipalities


def test_network_profile_lists_institutions_of_open_memberships_by_sector_once(client, countries):
    network = NetworkFactory()
    alcaldia = InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    ngo = InstitutionFactory(
        name="Red de Apoyo Migrante",
        acronym="RAM",
        sector=Sector.CIVIL_SOCIETY,
        country=countries["GT"],
    )
    former = InstitutionFactory(name="Institución que se retiró", sector=Sector.ACADEMIA)
    MembershipFactory(network=network, institution=alcaldia, role=MembershipRole.COORDINATOR)
    MembershipFactory(network=network, institution=alcaldia)
    MembershipFactory(network=network, institution=ngo)
    MembershipFactory(network=network, institution=former, end_date=datetime.date(2023, 1, 31))
    MembershipFactory(institution=InstitutionFactory(name="Miembro de otra red"))

    response = client.get(f"/en{network.get_absolute_url()}")

    assert groups(section(response, "institutions-title")) == {
        "Municipal government": ["Alcaldía de Metapán El Salvador"],
        "Civil society": ["Red de Apoyo Migrante (RAM) Guatemala"],
    }


def test_network_profile_counts_members_by_role(client):
    network = NetworkFactory()
    MembershipFactory(network=network, role=MembershipRole.COORDINATOR)
    MembershipFactory.create_batch(3, network=network, role=MembershipRole.MEMBER)
    MembershipFactory(network=network, end_date=datetime.date(2022, 12, 31))

    response = client.get(f"/en{network.get_absolute_url()}")

    panel = aside(response)
    assert facts(panel)["Members"] == "4"
    assert facts(panel.split("Members by role")[1]) == {"Coordinator": "1", "Member": "3"}


@pytest.mark.parametrize("members", [1, 20])
def test_network_profile_query_count_does_not_grow_with_members(
    client, border_municipalities, django_assert_num_queries, members
):
    network = NetworkFactory(municipalities=list(border_municipalities.values()))
    MembershipFactory.create_batch(members, network=network)
    PublishedPracticeFactory.create_batch(
        members, network=network, municipalities=[border_municipalities["GT"]]
    )

    SessionFactory.create_batch(members, networks=[network], is_public=True)

    # network with programme, municipalities, institutions, counts by role, practices, sessions
    with django_assert_num_queries(6):
        response = client.get(network.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/en/networks/no-such-network/", "/en/municipalities/nowhere/"])
def test_unknown_slug_is_404_with_the_site_layout(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="#main"' in response.content.decode()


# Municipality page ----------------------------------------------------------------------------


@pytest.fixture
def reform(countries):
    """El Salvador's 2024 reform: Citalá became a district of Chalatenango Norte."""
    department = DepartmentFactory(country=countries["SV"], code="SV-CH", name="Chalatenango")
    successor = MunicipalityFactory(
        department=department, name="Chalatenango Norte", slug="chalatenango-norte"
    )
    citala = MunicipalityFactory(
        department=department,
        name="Citalá",
        slug="citala",
        valid_until=datetime.date(2024, 4, 30),
        successor=successor,
        latitude=Decimal("14.37000"),
        longitude=Decimal("-89.21500"),
    )
    citala.borders_with.set([countries["GT"], countries["HN"]])
    MunicipalityFactory(
        department=department,
        name="La Palma",
        slug="la-palma",
        valid_until=datetime.date(2024, 4, 30),
        successor=successor,
    )
    return {"successor": successor, "citala": citala}


def test_merged_municipality_says_which_municipality_it_is_a_district_of(client, reform):
    response = client.get("/en/municipalities/citala/")

    page = response.content.decode()
    assert "Since 2024 a district of " in page
    assert (
        'a district of <a href="/en/municipalities/chalatenango-norte/">Chalatenango Norte</a>'
        in page
    )


def test_successor_municipality_lists_its_districts(client, reform):
    response = client.get("/en/municipalities/chalatenango-norte/")

    districts = section(response, "districts-title")
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', districts) == [
        ("/en/municipalities/citala/", "Citalá"),
        ("/en/municipalities/la-palma/", "La Palma"),
    ]
    assert "a district of" not in response.content.decode()


def test_municipality_page_shows_geography_border_and_coordinates(client, reform, countries):
    citala = reform["citala"]
    BorderCrossing.objects.create(name="El Poy", municipality=citala, leads_to=countries["HN"])

    response = client.get("/en/municipalities/citala/")

    panel = aside(response)
    assert facts(panel) == {
        "Department": "Chalatenango",
        "Country": "El Salvador",
        "Border municipality": "Yes, it borders Guatemala, Honduras",
        "Coordinates": "14.37000, -89.21500 View on OpenStreetMap",
    }
    assert "https://www.openstreetmap.org/?mlat=14.37000&amp;mlon=-89.21500" in panel
    assert '<li>El Poy <span class="muted">to Honduras</span></li>' in panel


def test_municipality_page_lists_its_networks_and_institutions(client, border_municipalities):
    metapan = border_municipalities["SV"]
    NetworkFactory(name="Red Metapán", municipalities=[metapan])
    NetworkFactory(name="Red de otro lugar", municipalities=[border_municipalities["GT"]])
    InstitutionFactory(name="Alcaldía Municipal de Metapán", municipality=metapan)
    InstitutionFactory(name="Alcaldía de Esquipulas", municipality=border_municipalities["GT"])

    response = client.get(f"/en{metapan.get_absolute_url()}")

    assert groups_of_links(section(response, "networks-title")) == ["Red Metapán"]
    institutions = section(response, "institutions-title")
    assert [_text(i) for i in re.findall(r"<li>(.*?)</li>", institutions, re.S)] == [
        "Alcaldía Municipal de Metapán Municipal government"
    ]


def groups_of_links(fragment):
    return [_text(text) for text in re.findall(r"<a [^>]*>(.*?)</a>", fragment, re.S)]


@pytest.mark.parametrize("networks", [1, 15])
def test_municipality_page_query_count_is_constant(
    client, reform, django_assert_num_queries, networks
):
    successor = reform["successor"]
    for _ in range(networks):
        NetworkFactory(municipalities=[successor])
        InstitutionFactory(municipality=successor, country=successor.department.country)

    # municipality, borders, crossings, districts, districts' networks, networks,
    # institutions, the practices' page and their counts
    with django_assert_num_queries(9):
        response = client.get(successor.get_absolute_url())

    assert response.status_code == 200


# Languages ------------------------------------------------------------------------------------


def test_spanish_pages_are_marked_spanish_and_english_pages_english(client, directory_networks):
    spanish = client.get(DIRECTORY).content.decode()
    english = client.get(DIRECTORY_EN).content.decode()

    assert '<html lang="es">' in spanish
    assert '<html lang="en">' in english
    assert "<h1>Network directory</h1>" in english
    assert "Cross-border migration networks" in english


def test_language_switcher_and_hreflang_point_to_the_same_page(client, directory_networks):
    slug = directory_networks["table"].slug

    page = client.get(f"/networks/{slug}/", {"country": "SV"}).content.decode()

    assert f'<a href="/en/networks/{slug}/?country=SV" hreflang="en" lang="en">English</a>' in page
    assert (
        f'<link rel="alternate" hreflang="en" href="http://testserver/en/networks/{slug}/?country=SV">'
        in page
    )
    assert (
        f'<link rel="alternate" hreflang="x-default" href="http://testserver/networks/{slug}/?country=SV">'
        in page
    )


def test_country_names_follow_the_page_language(client, countries, directory_networks):
    countries["HN"].name_en = "Honduras (EN)"
    countries["HN"].save()

    english = client.get(DIRECTORY_EN)
    spanish = client.get(DIRECTORY)

    assert "Honduras (EN)" in english.content.decode()
    assert "Honduras (EN)" not in spanish.content.decode()


# Privacy and content security -------------------------------------------------------------------


@pytest.fixture
def private_person(border_municipalities):
    """A member whose every personal detail is distinctive enough to search the page for."""
    metapan = border_municipalities["SV"]
    network = NetworkFactory(name="Red con miembros", municipalities=[metapan])
    person = PersonFactory(
        first_name="Wilfreda Anacleta",
        last_name="Quintanilla Obregón",
        email="wilfreda.quintanilla@privado.example",
        phone="+503 7712 9988",
        institution=InstitutionFactory(name="Alcaldía de Metapán", municipality=metapan),
    )
    MembershipFactory(person=person, network=network, role=MembershipRole.COORDINATOR)
    return person


def public_pages(person):
    network = person.memberships.get().network
    municipality = person.institution.municipality
    paths = ["/", DIRECTORY, network.get_absolute_url(), municipality.get_absolute_url()]
    return paths + [f"/en{path}" for path in paths]


def rendered_page(client, path, person):
    """The page at ``path``, once it is known to have rendered with the person's network on
    it: a scan of a "not found" page would prove nothing."""
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.content.decode()
    assert person.memberships.get().network.name in page, path
    return page


def test_personal_data_never_appears_on_public_pages(client, private_person):
    secrets = [
        "Wilfreda",
        "Anacleta",
        "Quintanilla",
        "Obregón",
        "wilfreda.quintanilla",
        "privado.example",
        "7712",
        "9988",
    ]

    for path in public_pages(private_person):
        page = rendered_page(client, path, private_person)
        assert [secret for secret in secrets if secret in page] == [], path


def test_public_pages_have_no_inline_script_or_style(client, private_person):
    for path in public_pages(private_person):
        page = rendered_page(client, path, private_person)
        assert ("<script" in page, "style=" in page, "<style" in page) == (False, False, False), (
            path
        )


def test_public_pages_send_a_strict_content_security_policy(client, directory_networks):
    response = client.get(reverse("networks:network-list"))

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_network_profile_notes_municipalities_merged_by_the_reform(client, reform):
    network = NetworkFactory(name="Red Chalatenango", slug="red-chalatenango")
    network.municipalities.set([reform["citala"], reform["successor"]])

    response = client.get("/en/networks/red-chalatenango/")

    page = response.content.decode()
    assert "district of Chalatenango Norte since 2024" in page
    assert page.count("district of ") == 1


def test_network_profile_lists_only_its_published_practices(client, border_municipalities):
    network = NetworkFactory(name="Red con prácticas", slug="red-con-practicas")
    other = NetworkFactory(name="Otra red", slug="otra-red")
    PublishedPracticeFactory(title="Ventanilla de orientación", network=network)
    PracticeFactory(title="Borrador interno", network=network)
    PublishedPracticeFactory(title="Práctica de otra red", network=other)

    response = client.get("/en/networks/red-con-practicas/")

    practices = section(response, "practices-title")
    assert re.findall(r'<a href="/en/practices/[^"?]+">([^<]+)</a>', practices) == [
        "Ventanilla de orientación"
    ]
    assert "?network=red-con-practicas" in practices


def test_network_profile_lists_public_sessions_and_offers_the_calendar(client):
    network = NetworkFactory(name="Mesa con sesiones", slug="mesa-con-sesiones")
    SessionFactory(title="Sesión ordinaria de marzo", networks=[network], is_public=True)
    SessionFactory(title="Reunión interna", networks=[network], is_public=False)

    response = client.get("/en/networks/mesa-con-sesiones/")

    sessions = section(response, "sessions-title")
    assert re.findall(r'<a href="/en/sessions/[^"]+/">([^<]+)</a>', sessions) == [
        "Sesión ordinaria de marzo"
    ]
    assert 'href="/en/networks/mesa-con-sesiones/calendar.ics"' in sessions
