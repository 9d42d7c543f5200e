"""The staff admin: changelist queries, permissions, import previews, the cross-border form."""

import datetime
import re

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from networks.enums import NetworkKind
from networks.models import BorderCrossing, Membership, Network, Person
from networks.resources import PersonResource
from networks.services import LAST_COORDINATOR
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

CSV_FORMAT = "0"  # position of CSV in settings.IMPORT_EXPORT_FORMATS


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="networks", codename__in=codenames)
    )


def spanish(msgid):
    """A message as the admin shows it (/admin/ is served in Spanish, the default language)."""
    with override("es"):
        return gettext(msgid)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# Changelists run the same queries for 1 row as for 20 ----------------------------------------


def person_row():
    MembershipFactory(person=PersonFactory(institution=InstitutionFactory()))


def membership_row():
    MembershipFactory()


def municipality_row():
    successor = MunicipalityFactory(valid_until=None)
    MunicipalityFactory(valid_until=datetime.date(2024, 4, 30), successor=successor)


def network_row():
    municipalities = [MunicipalityFactory(), MunicipalityFactory()]
    MembershipFactory(network=NetworkFactory(municipalities=municipalities))


def institution_row():
    InstitutionFactory(municipality=MunicipalityFactory())


@pytest.mark.parametrize(
    ("model", "make_row"),
    [
        ("person", person_row),
        ("membership", membership_row),
        ("municipality", municipality_row),
        ("network", network_row),
        ("institution", institution_row),
    ],
)
def test_changelist_queries_do_not_grow_with_rows(
    staff_client, staff_user, django_assert_num_queries, model, make_row
):
    grant(staff_user, f"view_{model}", f"export_{model}", f"import_{model}")
    url = reverse(f"admin:networks_{model}_changelist")
    make_row()
    with CaptureQueriesContext(connection) as few:
        response = staff_client.get(url)
    few_rows = response.context["cl"].result_count

    for _ in range(19):
        make_row()
    with django_assert_num_queries(len(few)):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == few_rows * 20


# Import and export need the explicit permission --------------------------------------------


def test_import_without_import_permission_is_forbidden(staff_client, staff_user):
    grant(staff_user, "view_person", "add_person", "change_person", "export_person")

    changelist = staff_client.get(reverse("admin:networks_person_changelist"))
    response = staff_client.get(reverse("admin:networks_person_import"))
    posted = staff_client.post(
        reverse("admin:networks_person_import"),
        {"resource": "0", "format": CSV_FORMAT, "import_file": upload("p.csv", "email\n")},
    )

    assert changelist.status_code == 200
    assert reverse("admin:networks_person_import") not in changelist.content.decode()
    assert reverse("admin:networks_person_export") in changelist.content.decode()
    assert response.status_code == 403
    assert posted.status_code == 403


def test_export_without_export_permission_is_forbidden(staff_client, staff_user):
    grant(staff_user, "view_person", "add_person", "change_person", "import_person")

    changelist = staff_client.get(reverse("admin:networks_person_changelist"))
    response = staff_client.get(reverse("admin:networks_person_export"))
    posted = staff_client.post(
        reverse("admin:networks_person_export"), export_form_data(PersonResource)
    )

    assert reverse("admin:networks_person_export") not in changelist.content.decode()
    assert reverse("admin:networks_person_import") in changelist.content.decode()
    assert response.status_code == 403
    assert posted.status_code == 403


def test_import_permission_alone_without_change_permission_is_not_enough(staff_client, staff_user):
    grant(staff_user, "view_person", "import_person")

    response = staff_client.get(reverse("admin:networks_person_import"))

    assert response.status_code == 403


def test_staff_with_permissions_see_both_buttons(staff_client, staff_user):
    grant(staff_user, "view_person", "add_person", "change_person")
    grant(staff_user, "import_person", "export_person")

    changelist = staff_client.get(reverse("admin:networks_person_changelist")).content.decode()

    assert reverse("admin:networks_person_import") in changelist
    assert reverse("admin:networks_person_export") in changelist
    assert staff_client.get(reverse("admin:networks_person_import")).status_code == 200
    assert staff_client.get(reverse("admin:networks_person_export")).status_code == 200


def export_form_data(resource_class, file_format=CSV_FORMAT):
    prefix = resource_class.__name__.lower()
    data = {"resource": "0", "format": file_format}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})
    return data


def test_export_with_permission_neutralises_formula_cells(staff_client, staff_user):
    grant(staff_user, "view_person", "export_person")
    PersonFactory(
        email="ana@example.org", position='=HYPERLINK("http://evil.example")', phone="+503 1"
    )

    response = staff_client.post(
        reverse("admin:networks_person_export"), export_form_data(PersonResource)
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personas-')
    exported = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    row = dict(zip(PersonResource.column_names_of(exported.headers), exported[0], strict=True))
    assert (row["email"], row["position"], row["phone"]) == (
        "ana@example.org",
        '\'=HYPERLINK("http://evil.example")',
        "'+503 1",
    )


# Import previews: any bad row blocks the whole file -------------------------------------------


@pytest.fixture
def importer(staff_client, staff_user):
    for model in ("person", "membership"):
        grant(staff_user, f"view_{model}", f"add_{model}", f"change_{model}", f"import_{model}")
    return staff_client


def preview(client, model, text):
    return client.post(
        reverse(f"admin:networks_{model}_import"),
        {"resource": "0", "format": CSV_FORMAT, "import_file": upload(f"{model}.csv", text)},
    )


def test_admin_people_preview_lists_bad_rows_and_offers_no_confirm(importer, countries):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    text = (
        "first_name,last_name,sex,email,institution\n"
        "Ana,López,female,ana@example.org,Alcaldía de Metapán\n"
        "Luis,Pérez,male,,Alcaldía de Metapán\n"
        "Rosa,Díaz,female,rosa@example.org,Alcaldía de Metapán\n"
    )

    response = preview(importer, "person", text)

    content = response.content.decode()
    message = spanish("An e-mail address is required: it is how an import recognises a person.")
    assert response.status_code == 200
    assert [(row.number, row.error_dict) for row in response.context["result"].invalid_rows] == [
        (3, {"email": [message]})
    ]
    assert "<td>3 </td>" in content
    # Shown in plain text, not only in the table's hover tooltip, with the spreadsheet's row.
    problems = content.split('class="errorlist import-problems"')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", problems, re.S) == [
        f"Fila 3 · <strong>Correo electrónico</strong>: {message}"
    ]
    assert "confirm_form" not in response.context
    assert 'name="confirm"' not in content
    assert Person.objects.count() == 0


def test_admin_people_clean_file_imports_after_confirm(importer, countries):
    InstitutionFactory(name="Alcaldía de Metapán", country=countries["SV"])
    text = (
        "first_name,last_name,sex,email,phone,institution\n"
        "Ana,López,Mujer,ana@example.org,'+503 7000 0000,Alcaldía de Metapán\n"
        "Luis,Pérez,male,luis@example.org,,\n"
    )

    response = preview(importer, "person", text)
    assert Person.objects.count() == 0  # the preview is a dry run
    confirm_form = response.context["confirm_form"]
    confirmed = importer.post(
        reverse("admin:networks_person_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:networks_person_changelist")
    assert set(Person.objects.values_list("email", "phone", "institution__name")) == {
        ("ana@example.org", "+503 7000 0000", "Alcaldía de Metapán"),
        ("luis@example.org", "", None),
    }


def test_admin_memberships_preview_refuses_second_open_seat(importer):
    seat = MembershipFactory(person=PersonFactory(email="ana@example.org"))
    PersonFactory(email="luis@example.org")
    slug = seat.network.slug
    text = (
        "person,network,role,start_date\n"
        f"luis@example.org,{slug},member,2024-01-01\n"
        f"ana@example.org,{slug},member,2024-01-01\n"
    )

    response = preview(importer, "membership", text)

    message = spanish(
        "This person already has an open membership in this network. "
        "End it before starting another."
    )
    assert [(row.number, row.error_dict) for row in response.context["result"].invalid_rows] == [
        (3, {"__all__": [message]})
    ]
    assert message in response.content.decode()
    assert "confirm_form" not in response.context
    assert Membership.objects.count() == 1


def test_admin_confirm_of_a_file_gone_bad_writes_nothing(importer):
    ana = PersonFactory(email="ana@example.org")
    PersonFactory(email="luis@example.org")
    network = NetworkFactory()
    text = (
        "person,network,start_date\n"
        f"luis@example.org,{network.slug},2024-01-01\n"
        f"ana@example.org,{network.slug},2024-01-01\n"
    )
    confirm_form = preview(importer, "membership", text).context["confirm_form"]
    # Someone opens Ana's seat between the preview and the confirmation.
    MembershipFactory(person=ana, network=network)

    confirmed = importer.post(
        reverse("admin:networks_membership_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )

    assert confirmed["Location"] == reverse("admin:networks_membership_import")
    assert Membership.objects.count() == 1
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        spanish(
            "Nothing was imported: some rows are no longer valid. "
            "Upload the file again to see which."
        )
    ]


# The network form keeps the cross-border rule ------------------------------------------------


def network_form_data(kind, municipalities):
    return {
        "name": "Mesa Trifinio",
        "slug": "mesa-trifinio",
        "kind": kind,
        "status": "active",
        "municipalities": [m.pk for m in municipalities],
        "description": "",
        "founded_on": "",
        "programme": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def network_editor(staff_client, staff_user):
    grant(staff_user, "view_network", "add_network", "change_network")
    return staff_client


def test_admin_refuses_cross_border_table_of_one_country(network_editor, border_municipalities):
    response = network_editor.post(
        reverse("admin:networks_network_add"),
        network_form_data(NetworkKind.CROSS_BORDER_TABLE, [border_municipalities["SV"]]),
    )

    form = response.context["adminform"].form
    with override("en"):
        errors = {field: list(messages) for field, messages in form.errors.items()}
    assert errors == {
        "municipalities": [
            "A cross-border technical table must join municipalities of at least two countries."
        ]
    }
    assert not Network.objects.exists()


def test_admin_saves_cross_border_table_of_two_countries(network_editor, border_municipalities):
    chosen = [border_municipalities["SV"], border_municipalities["HN"]]

    response = network_editor.post(
        reverse("admin:networks_network_add"),
        network_form_data(NetworkKind.CROSS_BORDER_TABLE, chosen),
    )

    assert response.status_code == 302
    table = Network.objects.get()
    assert set(table.municipalities.all()) == set(chosen)


# Actions and inlines --------------------------------------------------------------------------


def test_end_selected_memberships_today_closes_open_ones(staff_client, staff_user):
    grant(staff_user, "view_membership", "change_membership")
    today = timezone.localdate()
    open_seat = MembershipFactory()
    future_seat = MembershipFactory(start_date=today + datetime.timedelta(days=10))
    ended_seat = MembershipFactory(end_date=datetime.date(2022, 1, 1))

    response = staff_client.post(
        reverse("admin:networks_membership_changelist"),
        {
            "action": "end_today",
            "_selected_action": [open_seat.pk, future_seat.pk, ended_seat.pk],
        },
    )

    assert response.status_code == 302
    for seat in (open_seat, future_seat, ended_seat):
        seat.refresh_from_db()
    assert open_seat.end_date == today
    assert future_seat.end_date is None
    assert ended_seat.end_date == datetime.date(2022, 1, 1)
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["success", "error"]


def test_end_memberships_action_needs_change_permission(staff_client, staff_user):
    grant(staff_user, "view_membership")
    seat = MembershipFactory()

    staff_client.post(
        reverse("admin:networks_membership_changelist"),
        {"action": "end_today", "_selected_action": [seat.pk]},
    )

    seat.refresh_from_db()
    assert seat.end_date is None


def test_successor_municipality_shows_its_districts(staff_client, staff_user):
    grant(staff_user, "view_municipality", "change_municipality", "view_bordercrossing")
    successor = MunicipalityFactory(name="Chalatenango Norte")
    MunicipalityFactory(name="Citalá", valid_until=datetime.date(2024, 4, 30), successor=successor)
    plain = MunicipalityFactory(name="Ocotepeque")

    response = staff_client.get(reverse("admin:networks_municipality_change", args=[successor.pk]))
    plain_response = staff_client.get(
        reverse("admin:networks_municipality_change", args=[plain.pk])
    )

    _crossings, districts = response.context["inline_admin_formsets"]
    assert [form.original.name for form in districts] == ["Citalá"]
    assert not districts.has_add_permission
    assert "Citalá" in response.content.decode()
    assert [inline.opts.model for inline in plain_response.context["inline_admin_formsets"]] == [
        BorderCrossing
    ]


def test_admin_change_form_refuses_to_end_the_last_coordinator_seat_as_a_form_error(
    staff_client, staff_user
):
    from networks.enums import MembershipRole
    from tests.admin_forms import change_form_data

    grant(staff_user, "view_membership", "change_membership")
    seat = MembershipFactory(role=MembershipRole.COORDINATOR)
    url = reverse("admin:networks_membership_change", args=[seat.pk])
    data = change_form_data(staff_client.get(url))
    data["end_date"] = timezone.localdate().isoformat()

    response = staff_client.post(url, data)

    assert response.status_code == 200  # the form again, not a server error
    form = response.context["adminform"].form
    assert form.has_error(NON_FIELD_ERRORS, code=LAST_COORDINATOR)
    seat.refresh_from_db()
    assert seat.end_date is None


def test_admin_person_inline_refuses_to_demote_the_last_coordinator(staff_client, staff_user):
    from networks.enums import MembershipRole
    from tests.admin_forms import change_form_data

    grant(staff_user, "view_person", "change_person", "view_membership", "change_membership")
    seat = MembershipFactory(role=MembershipRole.COORDINATOR)
    url = reverse("admin:networks_person_change", args=[seat.person.pk])
    data = change_form_data(staff_client.get(url))
    prefix = next(key[: -len("-TOTAL_FORMS")] for key in data if key.endswith("-TOTAL_FORMS"))
    data[f"{prefix}-0-role"] = MembershipRole.MEMBER

    response = staff_client.post(url, data)

    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert formset.forms[0].has_error(NON_FIELD_ERRORS, code=LAST_COORDINATOR)
    seat.refresh_from_db()
    assert seat.role == MembershipRole.COORDINATOR
