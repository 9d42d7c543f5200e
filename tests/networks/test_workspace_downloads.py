"""The members download of the workspace: this network's members only, CSV that spreadsheet
programs read with its accents, XLSX, formula cells quoted, and a file that uploads back."""

import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from networks.enums import MembershipRole
from tests.factories import MembershipFactory, NetworkFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADERS = [
    "First names",
    "Last names",
    "Sex",
    "E-mail",
    "Phone",
    "Position",
    "Institution represented",
    "Role",
    "Start date",
    "End date",
    "Network (identifier)",
]


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def network():
    return NetworkFactory(name="Red Trifinio", slug="red-trifinio")


@pytest.fixture
def coordinator_client(client, network):
    user = UserFactory()
    MembershipFactory(
        person__user=user,
        person__first_name="Marta",
        person__last_name="Cardona",
        network=network,
        role=MembershipRole.COORDINATOR,
    )
    client.force_login(user)
    return client


@pytest.fixture
def members(network):
    """A member whose position a spreadsheet would run as a formula, a former member, and
    someone of another network."""
    return {
        "formula": MembershipFactory(
            network=network,
            person__first_name="Ñusta",
            person__last_name="Pérez",
            person__position='=HYPERLINK("http://evil.example","x")',
        ),
        "former": MembershipFactory(
            network=network, person__last_name="Ventura", end_date=datetime.date(2024, 4, 30)
        ),
        "elsewhere": MembershipFactory(person__last_name="Morales"),
    }


def download(client, network, file_format, **query):
    return client.get(
        reverse(f"dashboard:members:download-{file_format}", kwargs={"network": network.slug}),
        query,
    )


def test_csv_has_a_byte_order_mark_translated_headers_and_this_networks_members(
    coordinator_client, network, members
):
    response = download(coordinator_client, network, "csv")
    content = b"".join(response.streaming_content)
    text = content.decode("utf-8")

    assert content.startswith("\ufeff".encode())
    assert response["Content-Disposition"] == (
        f'attachment; filename="members-red-trifinio-{TODAY:%Y-%m-%d}.csv"'
    )
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",") == HEADERS
    assert [line.split(",")[1] for line in lines[1:]] == ["Cardona", "Pérez"]
    assert "Ñusta" in text  # accents survive
    assert "'=HYPERLINK" in text  # a formula is quoted, not run
    assert "Morales" not in text and "Ventura" not in text


def test_every_seat_includes_former_members(coordinator_client, network, members):
    text = b"".join(download(coordinator_client, network, "csv", everyone="1").streaming_content)

    assert "Ventura" in text.decode() and "Morales" not in text.decode()


def test_xlsx_has_the_same_rows_with_formulas_quoted(coordinator_client, network, members):
    response = download(coordinator_client, network, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))

    assert response["Content-Disposition"].endswith(f'members-red-trifinio-{TODAY:%Y-%m-%d}.xlsx"')
    assert list(rows[0]) == HEADERS
    assert sheet.freeze_panes == "A2"  # the header stays in sight while scrolling
    assert sheet["A1"].font.b
    assert [row[1] for row in rows[1:]] == ["Cardona", "Pérez"]
    assert rows[2][5] == '\'=HYPERLINK("http://evil.example","x")'


def test_a_downloaded_file_uploads_back_unchanged(coordinator_client, network, members):
    content = b"".join(download(coordinator_client, network, "csv").streaming_content)

    response = coordinator_client.post(
        reverse("dashboard:members:upload", kwargs={"network": network.slug}),
        {"sheet": SimpleUploadedFile("members.csv", content)},
    )

    preview = response.context["preview"]
    assert preview["is_clean"], preview["bad_rows"]
    assert preview["totals"] == {"new": 0, "updated": 0, "skipped": 2}


def test_another_networks_download_is_a_404(coordinator_client, members):
    elsewhere = members["elsewhere"].network

    assert download(coordinator_client, elsewhere, "csv").status_code == 404


def _staff(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_download_only_with_the_export_permissions(client, network, members):
    seeing = ("change_network", "view_person", "view_membership")
    client.force_login(_staff(*seeing))
    refused = download(client, network, "csv")
    page = client.get(reverse("dashboard:members:download", kwargs={"network": network.slug}))
    client.force_login(_staff(*seeing, "export_person", "export_membership"))
    allowed = download(client, network, "csv")

    assert (refused.status_code, allowed.status_code) == (403, 200)
    assert "You may not download the members' personal data." in page.content.decode()


def test_download_page_offers_both_formats_and_the_attendance(coordinator_client, network):
    page = coordinator_client.get(
        reverse("dashboard:members:download", kwargs={"network": network.slug})
    ).content.decode()

    slug = {"network": network.slug}
    for name in ("dashboard:members:download-csv", "dashboard:members:download-xlsx"):
        assert reverse(name, kwargs=slug) in page
    assert reverse("dashboard:sessions:list", kwargs=slug) in page
