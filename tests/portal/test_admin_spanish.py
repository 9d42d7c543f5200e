"""The admin in the staff member's language: no English on any page in Spanish, neutral gender.

A superuser reading the admin in Spanish opens every page staff use (the index, each model's
list, add, change and history pages, the spreadsheet import and export pages, an import preview
with a bad row, the user and group pages, the donor figures) and finds none of the English the
libraries leave untranslated. The same pages in English stay in English.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from import_export.admin import ExportMixin, ImportMixin

from accounts.models import User
from conferences.models import Challenge, Session
from networks.invitations import invitation_send
from networks.models import BorderCrossing, Network
from practices.enums import ReviewStatus
from practices.models import GCMObjective, GCMPrinciple, Practice
from tests.admin_forms import change_form_data
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    MembershipFactory,
    MinutesFactory,
    MunicipalityFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    ProgrammeFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

#: English the admin showed in Spanish before the portal translated it, and words of the same
#: pages that must never be left in English. Matched as whole words, case and all, so
#: "Exportar" does not count as "Export".
ENGLISH = [
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Can import",
    "Can export",
    "Import finished",
    "This importer will import the following fields",
    "This exporter will export the following fields",
    "Format",
    "Submit",
    "Export",
    "Import",
    "Confirm import",
    "Select all",
    "Choose",
    "Remove",
    "History",
    "Save and",
    "Delete",
    "Filter",
    "Search",
    "Errors",
    "Line number",
    "Preview",
    "New",
    "Skipped",
    "Update",
    "Add another",
    "was changed successfully",
    "was added successfully",
    "was deleted successfully",
    "Resource",
    "File to import",
    "Encoding",
    "Select",
    "Add",
    "Change",
    "View",
    "Close",
    "Home",
    "Log out",
    "Yes",
    "All",
    "Unknown",
    "Today",
    "Now",
    "Action",
    "Go",
    "selected",
    "results",
    "total",
    "Show all",
    "Clear",
    "Permissions",
    "Groups",
    "User permissions",
    "Password",
    "Required",
    "This field is required",
    "Please correct",
    "Date/time",
    "User",
    "Details",
    "Row",
    "Ignored",
    "Invalid",
    "Deleted",
    "Created",
    "Updated",
    "Name",
    "Email",
    # Found on the pages before the portal translated them: boolean icons' text, the link
    # tables on delete pages, allauth's session and authenticator pages, simple-history.
    "True",
    "False",
    "None",
    "relationship",
    "relationships",
    "Created at",
    "Last seen at",
    "Last used at",
    "User agent",
    "First Name",
    "Choose a date",
]
ENGLISH_WORDS = re.compile(r"\b(" + "|".join(re.escape(text) for text in ENGLISH) + r")\b")

#: Attributes whose text a reader sees or hears: button labels, placeholders, tooltips.
VISIBLE_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
BUTTON_TYPES = {"submit", "button", "reset"}


class VisibleText(HTMLParser):
    """The text of a page as a reader gets it: no tags, scripts or styles."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
            return
        attrs = dict(attrs)
        self.parts.extend(value for name, value in attrs.items() if name in VISIBLE_ATTRIBUTES)
        if tag == "input" and attrs.get("type") in BUTTON_TYPES and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def english_on(response) -> list[str]:
    """The English of ``ENGLISH`` on the page, each with the words around it."""
    text = visible_text(response)
    return sorted(
        {
            text[max(match.start() - 30, 0) : match.end() + 30]
            for match in ENGLISH_WORDS.finditer(text)
        }
    )


@pytest.fixture
def records(countries, border_municipalities):
    """One record of every model the admin shows."""
    staff = StaffUserFactory(email="otra@example.org")
    network = NetworkFactory(municipalities=[border_municipalities["SV"]])
    membership = MembershipFactory(network=network)
    person = PersonFactory()
    session = SessionFactory(networks=[network])
    AgendaItemFactory(session=session)
    ParticipationFactory(session=session, person=membership.person)
    MinutesFactory(session=session)
    AgreementFactory(session=session)
    Challenge.objects.create(session=session, text="Falta de presupuesto")
    ConferenceFactory(networks=[network])
    BorderCrossing.objects.create(
        name="El Poy", municipality=border_municipalities["SV"], leads_to=countries["HN"]
    )
    ProgrammeFactory()
    MunicipalityFactory()
    ThemeFactory()
    PracticeFactory(status=ReviewStatus.SUBMITTED)
    invitation_send(person=person, actor=StaffUserFactory(is_superuser=True))
    UserSession.objects.create(
        user=staff, ip="127.0.0.1", session_key="s" * 32, user_agent="pytest"
    )
    group = Group.objects.create(name="Coordinación regional")
    group.permissions.set(Permission.objects.filter(content_type__app_label="networks"))
    staff.groups.add(group)
    staff.user_permissions.set(Permission.objects.filter(codename__startswith="import_"))
    assert GCMObjective.objects.exists() and GCMPrinciple.objects.exists()
    return {"network": network, "group": group}


def superuser(language):
    return StaffUserFactory(is_superuser=True, language=language)


def admin_pages(user):
    """Every page of every registered model's admin, for its first record: list, add, change,
    history, delete (where the admin offers them), spreadsheet import and export."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        record = model._default_manager.order_by("pk").first()
        assert record is not None, f"no {opts.model_name} to open"
        yield reverse(f"{prefix}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{prefix}_add")
        yield reverse(f"{prefix}_change", args=[record.pk])
        yield reverse(f"{prefix}_history", args=[record.pk])
        if model_admin.has_delete_permission(request, record):
            yield reverse(f"{prefix}_delete", args=[record.pk])
        if isinstance(model_admin, ImportMixin):
            yield reverse(f"{prefix}_import")
        if isinstance(model_admin, ExportMixin):
            yield reverse(f"{prefix}_export")


def staff_pages(user):
    """The admin's pages, the portal's own pages under it and those of one record's tools."""
    session = Session.objects.order_by("pk").first()
    return [
        reverse("admin:index"),
        reverse("figures:donor"),
        reverse("admin:auth_user_password_change", args=[user.pk]),
        reverse("admin:conferences_session_attendance_import", args=[session.pk]),
        reverse("admin:practices_practice_review", args=[Practice.objects.first().pk]),
        *admin_pages(user),
    ]


def english_pages(client, urls):
    """The pages among ``urls`` that show English, with what they show."""
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if english := english_on(response):
            found[url] = english
    return found


CSV_FORMAT = "0"  # position of CSV in settings.IMPORT_EXPORT_FORMATS


def person_preview(client, text):
    return client.post(
        reverse("admin:networks_person_import"),
        {
            "resource": "0",
            "format": CSV_FORMAT,
            "import_file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv"),
        },
    )


# Spanish: no English anywhere ----------------------------------------------------------------


def test_admin_pages_in_spanish_show_no_english(client, records):
    user = superuser("es")
    client.force_login(user)

    assert english_pages(client, staff_pages(user)) == {}


def test_admin_import_preview_and_result_in_spanish_show_no_english(client, countries):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    PersonFactory(email="rosa@example.org", first_name="Rosa")
    client.force_login(superuser("es"))
    header = "first_name,last_name,sex,email,institution\n"
    good = (
        "Ana,López,female,ana@example.org,Alcaldía de Metapán\n"
        "Rosa,Díaz,female,rosa@example.org,Alcaldía de Metapán\n"
    )

    bad_preview = person_preview(client, header + good + "Luis,Pérez,male,,Alcaldía de Metapán\n")
    preview = person_preview(client, header + good)
    confirm_form = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:networks_person_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
        follow=True,
    )

    assert [list(row.error_dict) for row in bad_preview.context["result"].invalid_rows] == [
        ["email"]
    ]
    assert (english_on(bad_preview), english_on(preview), english_on(done)) == ([], [], [])
    assert [str(message) for message in done.context["messages"]] == [
        "Importación terminada: 1 registros nuevos, 1 actualizados, 0 eliminados y 0 omitidos "
        "(personas)."
    ]


def test_admin_messages_in_spanish_are_neutral_for_a_feminine_model(client):
    network = NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio")
    client.force_login(superuser("es"))
    url = reverse("admin:networks_network_change", args=[network.pk])
    data = {**change_form_data(client.get(url)), "description": "Mesa de los tres países."}

    saved = client.post(url, data, follow=True)
    added = client.post(
        reverse("admin:networks_network_add"),
        {**data, "name": "Red Ocotepeque", "slug": "red-ocotepeque"},
        follow=True,
    )

    assert [str(message) for message in saved.context["messages"]] == [
        f'Se guardaron los cambios de «<a href="{url}">Mesa Trifinio</a>» (red).'
    ]
    new_url = reverse("admin:networks_network_change", args=[Network.objects.latest("pk").pk])
    assert [str(message) for message in added.context["messages"]] == [
        f'Se añadió «<a href="{new_url}">Red Ocotepeque</a>» (red).'
    ]
    assert english_on(saved) == []


def test_admin_scripts_catalogue_in_spanish_translates_the_permission_selector(client):
    """The two-list selector of permissions is drawn by a script, from Django's catalogue."""
    client.force_login(superuser("es"))

    catalogue = client.get(reverse("admin:jsi18n")).content.decode()

    assert ("Seleccionar todos %s" in catalogue, "Eliminar todos %s" in catalogue) == (True, True)


# Permissions in the reader's language --------------------------------------------------------


def permission_labels(response, field):
    """The labels of the permissions select as the page shows them."""
    select = re.search(
        rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', response.content.decode(), re.S
    )
    return {html.unescape(label) for label in re.findall(r"<option[^>]*>(.*?)</option>", select[1])}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "es",
            {
                "Registro de redes | persona | Puede agregar persona",
                "Registro de redes | persona | Puede importar persona",
                "Registro de redes | red | Puede exportar red",
                "Sesiones y conferencias | sesión | Puede ver las cifras para el donante",
                "Autenticación y autorización | grupo | Puede eliminar grupo",
            },
        ),
        (
            "en",
            {
                "Network registry | person | Can add person",
                "Network registry | person | Can import person",
                "Network registry | network | Can export network",
                "Sessions and conferences | session | Can view the donor figures",
                "Authentication and Authorization | group | Can delete group",
            },
        ),
    ],
)
def test_admin_user_and_group_pages_name_permissions_in_the_readers_language(
    client, language, expected
):
    user = superuser(language)
    group = Group.objects.create(name="Coordinación regional")
    client.force_login(user)

    user_labels = permission_labels(
        client.get(reverse("admin:accounts_user_change", args=[user.pk])), "user_permissions"
    )
    group_labels = permission_labels(
        client.get(reverse("admin:auth_group_change", args=[group.pk])), "permissions"
    )

    assert expected <= user_labels
    assert user_labels == group_labels
    assert len(user_labels) == Permission.objects.count()


@pytest.mark.parametrize(("model", "field"), [(Group, "permissions"), (User, "user_permissions")])
def test_admin_permission_choices_take_one_query(django_assert_num_queries, model, field):
    request = RequestFactory().get("/admin/")
    request.user = superuser("es")
    record = request.user if model is User else Group.objects.create(name="Coordinación")
    form = admin.site._registry[model].get_form(request, record)(instance=record)

    with django_assert_num_queries(1):
        labels = [label for _value, label in form.fields[field].choices]

    assert len(labels) == Permission.objects.count()


# English: the same pages stay in English -----------------------------------------------------


def test_admin_pages_in_english_stay_english(client, records):
    user = superuser("en")
    client.force_login(user)

    group = client.get(reverse("admin:auth_group_change", args=[records["group"].pk]))
    export = client.get(reverse("admin:networks_person_export"))
    sessions = client.get(reverse("admin:usersessions_usersession_changelist"))

    assert "Network registry | person | Can import person" in visible_text(group)
    assert "Choose all permissions" not in visible_text(group)  # drawn by the script
    assert "First names" in visible_text(export)
    assert "User sessions" in visible_text(sessions)
    assert "Search" in visible_text(sessions)
