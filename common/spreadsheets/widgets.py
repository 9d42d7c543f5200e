"""Spreadsheet cell converters every import and export shares.

Every reference to another record is a natural key (ISO codes, official codes, names,
e-mails, slugs), never a database id, so a file written by hand or exported from another
installation imports the same way. Problems raise ``ValueError`` with a message meant for
the member of staff reading the import preview; django-import-export reports it as a
validation error of the row and column.

The widgets of each app's own references (a country by ISO code, a person by e-mail...)
build on :class:`NaturalKeyWidget` and :class:`FindsReferences` in that app's ``widgets.py``.
"""

import datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.db import connections, router
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext
from import_export import widgets

from common.text import fold, folded_words, restore_formula_guard


def clean_cell(value):
    """A cell as the import reads it: outer spaces (also non-breaking) off, formula guard undone."""
    if isinstance(value, str):
        return restore_formula_guard(value.strip(" \u00a0"))
    return value


def chunked(values, model, per_item=1):
    """``values`` in lists small enough for one ``IN (...)`` each on the model's database.

    PostgreSQL takes any number in one query; SQLite caps the parameters of a statement.
    """
    values = list(values)
    limit = connections[router.db_for_read(model)].features.max_query_params
    size = max(1, limit // per_item) if limit else max(1, len(values))
    return [values[start : start + size] for start in range(0, len(values), size)]


def cell_text(value):
    """A cell's value as stripped text ("" for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet may turn "2021" into 2021.0
    return str(value).strip()


class ChoicesWidget(widgets.Widget):
    """A choice accepted as people write it: its stored value, its label in Spanish or
    English, or one of the words of the choices' ``import_words()`` table (feminine forms,
    abbreviations: "F", "mujer", "Coordinadora"), in any case, with or without accents.

    Exports the label in the language of the person exporting: the word they read is one
    the import accepts back, in either language.
    """

    def __init__(self, choices, *, allow_blank=False, **kwargs):
        self.choices = choices
        self.allow_blank = allow_blank
        super().__init__(**kwargs)

    @cached_property
    def accepted(self):
        """Folded value, label or word -> stored value; built once, as it switches languages.

        ``clean()`` adds the cells it has read as written: a file repeats a few of them.
        """
        accepted = {}

        def accept(text, value):
            for key in (fold(text), folded_words(text)):
                accepted.setdefault(key, value)

        for value, label in self.choices.choices:
            accept(value, value)
            accept(value.replace("_", " "), value)
            for language in ("es", "en"):
                with override(language):
                    accept(label, value)
        words = getattr(self.choices, "import_words", None)
        for value, texts in (words() if words else {}).items():
            for text in texts:
                accept(text, value)
        return accepted

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.allow_blank:
                return ""
            raise ValueError(_("This column cannot be empty."))
        try:
            return self.accepted[text]  # a cell written as before in this file
        except KeyError:
            pass
        for key in (fold(text), folded_words(text)):
            if key in self.accepted:
                self.accepted[text] = self.accepted[key]
                return self.accepted[text]
        allowed = ", ".join(str(label) for _value, label in self.choices.choices)
        raise ValueError(
            _("Unknown value “%(value)s”. Allowed values: %(allowed)s.")
            % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        if value is None or value == "":
            return ""
        return str(dict(self.choices.choices).get(value, value))


class TextWidget(widgets.CharWidget):
    """Free text; a number typed in a spreadsheet cell (a phone, a code) comes back as text."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)


class FlexibleDateWidget(widgets.DateWidget):
    """ISO dates (2024-05-01) or day first (01/05/2024), as written in the region.

    Django's default input formats read 05/01/2024 month first, which would swap days and
    months without anyone noticing.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.formats = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
        self.read = {}  # text -> date: strptime() is slow, and a file repeats its dates

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):  # what a spreadsheet date cell holds
            return value.date()
        if isinstance(value, str):
            value = value.strip()
            if value in self.read:
                return self.read[value]
        try:
            day = super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date. Write it as 2024-05-31 or 31/05/2024.")
                % {"value": value}
            ) from None
        if isinstance(value, str):
            self.read[value] = day
        return day


class DecimalCellWidget(widgets.DecimalWidget):
    """A decimal number written with a decimal comma or point, whatever the language of
    the person importing: an export in Spanish (-89,21) imports back for staff reading
    English. Thousands separators are not read (coordinates and rates have none)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            text = value.strip().replace("\u00a0", "").replace(" ", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            if not text:
                return None
            try:
                return Decimal(text)
            except InvalidOperation:
                raise ValueError(
                    _("“%(value)s” is not a number. Write it as -89.21 or -89,21.")
                    % {"value": value}
                ) from None
        return super().clean(value, row, **kwargs)


class YesNoWidget(widgets.BooleanWidget):
    """1/0, true/false, yes/no or sí/no; empty means no. Exported as yes or no in the
    language of the person exporting ("sí" in Spanish), which the import reads back."""

    def render(self, value, obj=None, **kwargs):
        return pgettext("spreadsheet cell", "yes") if value else pgettext("spreadsheet cell", "no")

    def clean(self, value, row=None, **kwargs):
        text = fold(cell_text(value))
        if text in ("", "0", "false", "no", "n"):
            return False
        if text in ("1", "true", "yes", "y", "si", "s", "x"):
            return True
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as one natural key; lookups are case-insensitive.

    An import calls :meth:`load` with the column first: every key of the file is then resolved
    in one to three queries, and :meth:`clean` looks the row's key up without querying.
    """

    lookup = "iexact"
    #: Relations the importing rows read from the object found (joined by :meth:`load`).
    load_related = ()

    def __init__(self, model, field, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.loaded = None  # key -> up to two matches, once load() has run

    def not_found_message(self, text):
        return _("No %(model)s with %(field)s “%(value)s”.") % {
            "model": self.model._meta.verbose_name,
            "field": self.model._meta.get_field(self.field).verbose_name,
            "value": text,
        }

    def key_text(self, value):
        """The text of a cell this widget looks up."""
        return cell_text(value)

    def _key(self, text):
        return text.lower() if self.lookup == "iexact" else text

    def load(self, values):
        """Resolve the keys of every cell in ``values`` (a file's column) at once."""
        keys = {self._key(text) for text in map(self.key_text, values) if text}
        found = {key: [] for key in keys}
        queryset = self.get_queryset(None, None).select_related(*self.load_related)
        for chunk in chunked(keys, self.model):
            if self.lookup == "iexact":
                # Lower() and not iexact: PostgreSQL compiles iexact to UPPER(), which the
                # Lower() unique indexes cannot serve. The empty key is excluded so that the
                # partial index (e-mails, "WHERE email <> ''") serves too.
                matches = (
                    queryset.alias(natural_key=Lower(self.field))
                    .filter(natural_key__in=chunk)
                    .exclude(**{self.field: ""})
                )
            else:
                matches = queryset.filter(**{f"{self.field}__in": chunk})
            for match in matches:
                candidates = found.get(self._key(getattr(match, self.field)))
                if candidates is not None and len(candidates) < 2:
                    candidates.append(match)
        missing = [key for key, candidates in found.items() if not candidates]
        if missing and self.lookup == "iexact":
            self._load_folded(queryset, missing, found)
        self.loaded = found

    def _load_folded(self, queryset, missing, found):
        # As clean(): keys the database did not match are compared folded, in one pass over
        # the table's keys and one query for the objects they name.
        wanted = {}  # folded -> the keys that fold to it ("citala", "citalá")
        for key in missing:
            wanted.setdefault(fold(key), []).append(key)
        pks = {}
        for pk, name in queryset.values_list("pk", self.field):
            folded = fold(name)
            if folded in wanted and len(pks.setdefault(folded, [])) < 2:
                pks[folded].append(pk)
        if pks:
            by_pk = queryset.in_bulk([pk for chosen in pks.values() for pk in chosen])
            for folded, chosen in pks.items():
                for key in wanted[folded]:
                    found[key] = [by_pk[pk] for pk in chosen if pk in by_pk]

    def clean(self, value, row=None, **kwargs):
        text = self.key_text(value)
        if not text:
            return None
        if self.loaded is not None and self._key(text) in self.loaded:
            matches = self.loaded[self._key(text)]
        else:
            matches = self._query(text, row)
        if not matches:
            raise ValueError(self.not_found_message(text))
        if len(matches) > 1:
            raise ValueError(
                _("“%(value)s” is ambiguous: it matches %(matches)s.")
                % {"value": text, "matches": "; ".join(str(match) for match in matches)}
            )
        return matches[0]

    def _query(self, text, row):
        """The matches of one key, when no :meth:`load` covered it."""
        queryset = self.get_queryset(text, row)
        matches = list(queryset.filter(**{f"{self.field}__{self.lookup}": text})[:2])
        if not matches and self.lookup == "iexact":
            # SQLite ignores the case of ASCII letters only, and spreadsheets often lose
            # accents: compare folded values in Python (only when the database found none).
            pks = [
                pk for pk, key in queryset.values_list("pk", self.field) if fold(key) == fold(text)
            ]
            matches = list(queryset.filter(pk__in=pks[:2]))
        return matches


# References looked up one at a time ---------------------------------------------------------


class RememberedReferences:
    """References resolved once per file, for imports whose rows create none of the records
    they name: a file of 2 000 institutions names a few dozen municipalities, each looked up
    once. ``find`` is the lookup of one reference (``ValueError`` saying why it fails).
    """

    def __init__(self, find):
        self.lookup = find
        self.found = {}

    def find(self, reference):
        key = reference.strip()
        if key not in self.found:
            try:
                self.found[key] = self.lookup(reference)
            except ValueError as error:
                self.found[key] = error
        found = self.found[key]
        if isinstance(found, ValueError):
            raise ValueError(str(found))
        return found


class FindsReferences:
    """A widget whose cells name records that :meth:`find_one` finds one reference at a time
    (a reference the database cannot match in one query for the whole column)."""

    #: Set by an import whose rows create none of those records (see RememberedReferences).
    references = None

    def find_one(self, reference):
        raise NotImplementedError

    def find(self, reference):
        if self.references is not None:
            return self.references.find(reference)
        return self.find_one(reference)
