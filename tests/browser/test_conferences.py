"""Conference and session pages in a real headless Chromium, against the live test server.

Skipped when /usr/bin/chromium is absent, unless REQUIRE_BROWSER is set (CI), where a missing
browser fails. Screenshots go to test-artifacts/ for a human look.
"""

import os
from pathlib import Path

import pytest

from conferences.enums import AgreementStatus, Modality
from networks.enums import NetworkKind, Sector, Sex
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PublishedMinutesFactory,
    PublishedPracticeFactory,
    SessionFactory,
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
def site(live_server, border_municipalities, countries):
    """The 2020 exchange with one held session, with attendance from three countries."""
    m = border_municipalities
    table = NetworkFactory(
        name="Mesa Técnica Transfronteriza del Trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=list(m.values()),
    )
    institutions = {
        "GT": InstitutionFactory(
            name="Municipalidad de Esquipulas",
            country=countries["GT"],
            sector=Sector.MUNICIPAL_GOVERNMENT,
        ),
        "SV": InstitutionFactory(
            name="Alcaldía Municipal de Metapán",
            country=countries["SV"],
            sector=Sector.MUNICIPAL_GOVERNMENT,
        ),
        "HN": InstitutionFactory(
            name="Pastoral de Movilidad Humana de Ocotepeque",
            country=countries["HN"],
            sector=Sector.CIVIL_SOCIETY,
        ),
        "OIM": InstitutionFactory(
            name="Organización Internacional para las Migraciones",
            acronym="OIM",
            country=countries["GT"],
            sector=Sector.INTERNATIONAL_COOPERATION,
        ),
    }
    conference = ConferenceFactory(
        title="Gobernanza local de la migración en municipios fronterizos",
        slug="gobernanza-local-2020",
        description=(
            "Primera conferencia virtual de OIM y SICA con municipios fronterizos de "
            "El Salvador, Guatemala y Honduras."
        ),
        organisers=[institutions["OIM"]],
        networks=[table],
    )
    session = SessionFactory(
        conference=conference,
        title="Desafíos de la gestión de la cooperación en los territorios",
        slug="desafios-cooperacion",
        description="Intercambio entre alcaldías sobre alianzas y cooperación.",
        networks=[table],
        modality=Modality.VIRTUAL,
        meeting_link="https://meet.example.org/privado",
    )
    SessionFactory(
        conference=conference,
        title="Formación de liderazgos comunitarios",
        slug="liderazgos",
        networks=[table],
    )
    AgendaItemFactory(
        session=session,
        position=1,
        title="Bienvenida e inauguración",
        duration_minutes=10,
        presenter_institution=institutions["OIM"],
    )
    AgendaItemFactory(
        session=session,
        position=2,
        title="Ordenanza municipal para la atención de personas migrantes retornadas",
        duration_minutes=45,
        presenter_institution=institutions["GT"],
    )
    for code, women, men in (("GT", 7, 6), ("SV", 5, 2), ("HN", 3, 6), ("OIM", 2, 1)):
        ParticipationFactory.create_batch(
            women, session=session, person__institution=institutions[code]
        )
        ParticipationFactory.create_batch(
            men, session=session, person__institution=institutions[code], person__sex=Sex.MALE
        )
    PublishedMinutesFactory(
        session=session,
        summary="Las alcaldías compartieron cómo gestionan la cooperación con agencias.",
    )
    AgreementFactory(
        session=session,
        text="Compartir la ordenanza de Esquipulas con las demás municipalidades de la mesa.",
        responsible_institution=institutions["GT"],
        status=AgreementStatus.DONE,
    )
    session.practices.set(
        [PublishedPracticeFactory(title="Ordenanza municipal de Esquipulas", slug="ordenanza")]
    )
    PersonFactory(first_name="Wilfreda", email="wilfreda@privado.example")
    return {"url": live_server.url, "conference": conference, "session": session}


def test_conference_page_lists_sessions_and_opens_one(page, problems, site):
    page.goto(f"{site['url']}/en/conferences/{site['conference'].slug}/")

    assert page.locator("h1").inner_text() == site["conference"].title
    assert page.locator("link[href$='conferences.css']").count() == 1
    assert (
        page.locator(".figures-table").first.evaluate(
            "table => getComputedStyle(table).borderCollapse"
        )
        == "collapse"
    ), "conferences.css did not load"
    screenshot(page, "conference-desktop")

    page.get_by_role("link", name=site["session"].title).click()

    page.wait_for_url(f"{site['url']}/en/sessions/{site['session'].slug}/")
    assert page.locator("h1").inner_text() == site["session"].title
    assert "meet.example.org" not in page.content()
    screenshot(page, "session-desktop")
    assert problems == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("conference-list", "/conferences/"),
        ("conference", "/conferences/gobernanza-local-2020/"),
        ("session", "/sessions/desafios-cooperacion/"),
        ("session-english", "/en/sessions/desafios-cooperacion/"),
    ],
)
def test_conference_pages_fit_a_phone_screen_without_horizontal_scroll(
    page, problems, site, name, path
):
    page.set_viewport_size(PHONE)

    page.goto(site["url"] + path)

    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"
    # Nothing spills into the page margins either (a wide table scrolls inside its box).
    overflowing = page.evaluate(
        """() => {
          const main = document.querySelector("main .container");
          const edge = main.getBoundingClientRect().right
            - parseFloat(getComputedStyle(main).paddingRight);
          return [...main.querySelectorAll("section, aside, .table-scroll, .figures")]
            .filter((element) => element.getBoundingClientRect().right > edge + 0.5)
            .map((element) => element.className || element.tagName);
        }"""
    )
    assert overflowing == []
    screenshot(page, f"phone-{name}")
    assert problems == []
