"""Spreadsheet cell converters for the registry's import and export.

Every reference to another record is a natural key (ISO codes, official codes, names,
e-mails, slugs), never a database id, so a file written by hand or exported from another
installation imports the same way. Problems raise ``ValueError`` with a message meant for
the member of staff reading the import preview; django-import-export reports it as a
validation error of the row and column.
"""

import datetime
import re
import unicodedata
from functools import cached_property

from django.db import connections, router
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import widgets

from .models import Country, Department, Institution, Municipality, Network, Person, Programme

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a quote to text a spreadsheet would otherwise evaluate (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def restore_formula_guard(value):
    """Undo :func:`neutralise_formula`, so an exported file imports back unchanged."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


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


def _folded(text):
    """Case- and accent-insensitive form of a name: "Citalá" and "CITALA" match."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet may turn "2021" into 2021.0
    return str(value).strip()


class ChoicesWidget(widgets.Widget):
    """A choice accepted as its stored value or its label in Spanish or English, any case.

    Exports the stored value, which does not change with the language of the person exporting.
    """

    def __init__(self, choices, *, allow_blank=False, **kwargs):
        self.choices = choices
        self.allow_blank = allow_blank
        super().__init__(**kwargs)

    @cached_property
    def accepted(self):
        """Folded value or label -> stored value; built once, as it switches languages.

        ``clean()`` adds the cells it has read as written: a file repeats a few of them.
        """
        accepted = {}
        for value, label in self.choices.choices:
            accepted[_folded(value)] = value
            for language in ("es", "en"):
                with override(language):
                    accepted.setdefault(_folded(label), value)
        return accepted

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.allow_blank:
                return ""
            raise ValueError(_("This column cannot be empty."))
        try:
            return self.accepted[text]  # a cell written as before in this file
        except KeyError:
            pass
        try:
            self.accepted[text] = self.accepted[_folded(text)]
            return self.accepted[text]
        except KeyError:
            allowed = ", ".join(f"{value} ({label})" for value, label in self.choices.choices)
            raise ValueError(
                _("Unknown value “%(value)s”. Allowed values: %(allowed)s.")
                % {"value": text, "allowed": allowed}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


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


class YesNoWidget(widgets.BooleanWidget):
    """1/0, true/false, yes/no or sí/no; empty means no."""

    def clean(self, value, row=None, **kwargs):
        text = _folded(_text(value))
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
        return _text(value)

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
            wanted.setdefault(_folded(key), []).append(key)
        pks = {}
        for pk, name in queryset.values_list("pk", self.field):
            folded = _folded(name)
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
                pk
                for pk, key in queryset.values_list("pk", self.field)
                if _folded(key) == _folded(text)
            ]
            matches = list(queryset.filter(pk__in=pks[:2]))
        return matches


class CountryWidget(NaturalKeyWidget):
    """A country by its ISO 3166-1 alpha-2 code: SV, GT, HN."""

    def __init__(self, **kwargs):
        super().__init__(Country, "code", **kwargs)

    def not_found_message(self, text):
        known = ", ".join(Country.objects.order_by("code").values_list("code", flat=True))
        return _("Unknown country code “%(value)s”. Use one of: %(known)s.") % {
            "value": text,
            "known": known,
        }


class DepartmentWidget(NaturalKeyWidget):
    """A department by its ISO 3166-2 code: SV-SA, GT-20, HN-OC."""

    def __init__(self, **kwargs):
        super().__init__(Department, "code", **kwargs)

    def not_found_message(self, text):
        return _("Unknown department code “%(value)s”. Use the ISO 3166-2 code, e.g. SV-SA.") % {
            "value": text
        }


class InstitutionWidget(NaturalKeyWidget):
    """An institution by its full name, any case."""

    def __init__(self, **kwargs):
        super().__init__(Institution, "name", **kwargs)

    def not_found_message(self, text):
        return _("No institution is called “%(value)s”. Import or add the institution first.") % {
            "value": text
        }


class PersonWidget(NaturalKeyWidget):
    """A person by e-mail address, any case."""

    # A new membership represents the person's current institution.
    load_related = ("institution",)

    def __init__(self, **kwargs):
        super().__init__(Person, "email", **kwargs)

    def not_found_message(self, text):
        return _("No person has the e-mail address “%(value)s”. Import the person first.") % {
            "value": text
        }


class NetworkWidget(NaturalKeyWidget):
    """A network or technical table by its slug."""

    lookup = "exact"

    def __init__(self, **kwargs):
        super().__init__(Network, "slug", **kwargs)

    def key_text(self, value):
        return _text(value).lower()

    def not_found_message(self, text):
        return _("No network has the slug “%(value)s”.") % {"value": text}


class ProgrammeWidget(NaturalKeyWidget):
    """A programme by its name, any case."""

    def __init__(self, **kwargs):
        super().__init__(Programme, "name", **kwargs)


# Municipalities ------------------------------------------------------------------------

# "SV:0404", "SV:Citalá" or "SV:Citalá [0404]".
MUNICIPALITY_REFERENCE = re.compile(
    r"^\s*(?P<country>[A-Za-z]{2})\s*:\s*(?P<name>[^\[\]]*?)\s*(?:\[\s*(?P<code>[^\[\]]+?)\s*\])?\s*$"
)


def municipality_reference(municipality):
    """The export form of a municipality: "SV:Citalá [0404]", or "HN:Ocotepeque" without code."""
    country = municipality.department.country.code
    if municipality.official_code:
        return f"{country}:{municipality.name} [{municipality.official_code}]"
    return f"{country}:{municipality.name}"


def _describe(municipalities):
    return "; ".join(f"{municipality_reference(m)} ({m.department.name})" for m in municipalities)


def find_municipality(reference):
    """The one municipality a reference names; ``ValueError`` saying why otherwise."""
    match = MUNICIPALITY_REFERENCE.match(_text(reference))
    if not match or not (match["name"] or match["code"]):
        raise ValueError(
            _(
                "“%(value)s” is not a municipality reference. Write the country code, a colon "
                "and the official code or name: SV:0404, SV:Citalá or SV:Citalá [0404]."
            )
            % {"value": reference}
        )
    country = match["country"].upper()
    name, code = match["name"], match["code"]
    if not code and name.isdigit():
        name, code = "", name
    in_country = Municipality.objects.with_geography().in_country(country).order_by("pk")
    if code:
        found = list(in_country.filter(official_code=code))
        if name:
            found = [m for m in found if _folded(m.name) == _folded(name)]
    else:
        found = list(in_country.filter(name__iexact=name))
        if not found:
            # Accents are often dropped in spreadsheets ("Citala"); compare without them.
            found = [m for m in in_country if _folded(m.name) == _folded(name)]
    if not found:
        raise ValueError(
            _("No municipality “%(value)s” in %(country)s.")
            % {"value": f"{name} [{code}]" if name and code else name or code, "country": country}
        )
    if len(found) > 1:
        raise ValueError(
            _(
                "“%(value)s” is ambiguous: it matches %(matches)s. Add the official code "
                "in brackets to say which one."
            )
            % {"value": _text(reference), "matches": _describe(found)}
        )
    return found[0]


class RememberedReferences:
    """Municipality references resolved once per file, for imports that create none.

    A file of 2 000 institutions names a few dozen municipalities; each is looked up once.
    """

    def __init__(self):
        self.found = {}

    def find(self, reference):
        key = reference.strip()
        if key not in self.found:
            try:
                self.found[key] = find_municipality(reference)
            except ValueError as error:
                self.found[key] = error
        found = self.found[key]
        if isinstance(found, ValueError):
            raise ValueError(str(found))
        return found


class FindsMunicipalities:
    #: Set by an import whose rows create no municipality (see RememberedReferences).
    references = None

    def find(self, reference):
        if self.references is not None:
            return self.references.find(reference)
        return find_municipality(reference)


class MunicipalityWidget(FindsMunicipalities, widgets.ForeignKeyWidget):
    """One municipality: "SV:0404", "SV:Citalá" or "SV:Citalá [0404]"."""

    def __init__(self, **kwargs):
        super().__init__(Municipality, field="pk", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        return self.find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else municipality_reference(value)


class MunicipalityListWidget(FindsMunicipalities, widgets.ManyToManyWidget):
    """Several municipalities separated by semicolons: "SV:Metapán; HN:Ocotepeque"."""

    def __init__(self, **kwargs):
        super().__init__(Municipality, separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for reference in _text(value).split(self.separator):
            if not reference.strip():
                continue
            try:
                municipality = self.find(reference)
            except ValueError as error:
                problems.append(str(error))
            else:
                if municipality not in found:
                    found.append(municipality)
        if problems:
            raise ValueError(" ".join(problems))
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        references = sorted(municipality_reference(m) for m in value.all())
        return f"{self.separator} ".join(references)


class CountryListWidget(widgets.ManyToManyWidget):
    """Several countries by ISO code separated by semicolons: "GT; HN"."""

    def __init__(self, **kwargs):
        super().__init__(Country, separator=";", field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = [c.strip().upper() for c in _text(value).split(self.separator) if c.strip()]
        found = list(Country.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {country.code for country in found})
        if unknown:
            raise ValueError(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{self.separator} ".join(sorted(country.code for country in value.all()))
