"""A members file, from upload to import: the steps the upload pages are thin views over.

``may_import_members`` (the access rule), ``sheet_preview`` (read the upload, dry-run it
through the same engine and rules as the staff import, keep a clean file for the
confirmation) and ``sheet_import`` (import the kept file for real: all rows or none). The
upload is kept in the server's temporary folder between the two steps, as the admin's
import keeps it (django-import-export's ``TempFolderStorage``); the session of whoever
uploaded it holds its name, so nobody can confirm a file they did not upload.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.results import RowResult

from common.spreadsheets.kept import (
    encoding_notes,
    keep_upload,
    problems_by_row,
    result_totals,
    take_upload,
)

from .. import access
from ..models import Membership, Person
from ..resources import members_import, read_members_sheet

OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: _("new seat"),
    RowResult.IMPORT_TYPE_UPDATE: _("seat changed"),
    RowResult.IMPORT_TYPE_SKIP: _("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: _("refused"),
    RowResult.IMPORT_TYPE_ERROR: _("refused"),
}


def may_import_members(user) -> bool:
    """A members file adds people and starts, changes and ends seats."""
    return access.allows(user, "import", Membership) and access.allows(user, "add", Person)


def _require(actor, network):
    if not may_import_members(actor) or not access.allows(
        actor, "add", Membership, Membership(network=network)
    ):
        raise PermissionDenied(gettext("You may not upload the members of this network."))


def sheet_preview(*, network, content: bytes, file_format: str, actor, encoding: str = "") -> dict:
    """Dry-run an uploaded members file: what the preview page lists (see ``_preview``).

    A CSV is read in ``encoding`` ("" detects it; ``encoding_unsure`` in the preview says
    the detection was a guess). A clean file is kept for the confirmation: ``kept_name``
    names it. Raises ValueError when the file cannot be read, PermissionDenied when
    ``actor`` may not import.
    """
    _require(actor, network)
    dataset = read_members_sheet(content, file_format, encoding)
    resource, result = members_import(network=network, dataset=dataset, dry_run=True, actor=actor)
    preview = _preview(resource, result, dataset)
    preview.update(encoding_notes(dataset))
    preview["kept_name"] = keep_upload(content) if preview["is_clean"] else None
    return preview


def sheet_import(*, network, kept_name: str, file_format: str, actor, encoding: str = ""):
    """Import the file kept by ``sheet_preview``, read in the preview's ``encoding``; the
    import result (check its errors: the data may have changed since the preview, and then
    nothing was written)."""
    _require(actor, network)
    content = take_upload(kept_name)
    dataset = read_members_sheet(content, file_format, encoding)
    _resource, result = members_import(network=network, dataset=dataset, dry_run=False, actor=actor)
    return result


# The preview ----------------------------------------------------------------------------------


def _preview(resource, result, dataset):
    """Every row with its outcome and its problems, and the file's own problems."""
    problems = problems_by_row(result)
    headers = list(dataset.headers or [])

    def cell(values, name):
        return values[headers.index(name)] if name in headers and values else ""

    rows = []
    for position, row_result in enumerate(result.rows, 1):
        # The number the spreadsheet shows (blank rows counted), not the position here.
        number = row_result.number or position
        values = dataset[position - 1] if position <= len(dataset) else ()
        name = f"{cell(values, 'first_name') or ''} {cell(values, 'last_name') or ''}".strip()
        rows.append(
            {
                "number": number,
                "email": cell(values, "email") or "",
                "name": name,
                "role": cell(values, "role") or "",
                "outcome": OUTCOMES.get(row_result.import_type, row_result.import_type),
                "new_person": number in resource.new_person_rows,
                "problems": problems.get(number, []),
            }
        )
    base_errors = [str(error.error) for error in result.base_errors]
    return {
        "rows": rows,
        "omitted_rows": result.omitted_rows,
        "total_rows": result.total_rows,
        "base_errors": base_errors,
        "bad_rows": [(number, problems[number]) for number in sorted(problems)],
        "is_clean": not (base_errors or problems) and bool(result.total_rows),
        "totals": result_totals(result),
        "new_people": len(resource.new_person_rows),
    }
