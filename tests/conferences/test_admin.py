"""The staff admin of sessions: changelist queries, the service write path, the pending
agreements panel, the minutes workflow actions and the agreements register."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from conferences.enums import AgreementStatus, MinutesStatus, ParticipationRole, SessionStatus
from conferences.models import Agreement, Challenge, Minutes, Participation, Session
from networks.enums import Sector
from tests.admin_forms import add_inline_row, change_form_data, post_data
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    MembershipFactory,
    MinutesFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="conferences", codename__in=codenames)
    )


def spanish(msgid, **params):
    """A message as the admin shows it (/admin/ is served in Spanish, the default language)."""
    with override("es"):
        message = gettext(msgid)
    return message % params if params else message


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def editor(staff_client, staff_user):
    """Staff who may edit sessions and everything recorded on them."""
    for model in ("session", "participation", "agreement", "minutes", "challenge", "agendaitem"):
        grant(staff_user, f"view_{model}", f"add_{model}", f"change_{model}", f"delete_{model}")
    return staff_client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Changelists run the same queries for 1 row as for 20 --------------------------------------------


def session_row():
    session = SessionFactory(
        networks=[NetworkFactory(), NetworkFactory()], conference=ConferenceFactory()
    )
    ParticipationFactory(session=session)


def conference_row():
    conference = ConferenceFactory(programme=None)
    SessionFactory(conference=conference, networks=[NetworkFactory()])


def agreement_row():
    AgreementFactory(session=SessionFactory(networks=[NetworkFactory()]))


def minutes_row():
    MinutesFactory(session=SessionFactory(networks=[NetworkFactory()]))


def challenge_row():
    Challenge.objects.create(
        session=SessionFactory(networks=[NetworkFactory()]),
        text="Formar liderazgos comunitarios.",
        theme=ThemeFactory(),
    )


@pytest.mark.parametrize(
    ("model", "make_row"),
    [
        ("session", session_row),
        ("conference", conference_row),
        ("agreement", agreement_row),
        ("minutes", minutes_row),
        ("challenge", challenge_row),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(
    staff_client, staff_user, django_assert_num_queries, model, make_row
):
    grant(staff_user, f"view_{model}", f"change_{model}")
    url = reverse(f"admin:conferences_{model}_changelist")
    make_row()
    with CaptureQueriesContext(connection) as few:
        response = staff_client.get(url)
    assert response.context["cl"].result_count == 1

    for _ in range(19):
        make_row()
    with django_assert_num_queries(len(few)):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 20


def test_session_changelist_counts_registered_and_attended(staff_client, staff_user):
    grant(staff_user, "view_session")
    session = SessionFactory(title="Mesa de Esquipulas", networks=[NetworkFactory(name="Mesa A")])
    ParticipationFactory(session=session, attended=True)
    ParticipationFactory(session=session, attended=False)

    response = staff_client.get(reverse("admin:conferences_session_changelist"))

    changelist = response.context["cl"]
    session_admin = changelist.model_admin
    row = changelist.result_list[0]
    assert (
        session_admin.network_names(row),
        session_admin.registered_count(row),
        session_admin.attended_count(row),
    ) == ("Mesa A", 2, 1)


# Saving a session goes through the services ------------------------------------------------------


def change_url(session):
    return reverse("admin:conferences_session_change", args=[session.pk])


def test_admin_add_session_makes_slug_and_saves_networks(editor):
    network = NetworkFactory()
    url = reverse("admin:conferences_session_add")
    data = change_form_data(editor.get(url))
    data.update(
        {
            "title": "Mesa técnica de Trifinio",
            "networks": [str(network.pk)],
            "start_0": "2020-09-17",
            "start_1": "23:30",
            "end_0": "2020-09-18",
            "end_1": "01:00",
            "modality": "virtual",
            "status": "planned",
        }
    )

    response = editor.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    assert (session.slug, list(session.networks.all()), session.sequence) == (
        "mesa-tecnica-de-trifinio-2020-09-17",
        [network],
        0,
    )


def test_admin_add_session_refuses_end_before_start(editor):
    url = reverse("admin:conferences_session_add")
    data = change_form_data(editor.get(url))
    data.update(
        {
            "title": "Mesa",
            "networks": [str(NetworkFactory().pk)],
            "start_0": "2020-09-17",
            "start_1": "15:00",
            "end_0": "2020-09-17",
            "end_1": "14:00",
            "modality": "virtual",
            "status": "planned",
        }
    )

    response = editor.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end"] == [
        spanish("The session must end after it starts.")
    ]
    assert Session.objects.count() == 0


def test_admin_moving_a_session_bumps_its_sequence(editor):
    session = SessionFactory(networks=[NetworkFactory()], status=SessionStatus.PLANNED)
    data = change_form_data(editor.get(change_url(session)))
    data["start_1"], data["end_1"] = "16:00:00", "18:00:00"

    response = editor.post(change_url(session), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.start, session.sequence) == (local(2020, 9, 17, 16, 0), 1)


def test_admin_registers_a_participant_with_the_snapshot(editor):
    table = NetworkFactory()
    seat = InstitutionFactory(name="Alcaldía de Esquipulas", sector=Sector.MUNICIPAL_GOVERNMENT)
    person = PersonFactory(institution=InstitutionFactory(sector=Sector.CIVIL_SOCIETY))
    MembershipFactory(person=person, network=table, institution=seat)
    session = SessionFactory(networks=[table])
    data = change_form_data(editor.get(change_url(session)))
    add_inline_row(
        data,
        "participations",
        person=str(person.pk),
        role=ParticipationRole.SPEAKER,
        registered="on",
        attended="on",
    )

    response = editor.post(change_url(session), data)

    assert response.status_code == 302
    assert list(
        Participation.objects.values_list("person", "role", "attended", "institution", "sector")
    ) == [(person.pk, "speaker", True, seat.pk, "municipal_government")]


def test_admin_refuses_attendance_at_a_cancelled_session(editor):
    session = SessionFactory(networks=[NetworkFactory()], status=SessionStatus.CANCELLED)
    participation = ParticipationFactory(session=session, attended=False)
    data = change_form_data(editor.get(change_url(session)))
    data["participations-0-attended"] = "on"

    response = editor.post(change_url(session), data)

    assert response.status_code == 200
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Participation
    )
    assert formset.errors[0] == {"attended": [spanish("Nobody can attend a cancelled session.")]}
    participation.refresh_from_db()
    assert participation.attended is False


def test_admin_refuses_an_agreement_due_before_its_session(editor):
    session = SessionFactory(networks=[NetworkFactory()])
    data = change_form_data(editor.get(change_url(session)))
    for text, due_date in [("Compartir el directorio.", "2020-09-16"), ("Formar.", "2020-10-30")]:
        add_inline_row(data, "agreements", text=text, due_date=due_date, status="open")

    response = editor.post(change_url(session), data)

    assert response.status_code == 200
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Agreement
    )
    assert formset.errors == [
        {"due_date": [spanish("An agreement cannot be due before the session that made it.")]},
        {},
    ]
    assert Agreement.objects.count() == 0


def test_admin_records_agreements_through_the_service(editor):
    session = SessionFactory(networks=[NetworkFactory()])
    data = change_form_data(editor.get(change_url(session)))
    add_inline_row(
        data,
        "agreements",
        text="Formar liderazgos.",
        due_date="2020-10-30",
        status=AgreementStatus.IN_PROGRESS,
    )

    response = editor.post(change_url(session), data)

    assert response.status_code == 302
    assert list(Agreement.objects.values_list("text", "status", "due_date")) == [
        ("Formar liderazgos.", "in_progress", datetime.date(2020, 10, 30))
    ]


def test_admin_add_page_offers_only_the_agenda_inline(editor):
    response = editor.get(reverse("admin:conferences_session_add"))

    assert [inline.formset.model for inline in response.context["inline_admin_formsets"]] == [
        AgendaItemFactory._meta.model
    ]


def test_admin_cancel_action_cancels_planned_and_reports_held(editor):
    planned = SessionFactory(title="Planificada", status=SessionStatus.PLANNED)
    held = SessionFactory(title="Realizada", status=SessionStatus.HELD)

    response = editor.post(
        reverse("admin:conferences_session_changelist"),
        {"action": "cancel_selected", "_selected_action": [planned.pk, held.pk]},
    )

    assert response.status_code == 302
    assert dict(Session.objects.values_list("title", "status")) == {
        "Planificada": "cancelled",
        "Realizada": "held",
    }
    assert sorted(messages_of(response)) == sorted(
        [
            spanish("“%(item)s” is cancelled.", item="Planificada"),
            spanish(
                "“%(item)s” was not changed: %(reason)s",
                item="Realizada",
                reason=spanish("This session was held: it cannot be cancelled."),
            ),
        ]
    )


# The pending agreements panel --------------------------------------------------------------------


def test_session_page_lists_pending_agreements_of_earlier_sessions_and_flags_overdue(editor):
    table = NetworkFactory()
    today = timezone.localdate()
    earlier = SessionFactory(title="Sesión anterior", networks=[table], start=local(2020, 9, 1, 9))
    current = SessionFactory(networks=[table], start=local(2020, 10, 1, 9))
    overdue = AgreementFactory(
        session=earlier, text="Acuerdo vencido", due_date=today - datetime.timedelta(days=3)
    )
    on_time = AgreementFactory(
        session=earlier,
        text="Acuerdo en curso",
        due_date=today + datetime.timedelta(days=10),
        status=AgreementStatus.IN_PROGRESS,
    )
    AgreementFactory(session=earlier, text="Acuerdo cumplido", status=AgreementStatus.DONE)
    AgreementFactory(session=current, text="Acuerdo de esta sesión")
    AgreementFactory(
        session=SessionFactory(networks=[NetworkFactory()], start=local(2020, 9, 1, 9)),
        text="Acuerdo de otra red",
    )

    response = editor.get(change_url(current))

    content = response.content.decode()
    assert response.context["pending_agreements"] == [overdue, on_time]
    panel = content[content.index('id="pending-agreements"') :]
    panel = panel[: panel.index("</table>")]
    assert panel.count(spanish("Overdue")) == 1
    assert panel.index("Acuerdo vencido") < panel.index(spanish("Overdue"))
    assert panel.index(spanish("Overdue")) < panel.index("Acuerdo en curso")
    assert "Acuerdo cumplido" not in panel
    assert "Acuerdo de otra red" not in panel


# Minutes -----------------------------------------------------------------------------------------


def run_minutes_action(client, action, minutes):
    return client.post(
        reverse("admin:conferences_minutes_changelist"),
        {"action": action, "_selected_action": [minutes.pk]},
    )


def test_minutes_actions_walk_the_workflow_and_record_the_approver(editor, staff_user):
    minutes = MinutesFactory(summary="Resumen para el público.")

    for action in ("circulate_selected", "approve_selected", "publish_summary_selected"):
        assert run_minutes_action(editor, action, minutes).status_code == 302

    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_by) == (MinutesStatus.PUBLISHED, staff_user)
    assert minutes.public_summary == "Resumen para el público."


def test_minutes_action_out_of_order_is_refused_with_a_message(editor):
    minutes = MinutesFactory(session__title="Sesión de septiembre")

    response = run_minutes_action(editor, "publish_summary_selected", minutes)

    reason = spanish(
        "Only the summary of approved minutes can be published; these are “%(status)s”.",
        status=MinutesStatus.DRAFT.label,
    )
    assert messages_of(response) == [
        spanish(
            "“%(item)s” was not changed: %(reason)s",
            item="Sesión de septiembre",
            reason=reason,
        )
    ]
    assert Minutes.objects.get().status == MinutesStatus.DRAFT


def test_minutes_actions_need_change_permission(staff_client, staff_user):
    grant(staff_user, "view_minutes")
    minutes = MinutesFactory()

    response = run_minutes_action(staff_client, "circulate_selected", minutes)

    assert response.status_code == 200  # Django answers an unknown action with the list again
    assert Minutes.objects.get().status == MinutesStatus.DRAFT


def test_approved_minutes_text_is_read_only_in_the_admin(editor):
    minutes = MinutesFactory(status=MinutesStatus.APPROVED, approved_at=timezone.now())

    response = editor.get(reverse("admin:conferences_minutes_change", args=[minutes.pk]))

    assert "text" not in response.context["adminform"].form.fields
    assert "summary" in response.context["adminform"].form.fields


# Agreements register -----------------------------------------------------------------------------


def test_agreements_overdue_filter_lists_exactly_the_late_pending_ones(editor):
    today = timezone.localdate()
    late = AgreementFactory(text="Tarde", due_date=today - datetime.timedelta(days=1))
    AgreementFactory(
        text="Tarde pero cumplido",
        due_date=today - datetime.timedelta(days=1),
        status=AgreementStatus.DONE,
    )
    AgreementFactory(text="A tiempo", due_date=today + datetime.timedelta(days=1))

    overdue = editor.get(reverse("admin:conferences_agreement_changelist"), {"overdue": "yes"})
    not_overdue = editor.get(reverse("admin:conferences_agreement_changelist"), {"overdue": "no"})

    assert list(overdue.context["cl"].result_list) == [late]
    assert {a.text for a in not_overdue.context["cl"].result_list} == {
        "Tarde pero cumplido",
        "A tiempo",
    }


def test_agreements_filter_by_network(editor):
    table = NetworkFactory()
    mine = AgreementFactory(session=SessionFactory(networks=[table, NetworkFactory()]))
    AgreementFactory(session=SessionFactory(networks=[NetworkFactory()]))

    response = editor.get(
        reverse("admin:conferences_agreement_changelist"),
        {"session__networks__id__exact": table.pk},
    )

    assert list(response.context["cl"].result_list) == [mine]


def test_agreement_admin_appends_a_dated_follow_up_note(editor):
    agreement = AgreementFactory(follow_up="2020-10-01: Primera reunión.")
    url = reverse("admin:conferences_agreement_change", args=[agreement.pk])
    data = post_data(editor.get(url).context["adminform"].form)
    data.update({"status": AgreementStatus.DONE, "follow_up_note": "Ruta publicada."})

    response = editor.post(url, data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DONE
    assert agreement.follow_up.splitlines() == [
        "2020-10-01: Primera reunión.",
        f"{timezone.localdate().isoformat()}: Ruta publicada.",
    ]


def test_agreement_admin_add_goes_through_the_service(editor):
    session = SessionFactory()
    url = reverse("admin:conferences_agreement_add")
    data = post_data(editor.get(url).context["adminform"].form)
    data.update(
        {
            "session": str(session.pk),
            "text": "Formar liderazgos comunitarios.",
            "due_date": "2020-09-16",
            "status": AgreementStatus.OPEN,
        }
    )

    refused = editor.post(url, data)
    data["due_date"] = "2020-12-01"
    data["follow_up_note"] = "Primera nota."
    accepted = editor.post(url, data)

    assert refused.context["adminform"].form.errors == {
        "due_date": [spanish("An agreement cannot be due before the session that made it.")]
    }
    assert accepted.status_code == 302
    agreement = Agreement.objects.get()
    assert accepted["Location"] == reverse("admin:conferences_agreement_changelist")
    assert agreement.follow_up == f"{timezone.localdate().isoformat()}: Primera nota."


# Every page of the app renders -------------------------------------------------------------------


def test_every_conferences_admin_page_renders_for_a_superuser(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    session = SessionFactory(networks=[NetworkFactory()], conference=ConferenceFactory())
    AgendaItemFactory(session=session)
    ParticipationFactory(session=session)
    minutes = MinutesFactory(session=session)
    agreement = AgreementFactory(session=session)
    challenge = Challenge.objects.create(session=session, text="Alianzas en el territorio.")
    objects = {
        "conference": session.conference,
        "session": session,
        "minutes": minutes,
        "agreement": agreement,
        "challenge": challenge,
    }

    statuses = {}
    for model, obj in objects.items():
        for page, args in [("changelist", []), ("add", []), ("change", [obj.pk])]:
            url = reverse(f"admin:conferences_{model}_{page}", args=args)
            statuses[f"{model} {page}"] = client.get(url).status_code

    assert set(statuses.values()) == {200}, statuses
