"""iCalendar: one file per public session and a feed per network, parsed back with icalendar."""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from conferences.enums import Modality, SessionStatus
from conferences.models import Session
from tests.factories import (
    ConferenceFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)

UTC = datetime.UTC


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


@pytest.fixture
def session(border_municipalities, settings):
    settings.PORTAL_BASE_URL = "https://redes.example.org"
    session = SessionFactory(
        title="Mesa del Trifinio: sesión ordinaria",
        slug="trifinio-ordinaria",
        description="Seguimiento de acuerdos.",
        conference=ConferenceFactory(title="Gobernanza local 2020"),
        modality=Modality.IN_PERSON,
        venue="Salón municipal",
        municipality=border_municipalities["GT"],
        meeting_link="https://meet.example.org/enlace-privado-93",
    )
    ParticipationFactory(
        session=session,
        person=PersonFactory(first_name="Anastasio", email="anastasio@privado.example"),
    )
    return session


def test_session_ics_has_the_event_in_utc_with_its_details(client, session):
    calendar = parse(client.get("/en/sessions/trifinio-ordinaria.ics"))

    [event] = calendar.events
    # 15:00 in Guatemala (UTC-6) is 21:00Z.
    assert event.to_ical().decode().count("DTSTART:20200917T210000Z") == 1
    assert event.start == datetime.datetime(2020, 9, 17, 21, 0, tzinfo=UTC)
    assert event.end == datetime.datetime(2020, 9, 17, 23, 0, tzinfo=UTC)
    assert str(event["UID"]) == f"session-{session.pk}@redes.example.org"
    assert event["SEQUENCE"] == 0
    assert event["DTSTAMP"].dt == session.updated_at.astimezone(UTC).replace(microsecond=0)
    assert str(event["SUMMARY"]) == "Mesa del Trifinio: sesión ordinaria"
    assert str(event["LOCATION"]) == "Salón municipal, Esquipulas, Guatemala"
    assert str(event["URL"]) == "http://testserver/en/sessions/trifinio-ordinaria/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Seguimiento de acuerdos." in str(event["DESCRIPTION"])
    assert "Gobernanza local 2020" in str(event["DESCRIPTION"])


def test_session_ics_is_found_by_id_with_the_same_uid(client, session):
    by_slug = parse(client.get("/sessions/trifinio-ordinaria.ics")).events[0]
    by_id = parse(client.get(f"/sessions/{session.pk}.ics")).events[0]

    assert str(by_slug["UID"]) == str(by_id["UID"]) == f"session-{session.pk}@redes.example.org"


def test_session_ics_uid_falls_back_to_the_request_host(client, session, settings):
    settings.PORTAL_BASE_URL = ""

    event = parse(client.get("/sessions/trifinio-ordinaria.ics")).events[0]

    assert str(event["UID"]) == f"session-{session.pk}@testserver"


def test_session_ics_carries_the_sequence_the_services_bump(client, session):
    Session.objects.filter(pk=session.pk).update(sequence=3)

    event = parse(client.get("/sessions/trifinio-ordinaria.ics")).events[0]

    assert event["SEQUENCE"] == 3


def test_cancelled_session_ics_is_marked_cancelled(client, session):
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)

    event = parse(client.get("/en/sessions/trifinio-ordinaria.ics")).events[0]

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled: Mesa del Trifinio: sesión ordinaria"


def test_virtual_session_ics_location_says_virtual(client, db):
    SessionFactory(
        slug="virtual", modality=Modality.VIRTUAL, meeting_link="https://meet.example.org/x"
    )

    event = parse(client.get("/en/sessions/virtual.ics")).events[0]

    assert str(event["LOCATION"]) == "Virtual"


def test_session_ics_never_carries_the_meeting_link_or_people(client, session):
    response = client.get("/sessions/trifinio-ordinaria.ics")

    # The scan means something only on the calendar itself, with the session's event.
    assert response.status_code == 200
    content = response.content.decode()
    assert str(parse(response).events[0]["SUMMARY"]) == session.title
    for private in ("enlace-privado-93", "meet.example.org", "Anastasio", "anastasio@"):
        assert private not in content


def test_private_session_has_no_ics(client, db):
    SessionFactory(slug="interna", is_public=False)

    assert client.get("/sessions/interna.ics").status_code == 404


def test_network_feed_has_public_sessions_of_the_last_ten_years_and_upcoming(client, db, settings):
    settings.PORTAL_BASE_URL = "https://redes.example.org"
    network = NetworkFactory(name="Mesa del Trifinio", slug="mesa-trifinio")
    now = timezone.now()

    def session_at(slug, days, **kwargs):
        start = now + datetime.timedelta(days=days)
        return SessionFactory(
            slug=slug,
            networks=kwargs.pop("networks", [network]),
            start=start,
            end=start + datetime.timedelta(hours=2),
            **kwargs,
        )

    session_at("hace-once-anos", -11 * 365)
    older = session_at("hace-seis-anos", -6 * 365)
    recent = session_at("hace-un-mes", -30)
    upcoming = session_at("proxima", 400, status=SessionStatus.PLANNED)
    cancelled = session_at("cancelada", 10, status=SessionStatus.CANCELLED)
    session_at("privada", 5, is_public=False)
    session_at("otra-red", 5, networks=[NetworkFactory()])

    calendar = parse(client.get("/en/networks/mesa-trifinio/calendar.ics"))

    assert str(calendar["X-WR-CALNAME"]) == "Sessions: Mesa del Trifinio"
    assert [(str(event["UID"]), str(event["STATUS"])) for event in calendar.events] == [
        (f"session-{older.pk}@redes.example.org", "CONFIRMED"),
        (f"session-{recent.pk}@redes.example.org", "CONFIRMED"),
        (f"session-{cancelled.pk}@redes.example.org", "CANCELLED"),
        (f"session-{upcoming.pk}@redes.example.org", "CONFIRMED"),
    ]
    assert str(calendar.events[1]["URL"]) == "http://testserver/en/sessions/hace-un-mes/"


def test_network_feed_of_an_unknown_network_is_not_found(client, db):
    assert client.get("/networks/no-existe/calendar.ics").status_code == 404


@pytest.mark.parametrize("sessions", [1, 5])
def test_network_feed_takes_two_queries_whatever_its_length(
    client, db, django_assert_num_queries, sessions
):
    network = NetworkFactory(slug="red")
    SessionFactory.create_batch(
        sessions,
        networks=[network],
        start=timezone.now() + datetime.timedelta(days=3),
        end=timezone.now() + datetime.timedelta(days=3, hours=1),
    )

    with django_assert_num_queries(2):  # network, sessions
        response = client.get("/networks/red/calendar.ics")

    assert len(Calendar.from_ical(response.content).events) == sessions
