"""An uploaded file kept between its preview and the confirmation, and what a preview lists.

Every upload that is previewed before it is written (the members file, the attendance sheet;
in the admin and in the workspace) keeps the clean file in the server's temporary folder, as
django-import-export's own admin import does (``TempFolderStorage``), under a random name the
confirmation form sends back. That name is checked to be a bare temporary name, never a path,
and the file is removed when it is taken.
"""

import contextlib
import os
import re

from import_export.results import RowResult
from import_export.tmp_storages import TempFolderStorage

#: What a kept upload's name looks like (tempfile's names): never a path.
KEPT_NAME = re.compile(r"^tmp[A-Za-z0-9_]{1,64}$")


class UploadExpired(Exception):
    """The upload kept between preview and confirmation is gone (or was never there)."""


def keep_upload(content: bytes) -> str:
    """Keep an upload in the temporary folder; returns its bare name."""
    storage = TempFolderStorage(read_mode="rb")
    storage.save(content)
    return os.path.basename(storage.name)


def take_upload(kept_name: str) -> bytes:
    """The kept upload's content, removing the file; UploadExpired if it is gone."""
    if not kept_name or not KEPT_NAME.match(kept_name):
        raise UploadExpired
    storage = TempFolderStorage(name=kept_name, read_mode="rb")
    try:
        content = storage.read()
        storage.remove()
    except OSError as error:
        raise UploadExpired from error
    return content


def discard_upload(kept_name: str) -> None:
    with contextlib.suppress(UploadExpired):
        take_upload(kept_name)


def result_totals(result) -> dict:
    """How many rows an import creates, changes and leaves alone."""
    return {
        "new": result.totals[RowResult.IMPORT_TYPE_NEW],
        "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
        "skipped": result.totals[RowResult.IMPORT_TYPE_SKIP],
    }


def problems_by_row(result) -> dict[int, list[str]]:
    """Every problem of the import, by row number (1 is the line under the header; blank
    lines of the file count, see ``reading.sheet_row``)."""
    problems = {row.number: _row_messages(row.error_dict) for row in result.invalid_rows}
    for number, errors in result.row_errors():
        problems.setdefault(number, []).extend(str(error.error) for error in errors)
    return problems


def _row_messages(error_dict):
    return [
        message if column == "__all__" else f"{column}: {message}"
        for column, messages_of_column in error_dict.items()
        for message in messages_of_column
    ]
