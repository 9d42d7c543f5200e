"""Services of sessions, attendance, minutes and agreements: every rule and its clear error."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from conferences.enums import (
    AgreementStatus,
    MinutesStatus,
    Modality,
    ParticipationRole,
    SessionStatus,
)
from conferences.models import Participation, Session
from conferences.services import (
    agreement_create,
    agreement_update,
    minutes_approve,
    minutes_circulate,
    minutes_publish_summary,
    minutes_save,
    participation_register,
    participation_set_attendance,
    pending_agreements_before,
    pending_agreements_for,
    session_cancel,
    session_save,
)
from networks.access import SYSTEM
from networks.enums import MembershipRole, Sector
from networks.services import membership_end, membership_start
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    MinutesFactory,
    MunicipalityFactory,
    NetworkFactory,
    PersonFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def local(*args):
    """An aware datetime in the region's time (America/Guatemala, UTC-6)."""
    return timezone.make_aware(datetime.datetime(*args))


def english_messages(error_info):
    with override("en"):
        return error_info.value.messages


def messages_of(error_info):
    """The error's messages in English (they are lazy: rendered in the language active now)."""
    with override("en"):
        return error_info.value.message_dict


# Sessions --------------------------------------------------------------------------------------


def new_session(**kwargs):
    values = {
        "title": "Mesa técnica de Trifinio",
        "start": local(2020, 9, 17, 15, 0),
        "end": local(2020, 9, 17, 17, 0),
        "modality": Modality.VIRTUAL,
    }
    return Session(**{**values, **kwargs})


def test_session_save_refuses_end_before_start():
    session = new_session(start=local(2020, 9, 17, 15, 0), end=local(2020, 9, 17, 14, 0))

    with override("en"), pytest.raises(ValidationError) as error:
        session_save(session=session, networks=[NetworkFactory()], actor=SYSTEM)

    assert messages_of(error)["end"] == ["The session must end after it starts."]
    assert Session.objects.count() == 0


def test_session_save_refuses_session_without_network():
    with override("en"), pytest.raises(ValidationError) as error:
        session_save(session=new_session(), networks=[], actor=SYSTEM)

    assert messages_of(error) == {"networks": ["A session belongs to one network at least."]}


def test_session_save_makes_slug_from_title_and_local_date():
    # 23:30 in Guatemala is already the next day in UTC: the slug keeps the local date.
    session = new_session(start=local(2020, 9, 17, 23, 30), end=local(2020, 9, 18, 0, 30))
    twin = new_session(start=local(2020, 9, 17, 23, 30), end=local(2020, 9, 18, 0, 30))
    network = NetworkFactory()

    session_save(session=session, networks=[network], actor=SYSTEM)
    session_save(session=twin, networks=[network], actor=SYSTEM)

    assert (session.slug, twin.slug) == (
        "mesa-tecnica-de-trifinio-2020-09-17",
        "mesa-tecnica-de-trifinio-2020-09-17-2",
    )
    assert list(session.networks.all()) == [network]


def test_session_save_keeps_slug_when_title_and_date_change():
    session = session_save(session=new_session(), networks=[NetworkFactory()], actor=SYSTEM)

    session.title = "Otro título"
    session.start, session.end = local(2020, 10, 1, 9, 0), local(2020, 10, 1, 11, 0)
    session_save(session=session, networks=session.networks.all(), actor=SYSTEM)

    session.refresh_from_db()
    assert session.slug == "mesa-tecnica-de-trifinio-2020-09-17"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start", local(2020, 9, 17, 14, 0)),
        ("end", local(2020, 9, 17, 18, 0)),
        ("venue", "Alcaldía de Metapán"),
        ("modality", Modality.HYBRID),
        ("status", SessionStatus.HELD),
    ],
)
def test_session_save_bumps_sequence_when_time_place_or_status_change(field, value):
    session = session_save(session=new_session(), networks=[NetworkFactory()], actor=SYSTEM)
    assert session.sequence == 0

    setattr(session, field, value)
    session_save(session=session, networks=session.networks.all(), actor=SYSTEM)

    session.refresh_from_db()
    assert session.sequence == 1


def test_session_save_bumps_sequence_when_municipality_changes():
    session = session_save(session=new_session(), networks=[NetworkFactory()], actor=SYSTEM)

    session.municipality = MunicipalityFactory()
    session_save(session=session, networks=session.networks.all(), actor=SYSTEM)

    assert Session.objects.get().sequence == 1


def test_session_save_keeps_sequence_when_only_the_description_changes():
    session = session_save(session=new_session(), networks=[NetworkFactory()], actor=SYSTEM)

    session.title = "Mesa técnica (corregido)"
    session.description = "Orden del día actualizado."
    session_save(session=session, networks=session.networks.all(), actor=SYSTEM)

    assert Session.objects.get().sequence == 0


def test_session_save_counts_from_the_stored_sequence_not_a_stale_copy():
    session = session_save(session=new_session(), networks=[NetworkFactory()], actor=SYSTEM)
    stale = Session.objects.get(pk=session.pk)
    session.venue = "Esquipulas"
    session_save(session=session, networks=session.networks.all(), actor=SYSTEM)

    stale.venue = "Ocotepeque"
    session_save(session=stale, networks=stale.networks.all(), actor=SYSTEM)

    assert Session.objects.get().sequence == 2


def test_session_cancel_marks_cancelled_and_bumps_sequence():
    session = SessionFactory(status=SessionStatus.PLANNED, networks=[NetworkFactory()])

    session_cancel(session=session, actor=SYSTEM)

    session.refresh_from_db()
    assert (session.status, session.sequence) == (SessionStatus.CANCELLED, 1)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (SessionStatus.CANCELLED, "This session is already cancelled."),
        (SessionStatus.HELD, "This session was held: it cannot be cancelled."),
    ],
)
def test_session_cancel_refuses_cancelled_or_held_session(status, message):
    session = SessionFactory(status=status)

    with override("en"), pytest.raises(ValidationError) as error:
        session_cancel(session=session, actor=SYSTEM)

    assert english_messages(error) == [message]
    assert Session.objects.get().sequence == 0


# Participation -------------------------------------------------------------------------------


@pytest.fixture
def table():
    return NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio")


def test_participation_register_snapshots_the_seat_in_the_sessions_network(table, countries):
    municipality = MunicipalityFactory(department__country=countries["SV"])
    seat_institution = InstitutionFactory(
        name="Alcaldía de Metapán",
        sector=Sector.MUNICIPAL_GOVERNMENT,
        country=countries["SV"],
        municipality=municipality,
    )
    person = PersonFactory(
        institution=InstitutionFactory(name="ONG Frontera", sector=Sector.CIVIL_SOCIETY)
    )
    MembershipFactory(
        person=person,
        network=table,
        institution=seat_institution,
        start_date=datetime.date(2019, 1, 1),
    )
    session = SessionFactory(networks=[table])

    participation = participation_register(
        session=session, person=person, role=ParticipationRole.SPEAKER, actor=SYSTEM
    )

    participation.refresh_from_db()
    assert (
        participation.role,
        participation.institution,
        participation.sector,
        participation.country,
        participation.municipality,
        participation.attended,
    ) == (
        ParticipationRole.SPEAKER,
        seat_institution,
        Sector.MUNICIPAL_GOVERNMENT,
        countries["SV"],
        municipality,
        False,
    )


def test_participation_register_uses_the_seat_held_on_the_session_day(table):
    person = PersonFactory()
    then = InstitutionFactory(name="Alcaldía de Esquipulas")
    now = InstitutionFactory(name="Mancomunidad Trinacional")
    seat = membership_start(
        person=person,
        network=table,
        start_date=datetime.date(2019, 1, 1),
        role="member",
        institution=then,
        actor=SYSTEM,
    )
    membership_end(membership=seat, end_date=datetime.date(2021, 1, 31), actor=SYSTEM)
    membership_start(
        person=person,
        network=table,
        start_date=datetime.date(2021, 2, 1),
        role="member",
        institution=now,
        actor=SYSTEM,
    )
    session_2020 = SessionFactory(networks=[table], start=local(2020, 9, 17, 15, 0))

    participation = participation_register(
        session=session_2020, person=person, role=ParticipationRole.PARTICIPANT, actor=SYSTEM
    )

    assert participation.institution == then


def test_participation_register_without_seat_uses_current_institution(table):
    institution = InstitutionFactory(sector=Sector.ACADEMIA)
    person = PersonFactory(institution=institution)
    MembershipFactory(person=person, institution=InstitutionFactory())  # another network
    session = SessionFactory(networks=[table])

    participation = participation_register(
        session=session, person=person, role=ParticipationRole.PARTICIPANT, actor=SYSTEM
    )

    assert (participation.institution, participation.sector, participation.country) == (
        institution,
        Sector.ACADEMIA,
        institution.country,
    )


def test_participation_register_without_any_institution_leaves_snapshot_empty(table):
    person = PersonFactory(institution=None)

    participation = participation_register(
        session=SessionFactory(networks=[table]), person=person, role="participant", actor=SYSTEM
    )

    assert (participation.institution, participation.sector, participation.country) == (
        None,
        "",
        None,
    )


def test_participation_register_refuses_second_registration(table):
    person = PersonFactory(first_name="Ana", last_name="López")
    session = SessionFactory(networks=[table])
    participation_register(
        session=session, person=person, role=ParticipationRole.PARTICIPANT, actor=SYSTEM
    )

    with override("en"), pytest.raises(ValidationError) as error:
        participation_register(
            session=session, person=person, role=ParticipationRole.SPEAKER, actor=SYSTEM
        )

    assert messages_of(error) == {"person": ["Ana López is already registered for this session."]}
    assert Participation.objects.get().role == ParticipationRole.PARTICIPANT


def test_participation_register_refuses_unknown_role(table):
    with pytest.raises(ValidationError) as error:
        participation_register(
            session=SessionFactory(networks=[table]),
            person=PersonFactory(),
            role="guest",
            actor=SYSTEM,
        )

    assert list(messages_of(error)) == ["role"]
    assert Participation.objects.count() == 0


def test_participation_snapshot_survives_later_changes_of_seat_and_institution(table):
    first = InstitutionFactory(name="Alcaldía de Ocotepeque", sector=Sector.MUNICIPAL_GOVERNMENT)
    person = PersonFactory(institution=first)
    seat = membership_start(
        person=person,
        network=table,
        start_date=datetime.date(2020, 1, 1),
        role="member",
        actor=SYSTEM,
    )
    participation = participation_register(
        session=SessionFactory(networks=[table]), person=person, role="participant", actor=SYSTEM
    )

    # After the 2021 elections the person moves to civil society.
    membership_end(membership=seat, end_date=datetime.date(2021, 4, 30), actor=SYSTEM)
    second = InstitutionFactory(name="Red de mujeres", sector=Sector.CIVIL_SOCIETY)
    person.institution = second
    person.save()
    membership_start(
        person=person,
        network=table,
        start_date=datetime.date(2021, 5, 1),
        role="member",
        institution=second,
        actor=SYSTEM,
    )

    participation.refresh_from_db()
    assert (participation.institution, participation.sector) == (
        first,
        Sector.MUNICIPAL_GOVERNMENT,
    )


def test_participation_set_attendance_records_attendance(table):
    participation = participation_register(
        session=SessionFactory(networks=[table]),
        person=PersonFactory(),
        role="participant",
        actor=SYSTEM,
    )

    participation_set_attendance(participation=participation, attended=True, actor=SYSTEM)

    assert Participation.objects.get().attended is True


def test_participation_set_attendance_refused_once_session_is_cancelled(table):
    session = SessionFactory(networks=[table], status=SessionStatus.PLANNED)
    participation = participation_register(
        session=session, person=PersonFactory(), role="participant", actor=SYSTEM
    )
    session_cancel(session=session, actor=SYSTEM)

    with override("en"), pytest.raises(ValidationError) as error:
        participation_set_attendance(participation=participation, attended=True, actor=SYSTEM)

    assert messages_of(error) == {"attended": ["Nobody can attend a cancelled session."]}
    assert Participation.objects.get().attended is False


# Minutes ---------------------------------------------------------------------------------------


def test_minutes_go_from_draft_to_published_recording_who_and_when():
    minutes = MinutesFactory(summary="Se acordó una ruta de atención.")
    approver = StaffUserFactory(is_superuser=True)

    minutes_circulate(minutes=minutes, actor=SYSTEM)
    assert (minutes.status, minutes.public_summary) == (MinutesStatus.CIRCULATED, "")
    minutes_approve(minutes=minutes, actor=approver)
    assert (minutes.status, minutes.public_summary) == (MinutesStatus.APPROVED, "")
    minutes_publish_summary(minutes=minutes, actor=SYSTEM)

    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED
    assert minutes.approved_by == approver
    assert minutes.circulated_at <= minutes.approved_at <= minutes.published_at
    assert minutes.public_summary == "Se acordó una ruta de atención."


@pytest.mark.parametrize(
    ("status", "service", "message"),
    [
        (
            MinutesStatus.DRAFT,
            "approve",
            "Only circulated minutes can be approved; these are “Draft”.",
        ),
        (
            MinutesStatus.DRAFT,
            "publish",
            "Only the summary of approved minutes can be published; these are “Draft”.",
        ),
        (
            MinutesStatus.CIRCULATED,
            "publish",
            "Only the summary of approved minutes can be published; "
            "these are “Circulated to participants”.",
        ),
        (
            MinutesStatus.CIRCULATED,
            "circulate",
            "Only draft minutes can be circulated; these are “Circulated to participants”.",
        ),
        (
            MinutesStatus.APPROVED,
            "approve",
            "Only circulated minutes can be approved; these are “Approved”.",
        ),
        (
            MinutesStatus.PUBLISHED,
            "circulate",
            "Only draft minutes can be circulated; these are “Summary published”.",
        ),
    ],
)
def test_minutes_refuse_illegal_transitions(status, service, message):
    approved = status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)
    minutes = MinutesFactory(status=status, approved_at=timezone.now() if approved else None)
    calls = {
        "circulate": lambda: minutes_circulate(minutes=minutes, actor=SYSTEM),
        "approve": lambda: minutes_approve(
            minutes=minutes, actor=StaffUserFactory(is_superuser=True)
        ),
        "publish": lambda: minutes_publish_summary(minutes=minutes, actor=SYSTEM),
    }

    with override("en"), pytest.raises(ValidationError) as error:
        calls[service]()

    assert english_messages(error) == [message]
    minutes.refresh_from_db()
    assert minutes.status == status


def test_minutes_publish_refuses_empty_summary():
    minutes = MinutesFactory(summary="  ")
    minutes_circulate(minutes=minutes, actor=SYSTEM)
    minutes_approve(minutes=minutes, actor=StaffUserFactory(is_superuser=True))

    with override("en"), pytest.raises(ValidationError) as error:
        minutes_publish_summary(minutes=minutes, actor=SYSTEM)

    assert messages_of(error) == {"summary": ["Write the public summary before publishing it."]}
    minutes.refresh_from_db()
    assert (minutes.status, minutes.public_summary) == (MinutesStatus.APPROVED, "")


def test_minutes_summary_is_not_public_before_publication():
    minutes = MinutesFactory(summary="Resumen aún no publicado.")

    seen = [minutes.public_summary]
    minutes_circulate(minutes=minutes, actor=SYSTEM)
    seen.append(minutes.public_summary)
    minutes_approve(minutes=minutes, actor=StaffUserFactory(is_superuser=True))
    seen.append(minutes.public_summary)
    minutes_publish_summary(minutes=minutes, actor=SYSTEM)
    seen.append(minutes.public_summary)

    assert seen == ["", "", "", "Resumen aún no publicado."]


def test_minutes_save_refuses_changing_approved_text():
    minutes = MinutesFactory()
    minutes_circulate(minutes=minutes, actor=SYSTEM)
    minutes_approve(minutes=minutes, actor=StaffUserFactory(is_superuser=True))

    minutes.text = "Otra versión del acta."
    with override("en"), pytest.raises(ValidationError) as error:
        minutes_save(minutes=minutes, actor=SYSTEM)

    assert messages_of(error) == {"text": ["Approved minutes cannot be changed."]}


def test_minutes_save_allows_writing_the_summary_after_approval():
    minutes = MinutesFactory(summary="")
    minutes_circulate(minutes=minutes, actor=SYSTEM)
    minutes_approve(minutes=minutes, actor=StaffUserFactory(is_superuser=True))

    minutes.summary = "Resumen aprobado."
    minutes_save(minutes=minutes, actor=SYSTEM)

    minutes.refresh_from_db()
    assert (minutes.status, minutes.summary) == (MinutesStatus.APPROVED, "Resumen aprobado.")


# Agreements -------------------------------------------------------------------------------------


def test_agreement_create_refuses_due_date_before_the_session_day():
    # 15:00 on 17 September in Guatemala; in UTC that is still the 17th, but 23:30 would not be.
    session = SessionFactory(start=local(2020, 9, 17, 23, 30), end=local(2020, 9, 18, 0, 30))

    with override("en"), pytest.raises(ValidationError) as error:
        agreement_create(
            session=session,
            text="Capacitar a liderazgos comunitarios.",
            responsible_institution=InstitutionFactory(),
            due_date=datetime.date(2020, 9, 16),
            actor=SYSTEM,
        )

    assert messages_of(error) == {
        "due_date": ["An agreement cannot be due before the session that made it."]
    }


def test_agreement_create_accepts_due_date_on_the_session_day():
    session = SessionFactory(start=local(2020, 9, 17, 23, 30), end=local(2020, 9, 18, 0, 30))

    agreement = agreement_create(
        session=session,
        text="Compartir el directorio de la mesa.",
        responsible_institution=None,
        due_date=datetime.date(2020, 9, 17),
        responsible_person=PersonFactory(),
        actor=SYSTEM,
    )

    assert agreement.status == AgreementStatus.OPEN


def test_agreement_update_appends_dated_notes_and_keeps_earlier_ones():
    agreement = AgreementFactory(follow_up="2020-10-01: Primera reunión.")
    today = timezone.localdate().isoformat()

    agreement_update(
        agreement=agreement,
        status=AgreementStatus.IN_PROGRESS,
        follow_up_note="Borrador enviado a la mesa.",
        actor=SYSTEM,
    )
    agreement_update(
        agreement=agreement, status=AgreementStatus.DONE, follow_up_note="", actor=SYSTEM
    )

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert agreement.follow_up.splitlines() == [
        "2020-10-01: Primera reunión.",
        f"{today}: Borrador enviado a la mesa.",
    ]


def test_agreement_update_refuses_unknown_status():
    agreement = AgreementFactory()

    with pytest.raises(ValidationError) as error:
        agreement_update(agreement=agreement, status="forgotten", follow_up_note="", actor=SYSTEM)

    assert list(messages_of(error)) == ["status"]


def test_pending_agreements_for_network_lists_open_ones_and_flags_overdue(table):
    today = timezone.localdate()
    session = SessionFactory(networks=[table])
    overdue = AgreementFactory(session=session, due_date=today - datetime.timedelta(days=1))
    in_progress = AgreementFactory(
        session=session,
        due_date=today + datetime.timedelta(days=30),
        status=AgreementStatus.IN_PROGRESS,
    )
    AgreementFactory(session=session, status=AgreementStatus.DONE)
    AgreementFactory(session=session, status=AgreementStatus.DROPPED)
    AgreementFactory(session=SessionFactory(networks=[NetworkFactory()]))  # another network

    pending = list(pending_agreements_for(table))

    assert pending == [overdue, in_progress]
    assert [agreement.is_overdue for agreement in pending] == [True, False]


def test_pending_agreements_before_a_session_come_from_earlier_sessions(table):
    earlier = SessionFactory(networks=[table], start=local(2020, 9, 17, 15, 0))
    current = SessionFactory(networks=[table, NetworkFactory()], start=local(2020, 11, 5, 9, 0))
    later = SessionFactory(networks=[table], start=local(2021, 2, 1, 9, 0))
    from_earlier = AgreementFactory(session=earlier, due_date=datetime.date(2020, 10, 30))
    AgreementFactory(session=current, due_date=datetime.date(2020, 12, 1))
    AgreementFactory(session=later, due_date=datetime.date(2021, 3, 1))

    assert list(pending_agreements_before(current)) == [from_earlier]


# Who sees the meeting link ----------------------------------------------------------------------


def _staff_who_may(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_meeting_link_is_seen_by_staff_and_the_networks_coordinators_only(table):
    session = SessionFactory(networks=[table], meeting_link="https://meet.example/trifinio")
    coordinator, other_coordinator, member, former = (UserFactory() for _ in range(4))
    MembershipFactory(person__user=coordinator, network=table, role=MembershipRole.COORDINATOR)
    MembershipFactory(person__user=other_coordinator, role=MembershipRole.COORDINATOR)
    MembershipFactory(person__user=member, network=table, role=MembershipRole.MEMBER)
    MembershipFactory(
        person__user=former,
        network=table,
        role=MembershipRole.TECHNICAL_SECRETARIAT,
        end_date=datetime.date(2021, 12, 31),
    )
    users = {
        "staff": _staff_who_may("view_session"),
        "staff without permissions": StaffUserFactory(),
        "inactive staff": StaffUserFactory(is_active=False, is_superuser=True),
        "coordinator": coordinator,
        "other network's coordinator": other_coordinator,
        "member": member,
        "former secretariat": former,
        "anonymous": AnonymousUser(),
    }

    assert {
        name for name, user in users.items() if user.has_perm("conferences.view_session", session)
    } == {
        "staff",
        "coordinator",
    }
