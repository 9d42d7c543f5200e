"""Trying to break the practices pages of the workspace: another network's records in URLs,
a reviewer's decision posted by a coordinator, posts without the CSRF token, people who do
not coordinate the network; and the list's query count with few and many practices."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from networks.enums import MembershipRole
from practices.enums import ReviewStatus
from practices.models import Attachment, Practice, ReviewLogEntry
from tests.factories import NetworkFactory, PersonFactory, UserFactory

from .workspace_helpers import coordinator_of, practice_of, url

pytestmark = pytest.mark.django_db

S = ReviewStatus


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(
        name="Mesa Trifinio",
        municipalities=[border_municipalities["SV"], border_municipalities["GT"]],
    )


@pytest.fixture
def other_network(border_municipalities):
    return NetworkFactory(name="Red de Ocotepeque", municipalities=[border_municipalities["HN"]])


@pytest.fixture
def coordinator(network):
    return coordinator_of(network)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def attachment_of(practice, title="Ordenanza"):
    return Attachment.objects.create(
        practice=practice,
        title=title,
        file="practices/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
    )


# Another network's records ------------------------------------------------------------------


PRACTICE_PAGES = [
    ("detail", {}),
    ("edit", {"step": "about"}),
    ("check", {}),
    ("attachments", {}),
    ("move", {"to": "withdrawn"}),
    ("delete", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PRACTICE_PAGES)
def test_another_networks_practice_under_my_network_is_a_404(
    coordinator_client, network, other_network, name, kwargs
):
    theirs = practice_of(other_network, title="Ajena")
    address = url(name, theirs, network=network, **kwargs)

    got = coordinator_client.get(address)
    posted = coordinator_client.post(address, {"title": "Cambiada", "comment": "x"})

    assert (got.status_code, posted.status_code) == (404, 404)
    stored = Practice.objects.get(pk=theirs.pk)
    assert (stored.title, stored.status) == ("Ajena", S.DRAFT)
    assert not ReviewLogEntry.objects.exists()


@pytest.mark.parametrize(("name", "kwargs"), PRACTICE_PAGES)
def test_another_networks_address_is_a_404(coordinator_client, other_network, name, kwargs):
    theirs = practice_of(other_network, title="Ajena")

    assert coordinator_client.get(url(name, theirs, **kwargs)).status_code == 404
    assert coordinator_client.post(url(name, theirs, **kwargs), {"comment": "x"}).status_code == 404
    assert Practice.objects.filter(pk=theirs.pk, title="Ajena", status=S.DRAFT).exists()


def test_another_networks_list_and_new_page_are_404(coordinator_client, other_network):
    assert coordinator_client.get(url("list", network=other_network)).status_code == 404
    response = coordinator_client.post(
        url("new", network=other_network),
        {"title": "Intrusa", "practice_type": "other", "summary": "x", "language": "es"},
    )
    assert response.status_code == 404
    assert not Practice.objects.exists()


def test_another_practices_file_in_the_url_is_a_404(coordinator_client, network, other_network):
    mine = practice_of(network)
    theirs = attachment_of(practice_of(other_network))
    sibling = attachment_of(practice_of(network))  # a file of another practice of my network

    for attachment in (theirs, sibling):
        address = url("attachment-remove", mine, attachment=attachment.pk)
        assert coordinator_client.get(address).status_code == 404
        assert coordinator_client.post(address).status_code == 404

    assert set(Attachment.objects.all()) == {theirs, sibling}


def test_the_list_shows_only_the_networks_practices(coordinator_client, network, other_network):
    mine = practice_of(network, title="Nuestra práctica")
    practice_of(other_network, title="Práctica ajena", status=S.PUBLISHED)

    response = coordinator_client.get(url("list", network=network))

    assert list(response.context["practices"]) == [mine]
    assert "Práctica ajena" not in response.content.decode()


# Reviewer's decisions posted by a coordinator ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (S.SUBMITTED, S.PUBLISHED),
        (S.SUBMITTED, S.CHANGES_REQUESTED),
        (S.PUBLISHED, S.ARCHIVED),
        (S.PUBLISHED, S.WITHDRAWN),
        (S.ARCHIVED, S.PUBLISHED),
    ],
)
def test_a_coordinator_cannot_take_a_reviewers_decision_by_posting(
    coordinator_client, network, status, to
):
    practice = practice_of(network, status=status)

    got = coordinator_client.get(url("move", practice, to=to))
    posted = coordinator_client.post(url("move", practice, to=to), {"comment": "Lo apruebo yo"})

    assert (got.status_code, posted.status_code) == (403, 403)
    assert Practice.objects.get(pk=practice.pk).status == status
    assert not ReviewLogEntry.objects.exists()


def test_a_move_the_workflow_does_not_list_changes_nothing(coordinator_client, network):
    practice = practice_of(network, status=S.DRAFT)

    response = coordinator_client.post(url("move", practice, to=S.PUBLISHED), {})

    assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).status == S.DRAFT
    assert not ReviewLogEntry.objects.exists()


@pytest.mark.parametrize("to", ["submitted", "nonsense"])
def test_submitting_goes_through_check_your_answers_only(coordinator_client, network, to):
    practice = practice_of(network, status=S.DRAFT)

    assert coordinator_client.post(url("move", practice, to=to), {}).status_code == 404
    assert Practice.objects.get(pk=practice.pk).status == S.DRAFT


# CSRF -------------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(coordinator, network):
    practice = practice_of(network, title="Original")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    edit = client.post(url("edit", practice, step="about"), {"title": "Cambiada"})
    submit = client.post(url("check", practice), {"comment": ""})

    assert (edit.status_code, submit.status_code) == (403, 403)
    stored = Practice.objects.get(pk=practice.pk)
    assert (stored.title, stored.status) == ("Original", S.DRAFT)


# People who do not coordinate the network ---------------------------------------------------------


def plain_member(network):
    return coordinator_of(network, role=MembershipRole.MEMBER)


def former_coordinator(network):
    user = coordinator_of(network)
    user.person.memberships.update(end_date=datetime.date(2024, 1, 31))
    return user


def secretariat(network):
    return coordinator_of(network, role=MembershipRole.TECHNICAL_SECRETARIAT)


def account_without_person(network):
    return UserFactory()


def person_without_seat(network):
    return PersonFactory(user=UserFactory()).user


@pytest.mark.parametrize(
    "make_user",
    [plain_member, former_coordinator, secretariat, account_without_person, person_without_seat],
)
def test_someone_who_does_not_coordinate_the_network_sees_nothing(client, network, make_user):
    practice = practice_of(network, title="Privada")
    client.force_login(make_user(network))

    pages = [url("list", network=network), url("new", network=network)] + [
        url(name, practice, **kwargs) for name, kwargs in PRACTICE_PAGES
    ]
    assert {client.get(page).status_code for page in pages} == {404}
    posted = client.post(
        url("new", network=network),
        {"title": "Intrusa", "practice_type": "other", "summary": "x", "language": "es"},
    )
    assert posted.status_code == 404
    assert list(Practice.objects.values_list("title", flat=True)) == ["Privada"]


def test_a_signed_out_visitor_is_sent_to_sign_in(client, network):
    practice = practice_of(network, title="Privada")

    pages = [url("list", network=network), url("new", network=network)] + [
        url(name, practice, **kwargs) for name, kwargs in PRACTICE_PAGES
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url
    client.post(url("edit", practice, step="about"), {"title": "Anónima"})
    client.post(url("delete", practice))
    assert list(Practice.objects.values_list("title", flat=True)) == ["Privada"]


# Query counts -------------------------------------------------------------------------------


def test_the_list_runs_the_same_queries_with_one_and_with_many_practices(
    coordinator_client, network, django_assert_num_queries
):
    practice_of(network, title="Única")
    coordinator_client.get(url("list", network=network))
    with CaptureQueriesContext(connection) as one:
        first = coordinator_client.get(url("list", network=network))
    for index in range(199):
        practice_of(network, status=list(S)[index % len(S)], title=f"Práctica {index}")

    with django_assert_num_queries(len(one)):
        many = coordinator_client.get(url("list", network=network))

    assert (len(first.context["practices"]), len(many.context["practices"])) == (1, 50)
    assert many.context["paginator"].count == 200


def test_a_practices_page_runs_the_same_queries_with_few_and_many_files_and_comments(
    coordinator_client, coordinator, network, django_assert_num_queries
):
    practice = practice_of(network, status=S.CHANGES_REQUESTED)
    attachment_of(practice)
    ReviewLogEntry.objects.create(
        practice=practice, actor=coordinator, from_status=S.DRAFT, to_status=S.SUBMITTED
    )
    coordinator_client.get(url("detail", practice))
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url("detail", practice))
    for index in range(30):
        attachment_of(practice, title=f"Archivo {index}")
        ReviewLogEntry.objects.create(
            practice=practice,
            actor=UserFactory(),
            from_status=S.SUBMITTED,
            to_status=S.CHANGES_REQUESTED,
            comment=f"Comentario {index}",
        )

    with django_assert_num_queries(len(few)):
        response = coordinator_client.get(url("detail", practice))

    assert len(response.context["history"]) == 31
