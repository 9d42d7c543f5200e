"""What the workspace tests of sessions share: a network with its coordinator, another
network with its own session, and a way to count a page's queries at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from networks.enums import MembershipRole
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)

SEAT_START = datetime.date(2019, 1, 1)


def local(*args):
    """An aware datetime in the region's time (America/Guatemala, UTC-6)."""
    return timezone.make_aware(datetime.datetime(*args))


def coordinator_of(network, *, email=None, language="es", **seat):
    """A user with an open coordinator seat in ``network``."""
    user = UserFactory(**({"email": email} if email else {}), language=language)
    person = PersonFactory(user=user, email=user.email)
    MembershipFactory(
        person=person,
        network=network,
        role=seat.pop("role", MembershipRole.COORDINATOR),
        start_date=seat.pop("start_date", SEAT_START),
        **seat,
    )
    return user


def member_of(network, **person):
    """A person with an open member seat in ``network``."""
    return MembershipFactory(network=network, person=PersonFactory(**person)).person


@pytest.fixture
def network():
    return NetworkFactory(name="Red de Esquipulas", slug="red-esquipulas")


@pytest.fixture
def other_network():
    return NetworkFactory(name="Red de Ocotepeque", slug="red-ocotepeque")


@pytest.fixture
def coordinator(network):
    return coordinator_of(network, email="coordinadora@example.org")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def session(network):
    return SessionFactory(
        title="Mesa de Esquipulas",
        networks=[network],
        meeting_link="https://meet.example.org/esquipulas-secreto",
    )


@pytest.fixture
def other_session(other_network):
    return SessionFactory(
        title="Mesa de Ocotepeque",
        networks=[other_network],
        meeting_link="https://meet.example.org/ocotepeque-secreto",
    )


def queries_of(client, method, url, data=None):
    """How many queries ``client`` makes for one request (after a first one: signing in
    records the browser session on the first request only)."""
    send = getattr(client, method)
    with CaptureQueriesContext(connection) as captured:
        response = send(url, data) if data is not None else send(url)
    return response, len(captured)
