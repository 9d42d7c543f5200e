"""factory_boy factories for the registry; tests build exactly the rows they need."""

import datetime

import factory
from django.utils.text import slugify

from accounts.models import User
from networks.enums import MembershipRole, NetworkKind, Sector, Sex
from networks.models import (
    Country,
    Department,
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    Programme,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name", locale="es_ES")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = factory.Iterator(["SV", "GT", "HN"])
    name_es = factory.LazyAttribute(
        lambda o: {"SV": "El Salvador", "GT": "Guatemala", "HN": "Honduras"}.get(o.code, o.code)
    )
    name_en = factory.LazyAttribute(lambda o: o.name_es)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    country = factory.SubFactory(CountryFactory)
    code = factory.Sequence(lambda n: f"X{n:02d}")
    name = factory.Sequence(lambda n: f"Departamento {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Municipio {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    is_border = True


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institución {n}")
    sector = Sector.MUNICIPAL_GOVERNMENT
    country = factory.SubFactory(CountryFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="es_MX")
    last_name = factory.Faker("last_name", locale="es_MX")
    sex = Sex.FEMALE
    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    phone = factory.Sequence(lambda n: f"+503 7{n:03d} 0000")
    institution = factory.SubFactory(InstitutionFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programa {n}")
    donor = "PRM"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Red local {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = NetworkKind.LOCAL_NETWORK

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    network = factory.SubFactory(NetworkFactory)
    institution = factory.LazyAttribute(lambda o: o.person.institution)
    role = MembershipRole.MEMBER
    start_date = datetime.date(2021, 5, 1)
