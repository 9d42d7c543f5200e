"""The admin's add pages take their prefill from the query string only where it fits."""

import datetime

import pytest
from django.contrib import admin

from common.admin_site import PrefillChecked
from conferences.models import Session
from networks.models import Membership
from tests.factories import NetworkFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    return client


def initial_of(response):
    return response.context["adminform"].form.initial


def test_a_fitting_prefill_still_chooses_the_record(staff_client):
    network = NetworkFactory(name="Red Trifinio")

    response = staff_client.get(f"/admin/networks/membership/add/?network={network.pk}")

    assert response.status_code == 200
    assert initial_of(response)["network"] == str(network.pk)
    assert "Red Trifinio" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "9" * 25, "-9" + "9" * 24, "1.5"])
def test_a_prefill_that_is_no_id_is_dropped(staff_client, value):
    response = staff_client.get(f"/admin/networks/membership/add/?network={value}&role=member")

    assert response.status_code == 200
    assert "network" not in initial_of(response)
    # The rest of the prefill stays.
    assert initial_of(response)["role"] == "member"


def test_a_date_prefill_is_parsed_or_dropped(staff_client):
    good = staff_client.get("/admin/conferences/session/add/?start=2026-12-03 10:30")
    bad = staff_client.get("/admin/conferences/session/add/?start=2026-13-45")

    assert (good.status_code, bad.status_code) == (200, 200)
    assert initial_of(good)["start"].replace(tzinfo=None) == datetime.datetime(2026, 12, 3, 10, 30)
    assert "start" not in initial_of(bad)


def test_every_registered_admin_checks_its_prefill():
    # Those registered by packages (allauth's) as well as the portal's own.
    unchecked = [
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, PrefillChecked)
    ]

    assert unchecked == []
    assert {Membership, Session} <= set(admin.site._registry)
