import datetime
import io
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from conferences.enums import AgreementStatus, SessionStatus
from networks.enums import MembershipRole, Sector, Sex
from tests.factories import (
    AgreementFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    ProgrammeFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/figures/"
XLSX_URL = "/admin/figures/figures.xlsx"


class FiguresPage(HTMLParser):
    """The page's tables (cell texts by ``data-table``) and charts (bars by ``data-chart``)."""

    def __init__(self, html):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, list[tuple[str, int, str]]] = {}
        self._table = self._chart = self._row = None
        self._cell = None
        self._texts: list[str] = []
        self._value = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self._table is not None:
            self._row = [] if attrs.get("class") != "figures-empty" else None
            if self._row is not None:
                self._table.append(self._row)
        elif tag in ("th", "td") and self._table is not None and self._row is not None:
            self._cell = []
        elif tag == "svg" and "data-chart" in attrs:
            self._chart = self.charts.setdefault(attrs["data-chart"], [])
        elif tag == "text" and self._chart is not None:
            self._cell = []
        elif tag == "rect" and self._chart is not None:
            self._value = int(attrs["data-value"])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._table is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "text" and self._chart is not None:
            self._texts.append("".join(self._cell).strip())
            self._cell = None
            if len(self._texts) == 2:  # a bar's label, then its number
                self._chart.append((self._texts[0], self._value, self._texts[1]))
                self._texts = []
        elif tag == "svg":
            self._chart = None


def page_of(client, **filters) -> FiguresPage:
    response = client.get(URL, filters)
    assert response.status_code == 200
    return FiguresPage(response.content.decode())


def summary(page) -> dict[str, int]:
    return {label: int(value) for label, value in page.tables["summary"][1:]}


@pytest.fixture
def donor_staff(db):
    user = StaffUserFactory(email="donor-reports@example.org")
    user.user_permissions.add(
        Permission.objects.get(codename="view_donor_figures", content_type__app_label="conferences")
    )
    return user


@pytest.fixture
def staff_client(client, donor_staff):
    client.force_login(donor_staff)
    return client


def at(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 15))


@pytest.fixture
def dataset(border_municipalities):
    """Two networks: Trifinio (programme, SV and GT) and Ocotepeque (HN, no programme)."""
    sv, gt, hn = (border_municipalities[code] for code in ("SV", "GT", "HN"))
    programme = ProgrammeFactory(name="Programa Trifinio")
    trifinio = NetworkFactory(name="Trifinio", programme=programme, municipalities=[sv, gt])
    ocotepeque = NetworkFactory(name="Ocotepeque", municipalities=[hn])
    mayor_sv = InstitutionFactory(country=sv.department.country, municipality=sv)
    ngo_gt = InstitutionFactory(country=gt.department.country, sector=Sector.CIVIL_SOCIETY)
    mayor_hn = InstitutionFactory(country=hn.department.country, municipality=hn)
    first = SessionFactory(networks=[trifinio], start=at(2020, 9, 17), end=at(2020, 9, 18))
    second = SessionFactory(networks=[trifinio], start=at(2021, 3, 10), end=at(2021, 3, 11))
    third = SessionFactory(networks=[ocotepeque], start=at(2021, 5, 4), end=at(2021, 5, 5))
    SessionFactory(
        networks=[ocotepeque],
        start=at(2021, 6, 1),
        end=at(2021, 6, 2),
        status=SessionStatus.CANCELLED,
    )
    regular = PersonFactory(institution=mayor_sv)
    ParticipationFactory(session=first, person=regular, municipality=sv)
    ParticipationFactory(session=first, person=PersonFactory(institution=mayor_sv))
    ParticipationFactory(session=first, person=PersonFactory(institution=ngo_gt, sex=Sex.MALE))
    ParticipationFactory(session=second, person=regular, municipality=sv)
    ParticipationFactory(session=second, person=PersonFactory(institution=ngo_gt, sex=Sex.MALE))
    ParticipationFactory(session=third, person=PersonFactory(institution=mayor_hn), municipality=hn)
    ParticipationFactory(session=third, person=PersonFactory(), attended=False)
    AgreementFactory(session=first, status=AgreementStatus.DONE)
    AgreementFactory(session=first, due_date=datetime.date(2020, 12, 31))  # open, overdue
    AgreementFactory(
        session=third, status=AgreementStatus.IN_PROGRESS, due_date=datetime.date(2100, 1, 1)
    )
    theme = ThemeFactory(slug="salud", name_es="Salud", name_en="Health")
    PublishedPracticeFactory(network=trifinio, themes=[theme], municipalities=[sv, gt])
    PublishedPracticeFactory(network=ocotepeque, themes=[theme], municipalities=[hn])
    PracticeFactory(network=trifinio, themes=[theme], municipalities=[sv])  # a draft: not counted
    return {"programme": programme, "trifinio": trifinio, "countries": border_municipalities}


# Who may see the page ---------------------------------------------------------------------------


def test_donor_figures_forbidden_to_staff_without_the_permission(client, staff_user):
    client.force_login(staff_user)

    assert client.get(URL).status_code == 403
    assert client.get(XLSX_URL).status_code == 403


def test_donor_figures_send_a_coordinator_back_to_the_workspace(client, border_municipalities):
    user = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=user), role=MembershipRole.COORDINATOR, network=NetworkFactory()
    )
    client.force_login(user)

    response = client.get(URL)
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("dashboard:home")


def test_donor_figures_send_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get(URL)
    login = client.get(response.url)

    assert login.url == f"{reverse('account_login')}?{urlencode({'next': URL})}"


def test_admin_index_links_the_figures_for_staff_with_the_permission(
    client, donor_staff, staff_user
):
    client.force_login(donor_staff)
    assert URL in client.get(reverse("admin:index")).content.decode()

    client.force_login(staff_user)
    assert URL not in client.get(reverse("admin:index")).content.decode()


# The numbers ------------------------------------------------------------------------------------


def test_donor_figures_count_everything_without_filters(staff_client, dataset):
    figures = summary(page_of(staff_client))

    assert figures == {
        _("Sessions held"): 3,
        _("Sessions planned"): 0,
        _("Sessions cancelled"): 1,
        _("Participations"): 6,
        _("Unique participants"): 5,
        _("Institutions that took part"): 3,
        _("Municipalities engaged"): 2,
        _("Published practices"): 2,
        _("Agreements"): 3,
        _("Agreements done"): 1,
        _("Agreements open or in progress"): 2,
        _("Agreements overdue"): 1,
    }


def test_donor_figures_break_participation_down_by_country_sector_and_sex(staff_client, dataset):
    page = page_of(staff_client)

    assert page.tables["participation"] == [
        [_("Country"), _("Sector"), _("Sex"), _("Unique participants"), _("Participations")],
        ["El Salvador", str(Sector.MUNICIPAL_GOVERNMENT.label), str(Sex.FEMALE.label), "2", "3"],
        ["Guatemala", str(Sector.CIVIL_SOCIETY.label), str(Sex.MALE.label), "2", "2"],
        ["Honduras", str(Sector.MUNICIPAL_GOVERNMENT.label), str(Sex.FEMALE.label), "1", "1"],
    ]
    assert page.tables["institutions"][1:] == [
        [str(Sector.MUNICIPAL_GOVERNMENT.label), "2"],
        [str(Sector.CIVIL_SOCIETY.label), "1"],
    ]
    assert page.tables["practices-theme"][1:] == [["Salud", "2"]]
    assert page.tables["practices-state"][1:] == [
        ["Chiquimula (GT)", "1"],
        ["Ocotepeque (HN)", "1"],
        ["Santa Ana (SV)", "1"],
    ]


def test_donor_figures_narrow_to_a_network(staff_client, dataset):
    figures = summary(page_of(staff_client, network=dataset["trifinio"].pk))

    assert (figures[_("Sessions held")], figures[_("Participations")]) == (2, 5)
    assert (figures[_("Unique participants")], figures[_("Published practices")]) == (4, 1)
    assert (figures[_("Agreements")], figures[_("Agreements overdue")]) == (2, 1)


def test_donor_figures_narrow_to_a_programme(staff_client, dataset):
    by_programme = summary(page_of(staff_client, programme=dataset["programme"].pk))

    assert by_programme == summary(page_of(staff_client, network=dataset["trifinio"].pk))


def test_donor_figures_narrow_to_a_country(staff_client, dataset):
    honduras = dataset["countries"]["HN"].department.country
    page = page_of(staff_client, country=honduras.pk)
    figures = summary(page)

    assert (figures[_("Sessions held")], figures[_("Participations")]) == (1, 1)
    assert page.tables["practices-country"][1:] == [["Honduras", "1"]]


def test_donor_figures_narrow_to_a_period(staff_client, dataset):
    figures = summary(page_of(staff_client, first_day="2021-01-01", last_day="2021-12-31"))

    assert (figures[_("Sessions held")], figures[_("Sessions cancelled")]) == (2, 1)
    assert (figures[_("Participations")], figures[_("Unique participants")]) == (3, 3)
    # The practices were published in 2024.
    assert figures[_("Published practices")] == 0


def test_donor_figures_refuse_a_period_ending_before_it_starts(staff_client, dataset):
    response = staff_client.get(URL, {"first_day": "2021-12-31", "last_day": "2021-01-01"})

    assert response.status_code == 200
    assert _("The end of the period comes before its start.") in response.content.decode()
    assert FiguresPage(response.content.decode()).tables == {}


# Charts, download, queries ----------------------------------------------------------------------


def test_donor_figures_bars_show_the_numbers_of_their_table(staff_client, dataset):
    page = page_of(staff_client)

    assert page.charts  # sex, sector, country, institutions, practices, agreements
    for key, bars in page.charts.items():
        rows = page.tables[key][1:]
        assert [(label, value, str(value)) for label, value, _text in bars] == [
            (label, int(number), number) for label, number in rows
        ]
        assert [text for _label, _value, text in bars] == [number for _label, number in rows]
    assert page.charts["by-sex"] == [
        (str(Sex.FEMALE.label), 4, "4"),
        (str(Sex.MALE.label), 2, "2"),
    ]


def test_donor_figures_xlsx_equals_the_page_cell_by_cell(staff_client, dataset):
    filters = {"network": dataset["trifinio"].pk}
    page = page_of(staff_client, **filters)

    response = staff_client.get(XLSX_URL, filters)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    filters_sheet, *sheets = workbook.worksheets
    assert [cell.value for cell in filters_sheet[2]] == [_("Network"), "Trifinio"]
    assert len(sheets) == len(page.tables)
    for sheet, (key, rows) in zip(sheets, page.tables.items(), strict=True):
        values = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        assert values == rows, key
        numbers = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert all(isinstance(number, int) for number in numbers), key


def _more_data(dataset, times):
    trifinio = dataset["trifinio"]
    for _index in range(times):
        session = SessionFactory(networks=[trifinio], start=at(2022, 2, 2), end=at(2022, 2, 3))
        ParticipationFactory.create_batch(3, session=session)
        AgreementFactory(session=session)
        PublishedPracticeFactory(
            network=trifinio,
            themes=[ThemeFactory()],
            municipalities=[dataset["countries"]["GT"]],
        )


def test_donor_figures_take_the_same_queries_whatever_the_data(
    staff_client, dataset, django_assert_num_queries
):
    filters = {"programme": dataset["programme"].pk, "first_day": "2020-01-01"}
    staff_client.get(URL, filters)  # sessions and content types warmed up
    with CaptureQueriesContext(connection) as few:
        page_of(staff_client, **filters)
    with CaptureQueriesContext(connection) as few_download:
        staff_client.get(XLSX_URL, filters)
    _more_data(dataset, 6)

    with django_assert_num_queries(len(few.captured_queries)):
        figures = summary(page_of(staff_client, **filters))
    with django_assert_num_queries(len(few_download.captured_queries)):
        staff_client.get(XLSX_URL, filters)
    assert figures[_("Sessions held")] == 8
