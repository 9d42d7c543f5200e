"""Participation figures: counts for staff and donors, and their small-cell-suppressed public form.

Every scope (a session, a conference, a network, a programme, a period) is reduced to a queryset
of sessions, and the same three aggregate queries run whatever the number of participants.
Only people who attended count.

Public pages never show a count of fewer than ``FIGURES_SUPPRESSION_THRESHOLD`` people: such a
cell reads "<5" (zero included, so that an empty cell cannot reveal the sex of everyone else in
its row). Totals are shown, so a hidden cell could be worked out by subtraction; secondary
suppression hides further cells until no row or column lets anyone do so.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext

from common.languages import localized
from networks.enums import Sector, Sex
from networks.models import Country, Network, Programme

from .enums import AgreementStatus, SessionStatus
from .models import Agreement, Conference, Participation, Session

# Raw figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    """People and participations of one sex, sector and country (snapshots at each session)."""

    country_code: str
    country_name: str
    sector: str
    sex: str
    people: int
    participations: int


@dataclass(frozen=True)
class Figures:
    """Exact figures: for staff and reports. Public pages show ``public_figures(...)`` instead."""

    participations: int
    people: int
    institutions: int
    municipalities: int
    breakdown: list[BreakdownRow]
    agreements_by_status: dict[str, int]
    agreements_overdue: int

    @property
    def agreements(self) -> int:
        return sum(self.agreements_by_status.values())


def _attendances(sessions: QuerySet[Session]) -> QuerySet[Participation]:
    # Attendance recorded before a session was cancelled does not count as attendance.
    return Participation.objects.filter(session__in=sessions.values("pk"), attended=True).exclude(
        session__status=SessionStatus.CANCELLED
    )


def figures_for_sessions(sessions: QuerySet[Session], *, today=None) -> Figures:
    """Figures of the sessions in ``sessions``, in three queries whatever their size."""
    session_ids = sessions.values("pk")
    attended = _attendances(sessions)
    totals = attended.aggregate(
        participations=Count("pk"),
        people=Count("person", distinct=True),
        institutions=Count("institution", distinct=True),
        municipalities=Count("municipality", distinct=True),
    )
    rows = (
        attended.values(
            "country__code", "country__name_es", "country__name_en", "sector", "person__sex"
        )
        .annotate(people=Count("person", distinct=True), participations=Count("pk"))
        .order_by()
    )
    breakdown = [
        BreakdownRow(
            country_code=row["country__code"] or "",
            country_name=localized(row["country__name_es"], row["country__name_en"]) or "",
            sector=row["sector"] or "",
            sex=row["person__sex"] or "",
            people=row["people"],
            participations=row["participations"],
        )
        for row in rows
    ]
    today = today or timezone.localdate()
    agreements = Agreement.objects.filter(session__in=session_ids).aggregate(
        overdue=Count("pk", filter=Agreement.overdue_condition(today)),
        **{status.value: Count("pk", filter=Q(status=status)) for status in AgreementStatus},
    )
    overdue = agreements.pop("overdue")
    return Figures(
        participations=totals["participations"],
        people=totals["people"],
        institutions=totals["institutions"],
        municipalities=totals["municipalities"],
        breakdown=breakdown,
        agreements_by_status=agreements,
        agreements_overdue=overdue,
    )


# Scopes: each one a queryset of sessions --------------------------------------------------


def _scope(sessions: QuerySet[Session], public_only: bool) -> QuerySet[Session]:
    return sessions.public() if public_only else sessions


def session_figures(session: Session) -> Figures:
    return figures_for_sessions(Session.objects.filter(pk=session.pk))


def conference_figures(conference: Conference, *, public_only: bool = False) -> Figures:
    return figures_for_sessions(_scope(Session.objects.filter(conference=conference), public_only))


def network_figures(network: Network, *, public_only: bool = False) -> Figures:
    return figures_for_sessions(_scope(Session.objects.filter(networks=network), public_only))


def programme_figures(programme: Programme, *, public_only: bool = False) -> Figures:
    """Sessions of the programme's conferences and of its networks."""
    sessions = Session.objects.filter(
        Q(conference__programme=programme) | Q(networks__programme=programme)
    )
    return figures_for_sessions(_scope(sessions, public_only))


def period_figures(
    first_day: datetime.date, last_day: datetime.date, *, public_only: bool = False
) -> Figures:
    """Sessions starting between the two days (inclusive) in the region's time zone."""
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    )
    sessions = Session.objects.filter(start__gte=start, start__lt=end)
    return figures_for_sessions(_scope(sessions, public_only))


def donor_sessions(
    *,
    programme: Programme | None = None,
    network: Network | None = None,
    country=None,
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
) -> QuerySet[Session]:
    """Sessions of the staff's donor figures: every filter given narrows them (public or not).

    A programme holds its conferences' sessions and its networks' sessions; a country, the
    sessions held in one of its municipalities or of a network with municipalities there; the
    period, sessions starting between the two days (inclusive) in the region's time zone.
    Returned as a subquery of primary keys, so a session matched twice counts once.
    """
    sessions = Session.objects.all()
    if programme is not None:
        sessions = sessions.filter(
            Q(conference__programme=programme) | Q(networks__programme=programme)
        )
    if network is not None:
        sessions = sessions.filter(networks=network)
    if country is not None:
        sessions = sessions.filter(
            Q(municipality__department__country=country)
            | Q(networks__municipalities__department__country=country)
        )
    if first_day is not None:
        start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
        sessions = sessions.filter(start__gte=start)
    if last_day is not None:
        end = timezone.make_aware(
            datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
        )
        sessions = sessions.filter(start__lt=end)
    return Session.objects.filter(pk__in=sessions.values("pk"))


@dataclass(frozen=True)
class DonorFigures:
    """The exact figures of the staff's donor page: ``figures`` plus what only staff read."""

    figures: Figures
    sessions_held: int
    sessions_planned: int
    sessions_cancelled: int
    # Distinct institutions that attended, by the sector they had on the day.
    institutions_by_sector: dict[str, int]

    @property
    def agreements_done(self) -> int:
        return self.figures.agreements_by_status.get(AgreementStatus.DONE.value, 0)

    @property
    def agreements_open(self) -> int:
        return sum(
            self.figures.agreements_by_status.get(status.value, 0)
            for status in AgreementStatus.pending()
        )


def donor_figures(sessions: QuerySet[Session], *, today=None) -> DonorFigures:
    """``figures_for_sessions`` and two more queries, whatever the number of sessions."""
    figures = figures_for_sessions(sessions, today=today)
    by_status = sessions.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in SessionStatus}
    )
    by_sector = (
        Participation.objects.filter(session__in=sessions.values("pk"), attended=True)
        .exclude(session__status=SessionStatus.CANCELLED)
        .exclude(institution=None)
        .values("sector")
        .annotate(institutions=Count("institution", distinct=True))
        .order_by()
    )
    return DonorFigures(
        figures=figures,
        sessions_held=by_status[SessionStatus.HELD.value],
        sessions_planned=by_status[SessionStatus.PLANNED.value],
        sessions_cancelled=by_status[SessionStatus.CANCELLED.value],
        institutions_by_sector={row["sector"] or "": row["institutions"] for row in by_sector},
    )


# Suppression ------------------------------------------------------------------------------


def suppression_threshold() -> int:
    return settings.FIGURES_SUPPRESSION_THRESHOLD


@dataclass(frozen=True)
class Cell:
    """One published count. ``str(cell)`` is what the public sees."""

    value: int
    threshold: int
    primary: bool = False  # fewer people than the threshold
    secondary: bool = False  # hidden so that totals cannot reveal a primary cell

    @property
    def suppressed(self) -> bool:
        return self.primary or self.secondary

    @property
    def reason(self) -> str:
        """Why the cell is hidden, in words: for screen readers and the hover text."""
        if self.primary:
            return gettext(
                "Fewer than %(threshold)s people: hidden so that no one can be identified"
            ) % {"threshold": self.threshold}
        if self.secondary:
            return gettext("Hidden so that the totals cannot reveal a smaller figure")
        return ""

    def __str__(self):
        if self.primary:
            return f"<{self.threshold}"
        if self.secondary:
            return "x"
        return str(self.value)


@dataclass(frozen=True)
class SuppressedGrid:
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


def suppress_grid(
    values: list[list[int]], threshold: int, *, hide: frozenset = frozenset()
) -> SuppressedGrid:
    """Suppress a table of counts shown with its row, column and grand totals.

    Primary: every count below ``threshold``. Secondary: each row and each column (totals
    included, and the rows of totals too) is an equation; while one of them has exactly one
    hidden figure, or hidden cells whose sum its total would reveal as below the threshold,
    the smallest figure still visible in it is hidden too (a cell before its total).
    ``hide`` names totals to hide from the start (``("column", j)``, ``("total",)``): those
    another table shares and hides.
    """
    n_rows = len(values)
    n_columns = len(values[0]) if values else 0
    figure: dict[tuple, int] = {}
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            figure[("cell", i, j)] = value
        figure[("row", i)] = sum(row)
    for j in range(n_columns):
        figure[("column", j)] = sum(row[j] for row in values)
    figure[("total",)] = sum(map(sum, values))
    order = {position: index for index, position in enumerate(figure)}

    # Each line: the figures that add up, and the figure they add up to.
    lines = [([("cell", i, j) for j in range(n_columns)], ("row", i)) for i in range(n_rows)] + [
        ([("cell", i, j) for i in range(n_rows)], ("column", j)) for j in range(n_columns)
    ]
    lines.append(([("column", j) for j in range(n_columns)], ("total",)))
    lines.append(([("row", i) for i in range(n_rows)], ("total",)))

    primary = {position for position, value in figure.items() if value < threshold}
    secondary: set[tuple] = {position for position in hide if position not in primary}
    hidden = primary | secondary
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            hidden_parts = [position for position in parts if position in hidden]
            hidden_count = len(hidden_parts) + (total in hidden)
            if hidden_count == 0:
                continue
            revealed = hidden_count == 1 or (
                total not in hidden and sum(figure[p] for p in hidden_parts) < threshold
            )
            if not revealed:
                continue
            candidates = [position for position in parts if position not in hidden]
            if not candidates and total not in hidden:
                candidates = [total]
            if not candidates:
                continue
            choice = min(candidates, key=lambda position: (figure[position], order[position]))
            secondary.add(choice)
            hidden.add(choice)
            changed = True

    def cell(position):
        return Cell(
            value=figure[position],
            threshold=threshold,
            primary=position in primary,
            secondary=position in secondary,
        )

    return SuppressedGrid(
        cells=[[cell(("cell", i, j)) for j in range(n_columns)] for i in range(n_rows)],
        row_totals=[cell(("row", i)) for i in range(n_rows)],
        column_totals=[cell(("column", j)) for j in range(n_columns)],
        total=cell(("total",)),
    )


# Public figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """Distinct people of one sex who attended in one year (the region's calendar year)."""

    year: int
    sex: str
    people: int


def people_by_year(sessions: QuerySet[Session]) -> list[YearRow]:
    """One query whatever the number of sessions: someone who came in two years counts in both."""
    rows = (
        _attendances(sessions)
        # Extracted in the current time zone: a session at 20:00 on 31 December is that year's.
        .annotate(year=ExtractYear("session__start"))
        .values("year", "person__sex")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    return [
        YearRow(year=row["year"], sex=row["person__sex"] or "", people=row["people"])
        for row in rows
    ]


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: list[Cell]
    total: Cell


@dataclass(frozen=True)
class PublicTable:
    caption: str
    row_heading: str
    rows: list[TableRow]
    column_totals: list[Cell]
    total: Cell

    @property
    def all_suppressed(self) -> bool:
        """Every inner cell hidden: a table of "<5" that tells nothing, so not printed."""
        return all(cell.suppressed for row in self.rows for cell in row.cells)


@dataclass(frozen=True)
class PublicFigures:
    """What a public page may show: people counts suppressed, institutional counts as they are."""

    participations: Cell
    people: Cell
    institutions: int
    municipalities: int
    columns: list[str]
    tables: list[PublicTable]
    agreements_by_status: list[tuple[str, int]] = field(default_factory=list)
    agreements_overdue: int = 0
    agreements: int = 0
    threshold: int = 5

    @property
    def has_attendance(self) -> bool:
        return bool(self.tables)


def _margins_hidden(grid: SuppressedGrid) -> frozenset:
    hidden = {("column", j) for j, cell in enumerate(grid.column_totals) if cell.suppressed}
    if grid.total.suppressed:
        hidden.add(("total",))
    return frozenset(hidden)


def public_figures(
    figures: Figures, *, threshold: int | None = None, by_year: list[YearRow] | None = None
) -> PublicFigures:
    """People by country and sex, and by sector and sex, with every small cell hidden.

    The full country x sector x sex cross-table (``figures.breakdown``) would be almost all
    "<5" for a meeting of thirty people; its two margins say much more and stay safe. Both
    tables share their totals by sex, so a total hidden in one is hidden in the other.
    With ``by_year`` (``people_by_year`` of the same sessions) a third table, by year and
    sex, shares them too: when each person came in one year only its totals are the same
    figures.
    """
    threshold = suppression_threshold() if threshold is None else threshold
    not_recorded = gettext("Not recorded")
    sector_labels = dict(Sector.choices)
    sector_order = {value: index for index, value in enumerate(Sector.values)}

    # "Prefers not to say" gets a column only when someone chose it: an always-empty column
    # would force a hidden figure into every row. Female and male are always there, so an
    # absent column never tells that everyone in a row shares a sex.
    sexes = [Sex.FEMALE, Sex.MALE]
    if any(row.sex not in (Sex.FEMALE, Sex.MALE) for row in [*figures.breakdown, *(by_year or ())]):
        sexes.append(Sex.NOT_STATED)
    column_of = {sex.value: index for index, sex in enumerate(sexes)}

    by_country: dict[str, list[int]] = {}
    by_sector: dict[tuple, list[int]] = {}
    for row in figures.breakdown:
        column = column_of.get(row.sex, len(sexes) - 1)
        country = row.country_name or not_recorded
        by_country.setdefault(country, [0] * len(sexes))[column] += row.people
        sector = (
            sector_order.get(row.sector, len(sector_order)),
            str(sector_labels.get(row.sector, not_recorded)),
        )
        by_sector.setdefault(sector, [0] * len(sexes))[column] += row.people
    countries = sorted(by_country, key=lambda name: (name == not_recorded, name))
    sectors = sorted(by_sector)
    country_values = [by_country[country] for country in countries]
    sector_values = [by_sector[sector] for sector in sectors]
    by_year_values: dict[int, list[int]] = {}
    for row in by_year or ():
        column = column_of.get(row.sex, len(sexes) - 1)
        by_year_values.setdefault(row.year, [0] * len(sexes))[column] += row.people
    years = sorted(by_year_values)
    year_values = [by_year_values[year] for year in years]

    tables = []
    if figures.breakdown:
        hide = frozenset()
        while True:
            country_grid = suppress_grid(country_values, threshold, hide=hide)
            sector_grid = suppress_grid(sector_values, threshold, hide=hide)
            shared = _margins_hidden(country_grid) | _margins_hidden(sector_grid)
            if by_year is not None:
                year_grid = suppress_grid(year_values, threshold, hide=hide)
                shared |= _margins_hidden(year_grid)
            if shared == hide:
                break
            hide = shared
        grids = [
            (
                gettext("People who attended, by country and sex"),
                gettext("Country"),
                countries,
                country_grid,
            ),
            (
                gettext("People who attended, by sector and sex"),
                gettext("Sector"),
                [label for _order, label in sectors],
                sector_grid,
            ),
        ]
        if by_year is not None:
            grids.append(
                (
                    gettext("People who attended, by year and sex"),
                    gettext("Year"),
                    [str(year) for year in years],
                    year_grid,
                )
            )
        for caption, heading, labels, grid in grids:
            tables.append(
                PublicTable(
                    caption=caption,
                    row_heading=heading,
                    rows=[
                        TableRow(label=label, cells=grid.cells[index], total=grid.row_totals[index])
                        for index, label in enumerate(labels)
                    ],
                    column_totals=grid.column_totals,
                    total=grid.total,
                )
            )

    # With one session the headline counts equal the tables' total: hide them with it.
    total_hidden = bool(tables and tables[0].total.secondary)

    def headline(value):
        primary = value < threshold
        return Cell(
            value=value,
            threshold=threshold,
            primary=primary,
            secondary=total_hidden and not primary,
        )

    return PublicFigures(
        participations=headline(figures.participations),
        people=headline(figures.people),
        institutions=figures.institutions,
        municipalities=figures.municipalities,
        columns=[str(sex.label) for sex in sexes],
        tables=tables,
        agreements_by_status=[
            (str(status.label), figures.agreements_by_status.get(status.value, 0))
            for status in AgreementStatus
        ],
        agreements_overdue=figures.agreements_overdue,
        agreements=figures.agreements,
        threshold=threshold,
    )


# The public figures page ------------------------------------------------------------------


def public_figures_sessions(
    *, programme: Programme | None = None, country: Country | None = None, year: int | None = None
) -> QuerySet[Session]:
    """The public sessions of the figures page, narrowed as the donor figures are (one rule for
    what "a programme's" or "a country's" sessions are), a year being its calendar days."""
    first_day = last_day = None
    if year is not None:
        first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    sessions = donor_sessions(
        programme=programme, country=country, first_day=first_day, last_day=last_day
    )
    return _scope(sessions, public_only=True)


def figures_page(
    *, programme: Programme | None = None, country: Country | None = None, year: int | None = None
) -> PublicFigures:
    """The page's figures: the two tables of every public page and one by year, in four queries."""
    sessions = public_figures_sessions(programme=programme, country=country, year=year)
    return public_figures(figures_for_sessions(sessions), by_year=people_by_year(sessions))


def figures_programmes() -> QuerySet[Programme]:
    """Programmes offered by the page's filter: those with a public session (of a conference or
    of a network of theirs), so that no choice leads to an empty page for certain."""
    public_sessions = Session.objects.public().values("pk")
    return (
        Programme.objects.filter(
            Q(conferences__sessions__in=public_sessions) | Q(networks__sessions__in=public_sessions)
        )
        .distinct()
        .order_by("name")
    )


def figures_years() -> list[int]:
    """Years with attendance at a public session, newest first (one query)."""
    sessions = Session.objects.public().filter(
        pk__in=_attendances(Session.objects.public()).values("session")
    )
    return sorted({moment.year for moment in sessions.datetimes("start", "year")}, reverse=True)


def wider_figures_filters(*, session: Session | None = None, conference: Conference | None = None):
    """The figures page's filters for the level above a session or a conference, where a small
    meeting's people are counted with others': its programme when it has one, else its year.

    Reads only what the session and conference pages load already (no query): the session's
    conference, when public, and then its networks give the programme.
    """
    if session is not None:
        conference = session.conference if session.conference_id else None
        if conference is not None and not conference.is_public:
            conference = None
        programme_ids = [conference.programme_id] if conference is not None else []
        programme_ids += [network.programme_id for network in session.networks.all()]
        year = timezone.localtime(session.start).year
    else:
        programme_ids = [conference.programme_id]
        year = conference.start_date.year
    programme_id = next((pk for pk in programme_ids if pk is not None), None)
    return {"programme": programme_id} if programme_id is not None else {"year": year}
