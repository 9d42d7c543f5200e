"""The retention review: people with no open seat and no activity for the set period."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from networks.access import SYSTEM
from networks.models import Person
from networks.personal_data import people_due_for_review
from networks.services import person_erase
from tests.factories import MembershipFactory, ParticipationFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db

ENDED, TOOK_PART = "membership ended", "took part in a session"
NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 12))  # the cutoff: 2021-06-01


def aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def person(updated_on, **fields):
    made = PersonFactory(**fields)
    Person.objects.filter(pk=made.pk).update(updated_at=aware(updated_on))
    return made


@pytest.fixture(autouse=True)
def five_years(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 5 * 365


@pytest.fixture
def people():
    left = person(datetime.date(2017, 1, 1), first_name="Marta", last_name="Ruiz")
    MembershipFactory(
        person=left, start_date=datetime.date(2016, 1, 1), end_date=datetime.date(2019, 12, 31)
    )
    seated = person(datetime.date(2010, 1, 1))
    MembershipFactory(person=seated, start_date=datetime.date(2010, 1, 1))
    recent_session = person(datetime.date(2015, 1, 1))
    MembershipFactory(
        person=recent_session,
        start_date=datetime.date(2012, 1, 1),
        end_date=datetime.date(2015, 1, 1),
    )
    ParticipationFactory(
        person=recent_session,
        session=SessionFactory(start=aware(datetime.date(2024, 3, 1))),
    )
    old_session = person(datetime.date(2019, 1, 1))
    ParticipationFactory(person=old_session)  # a session of 17 September 2020
    recently_edited = person(datetime.date(2025, 1, 1))
    MembershipFactory(
        person=recently_edited,
        start_date=datetime.date(2012, 1, 1),
        end_date=datetime.date(2014, 1, 1),
    )
    ended_late = person(datetime.date(2015, 1, 1))
    MembershipFactory(
        person=ended_late, start_date=datetime.date(2012, 1, 1), end_date=datetime.date(2022, 1, 1)
    )
    return {"left": left, "old_session": old_session, "seated": seated}


def test_the_review_lists_people_without_seat_or_recent_activity(people):
    due = people_due_for_review(now=NOW)

    assert [(c.person, c.last_activity, c.activity) for c in due] == [
        (people["left"], datetime.date(2019, 12, 31), gettext(ENDED)),
        (people["old_session"], datetime.date(2020, 9, 17), gettext(TOOK_PART)),
    ]


def test_a_later_day_lists_more_and_an_earlier_one_fewer(people):
    assert people_due_for_review(now=aware(datetime.date(2020, 1, 1))) == []
    later = {c.person for c in people_due_for_review(now=aware(datetime.date(2040, 1, 1)))}
    assert later == set(Person.objects.exclude(pk=people["seated"].pk))


def test_the_period_is_the_setting(people, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 10 * 365

    assert people_due_for_review(now=NOW) == []


def test_erased_people_are_not_listed_again(people):
    person_erase(person=people["left"], actor=SYSTEM)
    Person.objects.filter(pk=people["left"].pk).update(updated_at=aware(datetime.date(2017, 1, 1)))

    assert [c.person for c in people_due_for_review(now=NOW)] == [people["old_session"]]


def test_the_report_prints_ids_and_days_but_names_only_when_asked(people):
    out = io.StringIO()

    call_command("retention_report", on="2026-06-01", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        f"{people['left'].pk}\t2019-12-31\t{gettext(ENDED)}",
        f"{people['old_session'].pk}\t2020-09-17\t{gettext(TOOK_PART)}",
        ngettext("%(count)d person due for review.", "%(count)d people due for review.", 2)
        % {"count": 2},
    ]
    assert "Marta" not in out.getvalue()


def test_the_report_names_people_with_names(people):
    out = io.StringIO()

    call_command("retention_report", "--names", on="2026-06-01", stdout=out)

    line = f"{people['left'].pk}\t2019-12-31\t{gettext(ENDED)}\tMarta Ruiz"
    assert line in out.getvalue().splitlines()


def test_the_review_is_one_query_whatever_the_number_of_people(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        people_due_for_review(now=NOW)
