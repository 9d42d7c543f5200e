import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from networks.access import SYSTEM
from networks.enums import MembershipRole, NetworkKind
from networks.models import Membership, Network, Person
from networks.services import membership_end, membership_start, network_save
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_cross_border_table_with_one_country_is_refused(border_municipalities):
    table = Network(name="Mesa de un solo país", kind=NetworkKind.CROSS_BORDER_TABLE)

    with pytest.raises(ValidationError) as error:
        network_save(network=table, municipalities=[border_municipalities["SV"]], actor=SYSTEM)

    assert error.value.message_dict == {
        "municipalities": [
            "Una mesa técnica transfronteriza debe unir municipios de al menos dos países."
        ]
    }
    assert not Network.objects.filter(name="Mesa de un solo país").exists()


def test_cross_border_table_with_two_countries_is_saved(border_municipalities):
    table = Network(name="Mesa Trifinio", kind=NetworkKind.CROSS_BORDER_TABLE)

    network_save(
        network=table,
        municipalities=[border_municipalities["SV"], border_municipalities["HN"]],
        actor=SYSTEM,
    )

    assert table.slug == "mesa-trifinio"
    assert {m.name for m in table.municipalities.all()} == {"Metapán", "Ocotepeque"}


def test_local_network_may_stay_in_one_country(border_municipalities):
    network = Network(name="Red local", kind=NetworkKind.LOCAL_NETWORK)

    network_save(network=network, municipalities=[border_municipalities["GT"]], actor=SYSTEM)

    assert network.pk is not None


def test_second_open_membership_is_refused_by_validation_and_database():
    first = MembershipFactory()

    with pytest.raises(ValidationError) as error:
        membership_start(
            person=first.person,
            network=first.network,
            start_date=datetime.date(2024, 5, 1),
            role=MembershipRole.MEMBER,
            actor=SYSTEM,
        )
    assert "ya tiene una membresía abierta" in str(error.value)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=first.person, network=first.network, start_date=datetime.date(2024, 5, 1)
        )


def test_membership_end_keeps_history_and_allows_a_new_term():
    first = MembershipFactory(start_date=datetime.date(2021, 5, 1))

    membership_end(membership=first, end_date=datetime.date(2024, 4, 30), actor=SYSTEM)
    second = membership_start(
        person=first.person,
        network=first.network,
        start_date=datetime.date(2024, 5, 1),
        role=MembershipRole.COORDINATOR,
        actor=SYSTEM,
    )

    assert list(first.person.memberships.order_by("start_date")) == [first, second]
    assert list(Membership.objects.open()) == [second]


def test_membership_end_before_start_is_refused_by_validation_and_database():
    membership = MembershipFactory(start_date=datetime.date(2022, 1, 10))

    with pytest.raises(ValidationError):
        membership_end(membership=membership, end_date=datetime.date(2022, 1, 9), actor=SYSTEM)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(end_date=datetime.date(2022, 1, 9))


def test_overlapping_closed_period_is_refused():
    membership = MembershipFactory(start_date=datetime.date(2021, 5, 1))
    membership_end(membership=membership, end_date=datetime.date(2024, 4, 30), actor=SYSTEM)

    with pytest.raises(ValidationError) as error:
        Membership(
            person=membership.person,
            network=membership.network,
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2023, 6, 1),
        ).full_clean()

    assert "se superpone" in str(error.value)


def test_person_email_is_unique_regardless_of_case():
    PersonFactory(email="ana.lopez@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(email="Ana.Lopez@Example.org")


def test_people_without_email_do_not_collide():
    PersonFactory(email="")
    PersonFactory(email="")

    assert Person.objects.filter(email="").count() == 2
