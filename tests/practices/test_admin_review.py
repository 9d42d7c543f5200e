"""The admin's review screen: the practice as the public will see it, and a second page before
a decision that takes it off the site (withdraw, archive)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices.enums import ReviewStatus
from practices.models import Practice, ReviewLogEntry, Theme
from tests.factories import MunicipalityFactory, StaffUserFactory
from tests.practices.test_admin import grant, practice_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client):
    client.force_login(grant(StaffUserFactory(), "view_practice", "change_practice"))
    return client


def review_url(practice):
    return reverse("admin:practices_practice_review", args=[practice.pk])


def test_review_screen_shows_the_practice_rendered_as_the_public_will_see_it(reviewer_client):
    practice = practice_in(
        ReviewStatus.SUBMITTED,
        title="Ventanilla municipal de orientación",
        summary="Orientación a personas retornadas.",
        body="La **ventanilla** atiende cada día.\n\n<script>alert(1)</script>",
        results="- 300 personas atendidas",
    )

    response = reviewer_client.get(review_url(practice))

    html = response.content.decode()
    preview = html[html.index('id="review-preview"') : html.index('id="review-log"')]
    assert "Ventanilla municipal de orientación" in preview
    assert "Orientación a personas retornadas." in preview
    assert "<strong>ventanilla</strong>" in preview
    assert "<li>300 personas atendidas</li>" in preview
    assert practice.municipalities.get().name in preview
    assert "<script>" not in preview  # sanitised as on the public page


@pytest.mark.parametrize(
    ("status", "decision"),
    [(ReviewStatus.SUBMITTED, "withdrawn"), (ReviewStatus.PUBLISHED, "archived")],
)
def test_withdrawing_or_archiving_asks_for_confirmation_and_changes_nothing(
    reviewer_client, status, decision
):
    practice = practice_in(status)

    response = reviewer_client.post(
        review_url(practice), {"decision": decision, "comment": "Duplicada."}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/practices/practice/review_confirm.html"
    html = response.content.decode()
    assert 'name="confirm" value="yes"' in html
    assert f'name="decision" value="{decision}"' in html
    assert 'name="comment" value="Duplicada."' in html
    assert Practice.objects.get(pk=practice.pk).status == status
    assert not ReviewLogEntry.objects.exists()


def test_a_confirmed_withdrawal_withdraws_the_practice_with_its_comment(reviewer_client):
    practice = practice_in(ReviewStatus.PUBLISHED)

    response = reviewer_client.post(
        review_url(practice), {"decision": "withdrawn", "comment": "Duplicada.", "confirm": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"] == review_url(practice)
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.WITHDRAWN
    entry = ReviewLogEntry.objects.get()
    assert (entry.to_status, entry.comment) == (ReviewStatus.WITHDRAWN, "Duplicada.")


def test_publishing_needs_no_confirmation(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(review_url(practice), {"decision": "published", "comment": ""})

    assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.PUBLISHED


def test_confirming_a_decision_not_offered_changes_nothing(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(
        review_url(practice), {"decision": "archived", "comment": "", "confirm": "yes"}
    )

    assert response.status_code == 200
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED
    assert not ReviewLogEntry.objects.exists()


def _queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_review_screen_reads_the_same_number_of_queries_for_a_larger_practice(reviewer_client):
    small = practice_in(ReviewStatus.SUBMITTED)
    large = practice_in(
        ReviewStatus.SUBMITTED,
        municipalities=[MunicipalityFactory() for _ in range(3)],
        themes=list(Theme.objects.order_by("position")[:3]),
    )
    reviewer_client.get(review_url(small))  # warm the session and the user

    assert _queries_of(reviewer_client, review_url(large)) == _queries_of(
        reviewer_client, review_url(small)
    )
