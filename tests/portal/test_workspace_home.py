"""My networks (/dashboard/) and a network's page: only the networks the user works on."""

import datetime

import pytest
from django.utils import timezone

from networks.enums import MembershipRole
from networks.models import Network
from practices.enums import ReviewStatus
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    NetworkFactory,
    PracticeFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = datetime.date.today() - datetime.timedelta(days=365)


def _coordinator(network, **kwargs):
    user = UserFactory()
    MembershipFactory(person__user=user, network=network, role=MembershipRole.COORDINATOR, **kwargs)
    return user


@pytest.fixture
def networks():
    return NetworkFactory(name="Mesa Trifinio"), NetworkFactory(name="Red Ocotepeque")


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/dashboard/")


def test_coordinator_sees_their_own_networks_with_their_tasks(client, networks):
    mine, other = networks
    user = _coordinator(mine)
    MembershipFactory.create_batch(2, network=mine)
    MembershipFactory(network=mine, end_date=datetime.date.today())  # a former member
    upcoming = SessionFactory(networks=[mine], start=timezone.now() + datetime.timedelta(days=3))
    AgreementFactory(session=upcoming, due_date=LAST_YEAR)  # open and overdue
    PracticeFactory(network=mine, status=ReviewStatus.SUBMITTED)
    PracticeFactory(network=other, status=ReviewStatus.SUBMITTED)
    client.force_login(user)

    response = client.get("/en/dashboard/")

    assert response.status_code == 200
    assert [n.name for n in response.context["networks"]] == ["Mesa Trifinio"]
    tasks = response.context["networks"][0]
    # The coordinator's own seat counts: three current members.
    assert tasks.members_count == 3
    assert tasks.upcoming_sessions_count == 1
    assert (tasks.pending_agreements_count, tasks.overdue_agreements_count) == (1, 1)
    assert tasks.practices_in_review_count == 1
    assert b"Red Ocotepeque" not in response.content
    assert b"1 overdue" in response.content


def test_another_networks_page_is_not_found_for_a_coordinator(client, networks):
    mine, other = networks
    client.force_login(_coordinator(mine))

    assert client.get(f"/dashboard/networks/{mine.slug}/").status_code == 200
    assert client.get(f"/dashboard/networks/{other.slug}/").status_code == 404
    assert client.get(f"/dashboard/networks/{other.slug}/description/").status_code == 404
    assert client.get("/dashboard/networks/no-such-network/").status_code == 404


@pytest.mark.parametrize("who", ["plain member", "former coordinator", "account with no seat"])
def test_nobody_but_coordinators_and_staff_opens_a_network(client, networks, who):
    mine, _other = networks
    if who == "plain member":
        user = UserFactory()
        MembershipFactory(person__user=user, network=mine, role=MembershipRole.MEMBER)
    elif who == "former coordinator":
        user = _coordinator(mine, start_date=LAST_YEAR, end_date=LAST_YEAR)
    else:
        user = UserFactory()
    client.force_login(user)

    home = client.get("/en/dashboard/")

    assert home.status_code == 200
    assert list(home.context["networks"]) == []
    assert b"You do not coordinate any network yet." in home.content
    assert client.get(f"/dashboard/networks/{mine.slug}/").status_code == 404


def test_staff_see_every_network(client, networks):
    client.force_login(StaffUserFactory(is_superuser=True))

    response = client.get("/dashboard/")

    assert {n.name for n in response.context["networks"]} == {"Mesa Trifinio", "Red Ocotepeque"}


def test_my_networks_takes_the_same_queries_for_one_network_or_many(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    NetworkFactory()
    client.force_login(StaffUserFactory(is_superuser=True))
    client.get("/dashboard/")  # warm the session and permission caches

    with django_assert_max_num_queries(12) as one:
        client.get("/dashboard/")
    NetworkFactory.create_batch(6)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/dashboard/")
    assert len(response.context["networks"]) == 7


def test_coordinator_edits_the_public_description_through_the_service(client, networks):
    mine, _other = networks
    user = _coordinator(mine)
    client.force_login(user)

    response = client.post(
        f"/dashboard/networks/{mine.slug}/description/",
        {"description": "Mesa que une a municipios de tres países."},
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.description == "Mesa que une a municipios de tres países."
    assert mine.history.latest().history_user == user
    assert client.get(mine.get_absolute_url()).content.count(
        "Mesa que une a municipios de tres países.".encode()
    )


def test_a_coordinator_cannot_post_another_networks_description(client, networks):
    mine, other = networks
    client.force_login(_coordinator(mine))

    response = client.post(
        f"/dashboard/networks/{other.slug}/description/", {"description": "Pirateado"}
    )

    assert response.status_code == 404
    assert Network.objects.get(pk=other.pk).description != "Pirateado"


def test_staff_member_opening_the_workspace_needs_no_second_factor(client):
    # The second factor guards the admin; the workspace is a coordinator's page.
    client.force_login(StaffUserFactory())

    assert client.get("/dashboard/").status_code == 200
