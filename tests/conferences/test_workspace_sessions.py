"""The sessions pages of the workspace: a network's list, a session's page, new, copy and
change (with check-your-answers), cancelling, agenda and challenges; and who may do what."""

# The fixtures imported from workspace_setup are arguments of the tests.
# ruff: noqa: F811

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conferences.enums import AgreementStatus, Modality, SessionStatus
from conferences.models import AgendaItem, Challenge, Session
from networks.enums import MembershipRole
from tests.conferences.workspace_setup import (  # noqa: F401 (fixtures)
    coordinator,
    coordinator_client,
    coordinator_of,
    local,
    network,
    other_network,
    other_session,
    queries_of,
    session,
)
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, network, session=None, **kwargs):
    if session is not None:
        kwargs["pk"] = session.pk
    return reverse(f"dashboard:sessions:{name}", kwargs={"network": network.slug, **kwargs})


def answers(**changes):
    values = {
        "title": "Mesa de seguimiento",
        "date": "2031-03-12",
        "start_time": "09:00",
        "end_time": "11:30",
        "end_date": "",
        "modality": Modality.HYBRID,
        "venue": "Casa de la cultura",
        "municipality": "",
        "meeting_link": "https://meet.example.org/seguimiento",
        "capacity": "40",
        "description": "Revisión de acuerdos.",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


# The list ----------------------------------------------------------------------------------------


def test_list_shows_upcoming_sessions_first_then_past_ones(
    coordinator_client, network, other_session
):
    now = timezone.now()
    SessionFactory(
        title="Pasada reciente", networks=[network], start=now - datetime.timedelta(days=3)
    )
    SessionFactory(
        title="Pasada antigua", networks=[network], start=now - datetime.timedelta(days=300)
    )
    SessionFactory(
        title="Próxima lejana", networks=[network], start=now + datetime.timedelta(days=60)
    )
    SessionFactory(title="Próxima", networks=[network], start=now + datetime.timedelta(days=2))

    response = coordinator_client.get(url("list", network))

    assert response.status_code == 200
    assert [s.title for s in response.context["sessions"]] == [
        "Próxima",
        "Próxima lejana",
        "Pasada reciente",
        "Pasada antigua",
    ]
    assert "Mesa de Ocotepeque" not in response.content.decode()


def test_list_filters_by_when_status_and_words(coordinator_client, network):
    now = timezone.now()
    SessionFactory(
        title="Taller de retorno",
        networks=[network],
        start=now + datetime.timedelta(days=2),
        status=SessionStatus.PLANNED,
    )
    SessionFactory(title="Mesa pasada", networks=[network], start=now - datetime.timedelta(days=2))
    SessionFactory(
        title="Taller cancelado",
        networks=[network],
        start=now + datetime.timedelta(days=5),
        status=SessionStatus.CANCELLED,
    )

    def titles(query):
        response = coordinator_client.get(url("list", network), query)
        return sorted(s.title for s in response.context["sessions"])

    assert titles({"when": "upcoming"}) == ["Taller cancelado", "Taller de retorno"]
    assert titles({"when": "past"}) == ["Mesa pasada"]
    assert titles({"status": "cancelled"}) == ["Taller cancelado"]
    assert titles({"q": "taller", "status": "planned"}) == ["Taller de retorno"]
    # A value that is not a choice is ignored, not an error.
    assert titles({"when": "someday"}) == ["Mesa pasada", "Taller cancelado", "Taller de retorno"]


def test_list_paginates_and_keeps_the_filters(coordinator_client, network):
    for day in range(30):
        SessionFactory(
            networks=[network], start=local(2020, 1, 1, 9) + datetime.timedelta(days=day)
        )

    response = coordinator_client.get(url("list", network), {"when": "past", "page": "2"})

    assert len(response.context["sessions"]) == 5
    assert "when=past&amp;page=1" in response.content.decode()


def test_list_queries_do_not_grow_with_sessions(
    coordinator_client, network, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            SessionFactory(networks=[network])

    add(1)
    coordinator_client.get(url("list", network))
    _, few = queries_of(coordinator_client, "get", url("list", network))
    add(199)
    with django_assert_num_queries(few):
        response = coordinator_client.get(url("list", network))
    assert response.context["paginator"].count == 200


# The session's page ------------------------------------------------------------------------------


def test_session_page_shows_the_meeting_link_to_the_coordinator(
    coordinator_client, network, session
):
    AgendaItemFactory(session=session, title="Bienvenida")

    response = coordinator_client.get(url("detail", network, session))

    page = response.content.decode()
    assert response.status_code == 200
    assert "https://meet.example.org/esquipulas-secreto" in page
    assert "Bienvenida" in page


def test_session_page_shows_the_link_to_the_coordinator_of_any_of_its_networks(
    client, network, other_network
):
    shared = SessionFactory(
        networks=[network, other_network], meeting_link="https://meet.example.org/compartida"
    )
    client.force_login(coordinator_of(other_network))

    response = client.get(url("detail", other_network, shared))

    assert "https://meet.example.org/compartida" in response.content.decode()


def test_staff_with_the_permission_see_the_session_and_its_link(client, network, session):
    staff = StaffUserFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_network", "view_session"])
    )
    client.force_login(staff)

    response = client.get(url("detail", network, session))

    assert "https://meet.example.org/esquipulas-secreto" in response.content.decode()


def test_session_of_another_network_is_not_found(
    coordinator_client, network, other_network, other_session
):
    assert coordinator_client.get(url("detail", network, other_session)).status_code == 404
    # Nor under its own network, which this coordinator does not work on.
    assert coordinator_client.get(url("detail", other_network, other_session)).status_code == 404


@pytest.mark.parametrize("who", ["member", "former coordinator", "secretariat"])
def test_who_does_not_coordinate_sees_nothing(client, network, session, who):
    user = UserFactory()
    if who == "member":
        MembershipFactory(person__user=user, network=network, role=MembershipRole.MEMBER)
    elif who == "secretariat":
        MembershipFactory(
            person__user=user, network=network, role=MembershipRole.TECHNICAL_SECRETARIAT
        )
    else:
        MembershipFactory(
            person__user=user,
            network=network,
            role=MembershipRole.COORDINATOR,
            start_date=datetime.date(2019, 1, 1),
            end_date=datetime.date(2023, 1, 1),
        )
    client.force_login(user)

    for page in (url("list", network), url("detail", network, session), url("create", network)):
        assert client.get(page).status_code == 404, page
    response = client.post(url("edit", network, session), answers(confirm="1"))
    assert response.status_code == 404
    assert Session.objects.get(pk=session.pk).title == "Mesa de Esquipulas"


def test_signed_out_visitor_is_sent_to_sign_in(client, network, session):
    response = client.get(url("detail", network, session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_carried_over_agreements_show_on_the_next_session(
    coordinator_client, network, other_network
):
    earlier = SessionFactory(networks=[network], start=local(2024, 3, 1, 9))
    AgreementFactory(session=earlier, text="Mapear albergues", due_date=datetime.date(2024, 4, 1))
    AgreementFactory(session=earlier, text="Acuerdo cumplido", status=AgreementStatus.DONE)
    elsewhere = SessionFactory(networks=[other_network], start=local(2024, 3, 1, 9))
    AgreementFactory(session=elsewhere, text="Acuerdo de otra red")
    later = SessionFactory(networks=[network], start=local(2024, 6, 1, 9))
    AgreementFactory(session=later, text="Acuerdo posterior", due_date=datetime.date(2024, 7, 1))
    following = SessionFactory(networks=[network], start=local(2024, 5, 1, 9))

    response = coordinator_client.get(url("detail", network, following))

    assert [a.text for a in response.context["carried_over"]] == ["Mapear albergues"]
    assert response.context["carried_over"][0].is_overdue


# New session, with check-your-answers ------------------------------------------------------------


def test_new_session_asks_then_shows_the_answers_then_saves(
    coordinator_client, network, other_network
):
    page = url("create", network)

    form = coordinator_client.get(page)
    assert 'type="date"' in form.content.decode()
    assert 'type="time"' in form.content.decode()

    check = coordinator_client.post(page, answers())
    assert check.status_code == 200
    assert check.templates[0].name == "workspace/sessions/session_check.html"
    assert Session.objects.count() == 0
    assert "Casa de la cultura" in check.content.decode()

    saved = coordinator_client.post(page, {**answers(), "confirm": "1"})

    session = Session.objects.get()
    assert saved.status_code == 302
    assert saved.url == url("detail", network, session)
    assert (session.title, session.start, session.end) == (
        "Mesa de seguimiento",
        local(2031, 3, 12, 9, 0),
        local(2031, 3, 12, 11, 30),
    )
    assert list(session.networks.all()) == [network]
    assert session.meeting_link == "https://meet.example.org/seguimiento"
    assert session.slug == "mesa-de-seguimiento-2031-03-12"
    assert {version.history_user.email for version in session.history.all()} == {
        "coordinadora@example.org"
    }


def test_change_from_the_check_page_goes_back_to_the_questions_with_the_answers(
    coordinator_client, network
):
    response = coordinator_client.post(url("create", network), {**answers(), "change": "venue"})

    assert response.templates[0].name == "workspace/sessions/session_form.html"
    assert 'value="Casa de la cultura"' in response.content.decode()
    assert Session.objects.count() == 0


def test_bad_answers_come_back_with_an_error_summary_and_every_value_kept(
    coordinator_client, network
):
    response = coordinator_client.post(
        url("create", network), answers(end_time="08:00", title="Mesa con error")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert response.context["form"].errors["end_time"]
    assert 'value="Mesa con error"' in page
    assert Session.objects.count() == 0


def test_another_networks_id_in_the_networks_answer_is_refused(
    coordinator_client, network, other_network
):
    # The coordinator works on one network only: the field is not even offered.
    response = coordinator_client.post(
        url("create", network), {**answers(), "other_networks": [other_network.pk], "confirm": "1"}
    )

    assert response.status_code == 302
    assert list(Session.objects.get().networks.all()) == [network]


def test_a_coordinator_of_two_networks_links_both(client, network, other_network):
    user = coordinator_of(network)
    MembershipFactory(person=user.person, network=other_network, role=MembershipRole.COORDINATOR)
    client.force_login(user)

    client.post(
        url("create", network), {**answers(), "other_networks": [other_network.pk], "confirm": "1"}
    )

    assert set(Session.objects.get().networks.all()) == {network, other_network}


def test_posts_without_the_csrf_token_are_refused(coordinator, network, session):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)

    response = browser.post(url("create", network), {**answers(), "confirm": "1"})

    assert response.status_code == 403
    assert Session.objects.count() == 1


# Copy and change ---------------------------------------------------------------------------------


def test_copy_keeps_the_agenda_and_networks_on_a_new_date(coordinator_client, network, session):
    AgendaItemFactory(session=session, position=1, title="Bienvenida", duration_minutes=10)
    AgendaItemFactory(session=session, position=2, title="Acuerdos pendientes", duration_minutes=45)

    form = coordinator_client.get(url("duplicate", network, session))
    assert form.context["form"].initial["title"] == "Mesa de Esquipulas"
    assert "date" not in form.context["form"].initial

    coordinator_client.post(
        url("duplicate", network, session),
        {**answers(title="Mesa de Esquipulas", date="2031-05-04"), "confirm": "1"},
    )

    copy = Session.objects.exclude(pk=session.pk).get()
    assert timezone.localdate(copy.start) == datetime.date(2031, 5, 4)
    assert list(copy.networks.all()) == [network]
    assert [(i.position, i.title, i.duration_minutes) for i in copy.agenda_items.all()] == [
        (1, "Bienvenida", 10),
        (2, "Acuerdos pendientes", 45),
    ]
    assert session.agenda_items.count() == 2


def test_change_saves_the_answers_and_keeps_networks_the_user_does_not_work_on(
    coordinator_client, network, other_network
):
    shared = SessionFactory(
        networks=[network, other_network], start=local(2031, 1, 10, 9), status=SessionStatus.PLANNED
    )
    page = url("edit", network, shared)
    initial = coordinator_client.get(page).context["form"].initial
    assert initial["date"] == datetime.date(2031, 1, 10)

    response = coordinator_client.post(
        page,
        {**answers(title="Mesa binacional", date="2031-01-10", status="planned"), "confirm": "1"},
    )

    shared.refresh_from_db()
    assert response.status_code == 302
    assert shared.title == "Mesa binacional"
    assert set(shared.networks.all()) == {network, other_network}


def test_cancel_after_a_confirmation(coordinator_client, network):
    planned = SessionFactory(
        networks=[network], status=SessionStatus.PLANNED, start=local(2031, 1, 10, 9)
    )

    confirm = coordinator_client.get(url("cancel", network, planned))
    assert confirm.status_code == 200
    coordinator_client.post(url("cancel", network, planned))

    planned.refresh_from_db()
    assert planned.status == SessionStatus.CANCELLED


def test_changing_another_networks_session_is_not_found_and_changes_nothing(
    coordinator_client, network, other_session
):
    response = coordinator_client.post(
        url("edit", network, other_session), {**answers(), "confirm": "1"}
    )

    assert response.status_code == 404
    other_session.refresh_from_db()
    assert other_session.title == "Mesa de Ocotepeque"


# Agenda and challenges ---------------------------------------------------------------------------


def test_agenda_item_added_changed_and_removed(coordinator_client, network, session):
    coordinator_client.post(
        url("agenda-add", network, session),
        {"title": "Bienvenida", "duration_minutes": "15", "position": "1"},
    )
    item = AgendaItem.objects.get(session=session)
    assert (item.title, item.duration_minutes) == ("Bienvenida", 15)

    coordinator_client.post(
        url("agenda-edit", network, session, part=item.pk), {"title": "Apertura", "position": "1"}
    )
    item.refresh_from_db()
    assert item.title == "Apertura"

    coordinator_client.post(url("agenda-delete", network, session, part=item.pk))
    assert not AgendaItem.objects.filter(session=session).exists()


def test_agenda_item_of_another_session_is_not_found(
    coordinator_client, network, session, other_session
):
    foreign = AgendaItemFactory(session=other_session, title="Punto ajeno")

    response = coordinator_client.post(
        url("agenda-edit", network, session, part=foreign.pk),
        {"title": "Cambiado", "position": "1"},
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Punto ajeno"


def test_agenda_presenter_must_be_of_this_network(
    coordinator_client, network, session, other_network
):
    from tests.conferences.workspace_setup import member_of

    stranger = member_of(other_network)

    response = coordinator_client.post(
        url("agenda-add", network, session),
        {"title": "Bienvenida", "position": "1", "presenter": stranger.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["presenter"]
    assert not AgendaItem.objects.exists()


def test_challenge_recorded_with_its_theme(coordinator_client, network, session):
    theme = ThemeFactory()

    coordinator_client.post(
        url("challenge-add", network, session), {"text": "Falta de intérpretes", "theme": theme.pk}
    )

    challenge = Challenge.objects.get()
    assert (challenge.session, challenge.text, challenge.theme) == (
        session,
        "Falta de intérpretes",
        theme,
    )
    assert (
        "Falta de intérpretes"
        in coordinator_client.get(url("detail", network, session)).content.decode()
    )


def test_session_page_queries_do_not_grow_with_its_records(
    coordinator_client, network, session, django_assert_num_queries
):
    earlier = SessionFactory(networks=[network], start=local(2020, 1, 10, 9))
    theme = ThemeFactory()

    def add(count):
        for _ in range(count):
            AgendaItemFactory(session=session, presenter_institution=InstitutionFactory())
            AgreementFactory(session=session, responsible_person=PersonFactory())
            AgreementFactory(session=earlier, responsible_person=PersonFactory())
            Challenge.objects.create(session=session, text="Reto", theme=theme)

    page = url("detail", network, session)
    add(1)
    coordinator_client.get(page)
    _, few = queries_of(coordinator_client, "get", page)
    add(49)
    with django_assert_num_queries(few):
        response = coordinator_client.get(page)
    assert len(response.context["carried_over"]) == 50
