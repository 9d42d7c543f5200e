"""The donor page's figures as tables: what the screen, its charts and the XLSX all show.

Each table is built once from the exact figures (``conferences.figures.donor_figures`` and the
practices' counts below) and handed as is to the template, the SVG charts and the workbook, so
the three cannot disagree. Every count is a grouped query: the number of queries stays the same
whatever the number of sessions, people or practices.
"""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext, pgettext

from conferences.enums import AgreementStatus
from conferences.figures import DonorFigures, donor_figures, donor_sessions
from networks.enums import Sector, Sex
from networks.models import Country, Department
from practices.models import GCMObjective, Practice, Theme

from .charts import BarChart, bar_chart


@dataclass(frozen=True)
class Table:
    key: str  # the HTML id, and the sheet's place in the workbook
    title: str
    sheet_title: str  # at most 31 characters, the XLSX limit
    headers: list[str]
    rows: list[list]
    chart_column: int | None = None  # the column drawn as bars, labelled by the first one
    chart: BarChart | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PracticeFigures:
    practices: int
    by_theme: list[tuple[str, int]]
    by_objective: list[tuple[str, int]]
    by_country: list[tuple[str, int]]
    by_state: list[tuple[str, int]]


def donor_practices(
    *, programme=None, network=None, country=None, first_day=None, last_day=None
) -> QuerySet[Practice]:
    """Published practices in the filters: the period is the day they were published."""
    practices = Practice.objects.published()
    if programme is not None:
        practices = practices.filter(network__programme=programme)
    if network is not None:
        practices = practices.filter(network=network)
    if country is not None:
        practices = practices.filter(municipalities__department__country=country)
    if first_day is not None:
        practices = practices.filter(published_at__date__gte=first_day)
    if last_day is not None:
        practices = practices.filter(published_at__date__lte=last_day)
    return Practice.objects.filter(pk__in=practices.values("pk"))


def practice_figures(practices: QuerySet[Practice]) -> PracticeFigures:
    """Practices counted once per theme, objective, country and state they name: five queries."""
    ids = practices.values("pk")
    themes = (
        Theme.objects.filter(practices__in=ids)
        .annotate(count=Count("practices", distinct=True))
        .order_by("position", "name_es")
    )
    objectives = (
        GCMObjective.objects.filter(practices__in=ids)
        .annotate(count=Count("practices", distinct=True))
        .order_by("number")
    )
    countries = (
        Country.objects.filter(departments__municipalities__practices__in=ids)
        .annotate(count=Count("departments__municipalities__practices", distinct=True))
        .order_by("code")
    )
    states = (
        Department.objects.filter(municipalities__practices__in=ids)
        .annotate(count=Count("municipalities__practices", distinct=True))
        .select_related("country")
        .order_by("country__code", "name")
    )
    return PracticeFigures(
        practices=practices.count(),
        by_theme=[(theme.name, theme.count) for theme in themes],
        by_objective=[(str(objective), objective.count) for objective in objectives],
        by_country=[(country.name, country.count) for country in countries],
        by_state=[(f"{state.name} ({state.country.code})", state.count) for state in states],
    )


def _with_chart(table: Table, *, chart_title: str | None = None) -> Table:
    if table.chart_column is None or not table.rows:
        return table
    chart = bar_chart(
        key=table.key,
        title=chart_title or table.title,
        bars=[(str(row[0]), row[table.chart_column]) for row in table.rows],
    )
    return Table(**{**table.__dict__, "chart": chart})


def _sum_by(breakdown, key, labels: dict, order: list) -> list[list]:
    participations: dict = {}
    for row in breakdown:
        value = key(row)
        participations[value] = participations.get(value, 0) + row.participations
    not_recorded = gettext("Not recorded")
    position = {value: index for index, value in enumerate(order)}
    ranked = sorted(participations, key=lambda v: (v not in position, position.get(v, 0), v))
    return [[str(labels.get(value) or not_recorded), participations[value]] for value in ranked]


def donor_tables(donor: DonorFigures, practices: PracticeFigures) -> list[Table]:
    figures = donor.figures
    sector_labels = dict(Sector.choices)
    sex_labels = dict(Sex.choices)
    not_recorded = gettext("Not recorded")
    count, people = gettext("Participations"), gettext("Unique participants")

    summary = Table(
        key="summary",
        title=gettext("Summary"),
        sheet_title=gettext("Summary"),
        headers=[gettext("Figure"), pgettext("figures", "Number")],
        rows=[
            [gettext("Sessions held"), donor.sessions_held],
            [gettext("Sessions planned"), donor.sessions_planned],
            [gettext("Sessions cancelled"), donor.sessions_cancelled],
            [count, figures.participations],
            [people, figures.people],
            [gettext("Institutions that took part"), figures.institutions],
            [gettext("Municipalities engaged"), figures.municipalities],
            [gettext("Published practices"), practices.practices],
            [gettext("Agreements"), figures.agreements],
            [gettext("Agreements done"), donor.agreements_done],
            [gettext("Agreements open or in progress"), donor.agreements_open],
            [gettext("Agreements overdue"), figures.agreements_overdue],
        ],
    )
    sector_order = {value: index for index, value in enumerate(Sector.values)}
    sex_order = {value: index for index, value in enumerate(Sex.values)}
    breakdown = sorted(
        figures.breakdown,
        key=lambda row: (
            not row.country_name,
            row.country_name,
            sector_order.get(row.sector, len(sector_order)),
            sex_order.get(row.sex, len(sex_order)),
        ),
    )
    tables = [
        summary,
        Table(
            key="participation",
            title=gettext("Participations and unique participants by country, sector and sex"),
            sheet_title=gettext("Country, sector, sex"),
            headers=[gettext("Country"), gettext("Sector"), gettext("Sex"), people, count],
            rows=[
                [
                    row.country_name or not_recorded,
                    str(sector_labels.get(row.sector) or not_recorded),
                    str(sex_labels.get(row.sex) or not_recorded),
                    row.people,
                    row.participations,
                ]
                for row in breakdown
            ],
        ),
        Table(
            key="by-sex",
            title=gettext("Participations by sex"),
            sheet_title=gettext("Participations by sex"),
            headers=[gettext("Sex"), count],
            rows=_sum_by(breakdown, lambda row: row.sex, sex_labels, Sex.values),
            chart_column=1,
        ),
        Table(
            key="by-sector",
            title=gettext("Participations by sector"),
            sheet_title=gettext("Participations by sector"),
            headers=[gettext("Sector"), count],
            rows=_sum_by(breakdown, lambda row: row.sector, sector_labels, Sector.values),
            chart_column=1,
        ),
        Table(
            key="by-country",
            title=gettext("Participations by country"),
            sheet_title=gettext("Participations by country"),
            headers=[gettext("Country"), count],
            rows=_sum_by(
                breakdown,
                lambda row: row.country_name,
                {row.country_name: row.country_name for row in breakdown},
                [],
            ),
            chart_column=1,
        ),
        Table(
            key="institutions",
            title=gettext("Institutions that took part, by sector"),
            sheet_title=gettext("Institutions by sector"),
            headers=[gettext("Sector"), gettext("Institutions")],
            rows=[
                [str(sector_labels.get(sector) or not_recorded), number]
                for sector, number in sorted(
                    donor.institutions_by_sector.items(),
                    key=lambda item: sector_order.get(item[0], len(sector_order)),
                )
            ],
            chart_column=1,
        ),
    ]
    for key, title, sheet_title, heading, rows in (
        (
            "practices-theme",
            gettext("Published practices by theme"),
            gettext("Practices by theme"),
            gettext("Theme"),
            practices.by_theme,
        ),
        (
            "practices-objective",
            gettext("Published practices by GCM objective"),
            gettext("Practices by GCM objective"),
            gettext("GCM objective"),
            practices.by_objective,
        ),
        (
            "practices-country",
            gettext("Published practices by country"),
            gettext("Practices by country"),
            gettext("Country"),
            practices.by_country,
        ),
        (
            "practices-state",
            gettext("Published practices by department or state"),
            gettext("Practices by state"),
            gettext("Department or state"),
            practices.by_state,
        ),
    ):
        tables.append(
            Table(
                key=key,
                title=title,
                sheet_title=sheet_title,
                headers=[heading, gettext("Practices")],
                rows=[[label, number] for label, number in rows],
                chart_column=1,
            )
        )
    tables.append(
        Table(
            key="agreements",
            title=gettext("Agreements by status"),
            sheet_title=gettext("Agreements"),
            headers=[gettext("Status"), gettext("Agreements")],
            rows=[
                [str(status.label), figures.agreements_by_status.get(status.value, 0)]
                for status in AgreementStatus
            ]
            + [[gettext("Overdue (pending, past their due date)"), figures.agreements_overdue]],
            chart_column=1,
        )
    )
    return [_with_chart(table) for table in tables]


def donor_report(filters: dict, *, today=None) -> list[Table]:
    """The tables of the donor page for the filters of ``DonorFiguresFilterForm``."""
    donor = donor_figures(donor_sessions(**filters), today=today)
    return donor_tables(donor, practice_figures(donor_practices(**filters)))
