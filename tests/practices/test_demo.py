"""The demo good practices loaded by ``manage.py load_demo`` (practices.demo)."""

import re
from collections import Counter
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from practices.demo import PRACTICES, pdf_document
from practices.enums import PracticeType, ReviewStatus
from practices.models import Attachment, Practice, Replication, ReviewLogEntry
from practices.search import practice_search

pytestmark = pytest.mark.django_db

CITALA = "ordenanza-fondo-municipal-empleo-emprendimiento-citala"
OCOTEPEQUE = "ordenanza-capital-semilla-emprendimiento-juvenil-ocotepeque"
ESQUIPULAS = "oficina-municipal-atencion-personas-retornadas-esquipulas"
SUBMITTED = "convenio-atencion-salud-paso-fronterizo-el-poy"
DRAFT = "feria-transfronteriza-empleo-el-amatillo"


@dataclass
class Run:
    output: str
    practices: dict  # slug -> (status, updated_at, published_at)
    counts: dict
    files: set


def _run_command(media) -> Run:
    stdout = StringIO()
    with translation.override("en"):
        call_command("load_demo", allow_production=True, stdout=stdout)
    return Run(
        output=stdout.getvalue(),
        practices={
            slug: rest
            for slug, *rest in Practice.objects.values_list(
                "slug", "status", "updated_at", "published_at"
            )
        },
        counts={
            "attachments": Attachment.objects.count(),
            "replications": Replication.objects.count(),
            "review_log": ReviewLogEntry.objects.count(),
        },
        files={path.name for path in media.rglob("*") if path.is_file()},
    )


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo_runs(django_db_setup, django_db_blocker, demo_media):
    """The command run twice, once for the whole module; rolled back afterwards.

    Module-scoped, so it cannot use the ``settings`` fixture: the files go to the module's
    own folder, which the tests reading files point MEDIA_ROOT at again.
    """
    with (
        override_settings(MEDIA_ROOT=demo_media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        runs = [_run_command(demo_media), _run_command(demo_media)]
        yield runs
        transaction.set_rollback(True)


@pytest.fixture
def demo_files(demo_runs, demo_media, settings):
    settings.MEDIA_ROOT = demo_media
    return demo_media


def test_load_demo_practices_second_run_writes_nothing(demo_runs):
    first, second = demo_runs

    assert len(first.practices) == len(PRACTICES) == 14
    assert first.counts == {"attachments": 4, "replications": 5, "review_log": 25}
    assert second.practices == first.practices
    assert second.counts == first.counts
    assert second.files == first.files
    assert len(first.files) == 4


def test_load_demo_prints_the_published_count(demo_runs):
    first, second = demo_runs

    assert "  Published good practices: 12\n" in first.output
    assert "  Published good practices: 12\n" in second.output
    # The registry's own report is still there.
    assert "  Networks: 3\n" in first.output


def test_load_demo_practices_status_mix(demo_runs):
    statuses = dict(Practice.objects.values_list("slug", "status"))
    published = Practice.objects.published()

    assert {slug for slug, status in statuses.items() if status != ReviewStatus.PUBLISHED} == {
        SUBMITTED,
        DRAFT,
    }
    assert statuses[SUBMITTED] == ReviewStatus.SUBMITTED
    assert statuses[DRAFT] == ReviewStatus.DRAFT
    assert Counter(published.values_list("language", flat=True)) == {"es": 10, "en": 2}


def test_load_demo_submitted_practice_awaits_review_with_a_log_entry(demo_runs):
    practice = Practice.objects.get(slug=SUBMITTED)

    assert list(practice.review_log.values_list("actor__email", "from_status", "to_status")) == [
        ("staff@example.org", ReviewStatus.DRAFT, ReviewStatus.SUBMITTED)
    ]
    assert practice.submitted_by.email == "staff@example.org"
    assert practice.published_at is None


def test_load_demo_published_practices_went_through_review(demo_runs):
    logs = {
        practice.slug: [(entry.from_status, entry.to_status) for entry in practice.review_log.all()]
        for practice in Practice.objects.published().prefetch_related("review_log")
    }

    assert len(logs) == 12
    assert set(map(tuple, logs.values())) == {
        (
            (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED),
            (ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED),
        )
    }


def test_load_demo_accentless_search_finds_the_ordinances(demo_runs):
    published = Practice.objects.published()

    found = {practice.slug for practice in practice_search(published, "ordenanza migracion")}

    assert found == {CITALA, OCOTEPEQUE, ESQUIPULAS}
    assert {p.slug for p in practice_search(published, "emprendimiento juvenil ocotepeque")} == {
        OCOTEPEQUE
    }


def test_load_demo_search_never_returns_unpublished_practices(demo_runs):
    found = {p.slug for p in practice_search(Practice.objects.published(), "paso fronterizo")}

    assert found  # the query matches published practices too
    assert SUBMITTED not in found
    assert {p.slug for p in practice_search(Practice.objects.all(), "convenio salud")} == {
        SUBMITTED
    }


def test_load_demo_ordinances_have_legal_evidence_and_a_pdf(demo_files):
    ordinances = Practice.objects.published().filter(
        practice_type=PracticeType.MUNICIPAL_ORDINANCE, language="es"
    )

    assert {practice.slug for practice in ordinances} == {CITALA, OCOTEPEQUE, ESQUIPULAS}
    for practice in ordinances:
        evidence = practice.legal_evidence
        assert "datos de demostración" in evidence.number
        assert evidence.approval_date.year in (2018, 2019, 2020)
        assert evidence.gazette_reference.endswith("(ejemplo)")
        (attachment,) = practice.attachments.all()
        assert attachment.content_type == "application/pdf"
        assert attachment.file.name.endswith(".pdf")
        with attachment.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-1.4")
        assert len(content) == attachment.size


def test_load_demo_centre_piece_detail_page_shows_legal_record_and_replication(demo_runs, client):
    response = client.get(Practice.objects.get(slug=CITALA).get_absolute_url())

    content = response.content.decode()
    assert "Ordenanza municipal 03-2019 (ficticia, datos de demostración)" in content
    assert "Diario Oficial, tomo 000, n.º 000 (ejemplo)" in content
    assert "San Ignacio" in content
    assert "Texto de la ordenanza 03-2019 (ejemplo)" in content
    assert "Registro ilustrativo con datos de demostración" in content


def test_load_demo_unpublished_practices_are_not_public(demo_runs, client):
    for slug in (SUBMITTED, DRAFT):
        response = client.get(Practice.objects.get(slug=slug).get_absolute_url())
        assert response.status_code == 404


def test_pdf_document_xref_points_at_each_object():
    document = pdf_document(["Ordenanza (ejemplo) – Citalá", "n.º 03-2019 \\ ficticia"])

    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", document)[1])
    assert document[startxref:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n \n", document[startxref:])
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert document[int(offset) :].startswith(b"%d 0 obj\n" % number)
    stream = re.search(rb"/Length (\d+) >>\nstream\n(.*)\nendstream", document, re.DOTALL)
    assert int(stream[1]) == len(stream[2])
    # Accents in WinAnsi, parentheses and backslashes escaped.
    assert b"(Ordenanza \\(ejemplo\\) \x96 Cital\xe1) Tj" in document
    assert b"(n.\xba 03-2019 \\\\ ficticia) Tj" in document
