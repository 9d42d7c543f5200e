"""The attendance sheet of a session, from upload to import, for any screen that offers it.

The admin's session pages (and the coordinators' workspace) are thin views over these steps:
``may_export_attendance`` / ``may_import_attendance`` (the access rule), ``sheet_preview``
(read an upload, dry-run it, keep it for the confirmation) and ``sheet_import`` (import the
kept upload for real: all rows or none). The sheet's columns and its rows' rules live in
``conferences/resources.py``.
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
from networks import access

from .models import Participation, Session
from .resources import attendance_import, read_attendance_sheet

OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: _("registered"),
    RowResult.IMPORT_TYPE_UPDATE: _("updated"),
    RowResult.IMPORT_TYPE_SKIP: _("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: _("refused"),
    RowResult.IMPORT_TYPE_ERROR: _("refused"),
}


def may_export_attendance(user, session) -> bool:
    """Attendance sheets hold personal data: exporting them is its own permission."""
    return access.allows(user, "export", Participation) and access.allows(
        user, "view", Session, session
    )


def may_import_attendance(user, session) -> bool:
    """An import both registers people and changes attendance."""
    return access.allows(user, "import", Participation) and access.allows(
        user, "view", Session, session
    )


def sheet_preview(*, session, content: bytes, file_format: str, actor, encoding: str = "") -> dict:
    """Dry-run an uploaded sheet; what a preview page lists (see ``_preview``).

    A CSV is read in ``encoding`` ("" detects it; ``encoding_unsure`` in the preview says
    the detection was a guess). A clean sheet is kept for the confirmation: ``stored_name``
    names it. Raises ValueError when the file cannot be read, PermissionDenied when
    ``actor`` may not import.
    """
    if not may_import_attendance(actor, session):
        raise PermissionDenied(gettext("You may not import the attendance of this session."))
    dataset = read_attendance_sheet(content, file_format, encoding)
    result = attendance_import(session=session, dataset=dataset, dry_run=True, actor=actor)
    preview = _preview(result, dataset)
    preview.update(encoding_notes(dataset))
    preview["stored_name"] = keep_upload(content) if preview["is_clean"] else None
    return preview


def sheet_import(*, session, stored_name: str, file_format: str, actor, encoding: str = ""):
    """Import the sheet kept by ``sheet_preview``, read in the preview's ``encoding``; the
    import result (check its errors: the data may have changed since the preview, and then
    nothing was written)."""
    if not may_import_attendance(actor, session):
        raise PermissionDenied(gettext("You may not import the attendance of this session."))
    content = take_upload(stored_name)
    dataset = read_attendance_sheet(content, file_format, encoding)
    return attendance_import(session=session, dataset=dataset, dry_run=False, actor=actor)


# The preview ----------------------------------------------------------------------------------


def _preview(result, dataset):
    """What the preview page lists: every row with its outcome, and every problem."""
    problems = problems_by_row(result)
    headers = list(dataset.headers or [])
    email_column = headers.index("email") if "email" in headers else None
    rows = []
    for position, row_result in enumerate(result.rows, 1):
        # The number the spreadsheet shows (blank rows counted), not the position here.
        number = row_result.number or position
        values = dataset[position - 1] if position <= len(dataset) else ()
        rows.append(
            {
                "number": number,
                "email": values[email_column] if email_column is not None else "",
                "outcome": OUTCOMES.get(row_result.import_type, row_result.import_type),
                "problems": problems.get(number, []),
            }
        )
    base_errors = [str(error.error) for error in result.base_errors]
    return {
        "rows": rows,
        "base_errors": base_errors,
        "bad_rows": [(number, problems[number]) for number in sorted(problems)],
        "is_clean": not (base_errors or problems),
        "totals": result_totals(result),
    }
