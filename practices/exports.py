"""Open data: every published practice as CSV and as JSON, under CC BY 4.0.

Public fields only: never who submitted or reviewed a practice, nor any other person.
"""

import csv

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from common.text import neutralise_formula

from . import selectors

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


def practice_record(row: dict, url: str) -> dict:
    """One practice (a row of ``selectors.practices_for_export``) as open data, in column
    order: lists stay lists, the CSV joins them."""
    published_at = row["published_at"]
    values = {
        **row,
        "network": row["network"] or "",
        "lead_institution": row["lead_institution"] or "",
        "published_at": published_at.isoformat() if published_at else "",
        "url": url,
    }
    return {column: values[column] for column in COLUMNS}


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    return neutralise_formula(str(value))


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def _records(request):
    # reverse() once, not per row: a slug is URL-safe, so it can stand in the pattern as is.
    placeholder = "__slug__"
    url = request.build_absolute_uri(
        reverse("practices:practice-detail", kwargs={"slug": placeholder})
    )
    prefix, suffix = url.split(placeholder)
    for row in selectors.practices_for_export(chunk_size=CHUNK_SIZE):
        yield practice_record(row, f"{prefix}{row['slug']}{suffix}")


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
