"""The demo conferences loaded by ``manage.py load_demo`` (conferences.demo)."""

import datetime
from collections import Counter
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from accounts.models import User
from conferences.demo import (
    CONFERENCES,
    ORDINANCE_CITALA,
    ORDINANCE_ESQUIPULAS,
    ORDINANCE_OCOTEPEQUE,
    REGION_TZ,
    conferences_demo_counts,
    conferences_demo_load,
)
from conferences.enums import AgreementStatus, MinutesStatus, Modality, SessionStatus
from conferences.models import (
    AgendaItem,
    Agreement,
    Challenge,
    Conference,
    Minutes,
    Participation,
    Session,
)
from practices.enums import ReviewStatus
from practices.models import Practice

pytestmark = pytest.mark.django_db

CONFERENCE_I = "intercambio-virtual-gobernanza-local-migracion-municipios-fronterizos-i"
CONFERENCE_II = "intercambio-virtual-gobernanza-local-migracion-municipios-fronterizos-ii"
PLENARY = "intercambio-2020-ii-plenaria-hoja-de-ruta-2021"
UPCOMING = "mesa-trifinio-sesion-ordinaria-2027-03"
CANCELLED = "mesa-el-amatillo-goascoran-sesion-ordinaria-2020-03"
TRIFINIO = "mesa-tecnica-transfronteriza-del-trifinio"
AMATILLO = "mesa-tecnica-transfronteriza-el-amatillo-goascoran"
JUTIAPA = "red-local-de-movilidad-humana-de-jutiapa"


@dataclass
class Run:
    output: str
    counts: dict
    rows: dict  # what a rewrite would change: updated_at, workflow dates, links


def _rows() -> dict:
    return {
        "sessions": sorted(Session.objects.values_list("slug", "updated_at", "sequence")),
        "participations": sorted(
            Participation.objects.values_list("pk", "attended", "institution", "sector")
        ),
        "minutes": sorted(
            Minutes.objects.values_list("pk", "status", "circulated_at", "published_at")
        ),
        "agreements": sorted(Agreement.objects.values_list("pk", "status", "updated_at")),
        "agenda": sorted(AgendaItem.objects.values_list("pk", "session__slug", "position")),
        "challenges": sorted(Challenge.objects.values_list("pk", "text")),
        "practices": sorted(Session.practices.through.objects.values_list("pk", flat=True)),
    }


def _run_command() -> Run:
    stdout = StringIO()
    with translation.override("en"):
        call_command("load_demo", allow_production=True, stdout=stdout)
    return Run(output=stdout.getvalue(), counts=conferences_demo_counts(), rows=_rows())


@pytest.fixture(scope="module")
def demo_runs(django_db_setup, django_db_blocker, tmp_path_factory):
    """The command run twice, once for the whole module; rolled back afterwards.

    Module-scoped, so it cannot use the ``settings`` fixture: the practices demo's PDFs go to
    the module's own temporary folder.
    """
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        runs = [_run_command(), _run_command()]
        yield runs
        transaction.set_rollback(True)


def _attended_people_by_sex_and_sector(conference_slug: str) -> Counter:
    """Unique people who attended any session of the conference, per sex x sector cell."""
    rows = (
        Participation.objects.filter(session__conference__slug=conference_slug, attended=True)
        .order_by()  # the model's ordering would defeat DISTINCT
        .values("person", "person__sex", "sector")
        .distinct()
    )
    return Counter((row["person__sex"], row["sector"]) for row in rows)


def test_load_demo_conferences_second_run_writes_nothing(demo_runs):
    first, second = demo_runs

    assert first.counts == {
        "conferences": 2,
        "sessions": 7,
        "participations": 120,
        "agreements": 9,
    }
    assert second.counts == first.counts
    assert second.rows == first.rows
    for run in demo_runs:
        assert "  Conferences: 2\n  Sessions: 7\n  Participations: 120\n  Agreements: 9\n" in (
            run.output
        )


def test_load_demo_september_2020_conferences_are_public_with_sessions(demo_runs):
    conferences = {
        conference.slug: conference
        for conference in Conference.objects.public().filter(
            start_date__range=(datetime.date(2020, 9, 1), datetime.date(2020, 9, 30))
        )
    }

    assert set(conferences) == {CONFERENCE_I, CONFERENCE_II}
    assert {c.slug for c in Conference.objects.public()} == set(conferences)
    for conference in conferences.values():
        sessions = list(conference.sessions.public())
        assert 2 <= len(sessions) <= 3, conference.slug
        assert {(s.modality, s.status) for s in sessions} == {(Modality.VIRTUAL, "held")}
        assert {i.acronym for i in conference.organisers.all()} == {"OIM", "SICA"}
        assert conference.programme is not None
        for session in sessions:
            items = list(session.agenda_items.all())
            assert 4 <= len(items) <= 6, session.slug
            assert [item.position for item in items] == list(range(1, len(items) + 1))
            assert all(item.duration_minutes and item.presenter_institution for item in items)
            assert set(session.networks.all()) == set(conference.networks.all())
    assert {n.slug for n in conferences[CONFERENCE_I].networks.all()} == {TRIFINIO, AMATILLO}
    assert {n.slug for n in conferences[CONFERENCE_II].networks.all()} == {
        TRIFINIO,
        AMATILLO,
        JUTIAPA,
    }


def test_load_demo_sessions_start_at_local_morning_time(demo_runs):
    session = Session.objects.get(slug="intercambio-2020-i-ordenanzas-medios-de-vida")

    local = (session.start.astimezone(REGION_TZ), session.end.astimezone(REGION_TZ))
    assert [(t.date(), t.hour, t.minute) for t in local] == [
        (datetime.date(2020, 9, 10), 9, 0),
        (datetime.date(2020, 9, 10), 12, 0),
    ]
    # UTC-6: 09:00 in Guatemala is 15:00 UTC.
    assert session.start.astimezone(datetime.UTC).hour == 15


def test_load_demo_attendance_figures_have_a_cell_below_five(demo_runs):
    for slug in (CONFERENCE_I, CONFERENCE_II):
        cells = _attended_people_by_sex_and_sector(slug)
        # Small-cell suppression has something to hide, and something to show.
        assert min(cells.values()) < 5, slug
        assert max(cells.values()) >= 5, slug


def test_load_demo_attendance_spans_sectors_countries_and_absences(demo_runs):
    held = Participation.objects.filter(session__status=SessionStatus.HELD)

    assert set(held.values_list("country__code", flat=True)) == {"SV", "GT", "HN"}
    assert {
        "municipal_government",
        "national_government",
        "civil_society",
        "international_cooperation",
    } <= set(held.values_list("sector", flat=True))
    for session in Session.objects.filter(conference__isnull=False):
        total = session.participations.count()
        attended = session.participations.filter(attended=True).count()
        assert 15 <= total <= 30, session.slug
        assert 0 < total - attended <= 3, session.slug  # a few registered but absent


def test_load_demo_overdue_agreements_exist(demo_runs):
    overdue = Agreement.objects.overdue()

    assert {a.text.split(",")[0].rstrip(".") for a in overdue} == {
        "Elaborar una propuesta de ordenanza municipal de medios de vida",
        "Actualizar el directorio de instituciones de la ruta de protección de El Amatillo",
        "Construir alianzas en los territorios con sector privado para el empleo de jóvenes "
        "y personas retornadas",
        "Gestionar la cooperación con agencias para financiar los planes municipales de "
        "movilidad humana",
    }
    assert {a.due_date.year for a in overdue} == {2021}
    assert all(a.is_overdue for a in overdue)
    assert Counter(Agreement.objects.values_list("status", flat=True)) == {
        AgreementStatus.DONE: 4,
        AgreementStatus.IN_PROGRESS: 2,
        AgreementStatus.OPEN: 2,
        AgreementStatus.DROPPED: 1,
    }


def test_load_demo_circulated_only_minutes_keep_their_summary_private(demo_runs):
    plenary = Minutes.objects.get(session__slug=PLENARY)

    assert plenary.status == MinutesStatus.CIRCULATED
    assert plenary.summary  # written, but not for the public yet
    assert plenary.public_summary == ""
    assert (plenary.approved_by, plenary.approved_at, plenary.published_at) == (None, None, None)

    published = Minutes.objects.exclude(session__slug=PLENARY)
    assert {m.status for m in published} == {MinutesStatus.PUBLISHED}
    assert published.count() == 4
    for minutes in published:
        assert minutes.public_summary == minutes.summary != ""
        assert minutes.approved_by.email == "staff@example.org"
        # Backdated to the weeks after the sessions, in order.
        assert (
            minutes.session.start
            < minutes.circulated_at
            < minutes.approved_at
            < minutes.published_at
            < datetime.datetime(2020, 11, 1, tzinfo=datetime.UTC)
        )


def test_load_demo_practices_presented_are_published_ordinances(demo_runs):
    presented = Practice.objects.filter(sessions__isnull=False).distinct()

    assert {p.slug for p in presented} == {
        ORDINANCE_CITALA,
        ORDINANCE_ESQUIPULAS,
        ORDINANCE_OCOTEPEQUE,
    }
    assert {p.status for p in presented} == {ReviewStatus.PUBLISHED}


def test_load_demo_challenges_are_themed(demo_runs):
    themes = Counter(Challenge.objects.values_list("theme__slug", flat=True))

    assert {"capacity-building", "local-governance", "cross-border"} <= set(themes)
    assert sum(themes.values()) == sum(len(s.challenges) for c in CONFERENCES for s in c.sessions)


def test_load_demo_calendar_has_an_upcoming_and_a_cancelled_session(demo_runs):
    upcoming = Session.objects.public().upcoming()

    assert [s.slug for s in upcoming] == [UPCOMING]
    (session,) = upcoming
    assert (session.modality, session.status, session.conference) == (
        Modality.IN_PERSON,
        SessionStatus.PLANNED,
        None,
    )
    assert session.municipality.slug == "esquipulas-gt"
    assert session.start.year == 2027 and session.start > timezone.now()
    assert [n.slug for n in session.networks.all()] == [TRIFINIO]

    cancelled = Session.objects.get(slug=CANCELLED)
    assert (cancelled.status, cancelled.is_public) == (SessionStatus.CANCELLED, True)
    # Announced, then cancelled: calendar clients see a new revision.
    assert cancelled.sequence == 1
    assert not cancelled.participations.filter(attended=True).exists()


def test_load_demo_conferences_skips_unpublished_practices_and_adds_new_links(demo_runs):
    staff = User.objects.get(email="staff@example.org")
    with transaction.atomic():
        Session.practices.through.objects.all().delete()
        Practice.objects.filter(slug=ORDINANCE_CITALA).update(status=ReviewStatus.DRAFT)

        conferences_demo_load(staff_user=staff)

        linked = set(
            Session.practices.through.objects.values_list("session__slug", "practice__slug")
        )
        transaction.set_rollback(True)

    assert linked == {
        ("intercambio-2020-i-ordenanzas-medios-de-vida", ORDINANCE_ESQUIPULAS),
        ("intercambio-2020-ii-medios-de-vida-alianzas-sector-privado", ORDINANCE_OCOTEPEQUE),
    }


@pytest.mark.django_db
def test_load_demo_mails_nobody(django_capture_on_commit_callbacks, settings, tmp_path):
    """The demo's people are fictional: circulating their minutes sends no e-mail (the
    console of ``make run`` shows the accounts to sign in with, not a hundred messages)."""
    from django.core import mail

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", allow_production=True, stdout=StringIO())

    assert Minutes.objects.filter(circulated_at__isnull=False).exists()
    assert mail.outbox == []
