"""Agreements in the workspace: a network's list (overdue and open first), recording one at
a session with someone of the network responsible, dated follow-up notes, and the limits."""

# The fixtures imported from workspace_setup are arguments of the tests.
# ruff: noqa: F811

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences.enums import AgreementStatus
from conferences.models import Agreement
from tests.conferences.workspace_setup import (  # noqa: F401 (fixtures)
    coordinator,
    coordinator_client,
    local,
    member_of,
    network,
    other_network,
    other_session,
    queries_of,
    session,
)
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def list_url(network):
    return reverse("dashboard:sessions:agreements", kwargs={"network": network.slug})


def agreement_url(name, network, agreement):
    return reverse(
        f"dashboard:sessions:{name}", kwargs={"network": network.slug, "pk": agreement.pk}
    )


def add_url(network, session):
    return reverse(
        "dashboard:sessions:agreement-add", kwargs={"network": network.slug, "pk": session.pk}
    )


def test_list_shows_overdue_then_open_then_closed(
    coordinator_client, network, session, other_session
):
    AgreementFactory(session=session, text="Cumplido", status=AgreementStatus.DONE, due_date=TODAY)
    AgreementFactory(session=session, text="Abierto", due_date=TODAY + datetime.timedelta(days=9))
    AgreementFactory(session=session, text="Vencido", due_date=TODAY - datetime.timedelta(days=9))
    AgreementFactory(session=other_session, text="De otra red")

    response = coordinator_client.get(list_url(network))

    assert [a.text for a in response.context["agreements"]] == ["Vencido", "Abierto", "Cumplido"]
    assert "De otra red" not in response.content.decode()


def test_list_filters_by_status(coordinator_client, network, session):
    AgreementFactory(session=session, text="Cumplido", status=AgreementStatus.DONE)
    AgreementFactory(session=session, text="Vencido", due_date=TODAY - datetime.timedelta(days=1))
    AgreementFactory(
        session=session, text="En curso", status=AgreementStatus.IN_PROGRESS, due_date=TODAY
    )

    def texts(status):
        response = coordinator_client.get(list_url(network), {"status": status})
        return sorted(a.text for a in response.context["agreements"])

    assert texts("overdue") == ["Vencido"]
    assert texts("pending") == ["En curso", "Vencido"]
    assert texts("done") == ["Cumplido"]
    assert texts("nonsense") == ["Cumplido", "En curso", "Vencido"]


def test_an_agreement_of_a_session_of_two_networks_is_listed_once(
    coordinator_client, network, other_network
):
    shared = SessionFactory(networks=[network, other_network])
    AgreementFactory(session=shared, text="Compartido")

    response = coordinator_client.get(list_url(network))

    assert [a.text for a in response.context["agreements"]] == ["Compartido"]


def test_list_queries_do_not_grow_with_agreements(
    coordinator_client, network, session, django_assert_num_queries
):
    AgreementFactory(session=session, responsible_person=member_of(network))
    coordinator_client.get(list_url(network))
    _, few = queries_of(coordinator_client, "get", list_url(network))

    for _ in range(199):
        AgreementFactory(session=session, responsible_person=member_of(network))
    with django_assert_num_queries(few):
        response = coordinator_client.get(list_url(network))
    assert response.context["paginator"].count == 200


def test_recording_an_agreement_with_someone_of_the_network_responsible(
    coordinator_client, network, session
):
    person = member_of(network)

    response = coordinator_client.post(
        add_url(network, session),
        {
            "text": "Mapear los albergues de la frontera.",
            "responsible_institution": person.institution.pk,
            "responsible_person": person.pk,
            "due_date": "2020-12-01",
            "status": AgreementStatus.OPEN,
        },
    )

    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response.url == agreement_url("agreement-detail", network, agreement)
    assert (agreement.session, agreement.responsible_person, agreement.responsible_institution) == (
        session,
        person,
        person.institution,
    )
    assert agreement.due_date == datetime.date(2020, 12, 1)


@pytest.mark.parametrize("field", ["responsible_institution", "responsible_person"])
def test_responsible_of_another_network_is_refused(
    coordinator_client, network, session, other_network, field
):
    stranger = member_of(other_network)
    value = stranger.pk if field == "responsible_person" else InstitutionFactory().pk

    response = coordinator_client.post(
        add_url(network, session), {"text": "Acuerdo", field: value, "status": AgreementStatus.OPEN}
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Agreement.objects.exists()


def test_due_date_before_the_session_is_refused_with_the_value_kept(
    coordinator_client, network, session
):
    response = coordinator_client.post(
        add_url(network, session),
        {"text": "Acuerdo tardío", "due_date": "2020-01-01", "status": AgreementStatus.OPEN},
    )

    assert response.context["form"].errors["due_date"]
    assert 'value="2020-01-01"' in response.content.decode()
    assert not Agreement.objects.exists()


def test_recording_an_agreement_for_another_networks_session_is_not_found(
    coordinator_client, network, other_session
):
    response = coordinator_client.post(
        add_url(network, other_session), {"text": "Intruso", "status": AgreementStatus.OPEN}
    )

    assert response.status_code == 404
    assert not Agreement.objects.exists()


def test_follow_up_notes_are_dated_and_kept_as_a_timeline(coordinator_client, network, session):
    agreement = AgreementFactory(session=session, follow_up="2024-02-01: Primera reunión.")
    page = agreement_url("agreement-detail", network, agreement)

    response = coordinator_client.post(
        page, {"status": AgreementStatus.IN_PROGRESS, "follow_up_note": "Se enviaron oficios."}
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_PROGRESS
    assert agreement.follow_up == (
        f"2024-02-01: Primera reunión.\n{timezone.localdate().isoformat()}: Se enviaron oficios."
    )
    notes = coordinator_client.get(page).context["notes"]
    assert notes == [
        (timezone.localdate(), "Se enviaron oficios."),
        (datetime.date(2024, 2, 1), "Primera reunión."),
    ]


def test_a_follow_up_with_nothing_new_is_refused(coordinator_client, network, session):
    agreement = AgreementFactory(session=session)

    response = coordinator_client.post(
        agreement_url("agreement-detail", network, agreement),
        {"status": AgreementStatus.OPEN, "follow_up_note": "  "},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_changing_an_agreement(coordinator_client, network, session):
    agreement = AgreementFactory(session=session, text="Antes", responsible_institution=None)

    coordinator_client.post(
        agreement_url("agreement-edit", network, agreement),
        {"text": "Después", "status": AgreementStatus.DONE, "follow_up_note": "Cumplido."},
    )

    agreement.refresh_from_db()
    assert (agreement.text, agreement.status) == ("Después", AgreementStatus.DONE)
    assert agreement.follow_up.endswith(": Cumplido.")


def test_another_networks_agreement_is_not_found_and_unchanged(
    coordinator_client, network, other_session
):
    foreign = AgreementFactory(session=other_session, text="Ajeno")

    for name in ("agreement-detail", "agreement-edit"):
        response = coordinator_client.post(
            agreement_url(name, network, foreign),
            {"text": "Cambiado", "status": AgreementStatus.DONE, "follow_up_note": "x"},
        )
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.text, foreign.status, foreign.follow_up) == ("Ajeno", AgreementStatus.OPEN, "")


def test_a_member_who_does_not_coordinate_sees_no_agreements(client, network, session):
    agreement = AgreementFactory(session=session)
    account = UserFactory()
    MembershipFactory(network=network, person__user=account)
    client.force_login(account)

    assert client.get(list_url(network)).status_code == 404
    assert client.get(agreement_url("agreement-detail", network, agreement)).status_code == 404


def test_carried_over_agreements_are_only_the_networks(coordinator_client, network, other_network):
    earlier = SessionFactory(networks=[network, other_network], start=local(2024, 1, 10, 9))
    AgreementFactory(session=earlier, text="Pendiente compartido", due_date=None)
    next_session = SessionFactory(networks=[network], start=local(2024, 2, 10, 9))

    response = coordinator_client.get(
        reverse(
            "dashboard:sessions:detail",
            kwargs={"network": network.slug, "pk": next_session.pk},
        )
    )

    assert [a.text for a in response.context["carried_over"]] == ["Pendiente compartido"]
    assert "Pendiente compartido" in response.content.decode()
