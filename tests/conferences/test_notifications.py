"""The e-mails about sessions: circulated minutes to the participants, overdue agreements to
the coordinators (the daily command: once per agreement and due date, safe to run twice)."""

# The fixtures imported from workspace_setup are arguments of the tests.
# ruff: noqa: F811

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from conferences.enums import AgreementStatus
from conferences.models import OverdueNotice
from conferences.services import minutes_circulate
from networks.access import SYSTEM
from networks.enums import MembershipRole
from tests.conferences.workspace_setup import (  # noqa: F401 (fixtures)
    coordinator_of,
    network,
    other_network,
)
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    MinutesFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2021, 3, 1)
LATE = datetime.date(2021, 2, 1)


def run(*args):
    out = io.StringIO()
    call_command("notify_overdue_agreements", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def overdue(network):
    session = SessionFactory(title="Mesa de Esquipulas", networks=[network])
    return AgreementFactory(session=session, text="Mapear albergues", due_date=LATE)


# Minutes circulated --------------------------------------------------------------------------


def test_circulated_minutes_reach_participants_with_an_address_on_every_path(
    network, django_capture_on_commit_callbacks
):
    session = SessionFactory(networks=[network])
    minutes = MinutesFactory(session=session)
    ParticipationFactory(session=session, person=PersonFactory(email="ana@example.org"))
    ParticipationFactory(session=session, person=PersonFactory(email=""))

    with django_capture_on_commit_callbacks(execute=True):
        minutes_circulate(minutes=minutes, actor=SYSTEM)  # as the admin's action does

    assert [message.to for message in mail.outbox] == [["ana@example.org"]]


def test_minutes_that_fail_to_circulate_send_nothing(network, django_capture_on_commit_callbacks):
    session = SessionFactory(networks=[network])
    minutes = MinutesFactory(session=session, text="")
    ParticipationFactory(session=session, person=PersonFactory(email="ana@example.org"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        minutes_circulate(minutes=minutes, actor=SYSTEM)

    assert mail.outbox == []


# Overdue agreements --------------------------------------------------------------------------


def test_overdue_agreement_is_mailed_to_each_coordinator_in_their_language(network, overdue):
    coordinator_of(network, email="es@example.org", language="es")
    coordinator_of(
        network, email="en@example.org", language="en", role=MembershipRole.CO_COORDINATOR
    )

    output = run()

    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"es@example.org", "en@example.org"}
    assert "1 de febrero de 2021" in sent["es@example.org"].body
    assert "Feb. 1, 2021" in sent["en@example.org"].body
    assert "Mapear albergues" in sent["en@example.org"].body
    assert f"/en/dashboard/networks/{network.slug}/agreements/{overdue.pk}/" in (
        sent["en@example.org"].body
    )
    assert f"/dashboard/networks/{network.slug}/agreements/{overdue.pk}/" in (
        sent["es@example.org"].body
    )
    assert "1 overdue agreement(s) reported: 2 message(s) sent" in output


def test_running_twice_sends_nothing_the_second_time(network, overdue):
    coordinator_of(network, email="es@example.org")

    run()
    output = run()

    assert len(mail.outbox) == 1
    assert "0 overdue agreement(s) reported: 0 message(s) sent" in output
    assert list(OverdueNotice.objects.values_list("agreement", "due_date")) == [(overdue.pk, LATE)]


def test_a_new_due_date_that_passes_is_reported_again(network, overdue):
    coordinator_of(network, email="es@example.org")
    run()

    overdue.due_date = datetime.date(2021, 2, 20)
    overdue.save()
    run()

    assert len(mail.outbox) == 2


def test_dry_run_sends_and_records_nothing(network, overdue):
    coordinator_of(network, email="es@example.org")

    output = run("--dry-run")

    assert mail.outbox == []
    assert not OverdueNotice.objects.exists()
    assert "Would write to es@example.org." in output
    assert "Dry run: 1 overdue agreement(s) to report to 1 coordinator(s)" in output


def test_one_message_per_coordinator_lists_all_their_agreements(network, other_network, overdue):
    both = coordinator_of(network, email="both@example.org")
    MembershipFactory(
        person=both.person,
        network=other_network,
        role=MembershipRole.COORDINATOR,
        start_date=datetime.date(2020, 1, 1),
    )
    AgreementFactory(
        session=SessionFactory(networks=[other_network]), text="Censo de retornados", due_date=LATE
    )

    run()

    (message,) = mail.outbox
    assert "Mapear albergues" in message.body
    assert "Censo de retornados" in message.body


def test_only_current_coordinators_with_an_account_are_told(network, overdue):
    coordinator_of(network, email="former@example.org", end_date=datetime.date(2020, 6, 1))
    coordinator_of(network, email="member@example.org", role=MembershipRole.MEMBER)
    coordinator_of(network, email="later@example.org", start_date=datetime.date(2021, 6, 1))
    closed = coordinator_of(network, email="closed@example.org")
    closed.is_active = False
    closed.save()
    MembershipFactory(network=network, role=MembershipRole.COORDINATOR)  # no account

    output = run()

    assert mail.outbox == []
    assert f"No coordinator with an account to tell about agreement {overdue.pk}" in output
    # Nobody was told: it is reported once a coordinator can read it.
    assert not OverdueNotice.objects.exists()


@pytest.mark.parametrize("status", [AgreementStatus.DONE, AgreementStatus.DROPPED])
def test_closed_or_not_yet_due_agreements_are_not_reported(network, status):
    coordinator_of(network, email="es@example.org")
    session = SessionFactory(networks=[network])
    AgreementFactory(session=session, due_date=LATE, status=status)
    AgreementFactory(session=session, due_date=TODAY)  # due today: not late yet
    AgreementFactory(session=session, due_date=None)

    run()

    assert mail.outbox == []


def test_another_networks_coordinator_is_not_told(network, other_network, overdue):
    coordinator_of(other_network, email="other@example.org")

    run()

    assert mail.outbox == []


def test_a_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("notify_overdue_agreements", "--today", "ayer", stdout=io.StringIO())


def test_a_coordinator_without_a_name_is_greeted_plainly(network, overdue):
    coordinator_of(network, email="es@example.org")
    UserFactory._meta.model.objects.filter(email="es@example.org").update(name="")

    run()

    assert not mail.outbox[0].body.startswith("Hola ,")
