"""The public pages in a real headless Chromium, against the live test server.

Skipped when /usr/bin/chromium is absent (a fresh machine has no browser), unless
REQUIRE_BROWSER is set (CI), where a missing browser fails: ``apt-get install chromium``.
Screenshots go to test-artifacts/ for a human look.
"""

import os
from pathlib import Path

import pytest

from networks.enums import MembershipRole, NetworkKind, Sector
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    ProgrammeFactory,
    PublishedPracticeFactory,
)

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason="needs Chromium at /usr/bin/chromium",
    ),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 740}


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def site(live_server, border_municipalities):
    """A small registry, with a member whose personal data must stay off the pages."""
    m = border_municipalities
    m["SV"].latitude, m["SV"].longitude = 14.33333, -89.45000
    m["SV"].save()
    m["SV"].borders_with.set([m["GT"].department.country, m["HN"].department.country])
    table = NetworkFactory(
        name="Mesa Técnica Transfronteriza del Trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=list(m.values()),
        description="Coordina la atención y protección de personas migrantes en el Trifinio.",
        programme=ProgrammeFactory(name="Programa Regional sobre Migración", donor="PRM"),
    )
    NetworkFactory(name="Red Local de Protección de Metapán", municipalities=[m["SV"]])
    alcaldia = InstitutionFactory(name="Alcaldía Municipal de Metapán", municipality=m["SV"])
    ngo = InstitutionFactory(name="Pastoral de Movilidad Humana", sector=Sector.FAITH_BASED)
    coordinator = PersonFactory(
        first_name="Wilfreda",
        last_name="Quintanilla",
        email="wilfreda.quintanilla@privado.example",
        institution=alcaldia,
    )
    MembershipFactory(network=table, person=coordinator, role=MembershipRole.COORDINATOR)
    MembershipFactory.create_batch(3, network=table, institution=ngo)
    return {"url": live_server.url, "table": table, "metapan": m["SV"]}


def test_home_shows_the_networks_and_a_click_opens_a_profile(page, problems, site):
    page.goto(f"{site['url']}/")

    titles = page.locator(".card__title").all_inner_texts()
    assert titles == [
        "Mesa Técnica Transfronteriza del Trifinio",
        "Red Local de Protección de Metapán",
    ]
    header = page.locator(".site-header")
    assert header.evaluate("element => getComputedStyle(element).backgroundColor") == (
        "rgb(7, 50, 95)"
    ), "site.css did not load"
    screenshot(page, "home-desktop")

    page.get_by_role("link", name="Mesa Técnica Transfronteriza del Trifinio").click()

    page.wait_for_url(f"{site['url']}/networks/{site['table'].slug}/")
    assert page.locator("h1").inner_text() == "Mesa Técnica Transfronteriza del Trifinio"
    assert "Wilfreda" not in page.content()
    screenshot(page, "network-profile-desktop")
    assert problems == []


def test_language_switch_leads_to_the_english_page(page, problems, site):
    page.goto(f"{site['url']}/networks/{site['table'].slug}/")
    assert page.locator("html").get_attribute("lang") == "es"

    page.locator(".language-switcher").get_by_role("link", name="English").click()

    page.wait_for_url(f"{site['url']}/en/networks/{site['table'].slug}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#facts-title").inner_text() == "At a glance"
    screenshot(page, "network-profile-english")
    assert problems == []


def test_directory_filter_form_narrows_the_list(page, problems, site):
    page.goto(f"{site['url']}/en/networks/")

    page.get_by_label("Kind").select_option("cross_border_table")
    page.get_by_role("button", name="Filter").click()

    page.wait_for_url("**/en/networks/?country=&kind=cross_border_table")
    assert page.locator(".card__title").all_inner_texts() == [
        "Mesa Técnica Transfronteriza del Trifinio"
    ]
    screenshot(page, "directory-filtered")
    assert problems == []


def test_municipality_page_renders_without_errors(page, problems, site):
    page.goto(f"{site['url']}/en/municipalities/{site['metapan'].slug}/")

    assert page.locator("h1").inner_text() == "Metapán"
    osm = page.get_by_role("link", name="View on OpenStreetMap")
    assert osm.get_attribute("href").startswith("https://www.openstreetmap.org/?mlat=14.33333")
    screenshot(page, "municipality-desktop")
    assert problems == []


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, problems, site):
    page.goto(f"{site['url']}/en/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    assert skip.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
    screenshot(page, "skip-link-focused")

    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"
    assert problems == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/"),
        ("directory", "/networks/"),
        ("profile", "/networks/{slug}/"),
        ("municipality", "/municipalities/{municipality}/"),
        ("sign-in", "/en/accounts/login/"),
    ],
)
def test_pages_fit_a_phone_screen_without_horizontal_scroll(page, problems, site, name, path):
    page.set_viewport_size(PHONE)

    page.goto(site["url"] + path.format(slug=site["table"].slug, municipality=site["metapan"].slug))

    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"
    screenshot(page, f"phone-{name}")
    assert problems == []


def test_a_search_on_a_phone_shows_its_first_result_on_the_first_screen(page, problems, site):
    PublishedPracticeFactory(
        title="Ordenanza municipal de atención a la migración de retorno",
        summary="Una ordenanza que crea medios de vida como alternativa a la migración irregular.",
        municipalities=[site["metapan"]],
    )
    page.set_viewport_size(PHONE)

    page.goto(site["url"] + "/practices/?q=ordenanza+migracion")

    card = page.locator(".practice-card").first.bounding_box()
    assert card is not None and card["y"] < PHONE["height"], card
    # The filters are one tap away, without JavaScript: a link to them below the results.
    page.locator(".catalogue-filters-link a").click()
    assert page.evaluate("location.hash") == "#catalogue-filters"
    assert page.locator("#catalogue-filters").is_visible()
    screenshot(page, "phone-catalogue-search")
    assert problems == []
