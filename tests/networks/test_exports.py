"""The admin's spreadsheet exports of the registry on the demo data (``manage.py load_demo``).

Every export starts from its admin's queryset (``get_export_queryset()``), which joins and
prefetches for the changelist, and then adds the resource's own ``with_related()``: both
must combine (a Prefetch of the same lookup twice made Django refuse the networks' export).
"""

import io

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from networks.demo import NETWORKS
from networks.models import Institution, Membership, Municipality, Network, Person
from networks.resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkResource,
    PersonResource,
)
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

# Positions in settings.IMPORT_EXPORT_FORMATS.
FORMATS = {"csv": "0", "xlsx": "1"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, loaded once for the whole module; rolled back afterwards."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        with translation.override("en"):
            call_command("load_demo", allow_production=True, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def exporter_client(client, model):
    """A staff member holding only the view and export permissions of ``model``."""
    user = StaffUserFactory(email="exporter@example.org")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="networks", codename__in=[f"view_{model}", f"export_{model}"]
        )
    )
    client.force_login(user)
    return client


def export_through_admin(client, model, resource_class, file_format):
    """The rows of the file the admin's export view sends, as a list of dicts."""
    prefix = resource_class.__name__.lower()
    data = {"resource": "0", "format": FORMATS[file_format]}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})

    response = exporter_client(client, model).post(reverse(f"admin:networks_{model}_export"), data)

    # A failed export answers 200 too, with the export form and the error as a message.
    assert response.status_code == 200
    assert response.get("Content-Disposition", "").startswith("attachment;"), [
        str(message) for message in response.context["messages"]
    ]
    if file_format == "csv":
        assert response.content.startswith("\ufeff".encode())  # Excel's cue for UTF-8
        sheet = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
        headers, rows = sheet.headers, list(sheet)
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.freeze_panes == "A2"  # the header stays in sight
        rows = list(sheet.iter_rows(values_only=True))
        headers, rows = rows[0], rows[1:]
    # Headed in the reader's language: read back as column names.
    names = resource_class.column_names_of(headers)
    assert set(names) <= set(resource_class.fields), headers
    return [dict(zip(names, row, strict=True)) for row in rows]


@pytest.mark.parametrize("file_format", FORMATS)
def test_admin_export_of_demo_networks_lists_each_network_with_its_municipalities(
    demo, client, file_format
):
    rows = export_through_admin(client, "network", NetworkResource, file_format)

    assert len(rows) == len(NETWORKS) == Network.objects.count()
    by_name = {row["name"]: row for row in rows}
    for network in NETWORKS:
        references = by_name[network.name]["municipalities"].split("; ")
        # "SV:Metapán [0211]": country and name, then the official code where there is one.
        assert sorted(reference.split(" [")[0] for reference in references) == sorted(
            f"{country}:{name}" for country, name in network.municipalities
        )


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize(
    ("model", "resource_class", "key_column", "keys"),
    [
        ("person", PersonResource, "email", lambda: Person.objects.values_list("email")),
        (
            "institution",
            InstitutionResource,
            "name",
            lambda: Institution.objects.values_list("name"),
        ),
        (
            "membership",
            MembershipResource,
            "person",
            lambda: Membership.objects.values_list("person__email"),
        ),
        (
            "municipality",
            MunicipalityResource,
            "name",
            lambda: Municipality.objects.values_list("name"),
        ),
    ],
)
def test_admin_exports_of_the_other_demo_records_list_every_record(
    demo, client, file_format, model, resource_class, key_column, keys
):
    rows = export_through_admin(client, model, resource_class, file_format)

    assert sorted(row[key_column] for row in rows) == sorted(key for (key,) in keys())
