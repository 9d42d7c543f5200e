"""Formula injection: every spreadsheet the portal gives (the admin's exports of the registry,
the workspace's members and attendance downloads, the admin's attendance sheet, the open data
CSV, the donor figures) holds the formula payloads of tests/portal/adversarial.py as text:
each cell that a spreadsheet would run starts with a quote, and is otherwise what was typed.
The open data JSON, which no spreadsheet opens, keeps the text exactly.
"""

import io
import json

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from common.spreadsheets.files import xlsx_file
from common.text import neutralise_formula
from networks.enums import MembershipRole
from networks.resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkResource,
    PersonResource,
)
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    UserFactory,
)

from .adversarial import FORMULA_PAYLOADS, looks_like_formula

pytestmark = pytest.mark.django_db

# Positions in the admin's export formats (common.spreadsheets.files.EXPORT_FORMATS).
ADMIN_FORMATS = {"csv": "0", "xlsx": "1"}


def expected(payload, file_format):
    """The cell a payload becomes: quoted, and in XLSX without the characters it cannot hold
    (and a carriage return read back as a line feed, as XML keeps it)."""
    if file_format == "xlsx":
        payload = ILLEGAL_CHARACTERS_RE.sub("", payload).replace("\r\n", "\n").replace("\r", "\n")
    return neutralise_formula(payload)


def cells_of(content: bytes, file_format: str) -> list:
    """Every cell of the file, header included (every sheet of a workbook)."""
    if file_format == "csv":
        sheet = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        return [*sheet.headers, *(cell for row in sheet for cell in row)]
    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # A formula cell reads back as its text: its type tells it apart.
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


def assert_neutralised(cells, file_format, *, payloads=FORMULA_PAYLOADS):
    """No cell would run, and each payload is there, quoted (its text otherwise kept)."""
    assert [cell for cell in cells if looks_like_formula(cell)] == []
    strings = [cell for cell in cells if isinstance(cell, str)]
    missing = [
        payload
        for payload in payloads
        if not any(expected(payload, file_format) in cell for cell in strings)
    ]
    assert missing == []


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_formula_payload_is_caught_by_the_guard():
    assert [payload for payload in FORMULA_PAYLOADS if neutralise_formula(payload) == payload] == [
        "\x01=1+1"  # not a formula as such: the XLSX writer catches it once the \x01 is dropped
    ]


def test_the_xlsx_writer_quotes_a_formula_left_bare_by_dropping_control_characters():
    rows = [["Nombre"], ["\x01=1+1"], ["\x02@SUM(A1)"], ["'=2"], [-3], ["Ana"]]

    cells = cells_of(xlsx_file(rows, sheet_title="x").read(), "xlsx")

    assert cells == ["Nombre", "'=1+1", "'@SUM(A1)", "'=2", -3, "Ana"]


# The registry, through the admin -------------------------------------------------------------


@pytest.fixture
def hostile_registry(border_municipalities):
    """One record per payload in every registry export: the payload in each text column."""
    department = border_municipalities["SV"].department
    records = []
    for n, payload in enumerate(FORMULA_PAYLOADS):
        municipality = MunicipalityFactory(
            name=payload, slug=f"formula-{n}", department=department, official_code=payload[:10]
        )
        institution = InstitutionFactory(name=payload, acronym=payload[:30])
        network = NetworkFactory(
            name=payload,
            slug=f"red-formula-{n}",
            description=payload,
            municipalities=[municipality],
        )
        person = PersonFactory(
            first_name=payload,
            last_name=payload,
            phone=payload[:30],
            position=payload,
            institution=institution,
            email=f"formula{n}@example.org",
        )
        MembershipFactory(person=person, network=network, institution=institution)
        records.append({"municipality": municipality, "network": network, "person": person, "n": n})
    return records


def admin_export(client, model, resource_class, file_format):
    prefix = resource_class.__name__.lower()
    data = {"resource": "0", "format": ADMIN_FORMATS[file_format]}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})
    response = client.post(reverse(f"admin:networks_{model}_export"), data)
    assert response.get("Content-Disposition", "").startswith("attachment;")
    return body(response)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("model", "resource_class"),
    [
        ("municipality", MunicipalityResource),
        ("institution", InstitutionResource),
        ("person", PersonResource),
        ("network", NetworkResource),
        ("membership", MembershipResource),
    ],
)
def test_admin_exports_neutralise_every_formula(
    client, hostile_registry, model, resource_class, file_format
):
    client.force_login(StaffUserFactory(is_superuser=True, email="admin@example.org"))

    cells = cells_of(admin_export(client, model, resource_class, file_format), file_format)

    assert_neutralised(cells, file_format)


# The workspace's and the admin's downloads ---------------------------------------------------


@pytest.fixture
def hostile_network(border_municipalities):
    """A network whose members, and a session's participants, carry the payloads."""
    network = NetworkFactory(name="Red Fórmulas", slug="red-formulas")
    coordinator = UserFactory(email="coordinadora@example.org")
    MembershipFactory(person__user=coordinator, network=network, role=MembershipRole.COORDINATOR)
    session = SessionFactory(networks=[network], title="Sesión con fórmulas", slug="formulas")
    for n, payload in enumerate(FORMULA_PAYLOADS):
        person = PersonFactory(
            first_name=payload,
            last_name=payload,
            position=payload,
            phone=payload[:30],
            email=f"miembro{n}@example.org",
            institution=InstitutionFactory(name=payload),
        )
        MembershipFactory(person=person, network=network, institution=person.institution)
        ParticipationFactory(session=session, person=person)
    return {"network": network, "coordinator": coordinator, "session": session}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_workspace_members_download_neutralises_every_formula(client, hostile_network, file_format):
    client.force_login(hostile_network["coordinator"])
    url = reverse(
        f"dashboard:members:download-{file_format}",
        kwargs={"network": hostile_network["network"].slug},
    )

    assert_neutralised(cells_of(body(client.get(url)), file_format), file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_attendance_sheets_neutralise_every_formula(client, hostile_network, file_format):
    session = hostile_network["session"]
    client.force_login(hostile_network["coordinator"])
    workspace = reverse(
        "dashboard:sessions:attendance-download",
        kwargs={
            "network": hostile_network["network"].slug,
            "pk": session.pk,
            "file_format": file_format,
        },
    )
    workspace_cells = cells_of(body(client.get(workspace)), file_format)
    client.force_login(StaffUserFactory(is_superuser=True, email="admin@example.org"))
    admin = reverse("admin:conferences_session_attendance_export", args=[session.pk])
    admin_cells = cells_of(body(client.get(admin, {"format": file_format})), file_format)

    assert_neutralised(workspace_cells, file_format)
    assert admin_cells == workspace_cells  # the same file on both paths


# Open data and the donor figures -------------------------------------------------------------


@pytest.fixture
def hostile_practices(border_municipalities):
    network = NetworkFactory(name='=HYPERLINK("http://evil.example")', slug="red-abierta")
    return [
        PublishedPracticeFactory(
            title=payload,
            slug=f"abierta-{n}",
            summary=payload,
            network=network,
            lead_institution=InstitutionFactory(name=payload),
            municipalities=[border_municipalities["SV"]],
        )
        for n, payload in enumerate(FORMULA_PAYLOADS)
    ]


def test_open_data_csv_neutralises_every_formula_and_json_keeps_the_text(client, hostile_practices):
    csv_cells = cells_of(body(client.get(reverse("practices:practice-export-csv"))), "csv")
    records = json.loads(client.get(reverse("practices:practice-export-json")).content)

    assert_neutralised(csv_cells, "csv")
    exported = {
        (record["title"], record["summary"], record["lead_institution"])
        for record in records["practices"]
    }
    assert exported == {(payload, payload, payload) for payload in FORMULA_PAYLOADS}


def test_donor_figures_workbook_neutralises_every_formula(client, hostile_network):
    """The workbook names what it was filtered by (the network); the rest are counts."""
    donor = StaffUserFactory(email="donante@example.org")
    donor.user_permissions.add(
        Permission.objects.get(codename="view_donor_figures", content_type__app_label="conferences")
    )
    client.force_login(donor)
    network = hostile_network["network"]

    for payload in FORMULA_PAYLOADS:
        network.name = payload
        network.save()
        response = client.get(reverse("figures:donor-xlsx"), {"network": network.pk})
        assert_neutralised(cells_of(body(response), "xlsx"), "xlsx", payloads=[payload])
