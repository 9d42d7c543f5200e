"""The e-mail of a reviewer's decision: to the practice's submitter (or, without one, to its
network's coordinators with an account), each in their own language, linking to where they
act on it (the workspace for a coordinator, the admin for staff)."""

import datetime

import pytest
from django.core import mail

from networks.enums import MembershipRole
from practices.enums import ContentLanguage, ReviewStatus
from practices.services import practice_publish, practice_request_changes, practice_withdraw
from tests.factories import NetworkFactory, StaffUserFactory

from .workspace_helpers import coordinator_of, grant, practice_of

pytestmark = pytest.mark.django_db

S = ReviewStatus


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(name="Mesa Trifinio", municipalities=[border_municipalities["SV"]])


@pytest.fixture
def reviewer(db):
    return grant(StaffUserFactory(email="revisora@example.org"), "change_practice")


def sent(django_capture_on_commit_callbacks, service, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        service(**kwargs)
    return {message.to[0]: message for message in mail.outbox}


def test_the_submitter_reads_the_decision_in_spanish_with_the_workspace_link(
    network, reviewer, django_capture_on_commit_callbacks
):
    submitter = coordinator_of(network, email="ana@example.org", language="es")
    practice = practice_of(
        network,
        status=S.SUBMITTED,
        title="Ventanilla",
        submitted_by=submitter,
        language=ContentLanguage.ENGLISH,
    )

    messages = sent(
        django_capture_on_commit_callbacks,
        practice_request_changes,
        practice=practice,
        actor=reviewer,
        comment="Falta el número.",
    )

    message = messages["ana@example.org"]
    assert message.subject == "[Portal de redes] Cambios solicitados para «Ventanilla»"
    assert "La revisión de su buena práctica «Ventanilla»" in message.body
    assert "Falta el número." in message.body
    assert f"/dashboard/networks/mesa-trifinio/practices/{practice.pk}/" in message.body
    assert "/en/" not in message.body
    assert "/admin/" not in message.body


def test_the_submitter_reads_the_decision_in_english_with_an_english_link(
    network, reviewer, django_capture_on_commit_callbacks
):
    submitter = coordinator_of(network, email="ann@example.org", language="en")
    practice = practice_of(network, status=S.SUBMITTED, title="Ventanilla", submitted_by=submitter)

    messages = sent(
        django_capture_on_commit_callbacks,
        practice_request_changes,
        practice=practice,
        actor=reviewer,
        comment="Add the number.",
    )

    message = messages["ann@example.org"]
    assert message.subject == "[Portal de redes] Changes requested for “Ventanilla”"
    assert "Change what the reviewer asks for, then submit the practice again." in message.body
    assert f"/en/dashboard/networks/mesa-trifinio/practices/{practice.pk}/" in message.body


def test_without_a_submitter_the_networks_coordinators_hear_each_in_their_language(
    network, reviewer, django_capture_on_commit_callbacks
):
    coordinator_of(network, email="coordinadora@example.org", language="es")
    coordinator_of(
        network, email="co@example.org", language="en", role=MembershipRole.CO_COORDINATOR
    )
    coordinator_of(network, email="miembro@example.org", role=MembershipRole.MEMBER)
    former = coordinator_of(network, email="antes@example.org")
    former.person.memberships.update(end_date=datetime.date(2024, 1, 31))
    closed = coordinator_of(network, email="cerrada@example.org")
    closed.is_active = False
    closed.save()
    coordinator_of(NetworkFactory(), email="otra-red@example.org")
    practice = practice_of(network, status=S.SUBMITTED, title="Sin autora", submitted_by=None)

    messages = sent(
        django_capture_on_commit_callbacks,
        practice_publish,
        practice=practice,
        actor=reviewer,
        comment="",
    )

    assert set(messages) == {"coordinadora@example.org", "co@example.org"}
    assert messages["coordinadora@example.org"].subject == (
        "[Portal de redes] «Sin autora» está publicada"
    )
    english = messages["co@example.org"]
    assert english.subject == "[Portal de redes] “Sin autora” is published"
    assert f"/en/dashboard/networks/mesa-trifinio/practices/{practice.pk}/" in english.body
    assert f"/en/practices/{practice.slug}/" in english.body  # its public page


def test_a_closed_submitter_account_passes_the_news_to_the_coordinators(
    network, reviewer, django_capture_on_commit_callbacks
):
    gone = coordinator_of(network, email="se-fue@example.org")
    gone.is_active = False
    gone.save()
    coordinator_of(network, email="sigue@example.org")
    practice = practice_of(network, status=S.SUBMITTED, submitted_by=gone)

    messages = sent(
        django_capture_on_commit_callbacks,
        practice_request_changes,
        practice=practice,
        actor=reviewer,
        comment="Revisar.",
    )

    assert set(messages) == {"sigue@example.org"}


def test_the_coordinator_who_withdraws_is_not_told_of_their_own_move(
    network, django_capture_on_commit_callbacks
):
    actor = coordinator_of(network, email="retira@example.org")
    coordinator_of(network, email="colega@example.org")
    practice = practice_of(network, status=S.SUBMITTED, submitted_by=None)

    messages = sent(
        django_capture_on_commit_callbacks, practice_withdraw, practice=practice, actor=actor
    )

    assert set(messages) == {"colega@example.org"}


def test_a_staff_submitter_gets_the_admin_link(
    network, reviewer, django_capture_on_commit_callbacks
):
    staff = grant(StaffUserFactory(email="editora@example.org"), "view_practice")
    practice = practice_of(network, status=S.SUBMITTED, submitted_by=staff)

    messages = sent(
        django_capture_on_commit_callbacks,
        practice_request_changes,
        practice=practice,
        actor=reviewer,
        comment="Revisar.",
    )

    assert (
        f"/admin/practices/practice/{practice.pk}/change/" in messages["editora@example.org"].body
    )
