"""Rules of one agreement or one set of minutes, each defined once in conferences/models.py."""

import datetime
import itertools

import pytest
from django.utils import timezone

from conferences.enums import AgreementStatus, MinutesStatus
from conferences.figures import figures_for_sessions
from conferences.models import Agreement, Minutes, Session
from tests.factories import AgreementFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_overdue_is_the_same_rule_for_one_agreement_the_queryset_and_the_figures():
    session = SessionFactory()
    today = timezone.localdate()
    due_dates = [
        None,
        today - datetime.timedelta(days=1),
        today,
        today + datetime.timedelta(days=1),
    ]
    agreements = [
        AgreementFactory(session=session, status=status, due_date=due_date)
        for status, due_date in itertools.product(AgreementStatus.values, due_dates)
    ]

    flagged = {agreement.pk for agreement in agreements if agreement.is_overdue}
    figures = figures_for_sessions(Session.objects.filter(pk=session.pk))

    assert flagged == set(Agreement.objects.overdue().values_list("pk", flat=True))
    assert flagged == {
        agreement.pk
        for agreement in agreements
        if agreement.status in AgreementStatus.pending() and agreement.due_date == due_dates[1]
    }
    assert figures.agreements_overdue == len(flagged)


@pytest.mark.parametrize(
    ("status", "frozen"),
    [
        (None, ()),
        (MinutesStatus.DRAFT, ()),
        (MinutesStatus.CIRCULATED, ()),
        (MinutesStatus.APPROVED, ("text",)),
        (MinutesStatus.PUBLISHED, ("text", "summary")),
    ],
)
def test_minutes_freeze_the_text_once_approved_and_the_summary_once_published(status, frozen):
    assert Minutes.frozen_fields(status) == frozen
