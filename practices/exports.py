"""Open data: every published practice as CSV and as JSON, under CC BY 4.0.

Public fields only: never who submitted or reviewed a practice, nor any other person.
"""

import csv

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from . import selectors
from .models import Practice

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The columns are a public interface: add new ones at the end, never rename or reorder.
COLUMNS = (
    "slug",
    "title",
    "summary",
    "practice_type",
    "themes",
    "gcm_objectives",
    "countries",
    "municipalities",
    "network",
    "lead_institution",
    "year_started",
    "implementation_status",
    "language",
    "published_at",
    "url",
)
LIST_SEPARATOR = ";"
CHUNK_SIZE = 500
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def practice_record(practice: Practice, url: str) -> dict:
    """One practice as open data: lists stay lists, the CSV joins them."""
    municipalities = list(practice.municipalities.all())
    return {
        "slug": practice.slug,
        "title": practice.title,
        "summary": practice.summary,
        "practice_type": practice.practice_type,
        "themes": [theme.slug for theme in practice.themes.all()],
        "gcm_objectives": [objective.number for objective in practice.gcm_objectives.all()],
        "countries": sorted({place.department.country.code for place in municipalities}),
        "municipalities": [place.slug for place in municipalities],
        "network": practice.network.slug if practice.network else "",
        "lead_institution": practice.lead_institution.name if practice.lead_institution else "",
        "year_started": practice.year_started,
        "implementation_status": practice.implementation_status,
        "language": practice.language,
        "published_at": practice.published_at.isoformat() if practice.published_at else "",
        "url": url,
    }


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def _records(request):
    for practice in selectors.practices_for_export().iterator(chunk_size=CHUNK_SIZE):
        yield practice_record(practice, request.build_absolute_uri(practice.get_absolute_url()))


def practice_export_csv(request):
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(COLUMNS)
        for record in _records(request):
            yield writer.writerow([neutralise(record[column]) for column in COLUMNS])

    # Streamed row by row in chunks: memory stays flat however many practices there are.
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="good-practices.csv"'
    # CSV has no place for a licence statement, so it travels in the headers.
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    response["X-License"] = f"{LICENCE_NAME} {LICENCE_URL}"
    return response


def practice_export_json(request):
    envelope = {
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "source": {
            "name": gettext("Cross-border migration networks"),
            "url": request.build_absolute_uri(reverse("practices:practice-list")),
        },
        "generated_at": timezone.now().isoformat(),
        "practices": list(_records(request)),
    }
    response = JsonResponse(envelope, json_dumps_params={"ensure_ascii": False})
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response
