"""The home page and the site layout every public page shares."""

import datetime
import html
import re

import pytest
from django.utils import translation
from django.views.defaults import server_error

from networks.enums import NetworkKind, NetworkStatus
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    PersonFactory,
    PublishedPracticeFactory,
    StaffUserFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def key_figures(response):
    page = response.content.decode()
    start = page.index('id="figures-title"')
    figures = page[start : page.index("</section>", start)]
    return {
        _text(label): _text(value)
        for label, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", figures, re.S)
    }


def network_links(response):
    page = response.content.decode()
    links = re.findall(r'class="card__title"><a href="([^"]+)">([^<]+)</a>', page)
    return [(href, title) for href, title in links if "/networks/" in href]


@pytest.fixture
def registry(border_municipalities):
    """Two networks over three countries; three people in two institutions, and one who left."""
    m = border_municipalities
    table = NetworkFactory(
        name="Mesa Trifinio", kind=NetworkKind.CROSS_BORDER_TABLE, municipalities=list(m.values())
    )
    dormant = NetworkFactory(
        name="Red Esquipulas", status=NetworkStatus.DORMANT, municipalities=[m["GT"]]
    )
    MunicipalityFactory(name="Municipio sin red")
    alcaldia, ngo, former = InstitutionFactory.create_batch(3)
    InstitutionFactory(name="Institución sin miembros")
    MembershipFactory(network=table, institution=alcaldia)
    MembershipFactory(network=table, institution=alcaldia)
    someone = MembershipFactory(network=dormant, institution=ngo).person
    MembershipFactory(network=table, person=someone, institution=ngo)
    MembershipFactory(network=table, institution=former, end_date=datetime.date(2023, 12, 31))
    return {"table": table, "dormant": dormant}


def test_home_shows_key_figures_as_counts(client, registry):
    response = client.get("/en/")

    assert key_figures(response) == {
        "Networks and tables": "2",
        "Active networks": "1",
        "Municipalities": "3",
        "Countries": "3",
        "Member institutions": "2",
        "Members": "3",
    }


def test_home_lists_every_network_with_a_link_to_its_profile(client, registry):
    response = client.get("/")

    assert network_links(response) == [
        ("/networks/mesa-trifinio/", "Mesa Trifinio"),
        ("/networks/red-esquipulas/", "Red Esquipulas"),
    ]


def test_home_in_english_links_to_english_profiles(client, registry):
    response = client.get("/en/")

    assert network_links(response) == [
        ("/en/networks/mesa-trifinio/", "Mesa Trifinio"),
        ("/en/networks/red-esquipulas/", "Red Esquipulas"),
    ]
    assert '<html lang="en">' in response.content.decode()
    assert '<h1 id="page-title">Cross-border migration networks</h1>' in response.content.decode()


def test_home_without_networks_says_so(client, db):
    response = client.get("/en/")

    assert network_links(response) == []
    assert "No network has been registered yet." in response.content.decode()
    assert set(key_figures(response).values()) == {"0"}


@pytest.mark.parametrize("rows", [1, 25])
def test_home_query_count_is_constant(
    client, border_municipalities, django_assert_num_queries, rows
):
    for _ in range(rows):
        network = NetworkFactory(municipalities=list(border_municipalities.values()))
        MembershipFactory(network=network)
        PublishedPracticeFactory(
            network=network,
            municipalities=[border_municipalities["SV"]],
            themes=[ThemeFactory(slug="health")],
        )

    # five figures, the networks and their municipalities, the ids of the recent practices,
    # their cards, the label table naming their themes, places and networks
    with django_assert_num_queries(10):
        response = client.get("/")

    assert len(network_links(response)) == rows
    assert response.content.decode().count('class="card practice-card"') == min(rows, 3)


def test_home_never_shows_members_personal_data(client, registry):
    person = PersonFactory(
        first_name="Eustaquia",
        last_name="Zelaya Pineda",
        email="eustaquia.zelaya@privado.example",
        phone="+504 9876 5432",
    )
    MembershipFactory(person=person, network=registry["table"])

    for path in ("/", "/en/"):
        response = client.get(path)
        # The scan means something only on the rendered page, with the member's network.
        assert response.status_code == 200, path
        page = response.content.decode()
        assert registry["table"].name in page, path
        leaked = [
            value
            for value in ("Eustaquia", "Zelaya", "eustaquia.zelaya@privado.example", "9876 5432")
            if value in page
        ]
        assert leaked == [], path


# Site layout ------------------------------------------------------------------------------------


def test_layout_has_skip_link_landmarks_and_language_switcher(client, db):
    page = client.get("/en/").content.decode()

    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main"' in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert '<footer class="site-footer">' in page
    assert re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', page) == [("/", "es"), ("/en/", "en")]
    assert '<a href="/en/" hreflang="en" lang="en" aria-current="true">English</a>' in page


def test_layout_credits_iom_and_sica(client, db):
    page = client.get("/en/").content.decode()

    footer = _text(page[page.index('<footer class="site-footer">') :])
    assert "International Organization for Migration (IOM)" in footer
    assert "Central American Integration System (SICA)" in footer


def test_layout_offers_sign_in_to_visitors_and_administration_to_staff(client, db):
    anonymous = client.get("/en/").content.decode()
    client.force_login(StaffUserFactory())
    staff = client.get("/en/").content.decode()

    assert ('href="/en/accounts/login/"' in anonymous, 'href="/admin/"' in anonymous) == (
        True,
        False,
    )
    assert ('href="/en/accounts/login/"' in staff, 'href="/admin/"' in staff) == (False, True)


def test_messages_are_shown_in_the_layout(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/en/accounts/logout/", follow=True)

    assert '<ul class="messages" role="status">' in response.content.decode()
    assert "You have signed out." in response.content.decode()


def test_sign_in_page_uses_the_site_layout(client, db):
    page = client.get("/en/accounts/login/").content.decode()

    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main" tabindex="-1" class="site-main site-main--account">' in page
    assert re.search(r"<title>\s*Sign In\s* · Cross-border migration networks</title>", page)
    assert "<script" not in page


def test_server_error_page_renders_without_a_request_context(rf):
    with translation.override("en"):
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
    assert '<html lang="en">' in response.content.decode()
