"""The right to erasure: ``person_erase`` everywhere, its admin action and its command."""

import datetime
import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from conferences.models import Agreement, Participation, Session
from networks.enums import ConsentBasis, MembershipRole, Sex
from networks.models import Invitation, Person
from networks.services import ERASED, HAS_OPEN_SEATS, person_erase
from portal.figures.report import donor_report
from practices.models import Practice
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PERSONAL = ("ana lópez", "ana lopez", "ana.lopez@example.org", "+503 7000 1234", "alcaldesa")


def staff_with(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="networks", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def officer():
    return staff_with("view_person", "delete_person")


@pytest.fixture
def ana(countries):
    """A former member who took part in sessions, answers for an agreement, was invited and
    has an account: every place the portal keeps a person's data."""
    account = UserFactory(email="ana.lopez@example.org", name="Ana López")
    person = PersonFactory(
        first_name="Ana",
        last_name="López",
        sex=Sex.FEMALE,
        email="ana.lopez@example.org",
        phone="+503 7000 1234",
        position="Alcaldesa",
        consent_date=datetime.date(2021, 5, 1),
        consent_basis=ConsentBasis.WRITTEN,
        institution=InstitutionFactory(country=countries["SV"]),
        user=account,
    )
    seat = MembershipFactory(person=person, end_date=datetime.date(2023, 4, 30))
    for day in (17, 18):
        ParticipationFactory(
            person=person,
            session=SessionFactory(
                start=timezone.make_aware(datetime.datetime(2020, 9, day, 15)),
                end=timezone.make_aware(datetime.datetime(2020, 9, day, 17)),
            ),
        )
    AgreementFactory(
        session=Session.objects.first(),
        responsible_person=person,
        text="Ana López presentará el informe municipal.",
        follow_up="Escribir a ana.lopez@example.org o al +503 7000 1234.",
    )
    Invitation.objects.create(
        person=person,
        email=person.email,
        key_hash="0" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    records = [person, seat, *Participation.objects.filter(person=person), account]
    LogEntry.objects.log_actions(StaffUserFactory().pk, records, CHANGE, change_message="x")
    return person


def database_text():
    """Every row of every table, as one lower-case text (what a dump of the database holds)."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return json.dumps(json.loads(out.getvalue()), ensure_ascii=False).lower()


def test_setup_holds_the_personal_data_everywhere(ana):
    text = database_text()

    # Folded ("ana lopez") only where search data keep it: no practice names her here.
    assert [needle for needle in PERSONAL if needle not in text] == ["ana lopez"]


def test_erasure_leaves_no_trace_of_the_person_in_the_database(ana, officer):
    person_erase(person=ana, actor=officer)

    text = database_text()
    assert [needle for needle in PERSONAL if needle in text] == []


def test_erasure_anonymises_the_record_and_keeps_what_the_figures_count(ana, officer):
    institution = ana.institution

    summary = person_erase(person=ana, actor=officer)

    stored = Person.objects.get(pk=ana.pk)
    assert (stored.first_name, stored.last_name, stored.email, stored.phone) == (ERASED, "", "", "")
    assert (stored.position, stored.consent_date, stored.consent_basis) == ("", None, "")
    assert (stored.sex, stored.institution, stored.user) == (Sex.FEMALE, institution, None)
    assert stored.memberships.count() == 1
    assert stored.participations.count() == 2
    assert Agreement.objects.get().responsible_person == stored
    assert summary == {"account": True, "invitations": 1, "versions": 2, "texts": 4}


def test_the_erased_persons_account_is_anonymised_and_switched_off(ana, officer):
    account = ana.user

    person_erase(person=ana, actor=officer)

    account.refresh_from_db()
    assert account.email == f"erased-{account.pk}@erased.invalid"
    assert (account.name, account.is_active, account.has_usable_password()) == ("", False, False)
    assert not EmailAddress.objects.filter(user=account).exists()


def test_open_invitations_are_revoked_and_lose_the_address(ana, officer):
    person_erase(person=ana, actor=officer)

    invitation = Invitation.objects.get(person=ana)
    assert (invitation.email, invitation.is_open) == ("", False)


def participations_by_sex_sector_and_country():
    return sorted(
        Participation.objects.filter(attended=True)
        .values("person__sex", "sector", "country__code")
        .annotate(count=Count("pk"), people=Count("person", distinct=True))
        .values_list("person__sex", "sector", "country__code", "count", "people")
    )


def test_every_figure_is_the_same_before_and_after(ana, officer):
    MembershipFactory(person=PersonFactory(sex=Sex.MALE), role=MembershipRole.COORDINATOR)
    ParticipationFactory(person=PersonFactory(sex=Sex.MALE))
    today = datetime.date(2026, 1, 1)
    before = donor_report({}, today=today), participations_by_sex_sector_and_country()

    person_erase(person=ana, actor=officer)

    assert (donor_report({}, today=today), participations_by_sex_sector_and_country()) == before
    assert ("female", "municipal_government", "SV", 2, 1) in before[1]


def test_a_practice_naming_the_person_is_no_longer_found_by_her_name(client, ana, officer):
    practice = PublishedPracticeFactory(
        title="Ventanilla de atención al migrante retornado",
        summary="Coordinada por Ana López desde la alcaldía de Metapán.",
    )
    catalogue = "/en/practices/?q=L%C3%B3pez"
    assert practice.title in client.get(catalogue).content.decode()

    person_erase(person=ana, actor=officer)

    # The search data were rebuilt from the scrubbed text (PostgreSQL's vectors included).
    assert practice.title not in client.get(catalogue).content.decode()
    assert practice.title in client.get("/en/practices/?q=ventanilla").content.decode()
    assert "—" in Practice.objects.get(pk=practice.pk).summary


def test_the_trail_records_that_the_erasure_happened_and_who_did_it(ana, officer):
    person_erase(person=ana, actor=officer)

    latest = Person.history.filter(id=ana.pk).latest("history_id")
    assert (latest.history_type, latest.history_user) == ("~", officer)
    assert latest.history_change_reason == gettext("Personal data erased")
    entry = LogEntry.objects.filter(user=officer).get()
    assert (entry.object_id, entry.object_repr) == (str(ana.pk), ERASED)
    assert entry.get_change_message() == gettext("Personal data erased.")


def test_erasing_twice_is_harmless(ana, officer):
    person_erase(person=ana, actor=officer)
    versions = Person.history.filter(id=ana.pk).count()

    summary = person_erase(person=Person.objects.get(pk=ana.pk), actor=officer)

    assert Person.history.filter(id=ana.pk).count() == versions
    assert summary == {"account": False, "invitations": 0, "versions": versions, "texts": 0}
    assert Person.objects.get(pk=ana.pk).first_name == ERASED


def test_a_person_with_an_open_seat_is_not_erased(ana, officer):
    MembershipFactory(person=ana, network=NetworkFactory())

    with pytest.raises(ValidationError) as refusal:
        person_erase(person=ana, actor=officer)

    assert refusal.value.code == HAS_OPEN_SEATS
    assert Person.objects.get(pk=ana.pk).email == "ana.lopez@example.org"


def test_a_coordinator_cannot_erase_a_member_of_their_network(ana):
    coordinator = UserFactory()
    seat = ana.memberships.get()
    MembershipFactory(
        person=PersonFactory(user=coordinator),
        network=seat.network,
        role=MembershipRole.COORDINATOR,
    )

    with pytest.raises(PermissionDenied):
        person_erase(person=ana, actor=User.objects.get(pk=coordinator.pk))

    assert Person.objects.get(pk=ana.pk).first_name == "Ana"


def test_staff_without_the_delete_permission_cannot_erase(ana):
    with pytest.raises(PermissionDenied):
        person_erase(person=ana, actor=staff_with("view_person", "change_person"))

    assert Person.objects.get(pk=ana.pk).first_name == "Ana"


# The admin action ----------------------------------------------------------------------------


def test_the_admin_action_asks_first_then_erases(client, ana, officer):
    client.force_login(officer)
    url = "/admin/networks/person/"
    chosen = {"action": "erase", "_selected_action": [ana.pk]}

    page = client.post(url, chosen)

    assert page.status_code == 200
    assert "Ana López" in page.content.decode()
    assert Person.objects.get(pk=ana.pk).first_name == "Ana"

    done = client.post(url, {**chosen, "confirm": "yes"})

    assert done.status_code == 302
    assert Person.objects.get(pk=ana.pk).first_name == ERASED


def test_the_admin_action_is_not_offered_without_the_delete_permission(client, ana):
    client.force_login(staff_with("view_person", "change_person"))

    page = client.get("/admin/networks/person/")
    client.post(
        "/admin/networks/person/",
        {"action": "erase", "_selected_action": [ana.pk], "confirm": "yes"},
    )

    assert 'value="erase"' not in page.content.decode()
    assert Person.objects.get(pk=ana.pk).first_name == "Ana"


def test_the_change_page_shows_consent_and_purposes(client, ana, officer):
    client.force_login(officer)

    page = client.get(f"/admin/networks/person/{ana.pk}/change/").content.decode()

    assert str(ConsentBasis.WRITTEN.label) in page
    assert f"/admin/networks/person/{ana.pk}/personal-data/json/" in page


# The command ---------------------------------------------------------------------------------


def test_the_command_refuses_to_erase_as_nobody(ana):
    with pytest.raises(CommandError):
        call_command("erase_person", str(ana.pk), interactive=False)

    assert Person.objects.get(pk=ana.pk).first_name == "Ana"


def test_the_command_refuses_an_actor_without_the_permission(ana):
    clerk = staff_with("view_person")

    with pytest.raises(CommandError):
        call_command("erase_person", str(ana.pk), actor=clerk.email, interactive=False)

    assert Person.objects.get(pk=ana.pk).first_name == "Ana"


def test_the_command_erases_as_the_named_staff_member(ana, officer):
    out = io.StringIO()

    call_command(
        "erase_person", str(ana.pk), actor=officer.email.upper(), interactive=False, stdout=out
    )

    assert Person.objects.get(pk=ana.pk).first_name == ERASED
    assert Person.history.filter(id=ana.pk).latest("history_id").history_user == officer
    assert str(ana.pk) in out.getvalue()
