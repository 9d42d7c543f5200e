import pytest
from django.core.management import CommandError, call_command

from networks.models import Country, Department

pytestmark = pytest.mark.django_db


def test_load_geography_adds_another_country_of_the_region_with_spanish_names():
    call_command("load_geography", "NI", "BZ")

    belize = Country.objects.get(code="BZ")
    assert (belize.name_es, belize.name_en) == ("Belice", "Belize")
    assert Department.objects.filter(country__code="NI").count() == 17
    assert Department.objects.get(code="NI-LE").name == "León"


def test_load_geography_twice_changes_nothing():
    call_command("load_geography", "SV")
    before = list(Department.objects.order_by("code").values_list("code", "name", "country_id"))

    call_command("load_geography", "SV")

    assert list(Department.objects.order_by("code").values_list("code", "name", "country_id")) == (
        before
    )
    assert len(before) == 14


def test_load_geography_refuses_an_unknown_code():
    with pytest.raises(CommandError, match="Unknown ISO 3166-1 code: 'XX'"):
        call_command("load_geography", "XX")

    assert not Country.objects.exists()
