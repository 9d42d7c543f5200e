"""The public catalogue: the list with search, filters and facets, and each practice's page."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.html import escape

from networks.enums import NetworkKind
from practices.enums import AttachmentKind, ImplementationStatus, PracticeType, ReviewStatus
from practices.models import (
    Attachment,
    GCMObjective,
    GCMPrinciple,
    LegalEvidence,
    Replication,
    Theme,
)
from tests.factories import (
    InstitutionFactory,
    MunicipalityFactory,
    NetworkFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/en/practices/"


def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def card_titles(response):
    page = response.content.decode()
    return [_text(title) for title in re.findall(r'class="card__title">(.*?)</h3>', page, re.S)]


def facet_counts(response):
    """``{filter: {value: count}}`` as the page offers them."""
    return {
        name: {option.value: option.count for option in options}
        for name, options in response.context["facets"].items()
    }


def select_options(response, name):
    """``[(value, text, selected)]`` of the <select> named ``name``."""
    page = response.content.decode()
    select = re.search(rf'<select id="filter-{name}" name="{name}">(.*?)</select>', page, re.S)
    return [
        (value, _text(text), bool(selected))
        for value, selected, text in re.findall(
            r'<option value="([^"]*)"( selected)?>(.*?)</option>', select.group(1), re.S
        )
    ]


def section(response, title_id):
    page = response.content.decode()
    start = page.index(">", page.index(f'id="{title_id}"')) + 1
    return page[start : page.index("</section>", start)]


@pytest.fixture
def catalogue(border_municipalities):
    m = border_municipalities
    health = Theme.objects.get(slug="health")
    livelihoods = Theme.objects.get(slug="livelihoods")
    table = NetworkFactory(
        name="Mesa Trifinio",
        slug="mesa-trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[m["SV"], m["GT"], m["HN"]],
    )
    practices = {
        "ordinance": PublishedPracticeFactory(
            title="Ordenanza de protección",
            practice_type=PracticeType.MUNICIPAL_ORDINANCE,
            municipalities=[m["SV"], m["GT"]],
            themes=[health],
            gcm_objectives=[GCMObjective.objects.get(number=15)],
            network=table,
            year_started=2019,
        ),
        "clinic": PublishedPracticeFactory(
            title="Clínica móvil",
            practice_type=PracticeType.PUBLIC_SERVICE,
            municipalities=[m["GT"]],
            themes=[health, livelihoods],
            year_started=2021,
        ),
        "fair": PublishedPracticeFactory(
            title="Feria de empleo",
            summary="Empleo para jóvenes retornados.",
            practice_type=PracticeType.PROGRAMME_OR_PROJECT,
            municipalities=[m["HN"]],
            themes=[livelihoods],
            network=table,
            year_started=2021,
        ),
    }
    # Not public: must never show, nor count in any facet.
    for status in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.ARCHIVED):
        PracticeFactory(
            title=f"Práctica {status}",
            status=status,
            municipalities=[m["SV"]],
            themes=[health],
            network=table,
            year_started=2019,
        )
    return practices


# The list ------------------------------------------------------------------------------------


def test_list_shows_published_practices_only_newest_first(client, catalogue):
    response = client.get(LIST)

    assert card_titles(response) == ["Feria de empleo", "Clínica móvil", "Ordenanza de protección"]


def test_list_counts_every_option_of_the_results(client, catalogue):
    response = client.get(LIST)

    assert facet_counts(response) == {
        "country": {"SV": 1, "GT": 2, "HN": 1},
        "department": {"SV-SA": 1, "GT-20": 2, "HN-OC": 1},
        "municipality": {"metapan-sv": 1, "esquipulas-gt": 2, "ocotepeque-hn": 1},
        "network": {"mesa-trifinio": 2},
        "theme": {"health": 2, "livelihoods": 2},
        "gcm": {"15": 1},
        "type": {"municipal_ordinance": 1, "public_service": 1, "programme_or_project": 1},
        "year": {"2021": 2, "2019": 1},
    }


def test_list_counts_follow_the_filters(client, catalogue):
    response = client.get(LIST, {"country": "GT", "theme": "health"})

    # The cross-border practice is also in Metapán (SV): the country stays on offer, but
    # departments and municipalities follow the country chosen.
    assert facet_counts(response) == {
        "country": {"SV": 1, "GT": 2},
        "department": {"GT-20": 2},
        "municipality": {"esquipulas-gt": 2},
        "network": {"mesa-trifinio": 1},
        "theme": {"health": 2, "livelihoods": 1},
        "gcm": {"15": 1},
        "type": {"municipal_ordinance": 1, "public_service": 1},
        "year": {"2021": 1, "2019": 1},
    }


def test_list_facets_render_as_labelled_selects_with_counts(client, catalogue):
    response = client.get(LIST, {"country": "GT"})

    assert select_options(response, "country") == [
        ("", "All countries", False),
        ("SV", "El Salvador (1)", False),
        ("GT", "Guatemala (2)", True),
    ]
    assert select_options(response, "gcm") == [
        ("", "All objectives", False),
        ("15", "15. Provide access to basic services for migrants (1)", False),
    ]
    page = response.content.decode()
    assert '<label for="filter-country">Country</label>' in page
    assert "<legend>Narrow the results</legend>" in page


def test_list_keeps_a_chosen_filter_that_leaves_no_result(client, catalogue):
    response = client.get(LIST, {"q": "inexistente", "country": "HN"})

    assert card_titles(response) == []
    assert select_options(response, "country") == [
        ("", "All countries", False),
        ("HN", "Honduras (0)", True),
    ]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"country": "SV"}, {"Ordenanza de protección"}),
        ({"department": "GT-20"}, {"Ordenanza de protección", "Clínica móvil"}),
        ({"municipality": "ocotepeque-hn"}, {"Feria de empleo"}),
        ({"network": "mesa-trifinio"}, {"Ordenanza de protección", "Feria de empleo"}),
        ({"theme": "livelihoods"}, {"Clínica móvil", "Feria de empleo"}),
        ({"gcm": "15"}, {"Ordenanza de protección"}),
        ({"type": "public_service"}, {"Clínica móvil"}),
        ({"year": "2021"}, {"Clínica móvil", "Feria de empleo"}),
        ({"country": "GT", "theme": "livelihoods"}, {"Clínica móvil"}),
        ({"q": "empleo", "year": "2021"}, {"Feria de empleo"}),
        ({"q": "clinica"}, {"Clínica móvil"}),
        ({"q": "draft"}, set()),
        ({"q": "archived or submitted"}, set()),
    ],
)
def test_list_filters_narrow_the_results(client, catalogue, parameters, expected):
    response = client.get(LIST, parameters)

    assert set(card_titles(response)) == expected
    assert "were not recognised" not in response.content.decode()


def test_list_filter_on_two_municipalities_of_a_country_counts_the_practice_once(
    client, catalogue, border_municipalities
):
    other = MunicipalityFactory(
        department=border_municipalities["SV"].department, name="Candelaria"
    )
    catalogue["ordinance"].municipalities.add(other)

    response = client.get(LIST, {"country": "SV"})

    assert card_titles(response) == ["Ordenanza de protección"]
    assert facet_counts(response)["country"] == {"SV": 1, "GT": 1}


def test_list_active_filters_can_be_removed_one_by_one(client, catalogue):
    response = client.get(LIST, {"q": "empleo", "theme": "livelihoods", "year": "2021"})

    links = re.findall(
        r'<ul class="active-filters"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )
    removals = {
        _text(text): parse_qs(urlsplit(html.unescape(href)).query)
        for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', links[0], re.S)
    }
    assert removals == {
        "Remove filter: Livelihoods and economic inclusion": {"q": ["empleo"], "year": ["2021"]},
        "Remove filter: 2021": {"q": ["empleo"], "theme": ["livelihoods"]},
    }


@pytest.mark.parametrize(
    "parameters",
    [
        {"country": "XX"},
        {"department": "nowhere"},
        {"municipality": "atlantis"},
        {"network": "no-such-network"},
        {"theme": "x" * 5000},
        {"gcm": "abc"},
        {"gcm": "99"},
        {"gcm": "99999999999999999999999"},
        {"gcm": "1.5"},
        {"type": "bogus"},
        {"year": "1800"},
        {"year": "twenty"},
        {"sort": "sideways"},
    ],
)
def test_list_ignores_unknown_filters_with_a_message(client, catalogue, parameters):
    response = client.get(LIST, parameters)

    assert response.status_code == 200
    assert len(card_titles(response)) == 3
    assert "Some filters were not recognised and have been ignored." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "&|!():*'",
        "'; DROP TABLE practices_practice; --",
        '"empleo',
        "-empleo",
        "empleo or or",
        "<script>alert(1)</script>",
    ],
)
def test_list_odd_searches_never_fail(client, catalogue, query):
    response = client.get(LIST, {"q": query})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    "parameters",
    [{"q": "emp\x00leo\x00"}, {"q": "empleo\x00"}, {"country": "S\x00V"}, {"theme": "he\x00alth"}],
)
def test_list_answers_400_to_nul_bytes_in_the_search(client, catalogue, parameters):
    """No text with a NUL can be valid (common/request_guard.py): refused, not stripped."""
    response = client.get(LIST, parameters)

    assert response.status_code == 400
    assert response.content.decode() == (
        "The address or the form contains a character that is not allowed (a NUL byte)."
    )


def test_list_cuts_a_very_long_search_to_200_characters(client, catalogue):
    response = client.get(LIST, {"q": "empleo " + "x" * 10_000})

    assert response.status_code == 200
    assert response.context["query"] == "empleo " + "x" * 193
    assert 'maxlength="200"' in response.content.decode()


def test_list_paginates_with_links_that_keep_search_and_filters(client, db):
    livelihoods = Theme.objects.get(slug="livelihoods")
    for number in range(45):
        PublishedPracticeFactory(title=f"Huerto escolar {number:02d}", themes=[livelihoods])
    PublishedPracticeFactory(title="Huerto sin tema")

    first = client.get(LIST, {"q": "huerto", "theme": "livelihoods", "sort": "newest"})

    assert card_titles(first)[:2] == ["Huerto escolar 44", "Huerto escolar 43"]
    assert len(card_titles(first)) == 20
    next_href = re.search(r'<a href="([^"]*)" rel="next">', first.content.decode()).group(1)
    assert parse_qs(urlsplit(html.unescape(next_href)).query) == {
        "q": ["huerto"],
        "theme": ["livelihoods"],
        "sort": ["newest"],
        "page": ["2"],
    }
    second = client.get(LIST + html.unescape(next_href))
    assert card_titles(second)[0] == "Huerto escolar 24"
    assert "Page 2 of 3" in second.content.decode()


@pytest.mark.parametrize(("page", "shown"), [("99999", 3), ("-1", 3), ("abc", 1), ("", 1)])
def test_list_page_out_of_range_shows_the_last_page(client, db, page, shown):
    # Junk shows the first page and too far the last one: stale links still land somewhere.
    for number in range(41):
        PublishedPracticeFactory(title=f"Práctica {number:02d}")

    response = client.get(LIST, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown
    assert len(card_titles(response)) == (1 if shown == 3 else 20)


def _list_queries(django_assert_num_queries, client, parameters):
    # Filters looked up (1 each); the facet counts (with the number of results); the page's
    # ids; its cards; the label table, read by the cards and by the filters (kept between
    # requests in production, read each time in tests).
    expected = 5 + sum(name not in ("q", "type", "year", "sort") for name in parameters)
    with django_assert_num_queries(expected):
        response = client.get(LIST, parameters)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "parameters", [{}, {"country": "SV", "theme": "health", "year": "2020", "q": "huerto"}]
)
def test_list_query_count_does_not_grow_with_the_practices(
    client, border_municipalities, django_assert_num_queries, parameters
):
    health = Theme.objects.get(slug="health")
    places = list(border_municipalities.values())
    network = NetworkFactory()
    # One practice filed under one option of every kind of facet, then 24 under many.
    PublishedPracticeFactory(
        title="Huerto 1",
        themes=[health],
        municipalities=places[:1],
        gcm_objectives=list(GCMObjective.objects.all()[:1]),
        network=network,
        year_started=2020,
    )
    _list_queries(django_assert_num_queries, client, parameters)

    for number in range(2, 26):
        PublishedPracticeFactory(
            title=f"Huerto {number}",
            themes=list(Theme.objects.all()[:3]),
            municipalities=places,
            gcm_objectives=list(GCMObjective.objects.all()[:4]),
            network=network,
            year_started=2020,
        )
    response = _list_queries(django_assert_num_queries, client, parameters)
    assert len(card_titles(response)) == 20


# The practice page ----------------------------------------------------------------------------


@pytest.fixture
def full_practice(catalogue, border_municipalities):
    m = border_municipalities
    practice = catalogue["ordinance"]
    practice.body = "Una ordenanza **pionera** en la región."
    practice.results = "Doscientas familias atendidas."
    practice.lessons_learned = "Involucrar al concejo desde el inicio."
    practice.challenges = "Rotación del personal municipal."
    practice.replication_requirements = "Un acuerdo del concejo municipal."
    practice.implementation_status = ImplementationStatus.COMPLETED
    practice.submitted_by = UserFactory(name="Ana Secreta", email="ana.secreta@example.org")
    practice.save()
    practice.lead_institution = InstitutionFactory(
        name="Alcaldía de Metapán", country=m["SV"].country
    )
    practice.save()
    practice.partner_institutions.set(
        [InstitutionFactory(name="Cruz Roja Guatemalteca", country=m["GT"].country)]
    )
    practice.gcm_principles.set([GCMPrinciple.objects.get(slug="human-rights")])
    LegalEvidence.objects.create(practice=practice, number="Acuerdo 12-2019")
    Replication.objects.create(practice=practice, municipality=m["HN"], year=2022)
    Attachment.objects.create(
        practice=practice,
        title="Texto de la ordenanza",
        kind=AttachmentKind.LEGAL_TEXT,
        file="practices/0123.pdf",
        original_name="ordenanza-firmada-por-ana.pdf",
        content_type="application/pdf",
        size=2048,
    )
    return practice


def _detail(client, practice):
    return client.get(f"/en/practices/{practice.slug}/")


def test_detail_shows_every_public_field(client, full_practice):
    response = _detail(client, full_practice)
    page = response.content.decode()

    assert (
        _text(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)) == "Ordenanza de protección"
    )
    assert "Una ordenanza <strong>pionera</strong> en la región." in page
    for text in (
        "Doscientas familias atendidas.",
        "Involucrar al concejo desde el inicio.",
        "Rotación del personal municipal.",
        "Un acuerdo del concejo municipal.",
        "Municipal ordinance",
        "Completed",
        "Access to health",
        "15. Provide access to basic services for migrants",
        "Human rights",
        "Alcaldía de Metapán",
        "Cruz Roja Guatemalteca",
        "2019",
        "Acuerdo 12-2019",
        "Texto de la ordenanza",
    ):
        assert text in html.unescape(page), text
    assert '<a href="/en/networks/mesa-trifinio/">Mesa Trifinio</a>' in page
    assert _text(section(response, "municipalities-title")) == (
        "Where it is implemented El Salvador Metapán Santa Ana Guatemala Esquipulas Chiquimula"
    )
    assert 'href="/en/municipalities/metapan-sv/"' in section(response, "municipalities-title")
    assert (
        _text(section(response, "replications-title")) == "Replicated in Ocotepeque Honduras, 2022"
    )


def test_detail_has_citation_and_open_graph_tags(client, full_practice):
    response = _detail(client, full_practice)
    page = html.unescape(response.content.decode())

    citation = _text(section(response, "cite-title"))
    assert citation.startswith(
        f"How to cite Ordenanza de protección. Mesa Trifinio, {full_practice.published_at.year}. "
        "Cross-border migration networks. "
        "http://testserver/en/practices/ordenanza-de-proteccion/. Accessed on "
    )
    assert '<meta property="og:title" content="Ordenanza de protección">' in page
    assert (
        '<meta property="og:url" content="http://testserver/en/practices/ordenanza-de-proteccion/">'
        in page
    )
    assert '<meta property="og:type" content="article">' in page


def test_detail_never_shows_who_submitted_it(client, full_practice):
    response = _detail(client, full_practice)

    # The scan means something only on the rendered page, with its attachment listed.
    assert response.status_code == 200
    page = response.content.decode()
    assert full_practice.title in page
    assert "Texto de la ordenanza" in page
    assert "Ana Secreta" not in page
    assert "ana.secreta" not in page
    assert "firmada-por-ana" not in page


def test_detail_links_attachments_to_their_download(client, full_practice):
    documents = section(_detail(client, full_practice), "attachments-title")

    assert _text(documents) == "Documents Texto de la ordenanza Legal text, 2.0 KB"
    attachment = full_practice.attachments.get()
    assert re.findall(r'<a href="([^"]*)">', documents) == [
        f"/en/practices/attachments/{attachment.pk}/download/"
    ]


def test_detail_related_practices_share_themes_and_are_published(client, catalogue):
    health = Theme.objects.get(slug="health")
    livelihoods = Theme.objects.get(slug="livelihoods")
    practice = PublishedPracticeFactory(title="Huerto comunitario", themes=[health, livelihoods])
    PublishedPracticeFactory(title="Sin relación", themes=[Theme.objects.get(slug="children")])
    PublishedPracticeFactory(title="Ambos temas", themes=[health, livelihoods])

    related = section(_detail(client, practice), "related-title")

    # Two shared themes first, then the newest with one; drafts and unrelated never.
    titles = [_text(title) for title in re.findall(r"<a [^>]*>(.*?)</a>", related)]
    assert titles == ["Ambos temas", "Clínica móvil", "Feria de empleo"]


def test_detail_related_practices_are_found_behind_many_newer_drafts(
    client, catalogue, monkeypatch
):
    from practices import selectors

    # Drafts are often the newest records: they must not use up the candidates weighed.
    monkeypatch.setattr(selectors, "RELATED_CANDIDATES", 3)
    health = Theme.objects.get(slug="health")
    practice = PublishedPracticeFactory(title="Huerto comunitario", themes=[health])
    for number in range(5):
        PracticeFactory(title=f"Borrador {number}", themes=[health])

    related = section(_detail(client, practice), "related-title")

    titles = [_text(title) for title in re.findall(r"<a [^>]*>(.*?)</a>", related)]
    assert titles and not any(title.startswith("Borrador") for title in titles)


@pytest.mark.parametrize(
    "status", [status for status in ReviewStatus if status != ReviewStatus.PUBLISHED]
)
def test_detail_is_not_found_unless_published(client, db, status):
    practice = PracticeFactory(title="No publicada", status=status)

    assert _detail(client, practice).status_code == 404
    assert client.get(f"/practices/{practice.slug}/").status_code == 404


def test_detail_works_in_spanish_too(client, catalogue):
    response = client.get("/practices/ordenanza-de-proteccion/")

    assert response.status_code == 200
    assert "Acceso a la salud" in response.content.decode()


def test_detail_query_count_does_not_grow_with_relations(
    client, border_municipalities, django_assert_num_queries
):
    m = border_municipalities
    few = PublishedPracticeFactory(
        title="Pocas relaciones",
        themes=[Theme.objects.get(slug="health")],
        municipalities=[m["SV"]],
    )
    many = PublishedPracticeFactory(
        title="Muchas relaciones",
        themes=list(Theme.objects.all()),
        municipalities=[*m.values(), *(MunicipalityFactory() for _ in range(5))],
        gcm_objectives=list(GCMObjective.objects.all()),
        gcm_principles=list(GCMPrinciple.objects.all()),
        partner_institutions=[InstitutionFactory() for _ in range(4)],
        network=NetworkFactory(),
        lead_institution=InstitutionFactory(),
    )
    LegalEvidence.objects.create(practice=many, number="1-2020")
    for municipality in m.values():
        Replication.objects.create(practice=many, municipality=municipality)
    for number in range(3):
        Attachment.objects.create(
            practice=many,
            title=f"Anexo {number}",
            file=f"practices/{number}.pdf",
            original_name="a.pdf",
            content_type="application/pdf",
            size=10,
        )
    for number in range(5):
        PublishedPracticeFactory(title=f"Relacionada {number}", themes=list(Theme.objects.all()))

    # The practice (with network, lead institution, legal record); its terms, places, partners
    # and attachments (practices/page.py); the related practices.
    with django_assert_num_queries(6):
        assert _detail(client, few).status_code == 200
    with django_assert_num_queries(6):
        response = _detail(client, many)
    page = response.content.decode()
    shown = [
        *(theme.name for theme in Theme.objects.all()),
        *(str(objective) for objective in GCMObjective.objects.all()),
        *(principle.name for principle in GCMPrinciple.objects.all()),
        *(str(institution) for institution in many.partner_institutions.all()),
        *(f"Anexo {number}" for number in range(3)),
        "1-2020",
        "Relacionada",
    ]
    for text in shown:
        assert escape(text) in page, text
    # Every municipality under its country, and each replication again with its country.
    for municipality in many.municipalities.select_related("department__country"):
        assert municipality.get_absolute_url() in page
    replicated = page.split('id="replications-title"')[1].split("</section>")[0]
    for municipality in m.values():
        assert escape(municipality.name) in replicated
        assert escape(municipality.department.country.name) in replicated
