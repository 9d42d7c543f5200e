"""Every workspace URL and download, and every admin import and export, asked by every kind of
user: the status each must get, and no personal datum of another network in any response.

The URLs are read from the URL configuration, not listed by hand: a new workspace page is
checked the moment it exists, and a page whose URL takes an argument this module cannot fill
fails the test until it is taught in ``tests/workspace_urls.py`` (``ARGUMENTS``).
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from networks.enums import MembershipRole
from tests.factories import (
    NetworkFactory,
    StaffUserFactory,
    UserFactory,
)
from tests.workspace_urls import (
    NOT_RECORDS,
    records_of,
    seat,
    url_of,
    workspace_url_names,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = datetime.date.today() - datetime.timedelta(days=365)

#: Statuses that mean "you may open this": a page, a redirect onward (a step that needs an
#: earlier one first), a POST-only action asked with GET.
OPENS = {200, 302, 405}

#: Who may open network A's workspace pages, and who must get 404 as if they did not exist.
MAY_OPEN = ("coordinator of A", "co-coordinator of A", "superuser")
NOT_FOUND = (
    "coordinator of B",
    "member of A",
    "former coordinator of A",
    "account with no person",
    "staff without permissions",
)

#: Pages a coordinator of A reaches but may not use for the records given (403): none today.
REFUSED_TO_COORDINATORS: set[str] = set()


@pytest.fixture
def world():
    network_a = NetworkFactory(name="Mesa Trifinio")
    network_b = NetworkFactory(name="Red Ocotepeque")
    users = {
        "anonymous": None,
        "coordinator of A": seat(network_a, MembershipRole.COORDINATOR),
        "co-coordinator of A": seat(network_a, MembershipRole.CO_COORDINATOR),
        "coordinator of B": seat(network_b, MembershipRole.COORDINATOR),
        "member of A": seat(network_a, MembershipRole.MEMBER),
        "former coordinator of A": seat(
            network_a, MembershipRole.COORDINATOR, start_date=LAST_YEAR, end_date=LAST_YEAR
        ),
        "account with no person": UserFactory(),
        "staff without permissions": StaffUserFactory(),
        "superuser": StaffUserFactory(is_superuser=True),
    }
    return users, {"A": records_of(network_a, "A"), "B": records_of(network_b, "B")}


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _personal_data(records):
    person = records["person"]
    return [person.first_name, person.last_name, person.email, person.phone]


def test_every_workspace_url_answers_each_role_as_the_rule_says(world):
    users, records = world
    names = workspace_url_names()
    assert len(names) > 40, "the workspace's URLs were not found"
    clients = {role: _client(user) for role, user in users.items()}
    wrong, checked = [], 0
    for name, arguments in names:
        url = url_of(name, arguments, records["A"])
        for role, client in clients.items():
            response = client.get(url)
            checked += 1
            status = response.status_code
            if role == "anonymous":
                ok = status == 302 and "/accounts/login/" in response.url
            elif "network" not in arguments:  # home and account: everyone signed in
                ok = status == 200
            elif role in MAY_OPEN:
                ok = status in OPENS or (status == 403 and name in REFUSED_TO_COORDINATORS)
            else:
                ok = status == 404
            if not ok:
                wrong.append(f"{role:28} GET {url} -> {status}")
            if role in ("coordinator of A", "superuser") and status == 200:
                content = _body(response).decode(errors="replace")
                leaked = [datum for datum in _personal_data(records["B"]) if datum in content]
                if leaked and role == "coordinator of A":
                    wrong.append(f"{role:28} GET {url} shows network B's {leaked}")
    print(f"workspace matrix: {len(names)} URLs x {len(clients)} roles = {checked} requests")
    assert not wrong, "\n".join(wrong)


def _history_rows():
    """Versions of every audited record: any write through a service adds one."""
    total = 0
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager:
            total += getattr(model, manager).count()
    return total


def test_another_networks_records_in_the_url_are_not_found_and_change_nothing(world):
    """Coordinator of A, with A's network in the URL and B's records as the ids: 404 on GET
    and POST alike, and no version of any record written."""
    users, records = world
    client = _client(users["coordinator of A"])
    before = _history_rows()
    wrong, checked = [], 0
    for name, arguments in workspace_url_names():
        record_arguments = [a for a in arguments if a not in NOT_RECORDS and a != "network"]
        if not record_arguments:
            continue
        url = url_of(name, arguments, records["B"], network_of=records["A"])
        for method, refused in ((client.get, {404}), (client.post, {404, 405})):
            status = method(url).status_code
            checked += 1
            if status not in refused:  # 405: a page that takes no POST at all
                wrong.append(f"{method.__name__.upper()} {url} -> {status}")
    print(f"cross-network ids: {checked} requests")
    assert not wrong, "\n".join(wrong)
    assert _history_rows() == before


def test_posts_from_outside_the_network_are_not_found_and_change_nothing(world):
    users, records = world
    before = _history_rows()
    wrong = []
    for role in NOT_FOUND:
        client = _client(users[role])
        for name, arguments in workspace_url_names():
            if "network" not in arguments:
                continue
            url = url_of(name, arguments, records["A"])
            status = client.post(url, {"description": "x", "title": "x"}).status_code
            if status not in (404, 405):
                wrong.append(f"{role:28} POST {url} -> {status}")
    assert not wrong, "\n".join(wrong)
    assert _history_rows() == before


def test_workspace_posts_without_the_csrf_token_are_refused(world):
    users, records = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["coordinator of A"])
    before = _history_rows()
    wrong = []
    for name, arguments in workspace_url_names():
        url = url_of(name, arguments, records["A"])
        status = client.post(url, {"description": "x"}).status_code
        if status != 403:
            wrong.append(f"POST {url} -> {status}")
    assert not wrong, "\n".join(wrong)
    assert _history_rows() == before


# The admin's imports and exports ----------------------------------------------------------------


def import_export_admin_urls():
    """The import and export page of every model the admin offers spreadsheets for."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        for kind in ("import", "export"):
            if hasattr(model_admin, f"has_{kind}_permission"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{kind}"))
    return urls


def test_admin_imports_and_exports_answer_each_role_as_the_rule_says(world):
    users, _records = world
    urls = import_export_admin_urls()
    assert len(urls) >= 10
    viewer = StaffUserFactory()
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    expected = {
        "anonymous": 302,  # to the sign-in page
        "coordinator of A": 302,  # to the workspace: the admin is staff's
        "member of A": 302,
        "staff without permissions": 403,
        "staff with view permissions only": 403,  # no import or export permission
        "superuser": 200,
    }
    clients = {role: _client(users.get(role, viewer)) for role in expected}
    wrong, checked = [], 0
    for url in urls:
        for role, client in clients.items():
            response = client.get(url)
            checked += 1
            if response.status_code != expected[role]:
                wrong.append(f"{role:32} GET {url} -> {response.status_code}")
            elif role in ("coordinator of A", "member of A"):
                assert client.get(url, follow=True).resolver_match.view_name == "dashboard:home"
    print(f"admin imports and exports: {len(urls)} URLs x {len(clients)} roles = {checked}")
    assert not wrong, "\n".join(wrong)
