"""The admin pages staff use every day fit a 1 280 px screen with the navigation sidebar open:
no sideways scrolling of the whole page, every column of the practice list in view."""

import os

import pytest
from django.test import Client
from django.urls import reverse

from practices.enums import ReviewStatus
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    SessionFactory,
    UserFactory,
)

from .conftest import CHROMIUM, DESKTOP, signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason="needs Chromium at /usr/bin/chromium",
    ),
]

LONG = "Mesa Técnica Transfronteriza de Protección de Personas Migrantes del Trifinio"


@pytest.fixture
def staff_page(browser, live_server, transactional_db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    context = signed_in_context(browser, live_server, client)
    yield context.new_page()
    context.close()


def test_session_change_page_fits_1280_px(staff_page, live_server):
    network = NetworkFactory(name=LONG)
    session = SessionFactory(
        title="Ordenanzas municipales de medios de vida como alternativa a la migración irregular",
        conference=ConferenceFactory(),
        networks=[network],
    )
    institution = InstitutionFactory(name="Alcaldía Municipal de Esquipulas, Chiquimula")
    presenter = PersonFactory(institution=institution)
    AgendaItemFactory(
        session=session, presenter=presenter, presenter_institution=institution, title=LONG
    )
    ParticipationFactory(session=session, person=presenter)
    AgreementFactory(session=session, responsible_institution=institution, text=LONG * 3)

    staff_page.goto(
        live_server.url + reverse("admin:conferences_session_change", args=[session.pk])
    )

    assert staff_page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    # The object tools (export, import, history…) sit under the title, not over it.
    title = staff_page.locator("#content h2").first.bounding_box()
    tools = staff_page.locator(".object-tools").bounding_box()
    assert tools["y"] >= title["y"] + title["height"]


def test_practice_list_shows_every_column_at_1280_px(staff_page, live_server):
    network = NetworkFactory(name=LONG)
    for number in range(3):
        PracticeFactory(title=f"{LONG} {number}", network=network, status=ReviewStatus.DRAFT)

    staff_page.goto(live_server.url + reverse("admin:practices_practice_changelist"))

    assert staff_page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    table_right, box_right = staff_page.evaluate(
        """[document.querySelector('#result_list').getBoundingClientRect().right,
            document.querySelector('#changelist .results').getBoundingClientRect().right]"""
    )
    assert table_right <= box_right
    headers = staff_page.locator("#result_list thead th").all_inner_texts()
    assert len(headers) == 6  # the checkbox and the five columns of list_display


def test_the_export_page_select_all_toggle_works_under_the_content_security_policy(
    staff_page, live_server
):
    InstitutionFactory()
    staff_page.goto(live_server.url + reverse("admin:networks_institution_export"))
    fields = staff_page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    assert fields.count() > 1 and all(box.is_checked() for box in fields.all())

    staff_page.locator("input.select-toggle:visible").first.uncheck()
    assert not any(box.is_checked() for box in fields.all())

    staff_page.locator("input.select-toggle:visible").first.check()
    assert all(box.is_checked() for box in fields.all())
