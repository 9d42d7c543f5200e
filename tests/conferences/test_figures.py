"""Participation figures: what counts, per scope, and small-cell suppression."""

import datetime
import random

import pytest
from django.utils import timezone

from conferences.enums import AgreementStatus, SessionStatus
from conferences.figures import (
    BreakdownRow,
    Figures,
    conference_figures,
    figures_for_sessions,
    network_figures,
    period_figures,
    programme_figures,
    public_figures,
    session_figures,
    suppress_grid,
)
from conferences.models import Session
from networks.enums import Sector, Sex
from tests.factories import (
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    ProgrammeFactory,
    SessionFactory,
)


def displayed(grid):
    return {
        "cells": [[str(cell) for cell in row] for row in grid.cells],
        "rows": [str(cell) for cell in grid.row_totals],
        "columns": [str(cell) for cell in grid.column_totals],
        "total": str(grid.total),
    }


def lines_of(grid):
    """Every equation a reader can use: each row and column with its total, and the totals."""
    cells, rows, columns = grid.cells, grid.row_totals, grid.column_totals
    lines = [(row, total) for row, total in zip(cells, rows, strict=True)]
    lines += [([row[j] for row in cells], columns[j]) for j in range(len(columns))]
    lines += [(columns, grid.total), (rows, grid.total)]
    return lines


# Suppression of a table ------------------------------------------------------------------------


def test_suppress_grid_shows_a_table_without_small_cells_as_it_is():
    grid = suppress_grid([[6, 7], [8, 9]], threshold=5)

    assert displayed(grid) == {
        "cells": [["6", "7"], ["8", "9"]],
        "rows": ["13", "17"],
        "columns": ["14", "16"],
        "total": "30",
    }


def test_suppress_grid_hides_the_next_smallest_cell_when_one_is_alone_in_its_row():
    # Row 0 alone would give 2 = 17 - 6 - 9: the 6 is hidden too, then its column's 7.
    grid = suppress_grid([[2, 6, 9], [7, 8, 10]], threshold=5)

    assert displayed(grid) == {
        "cells": [["<5", "x", "9"], ["x", "x", "10"]],
        "rows": ["17", "25"],
        "columns": ["9", "14", "19"],
        "total": "42",
    }


def test_suppress_grid_hides_more_when_hidden_cells_add_up_to_less_than_the_threshold():
    # 1 and 2 hidden together still give away "3 people in these two cells".
    grid = suppress_grid([[1, 2, 9, 8], [6, 7, 10, 11]], threshold=5)

    assert displayed(grid)["cells"][0] == ["<5", "<5", "9", "x"]


def test_suppress_grid_hides_zero_cells_so_a_row_cannot_reveal_everyone_shares_a_sex():
    grid = suppress_grid([[6, 0]], threshold=5)

    assert displayed(grid) == {
        "cells": [["x", "<5"]],
        "rows": ["6"],
        "columns": ["x", "<5"],
        "total": "6",
    }


def test_suppress_grid_leaves_no_row_or_column_that_gives_a_hidden_cell_away():
    generator = random.Random(20200917)
    for _attempt in range(200):
        shape = (generator.randint(1, 5), generator.randint(1, 3))
        values = [[generator.randint(0, 14) for _ in range(shape[1])] for _ in range(shape[0])]

        grid = suppress_grid(values, threshold=5)

        for parts, total in lines_of(grid):
            hidden = [cell for cell in parts if cell.suppressed]
            hidden_count = len(hidden) + total.suppressed
            assert hidden_count != 1, values
            if hidden and not total.suppressed:
                assert sum(cell.value for cell in hidden) >= 5, values
        for row in grid.cells:
            for cell in row:
                assert cell.primary == (cell.value < 5)


def test_suppress_grid_follows_the_threshold_given():
    grid = suppress_grid([[3, 4], [3, 4]], threshold=3)

    assert displayed(grid)["cells"] == [["3", "4"], ["3", "4"]]


# Counting ----------------------------------------------------------------------------------


@pytest.fixture
def institutions(countries):
    return {
        "alcaldia": InstitutionFactory(
            name="Alcaldía de Esquipulas",
            country=countries["GT"],
            sector=Sector.MUNICIPAL_GOVERNMENT,
        ),
        "ong": InstitutionFactory(
            name="Pastoral de Movilidad", country=countries["HN"], sector=Sector.CIVIL_SOCIETY
        ),
    }


def test_figures_count_attendance_only_and_each_person_once(institutions):
    conference = ConferenceFactory()
    first, second = SessionFactory.create_batch(2, conference=conference)
    regular = PersonFactory(institution=institutions["alcaldia"])
    ParticipationFactory(session=first, person=regular)
    ParticipationFactory(session=second, person=regular)
    ParticipationFactory(session=first, person__institution=institutions["ong"])
    ParticipationFactory(session=second, attended=False)  # registered, did not come

    figures = conference_figures(conference)

    assert (figures.participations, figures.people, figures.institutions) == (3, 2, 2)
    assert {(row.country_code, row.sector, row.sex, row.people) for row in figures.breakdown} == {
        ("GT", Sector.MUNICIPAL_GOVERNMENT, Sex.FEMALE, 1),
        ("HN", Sector.CIVIL_SOCIETY, Sex.FEMALE, 1),
    }


def test_figures_ignore_attendance_recorded_before_a_session_was_cancelled(institutions):
    conference = ConferenceFactory()
    held, cancelled = SessionFactory.create_batch(2, conference=conference)
    ParticipationFactory(session=held, person__institution=institutions["alcaldia"])
    ParticipationFactory(session=cancelled, person__institution=institutions["ong"])
    cancelled.status = SessionStatus.CANCELLED
    cancelled.save(update_fields=["status"])

    figures = conference_figures(conference)

    assert (figures.participations, figures.people) == (1, 1)


def test_figures_use_the_snapshot_of_the_day_not_the_current_institution(institutions):
    session = SessionFactory()
    person = PersonFactory(institution=institutions["alcaldia"])
    ParticipationFactory(session=session, person=person)
    person.institution = institutions["ong"]
    person.save()

    figures = session_figures(session)

    assert [(row.country_code, row.sector) for row in figures.breakdown] == [
        ("GT", Sector.MUNICIPAL_GOVERNMENT)
    ]


def test_figures_count_municipalities_represented(border_municipalities):
    session = SessionFactory()
    for municipality in (border_municipalities["SV"], border_municipalities["GT"], None):
        ParticipationFactory(session=session, municipality=municipality)

    assert session_figures(session).municipalities == 2


def test_figures_of_each_scope_take_exactly_its_sessions(db):
    programme = ProgrammeFactory()
    network = NetworkFactory(programme=programme)
    other_network = NetworkFactory()
    conference = ConferenceFactory(programme=ProgrammeFactory())
    day = timezone.make_aware(datetime.datetime(2021, 3, 10, 23, 30))  # 11 March 05:30 UTC
    in_network = SessionFactory(networks=[network], start=day)
    in_conference = SessionFactory(conference=conference, networks=[other_network])
    private = SessionFactory(networks=[network], is_public=False, start=day)
    for session, people in ((in_network, 1), (in_conference, 2), (private, 4)):
        ParticipationFactory.create_batch(people, session=session)

    assert network_figures(network).participations == 5
    assert network_figures(network, public_only=True).participations == 1
    assert programme_figures(programme).participations == 5
    assert programme_figures(conference.programme).participations == 2
    assert conference_figures(conference).participations == 2
    # Days are the region's: 23:30 in Guatemala on 10 March is still 10 March.
    march_10 = datetime.date(2021, 3, 10)
    assert period_figures(march_10, march_10).participations == 5
    assert period_figures(march_10, march_10, public_only=True).participations == 1
    assert (
        period_figures(
            march_10 + datetime.timedelta(days=1), march_10 + datetime.timedelta(days=1)
        ).participations
        == 0
    )


def test_figures_count_agreements_by_status_and_overdue(db):
    session = SessionFactory()
    due = datetime.date(2021, 1, 31)
    AgreementFactory(session=session, status=AgreementStatus.OPEN, due_date=due)
    AgreementFactory(session=session, status=AgreementStatus.IN_PROGRESS, due_date=due)
    AgreementFactory(session=session, status=AgreementStatus.IN_PROGRESS, due_date=None)
    AgreementFactory(session=session, status=AgreementStatus.DONE, due_date=due)
    AgreementFactory(status=AgreementStatus.OPEN, due_date=due)  # another session

    figures = figures_for_sessions(
        Session.objects.filter(pk=session.pk), today=datetime.date(2021, 2, 1)
    )

    assert figures.agreements_by_status == {
        AgreementStatus.OPEN: 1,
        AgreementStatus.IN_PROGRESS: 2,
        AgreementStatus.DONE: 1,
        AgreementStatus.DROPPED: 0,
    }
    assert figures.agreements_overdue == 2


@pytest.mark.parametrize("people", [2, 40])
def test_figures_take_three_queries_whatever_the_attendance(
    django_assert_num_queries, institutions, people
):
    session = SessionFactory()
    ParticipationFactory.create_batch(people, session=session)
    AgreementFactory.create_batch(2, session=session)

    with django_assert_num_queries(3):
        figures = session_figures(session)

    assert figures.people == people


# Public figures ---------------------------------------------------------------------------------


def test_public_figures_hide_a_lone_man_and_the_figure_that_would_reveal_him(institutions):
    session = SessionFactory()
    ParticipationFactory.create_batch(
        6, session=session, person__institution=institutions["alcaldia"]
    )
    ParticipationFactory(
        session=session, person__institution=institutions["alcaldia"], person__sex=Sex.MALE
    )

    public = public_figures(session_figures(session))

    assert public.columns == [str(Sex.FEMALE.label), str(Sex.MALE.label)]
    by_country, by_sector = (
        [(row.label, [str(cell) for cell in row.cells], str(row.total)) for row in table.rows]
        for table in public.tables
    )
    assert by_country == [("Guatemala", ["x", "<5"], "7")]
    assert by_sector == [(str(Sector.MUNICIPAL_GOVERNMENT.label), ["x", "<5"], "7")]
    assert [str(cell) for cell in public.tables[0].column_totals] == ["x", "<5"]
    assert (str(public.people), str(public.participations)) == ("7", "7")


def test_suppress_grid_hides_the_totals_it_is_told_another_table_hides():
    grid = suppress_grid([[6, 7, 8], [9, 10, 11]], threshold=5, hide=frozenset({("column", 0)}))

    assert displayed(grid)["columns"] == ["x", "x", "19"]


def test_public_figures_tables_hide_the_same_totals_by_sex(countries):
    generator = random.Random(2020)
    sectors = [Sector.MUNICIPAL_GOVERNMENT, Sector.CIVIL_SOCIETY, Sector.ACADEMIA]
    for _attempt in range(40):
        breakdown = [
            BreakdownRow(
                country_code=code,
                country_name=code,
                sector=sector,
                sex=sex,
                people=generator.randint(0, 9),
                participations=0,
            )
            for code in ("SV", "GT", "HN")
            for sector in sectors
            for sex in (Sex.FEMALE, Sex.MALE, Sex.NOT_STATED)
        ]
        figures = Figures(
            participations=0,
            people=0,
            institutions=0,
            municipalities=0,
            breakdown=breakdown,
            agreements_by_status={},
            agreements_overdue=0,
        )

        by_country, by_sector = public_figures(figures, threshold=5).tables

        assert [cell.suppressed for cell in by_country.column_totals] == [
            cell.suppressed for cell in by_sector.column_totals
        ]
        assert by_country.total.suppressed == by_sector.total.suppressed


def test_public_figures_hide_small_headline_counts(institutions, settings):
    settings.FIGURES_SUPPRESSION_THRESHOLD = 3
    session = SessionFactory()
    ParticipationFactory.create_batch(2, session=session)

    public = public_figures(session_figures(session))

    assert (str(public.people), str(public.participations), str(public.tables[0].total)) == (
        "<3",
        "<3",
        "<3",
    )


def test_public_figures_add_a_column_for_people_who_did_not_state_their_sex(institutions):
    session = SessionFactory()
    ParticipationFactory.create_batch(5, session=session)
    ParticipationFactory.create_batch(5, session=session, person__sex=Sex.MALE)

    assert len(public_figures(session_figures(session)).columns) == 2

    ParticipationFactory(session=session, person__sex=Sex.NOT_STATED)

    assert len(public_figures(session_figures(session)).columns) == 3
