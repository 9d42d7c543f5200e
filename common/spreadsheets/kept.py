"""An uploaded file kept between its preview and the confirmation, and what a preview lists.

Every upload that is previewed before it is written (the members file, the attendance sheet;
in the admin and in the workspace) keeps the clean file in a folder of its own
(``KeptSheetStorage``, also the admin import's storage), where abandoned ones expire, under a
random name the confirmation form sends back. That name is checked to be a bare temporary
name, never a path, and the file is removed when it is taken.
"""

import contextlib
import os
import re

from import_export.results import RowResult

from .reading import encoding_label
from .uploads import KeptSheetStorage

#: What a kept upload's name looks like (tempfile's names): never a path.
KEPT_NAME = re.compile(r"^tmp[A-Za-z0-9_]{1,64}$")


class UploadExpired(Exception):
    """The upload kept between preview and confirmation is gone (or was never there)."""


def keep_upload(content: bytes) -> str:
    """Keep an upload in the temporary folder; returns its bare name."""
    storage = KeptSheetStorage(read_mode="rb")
    storage.save(content)
    return os.path.basename(storage.name)


def take_upload(kept_name: str) -> bytes:
    """The kept upload's content, removing the file; UploadExpired if it is gone."""
    if not kept_name or not KEPT_NAME.match(kept_name):
        raise UploadExpired
    storage = KeptSheetStorage(name=kept_name, read_mode="rb")
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


def encoding_notes(dataset, *, samples: int = 6) -> dict:
    """What a preview says of how a CSV's text was read: ``encoding_unsure`` when the
    encoding was only guessed (``reading.decode_text``), the encoding read, and the first
    few cells with accents as read, for the person to judge."""
    if not getattr(dataset, "encoding_unsure", False):
        return {"encoding_unsure": False}
    cells = (
        value
        for values in dataset
        for value in values
        if isinstance(value, str) and not value.isascii()
    )
    accented = []
    for value in cells:
        if value not in accented:
            accented.append(value)
            if len(accented) == samples:
                break
    return {
        "encoding_unsure": True,
        "encoding_read": encoding_label(dataset.encoding_guess),
        "accented_cells": accented,
    }


def problems_by_row(result) -> dict[int, list[str]]:
    """Every problem of the import by row number (the number the spreadsheet program shows,
    see ``reading.sheet_row``), each as "Column header: message" or the row's message."""
    problems = {}
    for problem in result.problems():
        text = f"{problem.column}: {problem.message}" if problem.column else problem.message
        problems.setdefault(problem.number, []).append(text)
    return problems
