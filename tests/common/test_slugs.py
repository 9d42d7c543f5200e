"""One slug form per record, whichever way it came in (common/slugs.py)."""

import pytest
import tablib
from django.utils.translation import override

from common.slugs import municipality_slug, unique_slug
from networks.access import SYSTEM
from networks.demo import _municipality_slug
from networks.models import Municipality, Network
from networks.resources import MunicipalityResource
from tests.factories import DepartmentFactory, MunicipalityFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments():
    return {
        "CH": DepartmentFactory(code="SV-CH", name="Chalatenango", country__code="SV"),
        "UN": DepartmentFactory(code="SV-UN", name="La Unión", country__code="SV"),
    }


def test_unique_slug_counts_up_past_taken_and_reserved_slugs():
    NetworkFactory(slug="red-metapan")

    assert unique_slug(Network, "Red Metapán") == "red-metapan-2"
    assert unique_slug(Network, "Red Metapán", reserved={"red-metapan-2"}) == "red-metapan-3"


def test_municipality_slug_is_name_and_country_then_adds_the_department(departments):
    arguments = {"name": "San José", "country_code": "SV"}

    first = municipality_slug(Municipality, department="Chalatenango", **arguments)
    MunicipalityFactory(department=departments["CH"], name="San José", slug=first)
    second = municipality_slug(Municipality, department="La Unión", **arguments)
    MunicipalityFactory(department=departments["UN"], name="San José", slug=second)
    third = municipality_slug(Municipality, department="La Unión", **arguments)

    assert [first, second, third] == [
        "san-jose-sv",
        "san-jose-la-union-sv",
        "san-jose-la-union-sv-2",
    ]


def test_import_and_demo_make_the_same_slug_for_a_taken_name(departments):
    MunicipalityFactory(department=departments["CH"], name="San José", slug="san-jose-sv")
    demo_slug = _municipality_slug("San José", departments["UN"])
    data = tablib.Dataset(headers=["department", "name"])
    data.append(["SV-UN", "San José"])

    with override("en"):
        result = MunicipalityResource(actor=SYSTEM).import_data(data, dry_run=False)

    assert not result.has_validation_errors()
    imported = Municipality.objects.get(department=departments["UN"], name="San José")
    assert imported.slug == demo_slug == "san-jose-la-union-sv"
