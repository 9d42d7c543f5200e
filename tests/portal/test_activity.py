"""A network's activity (/dashboard/networks/<slug>/activity/): the audit trail of its own
records only, for its coordinators and staff."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.audit import acting_as
from conferences.models import Challenge
from networks.enums import MembershipRole, Sex
from networks.models import Membership, Network, Person
from practices.models import Attachment
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    MinutesFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(network, query=""):
    return f"/en/dashboard/networks/{network.slug}/activity/{query}"


@pytest.fixture
def network_a():
    return NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio")


@pytest.fixture
def network_b():
    return NetworkFactory(name="Red Ocotepeque", slug="red-ocotepeque")


@pytest.fixture
def coordinator(network_a):
    user = UserFactory(name="Ana Coordinadora")
    MembershipFactory(
        person__user=user,
        person__first_name="Ana",
        person__last_name="Coordinadora",
        network=network_a,
        role=MembershipRole.COORDINATOR,
    )
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def entries(response):
    return response.context["entries"]


def described(response):
    """Each entry as (kind, record type, label)."""
    return [(e.kind_label, e.source.name, e.label) for e in entries(response)]


# What an entry says --------------------------------------------------------------------------


def test_a_change_shows_when_who_what_and_each_field_before_and_after(
    coordinator_client, coordinator, network_a
):
    person = PersonFactory(first_name="Berta", last_name="Díaz", phone="+503 1", sex=Sex.FEMALE)
    MembershipFactory(person=person, network=network_a)
    with acting_as(coordinator):
        person.phone = "+503 2"
        person.sex = Sex.MALE
        person.save()

    response = coordinator_client.get(url(network_a))

    assert response.status_code == 200
    newest = entries(response)[0]
    assert (newest.kind_label, newest.source.name, newest.label) == (
        "Changed",
        "Person",
        "Berta Díaz",
    )
    assert newest.who == "Ana Coordinadora"
    assert [(c.field, c.before, c.after) for c in newest.changes] == [
        ("Sex", "Female", "Male"),
        ("Phone", "+503 1", "+503 2"),
    ]
    page = response.content.decode()
    assert "Ana Coordinadora" in page
    assert "<del>+503 1</del> → <ins>+503 2</ins>" in page


def test_entries_are_newest_first_with_created_and_deleted(coordinator_client, network_a):
    session = SessionFactory(title="Sesión de junio", networks=[network_a])
    challenge = Challenge.objects.create(session=session, text="Falta de transporte")
    challenge.delete()

    response = coordinator_client.get(url(network_a))

    assert described(response)[:3] == [
        ("Deleted", "Challenge", "Falta de transporte"),
        ("Created", "Challenge", "Falta de transporte"),
        ("Changed", "Session", "Sesión de junio"),  # its networks set after it was saved
    ]
    assert [e.when for e in entries(response)] == sorted(
        (e.when for e in entries(response)), reverse=True
    )


def test_the_author_is_system_or_import_when_no_account_wrote(
    coordinator_client, coordinator, network_a
):
    membership = MembershipFactory(network=network_a, person__first_name="Carla")
    with acting_as(coordinator, "import"):
        membership.role = MembershipRole.OBSERVER
        membership.save()

    first, created_by_factory = entries(coordinator_client.get(url(network_a)))[:2]

    assert (first.who, first.by_import) == ("Ana Coordinadora", True)
    assert [(c.field, c.before, c.after) for c in first.changes] == [("Role", "Member", "Observer")]
    assert created_by_factory.who == "System"


def test_a_changed_institution_is_named_not_numbered(coordinator_client, coordinator, network_a):
    membership = MembershipFactory(
        network=network_a, institution=InstitutionFactory(name="Alcaldía de Metapán")
    )
    with acting_as(coordinator):
        membership.institution = InstitutionFactory(name="Alcaldía de Esquipulas")
        membership.save()

    (change,) = entries(coordinator_client.get(url(network_a)))[0].changes

    assert (change.field, change.before, change.after) == (
        "Institution represented",
        "Alcaldía de Metapán",
        "Alcaldía de Esquipulas",
    )


def test_a_sessions_networks_changing_is_shown(
    coordinator_client, coordinator, network_a, network_b
):
    session = SessionFactory(networks=[network_a])
    with acting_as(coordinator):
        session.networks.add(network_b)

    change = entries(coordinator_client.get(url(network_a)))[0].changes[-1]

    assert (change.field, change.before, change.after) == (
        "Networks",
        "Mesa Trifinio",
        "Mesa Trifinio, Red Ocotepeque",
    )


# Only this network's records -----------------------------------------------------------------


def test_every_kind_of_record_of_the_network_is_listed(coordinator_client, network_a):
    person = PersonFactory(first_name="Diego", last_name="Flores")
    MembershipFactory(person=person, network=network_a)
    session = SessionFactory(title="Sesión de julio", networks=[network_a])
    ParticipationFactory(session=session, person=person)
    MinutesFactory(session=session)
    AgreementFactory(session=session, text="Compartir el directorio")
    Challenge.objects.create(session=session, text="Poca conectividad")
    practice = PracticeFactory(title="Ventanilla única", network=network_a)
    Attachment.objects.create(
        practice=practice,
        title="Informe final",
        file=SimpleUploadedFile("informe.pdf", b"%PDF-1.4"),
        original_name="informe.pdf",
        content_type="application/pdf",
        size=8,
    )

    kinds = {(e.source.name, e.label) for e in entries(coordinator_client.get(url(network_a)))}

    assert {
        ("Network", "Mesa Trifinio"),
        ("Membership", "Diego Flores (Member)"),
        ("Person", "Diego Flores"),
        ("Session", "Sesión de julio"),
        ("Participation", "Diego Flores at Sesión de julio"),
        ("Minutes", "Sesión de julio"),
        ("Agreement", "Compartir el directorio"),
        ("Challenge", "Poca conectividad"),
        ("Good practice", "Ventanilla única"),
        ("Attachment", "Informe final"),
    } <= kinds


def test_another_networks_records_and_people_never_appear(
    coordinator_client, coordinator, network_a, network_b
):
    only_b = PersonFactory(first_name="Elena", last_name="Solo-en-B", email="elena@example.org")
    MembershipFactory(person=only_b, network=network_b)
    session_b = SessionFactory(title="Sesión de la red B", networks=[network_b])
    ParticipationFactory(session=session_b, person=only_b)
    AgreementFactory(session=session_b, text="Acuerdo de B")
    PracticeFactory(title="Práctica de B", network=network_b)
    with acting_as(coordinator):
        only_b.phone = "+504 9999 9999"
        only_b.save()

    response = coordinator_client.get(url(network_a))

    page = response.content.decode()
    for private in ("Solo-en-B", "elena@example.org", "+504 9999 9999", "Sesión de la red B"):
        assert private not in page
    assert "Acuerdo de B" not in page and "Práctica de B" not in page
    assert {e.source.name for e in entries(response)} <= {"Network", "Membership", "Person"}
    assert {e.label for e in entries(response) if e.source.name == "Person"} == {"Ana Coordinadora"}


def test_a_person_in_both_networks_shows_in_both(client, coordinator, network_a, network_b):
    both = PersonFactory(first_name="Fabio", last_name="En-ambas")
    MembershipFactory(person=both, network=network_a)
    MembershipFactory(person=both, network=network_b)
    with acting_as(coordinator):
        both.position = "Alcalde"
        both.save()
    other = UserFactory()
    MembershipFactory(person__user=other, network=network_b, role=MembershipRole.COORDINATOR)

    for user, network in ((coordinator, network_a), (other, network_b)):
        client.force_login(user)
        labels = [e.label for e in entries(client.get(url(network))) if e.kind_label == "Changed"]
        assert "Fabio En-ambas" in labels


def test_a_former_member_stays_in_the_history(coordinator_client, network_a):
    MembershipFactory(
        network=network_a,
        person__first_name="Gloria",
        person__last_name="Antes",
        end_date=datetime.date(2022, 1, 1),
    )

    labels = [e.label for e in entries(coordinator_client.get(url(network_a)))]

    assert "Gloria Antes" in labels


def test_a_session_shared_with_another_network_shows_in_both(
    client, coordinator, network_a, network_b
):
    SessionFactory(title="Sesión binacional", networks=[network_a, network_b])
    other = UserFactory()
    MembershipFactory(person__user=other, network=network_b, role=MembershipRole.COORDINATOR)

    for user, network in ((coordinator, network_a), (other, network_b)):
        client.force_login(user)
        assert "Sesión binacional" in {e.label for e in entries(client.get(url(network)))}


def test_a_deleted_session_of_the_network_stays_listed(coordinator_client, network_a, network_b):
    SessionFactory(title="Sesión borrada", networks=[network_a]).delete()
    SessionFactory(title="Borrada de B", networks=[network_b]).delete()

    labels = [e.label for e in entries(coordinator_client.get(url(network_a)))]

    assert "Sesión borrada" in labels
    assert "Borrada de B" not in labels


# Filters and pages ---------------------------------------------------------------------------


def test_filter_by_kind_of_record(coordinator_client, network_a):
    SessionFactory(networks=[network_a])

    response = coordinator_client.get(url(network_a, "?kind=session"))

    assert {e.source.name for e in entries(response)} == {"Session"}
    assert 'name="kind"' in response.content.decode()


def test_filter_by_dates(coordinator_client, network_a):
    session = SessionFactory(title="Sesión vieja", networks=[network_a])
    old = timezone.make_aware(datetime.datetime(2023, 3, 10, 12))
    session.history.update(history_date=old)

    in_march = coordinator_client.get(url(network_a, "?date_from=2023-03-10&date_to=2023-03-10"))
    after = coordinator_client.get(url(network_a, "?date_from=2023-03-11"))

    assert {e.label for e in entries(in_march)} == {"Sesión vieja"}
    assert "Sesión vieja" not in {e.label for e in entries(after)}
    assert entries(after)  # the network's and its coordinator's records of today


def test_a_wrong_filter_is_explained_and_the_rest_still_applies(coordinator_client, network_a):
    response = coordinator_client.get(
        url(network_a, "?kind=session&date_from=2024-05-01&date_to=2024-01-01")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date cannot precede the start date." in page
    assert 'class="error-summary"' in page


def test_an_unknown_kind_is_refused_not_an_error_page(coordinator_client, network_a):
    response = coordinator_client.get(url(network_a, "?kind=user&page=zz"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_pages_of_fifty(coordinator_client, coordinator, network_a):
    person = Person.objects.get(user=coordinator)
    with acting_as(coordinator):
        for n in range(60):
            person.phone = f"+503 {n}"
            person.save()
    total = len(Person.history.filter(id=person.pk)) + 2  # the network and the seat

    first = coordinator_client.get(url(network_a))
    second = coordinator_client.get(url(network_a, "?page=2"))
    past_the_end = coordinator_client.get(url(network_a, "?page=99"))

    assert first.context["paginator"].count == total
    assert len(entries(first)) == 50
    assert len(entries(second)) == total - 50
    assert entries(past_the_end)[0].when == entries(second)[0].when
    assert 'href="?page=2"' in first.content.decode()


def test_pagination_keeps_the_filters(coordinator_client, coordinator, network_a):
    person = Person.objects.get(user=coordinator)
    with acting_as(coordinator):
        for n in range(55):
            person.phone = f"+503 {n}"
            person.save()

    page = coordinator_client.get(url(network_a, "?kind=person")).content.decode()

    assert 'href="?kind=person&amp;page=2"' in page


@pytest.mark.parametrize("changes", [1, 200])
def test_queries_do_not_grow_with_the_history(
    client, coordinator, network_a, django_assert_num_queries, changes
):
    membership = Membership.objects.get(person__user=coordinator)
    person = membership.person
    network = Network.objects.get(pk=network_a.pk)
    with acting_as(coordinator):
        for n in range(changes):
            network.description = f"Descripción {n}"
            network.save()
            person.phone = f"+503 {n}"
            person.save()
            membership.role = (MembershipRole.COORDINATOR, MembershipRole.CO_COORDINATOR)[n % 2]
            membership.save()
    client.force_login(coordinator)

    with django_assert_num_queries(13):
        response = client.get(url(network_a))

    assert response.status_code == 200
    assert len(entries(response)) == min(50, 3 * changes + 3)


# Who may see it ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, network_a):
    response = client.get(url(network_a))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_plain_member_gets_404(client, network_a):
    member = UserFactory()
    MembershipFactory(person__user=member, network=network_a, role=MembershipRole.MEMBER)
    client.force_login(member)

    assert client.get(url(network_a)).status_code == 404


def test_another_networks_coordinator_gets_404(client, network_a, network_b):
    other = UserFactory()
    MembershipFactory(person__user=other, network=network_b, role=MembershipRole.COORDINATOR)
    client.force_login(other)

    assert client.get(url(network_a)).status_code == 404


def test_a_former_coordinator_gets_404(client, network_a):
    former = UserFactory()
    MembershipFactory(
        person__user=former,
        network=network_a,
        role=MembershipRole.COORDINATOR,
        end_date=datetime.date(2023, 1, 1),
    )
    client.force_login(former)

    assert client.get(url(network_a)).status_code == 404


def test_staff_see_the_activity(client, network_a):
    MembershipFactory(network=network_a, person__first_name="Hilda", person__last_name="Staff")
    client.force_login(StaffUserFactory(is_superuser=True))

    response = client.get(url(network_a))

    assert response.status_code == 200
    assert "Hilda Staff" in {e.label for e in entries(response)}


def test_the_network_page_links_to_the_activity(coordinator_client, network_a):
    page = coordinator_client.get(f"/en/dashboard/networks/{network_a.slug}/").content.decode()

    assert f'href="/en/dashboard/networks/{network_a.slug}/activity/"' in page
