"""The base of every spreadsheet import and export (django-import-export).

Rules every import keeps:

- A file with any bad row writes nothing; the preview lists every bad row with its number
  and the reason, under the number the spreadsheet program shows beside it: the header is
  row 1 and blank rows count (``reading.sheet_row``; a dataset built in code is read as a
  sheet whose header is row 1, so its first row is row 2).
- No traceback or exception name reaches a page: errors are ``PlainError`` (imports.py).
- Rows are validated with the model's ``full_clean()`` (constraints included), and each
  resource adds its own rules in ``complete_instance``.
- A file names each record once: a row repeating an earlier row's key (the same e-mail in
  any case, the same institution name...) is an error of the later row.
- Imports are set-based (see ``RegistryResource`` and ``common/spreadsheets/imports.py``):
  what the rows name is loaded before the first row, and resources with ``use_bulk`` write
  in batches, so a file of 10 000 rows takes seconds and memory does not grow with it.
- Exported text that a spreadsheet would run as a formula gets a leading quote; importing
  removes that quote again.
- Public pages showing what an import wrote are forgotten when its transaction commits.
"""

import copy
from contextlib import nullcontext
from functools import partial

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from common.audit import acting_as, not_recorded
from common.caching import forget_public_pages
from common.text import fold, neutralise_formula

from .imports import FileResult, PlainError, clean_fields, validate_constraints
from .reading import sheet_row
from .widgets import (
    FindsReferences,
    NaturalKeyWidget,
    RememberedReferences,
    TextWidget,
    chunked,
    clean_cell,
)

# Cells these widgets write are numbers, dates or booleans, never formulas: left as they are.
NATIVE_VALUE_WIDGETS = (
    widgets.NumberWidget,
    widgets.DateWidget,
    widgets.DateTimeWidget,
    widgets.TimeWidget,
    widgets.DurationWidget,
    widgets.BooleanWidget,
)


#: The reason the audit trail records for the versions an import writes.
IMPORT_REASON = "import"


def column(name, widget=None, *, label=None, **kwargs):
    """A resource field known in code by its stable ``name`` and headed in files by
    ``label``, in the reader's language (by default the verbose name of the model field its
    ``attribute`` ends at: pass one where the column shows a related record's key)."""
    kwargs.setdefault("attribute", name)
    field = Field(column_name=name, widget=widget or TextWidget(), **kwargs)
    field.label = label
    return field


def verbose_name_of(model, attribute):
    """The verbose name of the model field an attribute path ends at ("person__sex": sex),
    or None when the path does not end at a field (a property)."""
    field = None
    for part in attribute.split("__") if attribute else []:
        try:
            field = model._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        model = field.related_model
    return getattr(field, "verbose_name", None)


class _Heading:
    """A column as the admin's import and export pages list it: by its file header."""

    def __init__(self, column_name):
        self.column_name = column_name


class RegistryResource(resources.ModelResource):
    """Shared behaviour of every import and export resource (see the module docstring).

    Set-based: before the first row, one query per column that names other records (see
    ``NaturalKeyWidget.load``) and one for the records the rows update; rows then run no
    query of their own, except what a model's ``clean()`` asks and, in resources that do
    not write in bulk, their own save. See ``common/spreadsheets/imports.py``.
    """

    #: Import id fields matched whatever the case of their letters.
    case_insensitive_ids = frozenset()
    #: The unique constraint the import key stands for. Rows are matched to existing records
    #: by that key and a file may name a record once, so the import checks it for the whole
    #: file instead of with one query per row (the database still enforces it).
    import_key_constraint = None
    #: Whether rows may create records that later rows name (a municipality that a later row
    #: names as successor): then the references of ``FindsReferences`` columns are looked up
    #: row by row, not once per file.
    creates_named_records = False

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
        batch_size = 1000  # rows per write, in resources with use_bulk

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        #: Who imports: the write hooks (``save_record``, ``save_many``) pass them to the
        #: services, which check the access rule and name them in the audit trail.
        self.actor = actor
        # Options of this resource object, not of the class: the library's import_row()
        # sets store_instance on them (which would stay set for every later import in the
        # process), and import_row() below sets skip_diff.
        self._meta = copy.copy(type(self)._meta)
        self._import_fields = None
        self._start_import(dry_run=False, log_saved=None)

    def _start_import(self, *, dry_run, log_saved):
        self._previewing = dry_run
        self._log_saved = log_saved
        self._file_headers = []
        self._unlogged = []
        self._existing = {}
        self._seen_keys = {}
        self._row_key = None
        self._row_number = 0
        self._values_before = None
        self._blank_values = None
        self._dataset = None

    @classmethod
    def get_result_class(cls):
        return FileResult

    def get_error_result_class(self):
        return PlainError

    def get_import_fields(self):
        # Asked several times a row; the fields do not change during an import.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
            self._written = {f.attribute for f in self._import_fields if not f.readonly}
            self._unique_exclude, self._checks_unique = self._unique_checks_of_columns()
        return self._import_fields

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Import ``dataset``; ``log_saved`` (optional) is called with each batch of saved
        records, ``{"new": [...], "update": [...]}``, inside the import's transaction."""
        self._start_import(dry_run=dry_run, log_saved=kwargs.pop("log_saved", None))
        self._file_headers = [str(header or "").strip() for header in dataset.headers or []]
        if dataset.headers:
            dataset.headers = self.column_names_of(dataset.headers)
        # All or nothing, whoever calls: one bad row rolls back the whole file. Every
        # version the import writes names the importer, with the reason "import".
        # A preview is rolled back whatever happens: its writes leave no versions.
        self._dataset = dataset
        with acting_as(self.actor, IMPORT_REASON), not_recorded() if dry_run else nullcontext():
            result = super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                use_transactions=True,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=True,
                **kwargs,
            )
        result.renumber(partial(sheet_row, dataset))
        result.column_labels = self.error_labels()
        return result

    def _check_import_id_fields(self, headers):
        # The library's message is English and names its own settings.
        self.require_columns(headers, [self.fields[name] for name in self.get_import_id_fields()])

    def require_columns(self, headers, fields):
        """ValueError naming, by their headers, the ``fields`` whose column the file lacks."""
        missing = [
            self.column_label(field) for field in fields if field.column_name not in (headers or [])
        ]
        if missing:
            raise ValueError(
                _(
                    "The file needs the columns %(missing)s (it has: %(found)s). Save the "
                    "sheet with its header row first."
                )
                % {
                    "missing": ", ".join(f"“{label}”" for label in missing),
                    "found": ", ".join(header for header in self._file_headers if header) or "—",
                }
            )

    # Column headers ------------------------------------------------------------------------

    @classmethod
    def column_label(cls, field) -> str:
        """The header of ``field``'s column in the current language (see :func:`column`)."""
        label = field.label or verbose_name_of(cls._meta.model, field.attribute)
        return capfirst(str(label or field.column_name))

    @classmethod
    def column_names_of(cls, headers) -> list[str]:
        """A file's headers as column names: a column may be headed by its name
        ("first_name", "first name") or by its label in Spanish or English, in any case,
        with or without accents, with spaces around; other headers are kept as they are."""
        accepted = {}
        for field in cls.fields.values():
            for text in (field.column_name, field.column_name.replace("_", " ")):
                accepted.setdefault(fold(text), field.column_name)
        for language in ("es", "en"):
            with override(language):
                for field in cls.fields.values():
                    accepted.setdefault(fold(cls.column_label(field)), field.column_name)
        return [
            accepted.get(fold(header or ""), str(header or "").strip(" \u00a0"))
            for header in headers
        ]

    def error_labels(self) -> dict[str, str]:
        """The header each key of a row's errors stands for (column or model field name)."""
        labels = {}
        for field in self.fields.values():
            label = self.column_label(field)
            labels[field.column_name] = label
            labels.setdefault((field.attribute or field.column_name).split("__")[0], label)
        return labels

    def get_export_headers(self, selected_fields=None):
        return [self.column_label(field) for field in self.get_export_fields(selected_fields)]

    def get_diff_headers(self):
        # The admin preview's table of rows: headed as the file is.
        return [self.column_label(field) for field in self.get_import_fields()]

    def get_user_visible_fields(self):
        # What the admin's import and export pages list: the file's headers, not code names.
        return [_Heading(self.column_label(field)) for field in self.get_import_fields()]

    # Before the rows: load what they name ----------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        headers = dataset.headers or []
        for field in self.get_import_fields():
            if isinstance(field.widget, NaturalKeyWidget) and field.column_name in headers:
                field.widget.load(clean_cell(value) for value in dataset[field.column_name])
            elif isinstance(field.widget, FindsReferences) and not self.creates_named_records:
                field.widget.references = RememberedReferences(field.widget.find_one)
        self._existing = self._load_existing(dataset)

    def _load_existing(self, dataset):
        """The records the rows name, by import key (one query per chunk of keys)."""
        headers = dataset.headers or []
        names = self.get_import_id_fields()
        if not all(self.fields[name].column_name in headers for name in names):
            return {}
        keys = set()
        for values in dataset:
            key = self.row_key(dict(zip(headers, map(clean_cell, values), strict=False)))
            if key is not None:
                keys.add(key)
        existing = {}
        for chunk in chunked(keys, self._meta.model, per_item=len(names)):
            queryset = self.with_related(self.get_queryset())
            for position, name in enumerate(names):
                attribute = self.fields[name].attribute
                values = {key[position] for key in chunk}
                if name in self.case_insensitive_ids:
                    # Lower(), as the case-insensitive unique indexes (iexact is UPPER()).
                    alias = f"import_key_{position}"
                    queryset = (
                        queryset.alias(**{alias: Lower(attribute)})
                        .filter(**{f"{alias}__in": values})
                        .exclude(**{attribute: ""})
                    )
                else:
                    queryset = queryset.filter(**{f"{attribute}__in": values})
            for instance in queryset.order_by("pk"):
                key = self.instance_key(instance)
                if key in keys:
                    existing.setdefault(key, instance)
        return existing

    def row_key(self, row):
        """The values of a row's import id fields: text in lower case where matched any
        case, records by pk. ``None`` when one is missing or does not resolve."""
        key = []
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                value = field.clean(row)
            except ValueError:
                return None
            if value is None or value == "":
                return None
            if isinstance(value, models.Model):
                value = value.pk
            elif name in self.case_insensitive_ids:
                value = str(value).strip().lower()
            key.append(value)
        return tuple(key)

    def instance_key(self, instance):
        """:meth:`row_key` of the row that would name ``instance``."""
        key = []
        for name in self.get_import_id_fields():
            model_field = self._meta.model._meta.get_field(self.fields[name].attribute)
            value = getattr(instance, model_field.attname)
            if name in self.case_insensitive_ids:
                value = value.strip().lower()
            key.append(value)
        return tuple(key)

    # Each row ----------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        position = kwargs.get("row_number", self._row_number + 1)
        # The number the rows' messages give ("already in row 4") is the spreadsheet's.
        kwargs["row_number"] = self._row_number = sheet_row(self._dataset, position)
        # Diffs only for the rows a preview lists (those its result keeps). Without a diff
        # the library keeps no copy of the record either: skip_row() then compares with the
        # values after_init_instance() noted.
        self._meta.skip_diff = type(self)._meta.skip_diff or not (
            self._previewing and position <= FileResult.kept_rows
        )
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = self._row_number
        return row_result

    def before_import_row(self, row, **kwargs):
        for column_name, value in row.items():
            row[column_name] = clean_cell(value)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if self._meta.skip_diff:
            if new:
                if self._blank_values is None:
                    self._blank_values = self._compared_values(instance)
                self._values_before = self._blank_values
            else:
                self._values_before = self._compared_values(instance)

    def _compared_values(self, instance):
        return [
            field.get_value(instance)
            for field in self.get_import_fields()
            if not isinstance(field.widget, widgets.ManyToManyWidget)
        ]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self._meta.skip_diff or import_validation_errors or not self._meta.skip_unchanged:
            return super().skip_row(instance, original, row, import_validation_errors)
        # As the library's skip_row(), against the values before the row instead of a copy.
        values_before = iter(self._values_before)
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget):
                if field.get_value(instance) != next(values_before):
                    return False
            elif field.column_name in row:
                # Not written yet (save_m2m() comes after): the instance still has them.
                before = [] if instance.pk is None else field.get_value(instance).all()
                if sorted(o.pk for o in field.clean(row)) != sorted(o.pk for o in before):
                    return False
        return True

    def get_instance(self, instance_loader, row):
        """The existing record the row's natural key names, or ``None`` for a new one.

        A key that does not resolve (unknown person, empty e-mail) means a new record; the
        same problem is then reported as an error of that column by ``import_instance``.
        """
        self._row_key = self.row_key(row)
        return self._existing.get(self._row_key)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = _errors_of(error)
        self.complete_instance(instance, row, errors)
        self._check_named_once(row, errors)
        if errors:
            raise ValidationError(errors)

    def complete_instance(self, instance, row, errors):
        """After the row's cells are set: fill what the row leaves to the import and add the
        resource's own rules to ``errors`` (field name -> messages), all reported together."""

    def _check_named_once(self, row, errors):
        # Two rows for one record would be written twice (or the second would overwrite the
        # first): the second is an error, as in a spreadsheet nobody can tell which is right.
        if self._row_key is None:
            return
        first = self._seen_keys.setdefault(self._row_key, self._row_number)
        if first == self._row_number:
            return
        names = self.get_import_id_fields()
        value = ", ".join(str(row[self.fields[name].column_name]) for name in names)
        message = _(
            "Row %(row)s of this file already has “%(value)s”: a record can appear only "
            "once in a file."
        ) % {"row": first, "value": value}
        target = self.fields[names[0]].attribute if len(names) == 1 else NON_FIELD_ERRORS
        errors.setdefault(target, []).append(message)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's ``full_clean()``, with the unique and constraint checks that query
        the database run only where the import has not checked them for the whole file."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        # As Model.full_clean(): fields, clean() whatever the fields gave, then the checks
        # across records for the fields without errors.
        try:
            clean_fields(instance, exclude=exclude, written=self._written)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        exclude |= set(errors) - {NON_FIELD_ERRORS}
        if validate_unique and self._checks_unique:
            try:
                instance.validate_unique(exclude=exclude | self._unique_exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        try:
            validate_constraints(
                instance,
                exclude=exclude,
                checked_by_import={self.import_key_constraint} - {None},
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _unique_checks_of_columns(self):
        """Fields validate_unique() can skip, and whether it has anything left to check.

        A unique field the file does not write (the primary key, a person's user account)
        keeps the value it has in the database: checking it would be one query per row.
        """
        meta = self._meta.model._meta
        unchanged = {
            f.name for f in meta.concrete_fields if f.unique and f.name not in self._written
        }
        checks = any(model._meta.unique_together for model in (meta.model, *meta.all_parents))
        checks = checks or any(
            f.name in self._written
            and (f.unique or f.unique_for_date or f.unique_for_month or f.unique_for_year)
            for f in meta.concrete_fields
        )
        return unchanged, checks

    # Writing -------------------------------------------------------------------------------

    def get_bulk_update_fields(self):
        # Every column the file writes (the key too: an e-mail may change case), and the
        # auto_now stamps, which bulk_update() leaves alone (set in before_save_instance).
        return [
            field.attribute
            for field in self.get_import_fields()
            if not field.readonly and not isinstance(field.widget, widgets.ManyToManyWidget)
        ] + [field.name for field in self._auto_now_fields()]

    def _auto_now_fields(self):
        return [f for f in self._meta.model._meta.concrete_fields if getattr(f, "auto_now", False)]

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if self._meta.use_bulk and instance.pk is not None:
            for field in self._auto_now_fields():
                field.pre_save(instance, add=False)

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if self._log_saved is not None and not self._previewing:
            self._unlogged.append((instance, is_create))
            if not self._meta.use_bulk and len(self._unlogged) >= self._meta.batch_size:
                self._write_log()

    # The write hooks: resources of records with a write service call it here.

    def do_instance_save(self, instance, is_create):
        self.save_record(instance, is_create)

    def save_record(self, instance, is_create):
        """Write one validated record (resources without ``use_bulk``)."""
        super().do_instance_save(instance, is_create)

    def save_many(self, *, created, updated, fields, batch_size):
        """Write a batch of validated records (resources with ``use_bulk``)."""
        manager = self._meta.model._default_manager
        if created:
            manager.bulk_create(created, batch_size=batch_size)
        if updated:
            manager.bulk_update(updated, fields, batch_size=batch_size)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if using_transactions or not dry_run:
            self._write_batch(self.create_instances, "created", raise_errors, batch_size, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if using_transactions or not dry_run:
            self._write_batch(self.update_instances, "updated", raise_errors, batch_size, result)

    def _write_batch(self, instances, kind, raise_errors, size, result):
        # As the library's bulk_create()/bulk_update(), through save_many(): a database
        # error becomes the file's error (and the import writes nothing); a refusal of the
        # access rule is raised as it is.
        if instances:
            batch = list(instances)
            instances.clear()
            try:
                self.save_many(
                    created=batch if kind == "created" else [],
                    updated=batch if kind == "updated" else [],
                    fields=self.get_bulk_update_fields(),
                    batch_size=size,
                )
            except PermissionDenied:
                raise
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
        self._write_log()

    def _write_log(self):
        """Report the saved records waiting (those with a pk: written) to ``log_saved``."""
        saved = {}
        waiting = []
        for instance, is_create in self._unlogged:
            if instance.pk is None:
                waiting.append((instance, is_create))
            else:
                import_type = (
                    RowResult.IMPORT_TYPE_NEW if is_create else RowResult.IMPORT_TYPE_UPDATE
                )
                saved.setdefault(import_type, []).append(instance)
        self._unlogged = waiting
        if saved:
            self._log_saved(saved)

    def after_import(self, dataset, result, **kwargs):
        # Not ModelResource's, which resets the id sequences after new rows: files carry no
        # ids, and a reset to max(id) races with other inserts.
        if self._log_saved is not None and not self._previewing:
            self._write_log()
            result.log_written = True
        if not self._previewing:
            # Bulk writes send no model signals: public pages showing these records are
            # forgotten here (when the import's transaction commits).
            forget_public_pages()

    # Export --------------------------------------------------------------------------------

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, NATIVE_VALUE_WIDGETS):
            return value
        return neutralise_formula(value)

    def filter_export(self, queryset, **kwargs):
        return self.with_related(queryset)

    def with_related(self, queryset):
        """Join what the export columns show, so an export (or an import's preview of the
        records it updates) runs a fixed number of queries."""
        return queryset


def _errors_of(error, errors=None):
    return error.update_error_dict(errors if errors is not None else {})
