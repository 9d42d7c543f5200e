"""The public "Participation in figures" page, and hidden cells that say why they are hidden."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from common.caching import PAGE_CACHE
from conferences.enums import SessionStatus
from networks.enums import Sector, Sex
from tests.factories import (
    ConferenceFactory,
    InstitutionFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    ProgrammeFactory,
    SessionFactory,
)

PRIMARY_REASON = "Fewer than 5 people: hidden so that no one can be identified"
SECONDARY_REASON = "Hidden so that the totals cannot reveal a smaller figure"
WITHHELD = "there are too few people in each group to publish these figures without singling"


def held_on(year, month=6, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def cell_text(html):
    """What a sighted reader sees in a cell: the reason for screen readers left out."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def tables(html):
    """Each figures table as {caption: [[row label, cell, ..., total], ..., ["Total", ...]]}."""
    found = {}
    for table in re.findall(r'<table class="figures-table">(.*?)</table>', html, re.S):
        caption = cell_text(re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)[1])
        body = table.split("</thead>")[1]
        found[caption] = [
            [cell_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
    return found


def headline(html, label):
    return cell_text(re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", html, re.S)[1])


BY_YEAR = "People who attended, by year and sex"


@pytest.fixture
def region(countries, border_municipalities):
    """Three public sessions, one a year, of two programmes:

    - 2019, in Guatemala (programme A): 9 women and 8 men of a Guatemalan alcaldía;
    - 2020, in Honduras (programme A): 6 women and 5 men of a Honduran NGO, one man named;
    - 2021, in El Salvador (programme B): 7 women and 2 men of a Salvadoran NGO.

    And what never counts: a cancelled session, a private one, registrations without
    attendance.
    """
    programme_a = ProgrammeFactory(name="Programa Trifinio")
    programme_b = ProgrammeFactory(name="Programa Golfo de Fonseca")
    networks = {
        code: NetworkFactory(programme=programme, municipalities=[border_municipalities[code]])
        for code, programme in (("GT", programme_a), ("HN", programme_a), ("SV", programme_b))
    }
    institutions = {
        "GT": InstitutionFactory(country=countries["GT"], sector=Sector.MUNICIPAL_GOVERNMENT),
        "HN": InstitutionFactory(country=countries["HN"], sector=Sector.CIVIL_SOCIETY),
        "SV": InstitutionFactory(country=countries["SV"], sector=Sector.ACADEMIA),
    }
    sessions = {}
    for year, code, women, men in ((2019, "GT", 9, 8), (2020, "HN", 6, 5), (2021, "SV", 7, 2)):
        session = SessionFactory(
            start=held_on(year),
            networks=[networks[code]],
            municipality=border_municipalities[code],
        )
        ParticipationFactory.create_batch(
            women, session=session, person__institution=institutions[code]
        )
        ParticipationFactory.create_batch(
            men, session=session, person__institution=institutions[code], person__sex=Sex.MALE
        )
        sessions[year] = session
    named = PersonFactory(
        first_name="Telésforo",
        last_name="Membreño-Ulloa",
        email="telesforo.membreno@privado.example",
        sex=Sex.MALE,
        institution=institutions["HN"],
    )
    # Replaces one of the five men of 2020: the figures stay the same.
    sessions[2020].participations.filter(person__sex=Sex.MALE).first().delete()
    ParticipationFactory(session=sessions[2020], person=named)

    cancelled = SessionFactory(
        start=held_on(2017), networks=[networks["GT"]], status=SessionStatus.CANCELLED
    )
    ParticipationFactory.create_batch(6, session=cancelled)
    private = SessionFactory(start=held_on(2018), networks=[networks["GT"]], is_public=False)
    ParticipationFactory.create_batch(6, session=private)
    ParticipationFactory.create_batch(6, session=sessions[2020], attended=False)
    return {
        "programmes": (programme_a, programme_b),
        "networks": networks,
        "sessions": sessions,
    }


# The page ---------------------------------------------------------------------------------


def test_figures_page_counts_people_who_attended_public_sessions_that_were_held(client, region):
    html = client.get("/en/figures/").text

    assert headline(html, "People who attended") == "37"
    assert headline(html, "Attendances") == "37"
    assert headline(html, "Institutions") == "3"
    assert list(tables(html)) == [
        "People who attended, by country and sex",
        "People who attended, by sector and sex",
        BY_YEAR,
    ]


def test_figures_page_year_table_hides_small_cells_and_what_would_reveal_them(client, region):
    rows = tables(client.get("/en/figures/").text)[BY_YEAR]

    # 2 men in 2021 is a small cell; the 7 women beside it would give it away through the row
    # total, and then the columns need a second hidden cell each: 2020's, the smallest.
    assert rows == [
        ["2019", "9", "8", "17"],
        ["2020", "x", "x", "11"],
        ["2021", "x", "<5", "9"],
        ["Total", "22", "15", "37"],
    ]
    lines = [row[1:] for row in rows] + [list(column) for column in zip(*rows, strict=True)][1:]
    # No row or column (its total included) has exactly one figure hidden.
    assert [line for line in lines if sum(not cell.isdigit() for cell in line) == 1] == []


def test_hidden_cells_say_why_to_screen_readers_and_on_hover(client, region):
    html = client.get("/en/figures/").text

    assert (
        f'<span class="figure-hidden" title="{PRIMARY_REASON}" aria-hidden="true">&lt;5</span>'
        f'<span class="visually-hidden">{PRIMARY_REASON}</span>'
    ) in html
    assert (
        f'<span class="figure-hidden" title="{SECONDARY_REASON}" aria-hidden="true">x</span>'
        f'<span class="visually-hidden">{SECONDARY_REASON}</span>'
    ) in html
    hidden_cells = re.findall(r'<td class="num[^"]* num--hidden">(.*?)</td>', html)
    assert hidden_cells
    assert [cell for cell in hidden_cells if "visually-hidden" not in cell] == []


def test_hidden_cells_give_the_threshold_in_force(client, region, settings):
    settings.FIGURES_SUPPRESSION_THRESHOLD = 3

    html = client.get("/en/figures/").text

    assert "Fewer than 3 people: hidden so that no one can be identified" in html
    assert "Fewer than 5 people" not in html


def test_figures_page_narrows_to_a_programme(client, region):
    programme_a, _programme_b = region["programmes"]

    html = client.get(f"/en/figures/?programme={programme_a.pk}").text

    assert headline(html, "People who attended") == "28"
    assert tables(html)[BY_YEAR] == [
        ["2019", "9", "8", "17"],
        ["2020", "6", "5", "11"],
        ["Total", "15", "13", "28"],
    ]
    assert "Programa Trifinio</span>" in html


def test_figures_page_narrows_to_a_country_and_a_year(client, region):
    by_country = client.get("/en/figures/?country=HN").text
    by_year = client.get("/en/figures/?year=2019").text
    by_both = client.get("/en/figures/?country=GT&year=2020").text

    assert headline(by_country, "People who attended") == "11"
    assert tables(by_country)[BY_YEAR] == [["2020", "6", "5", "11"], ["Total", "6", "5", "11"]]
    assert headline(by_year, "People who attended") == "17"
    assert tables(by_year)["People who attended, by country and sex"] == [
        ["Guatemala", "9", "8", "17"],
        ["Total", "9", "8", "17"],
    ]
    assert "No attendance has been recorded yet." in by_both


def test_figures_page_says_why_instead_of_a_table_of_small_cells(client, region):
    _programme_a, programme_b = region["programmes"]

    html = client.get(f"/en/figures/?programme={programme_b.pk}").text

    # 7 women and 2 men: every cell of every table would be hidden.
    assert tables(html) == {}
    assert html.count(WITHHELD) == 3
    assert 'href="/en/figures/">See the figures of every programme, country and year</a>' in html


@pytest.mark.parametrize(
    "query",
    [
        "programme=abc",
        "programme=999999",
        "programme=",
        "country=ZZ",
        "country=gt",
        "year=20x9",
        "year=2018",  # only a private session that year
        "year=2017",  # only a cancelled one
        "year=99999999999999999999999",
        "year=2019&year=../../etc",
        "unknown=1",
    ],
)
def test_figures_page_ignores_filter_values_it_does_not_offer(client, region, query):
    response = client.get(f"/en/figures/?{query}")

    assert response.status_code == 200
    assert headline(response.text, "People who attended") == "37"
    assert response.context["filters"] == {}


def test_figures_page_reports_ignored_filters_and_keeps_the_good_ones(client, region):
    html = client.get("/en/figures/?country=ZZ&year=2021").text

    assert "Some filters were not recognised and have been ignored." in html
    assert headline(html, "People who attended") == "9"


def test_figures_page_offers_only_programmes_and_years_with_public_figures(client, region):
    ProgrammeFactory(name="Programa sin sesiones públicas")

    form = client.get("/en/figures/").context["form"]

    assert [label for _value, label in form.fields["programme"].choices] == [
        "All programmes",
        "Programa Golfo de Fonseca",
        "Programa Trifinio",
    ]
    assert [value for value, _label in form.fields["year"].choices] == [
        "",
        "2021",
        "2020",
        "2019",
    ]


def test_figures_page_never_shows_personal_data(client, region):
    for path in ("/figures/", "/en/figures/", "/en/figures/?year=2020&country=HN"):
        html = client.get(path).text

        assert "Honduras" in html, path  # the scan means something only on a full page
        for value in ("Telésforo", "Membreño", "telesforo.membreno@privado.example", "@"):
            assert value not in html, (path, value)


@pytest.mark.parametrize("extra", [1, 40])
def test_figures_page_takes_the_same_queries_whatever_the_data(
    client, region, django_assert_num_queries, extra
):
    for year in (2019, 2022):
        session = SessionFactory(start=held_on(year), networks=[region["networks"]["GT"]])
        ParticipationFactory.create_batch(extra, session=session)

    # programmes, countries, years, 3 for the figures, 1 for the year table
    with django_assert_num_queries(7):
        response = client.get(f"/en/figures/?programme={region['programmes'][0].pk}")

    assert response.status_code == 200


def test_figures_page_is_served_from_the_page_cache(client, region, django_assert_num_queries):
    caches[PAGE_CACHE].clear()
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=60):
        first = client.get("/en/figures/?year=2019")
        with django_assert_num_queries(0):
            second = client.get("/en/figures/?year=2019")
    caches[PAGE_CACHE].clear()

    assert second.content == first.content


def test_figures_page_is_linked_from_the_navigation_the_conferences_and_the_sitemap(client, db):
    figures_page = client.get("/en/figures/").text
    conferences = client.get("/en/conferences/").text
    sitemap = client.get("/sitemap.xml").content.decode()

    assert '<a href="/en/figures/" aria-current="page">Figures</a>' in figures_page
    assert 'href="/en/figures/"' in conferences
    assert "/figures/</loc>" in sitemap
    assert "/en/figures/</loc>" in sitemap


# Session and conference pages with all their cells hidden ------------------------------------


def test_session_page_says_why_and_links_to_its_programme_instead_of_small_cells(client, region):
    session = region["sessions"][2021]
    _programme_a, programme_b = region["programmes"]

    html = client.get(f"/en/sessions/{session.slug}/").text

    assert tables(html) == {}
    assert html.count(WITHHELD) == 2
    link = f'<a href="/en/figures/?programme={programme_b.pk}">'
    assert f"{link}See the figures of the whole programme</a>" in html
    assert headline(html, "People who attended") == "9"


def test_session_page_without_a_programme_links_to_its_year(client, countries):
    session = SessionFactory(start=held_on(2022), networks=[NetworkFactory()])
    ParticipationFactory.create_batch(3, session=session)
    ParticipationFactory.create_batch(6, session=session, person__sex=Sex.MALE)

    html = client.get(f"/en/sessions/{session.slug}/").text

    assert '<a href="/en/figures/?year=2022">See the figures of 2022</a>' in html


def test_conference_page_links_to_its_own_programme(client, region):
    programme = ProgrammeFactory()
    conference = ConferenceFactory(programme=programme)
    session = SessionFactory(conference=conference, networks=[region["networks"]["SV"]])
    ParticipationFactory.create_batch(4, session=session)

    html = client.get(f"/en/conferences/{conference.slug}/").text

    assert f'<a href="/en/figures/?programme={programme.pk}">' in html
    assert WITHHELD in html


def test_session_page_with_figures_to_show_keeps_its_tables(client, countries):
    session = SessionFactory(networks=[NetworkFactory()])
    institution = InstitutionFactory(country=countries["GT"])
    for sex, count in ((Sex.FEMALE, 12), (Sex.MALE, 8)):
        ParticipationFactory.create_batch(
            count, session=session, person__sex=sex, person__institution=institution
        )

    html = client.get(f"/en/sessions/{session.slug}/").text

    assert tables(html)["People who attended, by country and sex"] == [
        ["Guatemala", "12", "8", "20"],
        ["Total", "12", "8", "20"],
    ]
    assert WITHHELD not in html
