"""Attendance sheets: donor columns, formula-safe export in constant queries, all-or-nothing
import with every bad row named, and the permissions that guard both."""

import io

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, override, pgettext
from openpyxl import Workbook, load_workbook

from conferences.enums import ParticipationRole, SessionStatus
from conferences.models import Participation
from conferences.resources import AttendanceResource, attendance_import
from conferences.services import participation_register, participation_set_attendance
from networks.access import SYSTEM
from networks.enums import Sector, Sex
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

HEADER = ["name", "sex", "institution", "sector", "country", "municipality", "role", "attended"]
COLUMNS = [*HEADER, "email"]
#: The sheet's headers as staff read them (the admin is in Spanish): its columns' names.
SPANISH_COLUMNS = [
    "Nombre",
    "Sexo",
    "Institución",
    "Sector",
    "País",
    "Municipio",
    "Rol",
    "Asistió",
    "Correo electrónico",
]


def in_spanish(*words):
    """Choice labels (or "yes"/"no" cells) as the Spanish sheet writes them."""
    with override("es"):
        return [
            str(word.label) if hasattr(word, "label") else pgettext("spreadsheet cell", word)
            for word in words
        ]


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="conferences", codename__in=codenames)
    )


def spanish(msgid, **params):
    """A message as the admin shows it (/admin/ is served in Spanish, the default language)."""
    with override("es"):
        message = gettext(msgid)
    return message % params if params else message


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def exporter(staff_client, staff_user):
    grant(staff_user, "view_session", "view_participation", "export_participation")
    return staff_client


@pytest.fixture
def importer(staff_client, staff_user):
    grant(
        staff_user,
        "view_session",
        "view_participation",
        "add_participation",
        "change_participation",
        "import_participation",
    )
    return staff_client


@pytest.fixture
def table():
    return NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio")


@pytest.fixture
def session(table):
    return SessionFactory(title="Gobernanza local", slug="gobernanza-local", networks=[table])


@pytest.fixture
def people(countries):
    metapan = InstitutionFactory(
        name="Alcaldía de Metapán",
        sector=Sector.MUNICIPAL_GOVERNMENT,
        country=countries["SV"],
        municipality=MunicipalityFactory(
            department__country=countries["SV"], name="Metapán", slug="metapan"
        ),
    )
    ong = InstitutionFactory(name="Pastoral de Movilidad", sector=Sector.FAITH_BASED)
    return {
        "ana": PersonFactory(
            first_name="Ana",
            last_name="López",
            sex=Sex.FEMALE,
            email="ana@example.org",
            institution=metapan,
        ),
        "luis": PersonFactory(
            first_name="Luis",
            last_name="Pérez",
            sex=Sex.MALE,
            email="luis@example.org",
            institution=ong,
        ),
        "rosa": PersonFactory(
            first_name="Rosa",
            last_name="Díaz",
            sex=Sex.FEMALE,
            email="rosa@example.org",
            institution=ong,
        ),
    }


def export_url(session, file_format="csv"):
    url = reverse("admin:conferences_session_attendance_export", args=[session.pk])
    return f"{url}?format={file_format}"


def import_url(session):
    return reverse("admin:conferences_session_attendance_import", args=[session.pk])


def csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return tablib.Dataset().load(content, format="csv")


def run_import(session, text, *, dry_run=False):
    with override("en"):
        dataset = tablib.Dataset().load(text, format="csv")
        return attendance_import(session=session, dataset=dataset, dry_run=dry_run, actor=SYSTEM)


def row_errors(result):
    return {row.number: row.error_dict for row in result.invalid_rows}


def stored_attendance(session):
    return dict(
        Participation.objects.filter(session=session).values_list("person__email", "attended")
    )


# Export ---------------------------------------------------------------------------------------


def test_export_csv_has_the_donor_columns_and_the_snapshot(exporter, session, people):
    ana = participation_register(
        session=session, person=people["ana"], role=ParticipationRole.PARTICIPANT, actor=SYSTEM
    )
    participation_set_attendance(participation=ana, attended=True, actor=SYSTEM)
    participation_register(
        session=session, person=people["luis"], role=ParticipationRole.SPEAKER, actor=SYSTEM
    )
    # Ana has moved on since: the sheet still shows the institution she represented then.
    people["ana"].institution = people["luis"].institution
    people["ana"].save()

    response = exporter.get(export_url(session))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="attendance-gobernanza-local.csv"'
    )
    sheet = csv_rows(response)
    assert sheet.headers == SPANISH_COLUMNS
    female, municipal, participant, yes = in_spanish(
        Sex.FEMALE, Sector.MUNICIPAL_GOVERNMENT, ParticipationRole.PARTICIPANT, "yes"
    )
    male, faith_based, speaker, no = in_spanish(
        Sex.MALE, Sector.FAITH_BASED, ParticipationRole.SPEAKER, "no"
    )
    assert [list(row) for row in sheet] == [
        [
            "Ana López",
            female,
            "Alcaldía de Metapán",
            municipal,
            "SV",
            "Metapán",
            participant,
            yes,
            "ana@example.org",
        ],
        [
            "Luis Pérez",
            male,
            "Pastoral de Movilidad",
            faith_based,
            people["luis"].institution.country.code,
            "",
            speaker,
            no,
            "luis@example.org",
        ],
    ]


def test_export_xlsx_holds_the_same_rows(exporter, session, people):
    ParticipationFactory(session=session, person=people["rosa"], attended=True)

    response = exporter.get(export_url(session, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="attendance-gobernanza-local.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    female, faith_based, participant, yes = in_spanish(
        Sex.FEMALE, Sector.FAITH_BASED, ParticipationRole.PARTICIPANT, "yes"
    )
    assert rows == [
        SPANISH_COLUMNS,
        [
            "Rosa Díaz",
            female,
            "Pastoral de Movilidad",
            faith_based,
            people["rosa"].institution.country.code,
            None,
            participant,
            yes,
            "rosa@example.org",
        ],
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_neutralises_formula_cells(exporter, session, file_format):
    person = PersonFactory(
        first_name='=HYPERLINK("http://evil.example")',
        last_name="Ruiz",
        email="eva@example.org",
        institution=InstitutionFactory(name="+503 Alcaldía"),
    )
    ParticipationFactory(session=session, person=person)

    response = exporter.get(export_url(session, file_format))

    content = b"".join(response.streaming_content)
    if file_format == "csv":
        sheet = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        headers, values = sheet.headers, sheet[0]
    else:
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        headers, values = rows[0], rows[1]
    row = dict(zip(AttendanceResource.column_names_of(headers), values, strict=True))
    assert (row["name"], row["institution"]) == (
        '\'=HYPERLINK("http://evil.example") Ruiz',
        "'+503 Alcaldía",
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_participants(
    exporter, session, django_assert_num_queries, file_format
):
    def participant():
        ParticipationFactory(
            session=session,
            person=PersonFactory(
                institution=InstitutionFactory(municipality=MunicipalityFactory())
            ),
        )

    participant()
    with CaptureQueriesContext(connection) as few:
        response = exporter.get(export_url(session, file_format))
        content = b"".join(response.streaming_content)
    assert content

    for _ in range(29):
        participant()
    with django_assert_num_queries(len(few)):
        response = exporter.get(export_url(session, file_format))
        content = b"".join(response.streaming_content)

    if file_format == "csv":
        assert len(tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")) == 30


def test_export_without_export_permission_is_forbidden(staff_client, staff_user, session):
    grant(staff_user, "view_session", "change_session", "view_participation")

    response = staff_client.get(export_url(session))
    change_page = staff_client.get(reverse("admin:conferences_session_change", args=[session.pk]))

    assert response.status_code == 403
    assert export_url(session) not in change_page.content.decode()


def test_export_is_not_for_anonymous_visitors(client, session):
    url = reverse("admin:conferences_session_attendance_export", args=[session.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


def test_export_with_unknown_format_is_not_found(exporter, session):
    assert exporter.get(export_url(session, "ods")).status_code == 404


# Import: the rules --------------------------------------------------------------------------------


def test_import_with_one_bad_row_writes_nothing_and_names_every_bad_row(session, people):
    ParticipationFactory(session=session, person=people["ana"], attended=False)
    text = (
        "name,email,role,attended\n"
        "Ana López,ANA@example.org,participant,yes\n"
        "Nadie,nadie@example.org,participant,yes\n"
        "Luis Pérez,luis@example.org,participant,maybe\n"
        "Rosa Díaz,rosa@example.org,guest,no\n"
        "Ana López,ana@example.org,speaker,yes\n"
    )

    result = run_import(session, text)

    assert row_errors(result) == {
        3: {
            "email": [
                "No person has the e-mail address “nadie@example.org”. Import the person first."
            ]
        },
        4: {"attended": ["“maybe” is not yes or no."]},
        5: {"role": ["Unknown value “guest”. Allowed values: Organiser, Speaker, Participant."]},
        6: {"email": ["Ana López is already in row 2: keep one row per person."]},
    }
    assert stored_attendance(session) == {"ana@example.org": False}


def test_import_refuses_attendance_at_a_cancelled_session(table, people):
    session = SessionFactory(networks=[table], status=SessionStatus.CANCELLED)
    text = "email,attended\nana@example.org,no\nluis@example.org,yes\n"

    result = run_import(session, text)

    assert row_errors(result) == {3: {"attended": ["Nobody can attend a cancelled session."]}}
    assert Participation.objects.count() == 0


def test_import_without_the_needed_columns_is_refused(session, people):
    result = run_import(session, "name,email\nAna López,ana@example.org\n")

    assert [str(error.error) for error in result.base_errors] == [
        "The file needs the columns “Attended” (it has: name, email). Save the sheet with "
        "its header row first."
    ]
    assert Participation.objects.count() == 0


def test_import_registers_new_people_with_their_snapshot_and_records_attendance(
    session, people, table
):
    seat_institution = InstitutionFactory(name="Mancomunidad Trifinio", sector=Sector.ACADEMIA)
    MembershipFactory(person=people["rosa"], network=table, institution=seat_institution)
    ParticipationFactory(session=session, person=people["ana"], attended=False)
    text = (
        "email,role,attended\n"
        "Ana@Example.org,participant,sí\n"
        "rosa@example.org,speaker,yes\n"
        "luis@example.org,,no\n"
    )

    result = run_import(session, text)

    assert not result.has_errors() and not result.has_validation_errors()
    assert set(
        Participation.objects.filter(session=session).values_list(
            "person__email", "role", "attended", "institution__name", "sector"
        )
    ) == {
        ("ana@example.org", "participant", True, "Alcaldía de Metapán", "municipal_government"),
        ("rosa@example.org", "speaker", True, "Mancomunidad Trifinio", "academia"),
        ("luis@example.org", "participant", False, "Pastoral de Movilidad", "faith_based"),
    }


def test_import_of_an_exported_sheet_changes_nothing(exporter, session, people):
    ParticipationFactory(session=session, person=people["ana"], attended=True)
    ParticipationFactory(
        session=session,
        person=PersonFactory(first_name="=1+1", email="formula@example.org"),
        role=ParticipationRole.ORGANISER,
        attended=False,
    )
    before = list(Participation.objects.order_by("pk").values())
    exported = b"".join(exporter.get(export_url(session)).streaming_content).decode("utf-8-sig")

    result = run_import(session, exported)

    assert [row.import_type for row in result.rows] == ["skip", "skip"]
    assert list(Participation.objects.order_by("pk").values()) == before


# Import through the admin: preview, then confirm --------------------------------------------------


def upload(name, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def preview(client, session, name, content):
    return client.post(import_url(session), {"attendance-sheet": upload(name, content)})


def confirm(client, session, response):
    confirm_form = response.context["confirm_form"]
    data = {name: confirm_form.initial[name] for name in confirm_form.fields}
    return client.post(import_url(session), {**data, "confirm": "1"})


def test_admin_preview_of_a_bad_file_names_the_rows_and_offers_no_confirm(
    importer, session, people
):
    text = "email,attended\nana@example.org,yes\nnadie@example.org,yes\nluis@example.org,quizá\n"

    response = preview(importer, session, "asistencia.csv", text)

    content = response.content.decode()
    assert response.status_code == 200
    unknown = spanish(
        "No person has the e-mail address “%(value)s”. Import the person first.",
        value="nadie@example.org",
    )
    malformed = spanish("“%(value)s” is not yes or no.", value="quizá")
    assert response.context["bad_rows"] == [
        (3, [f"Correo electrónico: {unknown}"]),
        (4, [f"Asistió: {malformed}"]),
    ]
    assert f"{spanish('Row %(number)s', number=3)}: Correo electrónico: {unknown}" in content
    assert f"{spanish('Row %(number)s', number=4)}: Asistió: {malformed}" in content
    assert "confirm_form" not in response.context
    assert 'name="confirm"' not in content
    assert Participation.objects.count() == 0


def test_admin_corrected_file_imports_after_confirm(importer, session, people):
    ParticipationFactory(session=session, person=people["ana"], attended=False)
    bad = "email,attended\nana@example.org,yes\nnadie@example.org,yes\n"
    assert preview(importer, session, "asistencia.csv", bad).context["bad_rows"]
    good = "email,attended\nana@example.org,yes\nluis@example.org,no\n"

    response = preview(importer, session, "asistencia.csv", good)
    assert stored_attendance(session) == {"ana@example.org": False}  # the preview is a dry run
    confirmed = confirm(importer, session, response)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:conferences_session_change", args=[session.pk])
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        spanish(
            "Attendance sheet imported: %(new)d registered, %(updated)d updated, "
            "%(skipped)d unchanged.",
            new=1,
            updated=1,
            skipped=0,
        )
    ]
    assert stored_attendance(session) == {"ana@example.org": True, "luis@example.org": False}


def test_admin_imports_an_xlsx_sheet(importer, session, people):
    workbook = Workbook()
    workbook.active.append(["email", "attended", "role"])
    workbook.active.append(["rosa@example.org", "yes", "organiser"])
    content = io.BytesIO()
    workbook.save(content)

    response = preview(importer, session, "asistencia.xlsx", content.getvalue())
    confirm(importer, session, response)

    assert list(Participation.objects.values_list("person__email", "role", "attended")) == [
        ("rosa@example.org", "organiser", True)
    ]


def test_admin_refuses_other_file_types(importer, session):
    response = preview(importer, session, "asistencia.pdf", b"%PDF-1.4")

    assert response.context["form"].errors == {
        "sheet": [spanish("Upload a .csv, .xlsx or .ods file.")]
    }


def test_admin_confirm_of_a_file_gone_bad_writes_nothing(importer, session, people):
    session.status = SessionStatus.PLANNED
    session.save()
    response = preview(importer, session, "asistencia.csv", "email,attended\nana@example.org,yes\n")
    # The session is cancelled between the preview and the confirmation.
    session.status = SessionStatus.CANCELLED
    session.save()

    confirmed = confirm(importer, session, response)

    assert confirmed["Location"] == import_url(session)
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        spanish(
            "Nothing was imported: some rows are no longer valid. "
            "Upload the file again to see which."
        )
    ]
    assert Participation.objects.count() == 0


def test_admin_confirm_refuses_a_path_instead_of_the_stored_upload(importer, session):
    response = importer.post(
        import_url(session),
        {"stored_name": "../etc/passwd", "file_format": "csv", "confirm": "1"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        spanish("The uploaded file has expired. Upload it again.")
    ]


# Import permissions -------------------------------------------------------------------------------


def test_import_without_import_permission_is_forbidden(staff_client, staff_user, session, people):
    grant(
        staff_user,
        "view_session",
        "change_session",
        "add_participation",
        "change_participation",
        "export_participation",
    )

    page = staff_client.get(import_url(session))
    posted = preview(
        staff_client, session, "asistencia.csv", "email,attended\nana@example.org,yes\n"
    )
    change_page = staff_client.get(reverse("admin:conferences_session_change", args=[session.pk]))

    assert (page.status_code, posted.status_code) == (403, 403)
    assert import_url(session) not in change_page.content.decode()
    assert export_url(session) in change_page.content.decode()
    assert Participation.objects.count() == 0


def test_import_permission_without_change_permission_is_not_enough(
    staff_client, staff_user, session
):
    grant(staff_user, "view_session", "import_participation")

    assert staff_client.get(import_url(session)).status_code == 403


def test_staff_with_both_permissions_see_both_links(staff_client, staff_user, session):
    grant(
        staff_user,
        "view_session",
        "add_participation",
        "change_participation",
        "import_participation",
        "export_participation",
    )

    content = staff_client.get(
        reverse("admin:conferences_session_change", args=[session.pk])
    ).content.decode()

    assert import_url(session) in content
    assert export_url(session, "xlsx") in content
    assert staff_client.get(import_url(session)).status_code == 200
