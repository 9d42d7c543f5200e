"""Public conference and session pages: what a visitor sees, and what never leaks."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from conferences.enums import AgreementStatus, MinutesStatus, Modality, SessionStatus
from networks.enums import Sector, Sex
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    MinutesFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    PublishedMinutesFactory,
    PublishedPracticeFactory,
    SessionFactory,
)

MEETING_LINK = "https://meet.example.org/sala-secreta-7Q2"


def table_cells(html):
    """The texts of the participation table's number cells, in reading order."""
    return [unescape(text) for text in re.findall(r'<td class="num[^"]*">([^<]*)</td>', html)]


def assert_tables_withheld(html):
    """Both participation tables replaced by the reason and a link to the wider figures."""
    assert table_cells(html) == []
    withheld = re.findall(r'<p class="figures-withheld">(.*?)</p>', html, re.S)
    assert len(withheld) == 2
    for sentence in withheld:
        assert "too few people in each group" in sentence
        assert re.search(r'href="/en/figures/\?[^"]+"', sentence)
    assert "7" in re.findall(r"<dd>([^<]*)</dd>", html)  # the headline count stays


@pytest.fixture
def trifinio(border_municipalities, countries):
    """A public conference with one held session: agenda, minutes, agreements, attendance.

    Every personal value is distinctive, so a leak cannot hide behind a common word.
    """
    table = NetworkFactory(name="Mesa Técnica del Trifinio", slug="mesa-trifinio")
    alcaldia = InstitutionFactory(
        name="Alcaldía Municipal de Esquipulas",
        country=countries["GT"],
        sector=Sector.MUNICIPAL_GOVERNMENT,
    )
    ngo = InstitutionFactory(
        name="Pastoral de Movilidad Humana", country=countries["HN"], sector=Sector.CIVIL_SOCIETY
    )
    conference = ConferenceFactory(
        title="Gobernanza local de la migración 2020",
        slug="gobernanza-2020",
        description="Intercambio virtual entre municipios fronterizos.",
        organisers=[alcaldia],
        networks=[table],
    )
    session = SessionFactory(
        conference=conference,
        title="Gestión de la cooperación en los territorios",
        slug="gestion-cooperacion",
        networks=[table],
        modality=Modality.HYBRID,
        venue="Casa de la Cultura",
        municipality=border_municipalities["GT"],
        meeting_link=MEETING_LINK,
    )
    presenter = PersonFactory(first_name="Eufrosina", last_name="Zapata-Quintanal", institution=ngo)
    AgendaItemFactory(session=session, position=2, title="Acuerdos y cierre", duration_minutes=15)
    AgendaItemFactory(
        session=session,
        position=1,
        title="Ordenanza municipal de atención a personas migrantes",
        duration_minutes=40,
        presenter=presenter,
        presenter_institution=ngo,
    )
    speaker = PersonFactory(
        first_name="Telésforo",
        last_name="Membreño-Ulloa",
        email="telesforo.membreno@privado.example",
        phone="+504 9988-7766",
        sex=Sex.MALE,
        institution=ngo,
    )
    ParticipationFactory(session=session, person=speaker)
    ParticipationFactory.create_batch(6, session=session, person__institution=alcaldia)
    PublishedMinutesFactory(
        session=session,
        text="ACTA-COMPLETA-PRIVADA con intervenciones nominales.",
        summary="Las municipalidades acordaron formar a liderazgos comunitarios.",
    )
    AgreementFactory(
        session=session,
        text="Elaborar una ruta de referencia municipal.",
        responsible_institution=alcaldia,
        responsible_person=speaker,
        status=AgreementStatus.IN_PROGRESS,
        follow_up="NOTA-SEGUIMIENTO-PRIVADA",
    )
    session.practices.set(
        [
            PublishedPracticeFactory(title="Ordenanza de Esquipulas", slug="ordenanza-esquipulas"),
            PracticeFactory(title="Borrador confidencial de práctica", slug="borrador"),
        ]
    )
    return {"conference": conference, "session": session, "network": table, "presenter": presenter}


PRIVATE_VALUES = [
    MEETING_LINK,
    "sala-secreta",
    "Telésforo",
    "Membreño",
    "telesforo.membreno@privado.example",
    "9988-7766",
    "Eufrosina",
    "Zapata-Quintanal",
    "ACTA-COMPLETA-PRIVADA",
    "NOTA-SEGUIMIENTO-PRIVADA",
    "Borrador confidencial",
]


# Conference list and page -------------------------------------------------------------------


def test_conference_list_shows_public_conferences_newest_first(client, db):
    ConferenceFactory(title="Encuentro 2019", start_date=datetime.date(2019, 5, 2))
    ConferenceFactory(title="Encuentro 2021", start_date=datetime.date(2021, 3, 1))
    ConferenceFactory(title="Encuentro interno", is_public=False)

    response = client.get("/en/conferences/")

    titles = re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', response.text)
    assert titles == ["Encuentro 2021", "Encuentro 2019"]


@pytest.mark.parametrize("count", [1, 3])
def test_conference_list_takes_two_queries_whatever_its_length(
    client, db, django_assert_num_queries, count
):
    ConferenceFactory.create_batch(count)

    with django_assert_num_queries(2):  # count, page
        response = client.get("/conferences/")

    assert response.status_code == 200


def test_conference_page_shows_sessions_organisers_networks_and_practices(client, trifinio):
    SessionFactory(conference=trifinio["conference"], title="Sesión interna", is_public=False)

    response = client.get("/en/conferences/gobernanza-2020/")

    html = response.text
    assert "<h1>Gobernanza local de la migración 2020</h1>" in html
    assert "Intercambio virtual entre municipios fronterizos." in html
    assert "Alcaldía Municipal de Esquipulas" in html
    assert 'href="/en/networks/mesa-trifinio/"' in html
    assert re.findall(r'class="session-item__title"><a href="([^"]+)">([^<]+)<', html) == [
        ("/en/sessions/gestion-cooperacion/", "Gestión de la cooperación en los territorios")
    ]
    assert "Sept. 17, 2020, 3 p.m." in html
    assert "America/Guatemala (UTC-06:00)" in html
    assert 'href="/en/practices/ordenanza-esquipulas/"' in html
    assert "Sesión interna" not in html


def test_conference_page_shows_participation_with_small_cells_hidden(client, trifinio):
    response = client.get("/en/conferences/gobernanza-2020/")

    # Guatemala, municipal government: 6 women; Honduras, civil society: 1 man. Both tables
    # would hide every figure but the total of 7: the page says why instead, and where the
    # figures can be read (the programme or the year as a whole).
    assert_tables_withheld(response.text)


def test_conference_page_never_shows_personal_data_or_the_meeting_link(client, trifinio):
    response = client.get("/conferences/gobernanza-2020/")

    # The scan means something only on the rendered page, with its sessions.
    assert response.status_code == 200
    html = response.text
    assert trifinio["conference"].title in html
    assert trifinio["session"].title in html
    assert [value for value in PRIVATE_VALUES if value in html] == []


def test_private_conference_is_not_found(client, db):
    ConferenceFactory(slug="interna", is_public=False)

    assert client.get("/conferences/interna/").status_code == 404


@pytest.mark.parametrize("people", [2, 40])
def test_conference_page_takes_the_same_queries_whatever_the_attendance(
    client, trifinio, django_assert_num_queries, people
):
    ParticipationFactory.create_batch(people, session=trifinio["session"])
    extra = SessionFactory(conference=trifinio["conference"])
    ParticipationFactory.create_batch(people, session=extra)

    # conference, organisers, networks, sessions, practices, 3 for the figures
    with django_assert_num_queries(8):
        response = client.get("/conferences/gobernanza-2020/")

    assert response.status_code == 200


# Session page -----------------------------------------------------------------------------


def test_session_page_shows_time_in_the_region_with_the_zone_name(client, trifinio):
    response = client.get("/sessions/gestion-cooperacion/")

    # Stored as 21:00 UTC; the region is UTC-6.
    assert trifinio["session"].start == datetime.datetime(2020, 9, 17, 21, tzinfo=datetime.UTC)
    assert '<time datetime="2020-09-17T15:00:00-06:00">' in response.text
    assert "15:00</time>–<time" in response.text
    assert "America/Guatemala (UTC-06:00)" in response.text


def test_session_page_is_found_by_slug_and_by_id(client, trifinio):
    by_slug = client.get("/en/sessions/gestion-cooperacion/")
    by_id = client.get(f"/en/sessions/{trifinio['session'].pk}/")

    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.context["session"] == by_id.context["session"]


def test_session_page_shows_agenda_in_order_with_the_presenting_institution(client, trifinio):
    html = client.get("/en/sessions/gestion-cooperacion/").text

    agenda = re.findall(r'<span class="agenda__title">([^<]+)</span>', html)
    assert agenda == ["Ordenanza municipal de atención a personas migrantes", "Acuerdos y cierre"]
    assert "40 minutes" in html
    assert '<span class="agenda__institution">Pastoral de Movilidad Humana</span>' in html


def test_session_page_shows_modality_place_status_and_calendar_link(client, trifinio):
    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert "Hybrid" in html
    assert "Casa de la Cultura" in html
    assert 'href="/en/municipalities/esquipulas-gt/">Esquipulas</a>, Guatemala' in html
    assert 'href="/en/sessions/gestion-cooperacion.ics"' in html
    assert "has been cancelled" not in html


def test_session_page_never_shows_personal_data_or_the_meeting_link(client, trifinio):
    for path in ("/sessions/gestion-cooperacion/", "/en/sessions/gestion-cooperacion/"):
        response = client.get(path)

        # The scan means something only on the rendered page, with its agenda and summary.
        assert response.status_code == 200, path
        html = response.text
        assert trifinio["session"].title in html, path
        assert "Ordenanza municipal de atención a personas migrantes" in html, path
        assert "Las municipalidades acordaron formar a liderazgos comunitarios." in html, path
        assert [value for value in PRIVATE_VALUES if value in html] == [], path


def test_session_page_shows_participation_with_small_cells_hidden(client, trifinio):
    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert_tables_withheld(html)


def test_session_page_shows_published_summary_and_agreement_texts(client, trifinio):
    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert "Las municipalidades acordaron formar a liderazgos comunitarios." in html
    assert "Elaborar una ruta de referencia municipal." in html
    assert "Responsible: Alcaldía Municipal de Esquipulas" in html


@pytest.mark.parametrize("status", [MinutesStatus.CIRCULATED, MinutesStatus.APPROVED])
def test_session_page_keeps_summary_and_agreement_texts_until_published(client, trifinio, status):
    minutes = trifinio["session"].minutes
    minutes.status = status
    minutes.save()

    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert "liderazgos comunitarios" not in html
    assert "ruta de referencia" not in html
    assert re.search(r"<dt>In progress</dt><dd>1</dd>", html)


def test_session_page_without_minutes_shows_agreement_counts_only(client, trifinio):
    trifinio["session"].minutes.delete()
    AgreementFactory(
        session=trifinio["session"],
        status=AgreementStatus.OPEN,
        due_date=datetime.date(2020, 10, 1),
    )

    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert "ruta de referencia" not in html
    assert "<dt>Open</dt><dd>1</dd>" in html
    assert "<dt>Overdue</dt><dd>2</dd>" in html


def test_session_page_lists_published_practices_only(client, trifinio):
    html = client.get("/en/sessions/gestion-cooperacion/").text

    assert '<a href="/en/practices/ordenanza-esquipulas/">Ordenanza de Esquipulas</a>' in html
    assert "/practices/borrador/" not in html


def test_cancelled_session_is_clearly_marked(client, trifinio):
    SessionFactory(
        conference=trifinio["conference"], slug="cancelada", status=SessionStatus.CANCELLED
    )

    session_html = client.get("/en/sessions/cancelada/").text
    conference_html = client.get("/en/conferences/gobernanza-2020/").text

    assert "This session has been cancelled." in session_html
    assert "session-item--cancelled" in conference_html


def test_private_session_is_not_found_by_slug_id_or_calendar(client, db):
    session = SessionFactory(slug="interna", is_public=False)

    assert client.get("/sessions/interna/").status_code == 404
    assert client.get(f"/sessions/{session.pk}/").status_code == 404
    assert client.get("/sessions/interna.ics").status_code == 404


def test_session_of_a_private_conference_does_not_link_to_it(client, db):
    conference = ConferenceFactory(title="Preparatoria interna", is_public=False)
    SessionFactory(conference=conference, slug="abierta")

    html = client.get("/sessions/abierta/").text

    assert "Preparatoria interna" not in html


def test_planned_session_says_no_attendance_yet(client, db):
    SessionFactory(
        slug="proxima",
        status=SessionStatus.PLANNED,
        start=timezone.now() + datetime.timedelta(days=10),
        end=timezone.now() + datetime.timedelta(days=10, hours=2),
    )

    html = client.get("/en/sessions/proxima/").text

    assert "No attendance has been recorded yet." in html
    assert table_cells(html) == []


@pytest.mark.parametrize("people", [2, 40])
def test_session_page_takes_the_same_queries_whatever_the_attendance(
    client, trifinio, django_assert_num_queries, people
):
    ParticipationFactory.create_batch(people, session=trifinio["session"])
    AgendaItemFactory.create_batch(3, session=trifinio["session"])

    # session, networks, agenda, practices, agreements, 3 for the figures
    with django_assert_num_queries(8):
        response = client.get("/sessions/gestion-cooperacion/")

    assert response.status_code == 200


def test_draft_minutes_summary_stays_private(client, db):
    session = SessionFactory(slug="borrador-acta")
    MinutesFactory(session=session, summary="RESUMEN-NO-APROBADO")

    html = client.get("/sessions/borrador-acta/").text

    assert "RESUMEN-NO-APROBADO" not in html


def test_sitemap_lists_public_conferences_and_sessions_only(client, db):
    public = ConferenceFactory(slug="intercambio-publico", is_public=True)
    ConferenceFactory(slug="reunion-interna", is_public=False)
    SessionFactory(slug="sesion-publica", conference=public, is_public=True)
    SessionFactory(slug="sesion-privada", conference=public, is_public=False)

    page = client.get("/sitemap.xml").content.decode()

    assert "/conferences/intercambio-publico/" in page
    assert "/sessions/sesion-publica/" in page
    assert "reunion-interna" not in page
    assert "sesion-privada" not in page
