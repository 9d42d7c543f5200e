"""factory_boy factories for the registry; tests build exactly the rows they need."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from conferences.enums import (
    AgreementStatus,
    MinutesStatus,
    Modality,
    ParticipationRole,
    SessionStatus,
)
from conferences.models import (
    AgendaItem,
    Agreement,
    Conference,
    Minutes,
    Participation,
    Session,
)
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
from practices.enums import PracticeType, ReviewStatus
from practices.models import Practice, Theme
from practices.search import practice_index


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name", locale="es_ES")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def email_verified(user, create, extracted, **kwargs):
        """Sign-in needs a verified address: the account's own one is, unless
        ``email_verified=False`` (an account whose owner never followed the link)."""
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


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


# Good practices -----------------------------------------------------------------------------


class ThemeFactory(factory.django.DjangoModelFactory):
    """Themes are loaded by a data migration: known slugs return the existing row."""

    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tema-{n}")
    name_es = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    name_en = factory.LazyAttribute(lambda o: o.name_es)


class PracticeFactory(factory.django.DjangoModelFactory):
    """A draft practice; pass ``themes=[...]``, ``municipalities=[...]`` etc. to link them.

    Its search data is indexed on creation, as the workflow does on every save.
    """

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Práctica {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:320])
    summary = "Una práctica municipal de atención a personas migrantes."
    practice_type = PracticeType.PROGRAMME_OR_PROJECT
    status = ReviewStatus.DRAFT

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def gcm_objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.gcm_objectives.set(extracted)

    @factory.post_generation
    def gcm_principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.gcm_principles.set(extracted)

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)

    @factory.post_generation
    def partner_institutions(self, create, extracted, **kwargs):
        if create and extracted:
            self.partner_institutions.set(extracted)

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        if create:
            practice_index([self.pk])


class PublishedPracticeFactory(PracticeFactory):
    """Published practices; each one a day newer than the previous, so order is predictable."""

    status = ReviewStatus.PUBLISHED
    published_at = factory.Sequence(
        lambda n: (
            timezone.make_aware(datetime.datetime(2024, 1, 1, 12)) + datetime.timedelta(days=n)
        )
    )


# Conferences --------------------------------------------------------------------------------


class ConferenceFactory(factory.django.DjangoModelFactory):
    """A public conference; pass ``organisers=[...]`` and ``networks=[...]`` to link them."""

    class Meta:
        model = Conference
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Conferencia {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:320])
    start_date = datetime.date(2020, 9, 17)
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=1))
    is_public = True

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if create and extracted:
            self.networks.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    """A public virtual session, 15:00-17:00 in Guatemala (21:00-23:00 UTC) on 17 Sept 2020."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Sesión {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:320])
    start = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2020, 9, 17, 15, 0)))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    modality = Modality.VIRTUAL
    status = SessionStatus.HELD
    is_public = True

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if create and extracted:
            self.networks.set(extracted)

    @factory.post_generation
    def practices(self, create, extracted, **kwargs):
        if create and extracted:
            self.practices.set(extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(SessionFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Punto de agenda {n}")
    duration_minutes = 30


class ParticipationFactory(factory.django.DjangoModelFactory):
    """An attendance, with the person's institution, sector and country as the snapshot."""

    class Meta:
        model = Participation

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    role = ParticipationRole.PARTICIPANT
    attended = True
    institution = factory.LazyAttribute(lambda o: o.person.institution)
    sector = factory.LazyAttribute(lambda o: o.institution.sector if o.institution else "")
    country = factory.LazyAttribute(lambda o: o.institution.country if o.institution else None)


class MinutesFactory(factory.django.DjangoModelFactory):
    """Draft minutes; ``PublishedMinutesFactory`` for an approved, published summary."""

    class Meta:
        model = Minutes

    session = factory.SubFactory(SessionFactory)
    text = "Acta completa de la sesión."
    summary = "Resumen de la sesión."


class PublishedMinutesFactory(MinutesFactory):
    status = MinutesStatus.PUBLISHED
    approved_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    session = factory.SubFactory(SessionFactory)
    text = factory.Sequence(lambda n: f"Acuerdo {n}")
    responsible_institution = factory.SubFactory(InstitutionFactory)
    due_date = datetime.date(2020, 12, 31)
    status = AgreementStatus.OPEN
