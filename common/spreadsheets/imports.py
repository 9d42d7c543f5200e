"""What lets an import run set-based: no query, and nothing kept, per row.

django-import-export handles a file row by row. ``common.spreadsheets.resources.RegistryResource``
loads what the rows name before the first row (see ``NaturalKeyWidget.load``) and uses the
pieces here so that a row costs Python only:

- :func:`clean_fields` skips the ``SELECT`` a foreign key's validation runs to see that the
  record it points to exists, when that record was just loaded;
- :func:`validate_constraints` checks the models' ``CheckConstraint`` conditions in Python
  instead of one ``SELECT`` per constraint and row;
- :class:`FileResult` keeps the totals, every bad row and the first rows, not every row.

The database constraints stay the last guard: a violation they catch fails the whole file.
"""

import datetime
import logging
import operator
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import router
from django.db.models import CheckConstraint, F, Field, Q
from django.utils.translation import gettext as _
from import_export.results import Error, Result

logger = logging.getLogger(__name__)


class PlainError(Error):
    """An import error as the person importing sees it: a sentence, never a traceback.

    Our own problems (``ValueError``, ``ValidationError``) keep their message, which is
    written for people; anything else is logged for the administrators and shown as a
    plain sentence, without the exception's name, its text or a server path.
    """

    def __init__(self, error, row=None, number=None):
        if not isinstance(error, ValueError | ValidationError | PermissionDenied):
            logger.error("Unexpected error during an import", exc_info=error)
            error = ValueError(
                _(
                    "The import stopped because of an unexpected problem; nothing was "
                    "written. The site's administrators have been told."
                )
            )
        super().__init__(error, row=row, number=number)

    @property
    def traceback(self):
        return ""


class Problem(NamedTuple):
    number: int
    column: str
    message: str


class FileResult(Result):
    """An import's result that keeps the first rows of the file, not every row.

    Totals, every invalid row and every error are kept whatever the size of the file; of the
    rows themselves only the first ``kept_rows`` (what the preview lists), so memory does not
    grow with the file. ``omitted_rows`` counts the others.
    """

    kept_rows = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.omitted_rows = 0
        #: True once the import itself has written the admin log of its rows.
        self.log_written = False

    def append_row_result(self, row_result):
        if len(self.rows) < self.kept_rows:
            self.rows.append(row_result)
        else:
            self.omitted_rows += 1

    def renumber(self, number_of):
        """Report each row under ``number_of(position)`` (its row in the spreadsheet)."""
        for row in [*self.invalid_rows, *self.error_rows]:
            row.number = number_of(row.number)
        for row in self.error_rows:
            for error in row.errors:
                error.number = row.number

    def problems(self):
        """Every problem of the rows, in row order: ``Problem(number, column, message)``,
        ``column`` being the header of the column at fault ("" for the whole row)."""
        labels = getattr(self, "column_labels", {})
        problems = [
            Problem(row.number, "" if key == NON_FIELD_ERRORS else labels.get(key, key), message)
            for row in self.invalid_rows
            for key, messages in row.error_dict.items()
            for message in messages
        ]
        problems += [
            Problem(number, "", str(error.error))
            for number, errors in self.row_errors()
            for error in errors
        ]
        return sorted(problems, key=lambda problem: problem.number)

    def row_errors(self):
        # The library numbers errors by position in ``rows``, which no longer holds every row.
        return [(row.number, row.errors) for row in self.error_rows]


# Fields ----------------------------------------------------------------------------------


_FOREIGN_KEYS = {}


def _foreign_keys(model):
    if model not in _FOREIGN_KEYS:
        _FOREIGN_KEYS[model] = [
            field for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one
        ]
    return _FOREIGN_KEYS[model]


def _known_to_exist(instance, field, written):
    # The related object is attached (the import's or the record's query loaded it), or the
    # file does not write this key of a record read from the database.
    if field.get_limit_choices_to():
        return False  # the existence query also applies those conditions
    return field.is_cached(instance) or (field.name not in written and not instance._state.adding)


def clean_fields(instance, *, exclude, written):
    """``instance.clean_fields(exclude)`` without a query for the foreign keys whose record
    is known to exist (see ``_known_to_exist``); ``written`` names the fields the file sets.

    Those keys still get the rest of their validation (null, blank, validators); a record
    deleted in the meantime is caught by the database's foreign key.
    """
    exclude = set(exclude)
    relations = [
        field
        for field in _foreign_keys(type(instance))
        if field.name not in exclude and _known_to_exist(instance, field, written)
    ]
    errors = {}
    try:
        instance.clean_fields(exclude=exclude | {field.name for field in relations})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field in relations:
        raw_value = getattr(instance, field.attname)
        if field.blank and raw_value in field.empty_values:
            continue
        try:
            value = field.to_python(raw_value)
            Field.validate(field, value, instance)  # not ForeignKey.validate(): it queries
            field.run_validators(value)
        except ValidationError as error:
            errors[field.name] = error.error_list
    if errors:
        raise ValidationError(errors)


# Constraints -----------------------------------------------------------------------------


class _NotInPython(Exception):
    """A condition this module does not evaluate: the database checks it instead."""


_COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Compared the same way in Python and in SQL (text is not: collations order it).
_ORDERED_TYPES = (int, Decimal, datetime.date)


def _column_value(instance, meta, name):
    try:
        field = meta.get_field(name)
    except FieldDoesNotExist:
        raise _NotInPython from None
    if field.is_relation or not field.concrete:
        raise _NotInPython
    return getattr(instance, field.attname)


_READ_BY_CONSTRAINT = {}


def _read_by(model, constraint):
    """The field names a check constraint reads (worked out once per constraint)."""
    key = (model._meta.label, constraint.name)
    if key not in _READ_BY_CONSTRAINT:
        _READ_BY_CONSTRAINT[key] = frozenset(_read_names(Q(constraint.condition)))
    return _READ_BY_CONSTRAINT[key]


def _read_names(condition):
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= _read_names(child)
        else:
            lookup, value = child
            names.add(lookup.split("__")[0])
            if isinstance(value, F):
                names.add(value.name)
    return names


def _truth(condition, instance, meta):
    """SQL's three-valued truth of ``condition`` for the instance: True, False or None."""
    if isinstance(condition, Q):
        values = [_truth(child, instance, meta) for child in condition.children]
        if condition.connector == Q.AND:
            value = False if False in values else None if None in values else True
        elif condition.connector == Q.OR:
            value = True if True in values else None if None in values else False
        else:
            raise _NotInPython
        if condition.negated and value is not None:
            value = not value
        return value
    lookup, expected = condition
    name, _, operation = lookup.partition("__")
    operation = operation or "exact"
    actual = _column_value(instance, meta, name)
    if operation == "isnull":
        return (actual is None) == bool(expected)
    if operation == "exact" and expected is None:
        return actual is None  # Django reads field=None as IS NULL
    if isinstance(expected, F):
        if "__" in expected.name:
            raise _NotInPython
        expected = _column_value(instance, meta, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise _NotInPython
    if operation not in _COMPARISONS:
        raise _NotInPython
    if actual is None or expected is None:
        return None  # NULL compared is unknown
    if operation != "exact" and not (
        isinstance(actual, _ORDERED_TYPES) and isinstance(expected, _ORDERED_TYPES)
    ):
        raise _NotInPython
    try:
        return _COMPARISONS[operation](actual, expected)
    except TypeError:
        raise _NotInPython from None


def _validate_check(constraint, model, instance, exclude, using):
    try:
        if _read_by(model, constraint) & exclude:
            return  # as Django: a field that failed validation is not checked again
        holds = _truth(Q(constraint.condition), instance, model._meta)
    except _NotInPython:
        constraint.validate(model, instance, exclude=exclude, using=using)
        return
    # A CHECK passes unless its condition is false (NULL passes), in SQL and in Django.
    if holds is False:
        raise ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )


def validate_constraints(instance, *, exclude, checked_by_import=()):
    """``Model.validate_constraints()`` without its query per constraint where it can do so.

    Check constraints whose condition compares the instance's own fields (``exact``,
    ``isnull``, ``gt``/``gte``/``lt``/``lte``, ``F()``, and/or/not) are evaluated in Python
    with SQL's rules for NULL; any other constraint is checked by the database as usual,
    except those named in ``checked_by_import``, which the import verifies for the whole file.
    Errors are keyed as Django keys them.
    """
    exclude = set(exclude)
    using = router.db_for_write(type(instance), instance=instance)
    errors = {}
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            if constraint.name in checked_by_import:
                continue
            try:
                if isinstance(constraint, CheckConstraint):
                    _validate_check(constraint, model, instance, exclude, using)
                else:
                    constraint.validate(model, instance, exclude=exclude, using=using)
            except ValidationError as error:
                fields = getattr(constraint, "fields", ())
                if getattr(error, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
