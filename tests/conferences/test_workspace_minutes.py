"""The minutes pages: a draft, circulated to the participants by e-mail (each in their
language), approved and locked, reopened only with a reason that is kept."""

# The fixtures imported from workspace_setup are arguments of the tests.
# ruff: noqa: F811

import pytest
from django.core import mail
from django.urls import reverse

from conferences.enums import MinutesStatus
from conferences.models import Minutes
from conferences.services import minutes_approve, minutes_circulate, minutes_save
from tests.conferences.workspace_setup import (  # noqa: F401 (fixtures)
    coordinator,
    coordinator_client,
    network,
    other_network,
    other_session,
    session,
)
from tests.factories import (
    MinutesFactory,
    ParticipationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, network, session):
    return reverse(f"dashboard:sessions:{name}", kwargs={"network": network.slug, "pk": session.pk})


def test_minutes_are_written_as_a_draft(coordinator_client, network, session):
    page = url("minutes", network, session)
    assert coordinator_client.get(page).status_code == 200

    response = coordinator_client.post(page, {"text": "Se revisaron los acuerdos.", "summary": ""})

    assert response.status_code == 302
    minutes = Minutes.objects.get(session=session)
    assert (minutes.text, minutes.status) == ("Se revisaron los acuerdos.", MinutesStatus.DRAFT)


def test_circulating_emails_the_participants_each_in_their_language(
    coordinator_client, network, session, django_capture_on_commit_callbacks
):
    MinutesFactory(session=session, text="Acta: se acordó mapear albergues.")
    english = PersonFactory(email="ana@example.org", user=UserFactory(language="en"))
    spanish = PersonFactory(email="berta@example.org")  # no account: Spanish
    ParticipationFactory(session=session, person=english)
    ParticipationFactory(session=session, person=spanish)
    ParticipationFactory(session=session, person=PersonFactory(email=""))

    confirm = coordinator_client.get(url("minutes-circulate", network, session))
    assert "2" in confirm.context["question"]
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("minutes-circulate", network, session))

    assert response.status_code == 302
    assert Minutes.objects.get().status == MinutesStatus.CIRCULATED
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"ana@example.org", "berta@example.org"}
    assert "Sept. 17, 2020" in sent["ana@example.org"].body
    assert "17 de septiembre de 2020" in sent["berta@example.org"].body
    assert "Acta: se acordó mapear albergues." in sent["berta@example.org"].body
    assert "Mesa de Esquipulas" in sent["ana@example.org"].subject


def test_approved_minutes_are_locked(coordinator_client, network, session, coordinator):
    minutes = MinutesFactory(session=session, text="Texto circulado.")
    minutes.status = MinutesStatus.CIRCULATED
    minutes.save()

    coordinator_client.post(url("minutes-approve", network, session))
    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_by) == (MinutesStatus.APPROVED, coordinator)

    page = coordinator_client.get(url("minutes", network, session)).content.decode()
    assert "readonly" in page

    response = coordinator_client.post(
        url("minutes", network, session), {"text": "Texto cambiado.", "summary": "Resumen."}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    minutes.refresh_from_db()
    assert minutes.text == "Texto circulado."


def test_reopening_needs_a_reason_which_is_kept_and_shown(
    coordinator_client, coordinator, network, session
):
    minutes = minutes_save(
        minutes=Minutes(session=session, text="Texto aprobado."), actor=coordinator
    )
    minutes_circulate(minutes=minutes, actor=coordinator)
    minutes_approve(minutes=minutes, actor=coordinator)
    page = url("minutes-reopen", network, session)

    refused = coordinator_client.post(page, {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert Minutes.objects.get().status == MinutesStatus.APPROVED

    coordinator_client.post(page, {"reason": "Faltaba un acuerdo sobre albergues."})

    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_at) == (MinutesStatus.DRAFT, None)
    version = minutes.history.latest()
    assert version.history_change_reason == "Faltaba un acuerdo sobre albergues."
    assert version.history_user.email == "coordinadora@example.org"
    shown = coordinator_client.get(url("minutes", network, session)).content.decode()
    assert "Faltaba un acuerdo sobre albergues." in shown

    coordinator_client.post(
        url("minutes", network, session), {"text": "Texto corregido.", "summary": ""}
    )
    minutes.refresh_from_db()
    assert minutes.text == "Texto corregido."


def test_draft_minutes_cannot_be_approved_by_a_crafted_post(coordinator_client, network, session):
    MinutesFactory(session=session)

    response = coordinator_client.post(url("minutes-approve", network, session))

    assert response.status_code == 302
    assert Minutes.objects.get().status == MinutesStatus.DRAFT


def test_minutes_of_another_networks_session_are_not_found(
    coordinator_client, network, other_session
):
    MinutesFactory(session=other_session, text="Acta ajena.")
    Minutes.objects.update(status=MinutesStatus.CIRCULATED)

    for name in ("minutes", "minutes-approve", "minutes-circulate"):
        assert coordinator_client.post(url(name, network, other_session)).status_code == 404
    minutes = Minutes.objects.get()
    assert (minutes.status, minutes.text) == (MinutesStatus.CIRCULATED, "Acta ajena.")


def test_moving_minutes_that_do_not_exist_is_not_found(coordinator_client, network, session):
    assert coordinator_client.post(url("minutes-circulate", network, session)).status_code == 404


def test_draft_minutes_cannot_be_reopened(coordinator_client, network, session):
    MinutesFactory(session=session, text="Borrador.")

    response = coordinator_client.post(
        url("minutes-reopen", network, session), {"reason": "Por probar."}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Minutes.objects.get().status == MinutesStatus.DRAFT
