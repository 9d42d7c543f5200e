"""What leaves the portal in bulk: the Atom feed, the sitemap and the open-data files."""

import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET

import pytest

from practices.enums import PracticeType, ReviewStatus
from practices.exports import COLUMNS
from practices.models import GCMObjective, Theme
from tests.factories import (
    InstitutionFactory,
    NetworkFactory,
    PracticeFactory,
    PublishedPracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SUBMITTER_NAME = "Ana Secreta"
SUBMITTER_EMAIL = "ana.secreta@example.org"


def _xml(response):
    return ET.fromstring(response.content)  # noqa: S314 (the portal's own output)


@pytest.fixture
def practices(border_municipalities):
    m = border_municipalities
    submitter = UserFactory(name=SUBMITTER_NAME, email=SUBMITTER_EMAIL)
    older = PublishedPracticeFactory(
        title="Ordenanza de protección",
        summary="Protege a las personas migrantes.",
        practice_type=PracticeType.MUNICIPAL_ORDINANCE,
        themes=[Theme.objects.get(slug="health"), Theme.objects.get(slug="children")],
        gcm_objectives=[GCMObjective.objects.get(number=n) for n in (15, 7)],
        municipalities=[m["GT"], m["SV"]],
        network=NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio"),
        lead_institution=InstitutionFactory(name="Alcaldía de Metapán", country=m["SV"].country),
        year_started=2019,
        submitted_by=submitter,
    )
    newer = PublishedPracticeFactory(
        title="Feria de empleo",
        summary="Empleo para jóvenes retornados.",
        municipalities=[m["HN"]],
        submitted_by=submitter,
    )
    for status in ReviewStatus:
        if status != ReviewStatus.PUBLISHED:
            PracticeFactory(title=f"Oculta {status}", slug=f"oculta-{status}", status=status)
    return {"older": older, "newer": newer}


# Feed ----------------------------------------------------------------------------------------


def test_feed_lists_published_practices_newest_first(client, practices):
    response = client.get("/en/practices/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = _xml(response)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Feria de empleo",
        "Ordenanza de protección",
    ]
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == [
        "http://testserver/en/practices/feria-de-empleo/",
        "http://testserver/en/practices/ordenanza-de-proteccion/",
    ]
    assert {c.get("term") for c in entries[1].findall(f"{ATOM}category")} == {
        "Access to health",
        "Children and adolescents",
    }


def test_feed_never_names_people(client, practices):
    response = client.get("/practices/feed/")

    # The scan means something only on the feed itself, with its entries.
    assert response.status_code == 200
    content = response.content.decode()
    assert practices["older"].title in content
    assert SUBMITTER_NAME not in content
    assert SUBMITTER_EMAIL not in content
    assert "Oculta" not in content


# Sitemap ---------------------------------------------------------------------------------------


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_signed_in_pages(client, db):
    response = client.get("/robots.txt", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://testserver/sitemap.xml" in lines
    for path in ("/admin/", "/dashboard/", "/en/dashboard/", "/accounts/"):
        assert f"Disallow: {path}" in lines
    # The public pages stay open to crawlers.
    assert "Disallow: /" not in lines and "Disallow: /practices/" not in lines


def test_sitemap_lists_published_practices_in_both_languages(client, practices):
    response = client.get("/sitemap.xml")

    urlset = _xml(response)
    practice_urls = {
        url.findtext(f"{SITEMAP}loc")
        for url in urlset.findall(f"{SITEMAP}url")
        if "/practices/" in url.findtext(f"{SITEMAP}loc")
    }
    assert practice_urls == {
        "http://testserver/practices/ordenanza-de-proteccion/",
        "http://testserver/en/practices/ordenanza-de-proteccion/",
        "http://testserver/practices/feria-de-empleo/",
        "http://testserver/en/practices/feria-de-empleo/",
    }
    # The other sitemaps are still there.
    assert "/networks/mesa-trifinio/" in response.content.decode()


# CSV -------------------------------------------------------------------------------------------


def _csv_rows(response):
    assert response.streaming
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content))), content


def test_csv_export_has_stable_columns_and_published_rows_only(client, practices):
    response = client.get("/en/practices/export.csv")
    rows, content = _csv_rows(response)

    assert content.splitlines()[0] == ",".join(COLUMNS)
    assert [row["slug"] for row in rows] == ["feria-de-empleo", "ordenanza-de-proteccion"]
    published_at = practices["older"].published_at.astimezone(datetime.UTC).isoformat()
    assert rows[1] == {
        "slug": "ordenanza-de-proteccion",
        "title": "Ordenanza de protección",
        "summary": "Protege a las personas migrantes.",
        "practice_type": "municipal_ordinance",
        "themes": "children;health",
        "gcm_objectives": "7;15",
        "countries": "GT;SV",
        "municipalities": "esquipulas-gt;metapan-sv",
        "network": "mesa-trifinio",
        "lead_institution": "Alcaldía de Metapán",
        "year_started": "2019",
        "implementation_status": "ongoing",
        "language": "es",
        "published_at": published_at,
        "url": "http://testserver/en/practices/ordenanza-de-proteccion/",
    }


def test_csv_export_states_its_licence_in_headers(client, practices):
    response = client.get("/practices/export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert response["X-License"] == "CC BY 4.0 https://creativecommons.org/licenses/by/4.0/"
    assert response["Content-Disposition"] == 'attachment; filename="good-practices.csv"'


def test_csv_export_never_holds_personal_data(client, practices):
    response = client.get("/practices/export.csv")

    # The scan means something only on the export itself, with its rows.
    assert response.status_code == 200
    rows, content = _csv_rows(response)
    assert {row["title"] for row in rows} == {p.title for p in practices.values()}
    assert SUBMITTER_NAME not in content
    assert SUBMITTER_EMAIL not in content
    assert "Oculta" not in content


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        ('=HYPERLINK("http://evil.example","clic")', '\'=HYPERLINK("http://evil.example","clic")'),
        ("+1 práctica", "'+1 práctica"),
        ("-2 horas", "'-2 horas"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tTabulada", "'\tTabulada"),
        ("\rRetorno", "'\rRetorno"),
        ("Práctica = normal", "Práctica = normal"),
    ],
)
def test_csv_export_neutralises_formulas(client, db, title, cell):
    PublishedPracticeFactory(title=title, slug="formula", summary=title)

    rows, _content = _csv_rows(client.get("/practices/export.csv"))

    assert (rows[0]["title"], rows[0]["summary"]) == (cell, cell)


def test_csv_export_query_count_does_not_grow_with_the_practices(
    client, border_municipalities, django_assert_num_queries
):
    PublishedPracticeFactory(municipalities=[border_municipalities["SV"]])
    # Practices with network and lead institution, then themes, objectives, municipalities.
    with django_assert_num_queries(4):
        _csv_rows(client.get("/practices/export.csv"))

    themes = list(Theme.objects.all()[:4])
    for _ in range(30):
        PublishedPracticeFactory(
            themes=themes,
            municipalities=list(border_municipalities.values()),
            network=NetworkFactory(),
        )
    with django_assert_num_queries(4):
        rows, _content = _csv_rows(client.get("/practices/export.csv"))
    assert len(rows) == 31


# JSON ------------------------------------------------------------------------------------------


def test_json_export_wraps_the_practices_with_licence_and_source(client, practices):
    response = client.get("/en/practices/export.json")

    data = json.loads(response.content)
    assert set(data) == {"licence", "source", "generated_at", "practices"}
    assert data["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert data["source"] == {
        "name": "Cross-border migration networks",
        "url": "http://testserver/en/practices/",
    }
    assert [practice["slug"] for practice in data["practices"]] == [
        "feria-de-empleo",
        "ordenanza-de-proteccion",
    ]
    ordinance = data["practices"][1]
    assert list(ordinance) == list(COLUMNS)
    assert ordinance["themes"] == ["children", "health"]
    assert ordinance["gcm_objectives"] == [7, 15]
    assert ordinance["countries"] == ["GT", "SV"]
    assert ordinance["year_started"] == 2019
    assert data["practices"][0]["network"] == ""


def test_json_export_never_holds_personal_data(client, practices):
    response = client.get("/practices/export.json")

    # The scan means something only on the export itself, with its records.
    assert response.status_code == 200
    content = response.content.decode()
    assert {p["title"] for p in json.loads(content)["practices"]} == {
        p.title for p in practices.values()
    }
    assert SUBMITTER_NAME not in content
    assert SUBMITTER_EMAIL not in content
    assert "submitted" not in content
    assert "Oculta" not in content
