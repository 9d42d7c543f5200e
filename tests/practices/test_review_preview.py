"""The review screen's preview is the public page's own content include
(templates/practices/includes/practice_sections.html): the same sections, the same sanitised
Markdown, and no link to a public page that an unpublished practice does not have yet."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practices.enums import AttachmentKind, ImplementationStatus, PracticeType, ReviewStatus
from practices.models import (
    Attachment,
    GCMObjective,
    GCMPrinciple,
    LegalEvidence,
    Practice,
    Replication,
    Theme,
)
from tests.factories import (
    InstitutionFactory,
    NetworkFactory,
    PublishedPracticeFactory,
    StaffUserFactory,
)
from tests.practices.test_admin import grant, practice_in

pytestmark = pytest.mark.django_db

GAZETTE = "https://www.example.org/gaceta"
OFFICIAL_TEXT = "https://www.example.org/ordenanza-12-2019.pdf"


@pytest.fixture
def reviewer_client(client):
    client.force_login(grant(StaffUserFactory(), "view_practice", "change_practice"))
    return client


@pytest.fixture
def visitor():
    """An anonymous visitor of the public site, apart from the reviewer's client."""
    return Client()


@pytest.fixture
def full_practice(border_municipalities):
    """A submitted practice with every field the public page shows filled in."""
    m = border_municipalities
    health = Theme.objects.get(slug="health")
    practice = practice_in(
        ReviewStatus.SUBMITTED,
        title="Ventanilla municipal de orientación",
        summary="Orientación a personas retornadas.",
        body=(
            "La **ventanilla** atiende cada día; ver la [gaceta](" + GAZETTE + ").\n\n"
            "<script>alert(1)</script>"
        ),
        results="- 300 personas atendidas",
        lessons_learned="Involucrar al concejo desde el inicio.",
        challenges="Rotación del personal municipal.",
        replication_requirements="Un acuerdo del concejo municipal.",
        practice_type=PracticeType.PROGRAMME_OR_PROJECT,
        implementation_status=ImplementationStatus.ONGOING,
        year_started=2019,
        network=NetworkFactory(name="Mesa Trifinio", slug="mesa-trifinio"),
        lead_institution=InstitutionFactory(name="Alcaldía de Metapán", country=m["SV"].country),
        partner_institutions=[
            InstitutionFactory(name="Cruz Roja Guatemalteca", country=m["GT"].country)
        ],
        themes=[health],
        gcm_objectives=[GCMObjective.objects.get(number=15)],
        gcm_principles=[GCMPrinciple.objects.get(slug="human-rights")],
        municipalities=[m["SV"], m["GT"]],
    )
    LegalEvidence.objects.create(
        practice=practice,
        number="Acuerdo 12-2019",
        approval_date=datetime.date(2019, 3, 4),
        gazette_reference="Diario Oficial 45",
        url=OFFICIAL_TEXT,
    )
    Replication.objects.create(
        practice=practice, municipality=m["HN"], year=2022, notes="Con fondos propios."
    )
    Attachment.objects.create(
        practice=practice,
        title="Texto de la ordenanza",
        kind=AttachmentKind.LEGAL_TEXT,
        file="practices/0123.pdf",
        original_name="ordenanza.pdf",
        content_type="application/pdf",
        size=2048,
    )
    PublishedPracticeFactory(title="Clínica móvil", themes=[health])  # a related practice
    return practice


def preview_of(client, practice):
    page = client.get(reverse("admin:practices_practice_review", args=[practice.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    start = content.index(">", content.index('class="practice-preview"')) + 1
    return content[start : content.index("</section>", content.index('id="facts-title"'))]


def public_page_of(client, practice):
    """The public page of ``practice``, published for the occasion."""
    Practice.objects.filter(pk=practice.pk).update(
        status=ReviewStatus.PUBLISHED, published_at=timezone.now()
    )
    page = client.get(practice.get_absolute_url())
    assert page.status_code == 200
    content = page.content.decode()
    return content[content.index('<p class="tags">') : content.index("</article>")]


def section_ids(fragment):
    return re.findall(r'aria-labelledby="([^"]+)"', fragment)


def headings(fragment):
    return [_text(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", fragment, re.S)]


def prose(fragment):
    return re.findall(r'<div class="prose"[^>]*>.*?</div>', fragment, re.S)


def hrefs(fragment):
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', fragment)]


def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_preview_shows_every_section_of_the_public_page(reviewer_client, visitor, full_practice):
    preview = preview_of(reviewer_client, full_practice)
    public = public_page_of(visitor, full_practice)

    assert section_ids(preview) == [
        "description-title",
        "results-title",
        "lessons-title",
        "challenges-title",
        "replication-requirements-title",
        "municipalities-title",
        "replications-title",
        "legal-title",
        "attachments-title",
        "cite-title",
        "related-title",
        "facts-title",
    ]
    assert section_ids(preview) == section_ids(public)
    assert headings(preview) == headings(public)


def test_preview_and_public_page_render_the_same_sanitised_markdown(
    reviewer_client, visitor, full_practice
):
    preview = preview_of(reviewer_client, full_practice)
    public = public_page_of(visitor, full_practice)

    assert prose(preview) == prose(public)
    description = prose(preview)[0]
    assert "La <strong>ventanilla</strong> atiende cada día" in description
    assert f'<a href="{GAZETTE}" rel="nofollow noopener">gaceta</a>' in description
    assert "<script" not in preview
    assert "alert(1)" not in preview


def test_preview_of_a_published_practice_reads_as_its_public_page(
    reviewer_client, visitor, full_practice
):
    public = public_page_of(visitor, full_practice)
    preview = preview_of(reviewer_client, Practice.objects.get(pk=full_practice.pk))

    title = _text(preview[: preview.index('<p class="tags">')])
    assert title == "Ventanilla municipal de orientación"
    assert _text(preview[preview.index('<p class="tags">') :]) == _text(public)


def test_preview_links_to_no_public_page_the_public_page_links(
    reviewer_client, visitor, full_practice, border_municipalities
):
    attachment_download = reverse(
        "practices:attachment-download", args=[full_practice.attachments.get().pk]
    )
    # Unpublished, the practice's files are not public: a link to them would be a 404.
    assert visitor.get(attachment_download).status_code == 404

    preview = preview_of(reviewer_client, full_practice)
    public = public_page_of(visitor, full_practice)

    # Only the links written in the practice itself, which lead off the site.
    assert hrefs(preview) == [GAZETTE, OFFICIAL_TEXT]
    assert "Texto de la ordenanza" in preview
    assert "Metapán" in preview
    assert {
        border_municipalities["SV"].get_absolute_url(),
        border_municipalities["GT"].get_absolute_url(),
        border_municipalities["HN"].get_absolute_url(),
        attachment_download,
        GAZETTE,
        OFFICIAL_TEXT,
    } <= set(hrefs(public))
