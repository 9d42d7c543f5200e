"""What the spreadsheet tests share: a network and its coordinator's signed-in client."""

import datetime

import pytest

from networks.enums import MembershipRole
from tests.common.test_spreadsheet_files import grant
from tests.factories import MembershipFactory, NetworkFactory, UserFactory


@pytest.fixture
def network():
    return NetworkFactory(name="Red Trifinio", slug="red-trifinio")


@pytest.fixture
def coordinator_client(client, network):
    user = UserFactory(email="coordinadora@example.org")
    MembershipFactory(
        person__user=user,
        network=network,
        role=MembershipRole.COORDINATOR,
        start_date=datetime.date(2021, 2, 1),
    )
    client.force_login(user)
    return client


@pytest.fixture
def attendance_importer(client, staff_user):
    grant(
        staff_user,
        "conferences",
        "view_session",
        "view_participation",
        "add_participation",
        "change_participation",
        "import_participation",
    )
    client.force_login(staff_user)
    return client
