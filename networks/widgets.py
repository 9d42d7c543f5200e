"""Spreadsheet cell converters for the registry's references.

Every reference to another record is a natural key (ISO codes, official codes, names,
e-mails, slugs), never a database id, so a file written by hand or exported from another
installation imports the same way. Problems raise ``ValueError`` with a message meant for
the member of staff reading the import preview; django-import-export reports it as a
validation error of the row and column. The generic converters (text, choices, dates,
yes/no) and the natural-key lookup these build on are in ``common/spreadsheets/widgets.py``.
"""

import re

from django.utils.translation import gettext as _
from import_export import widgets

from common.spreadsheets.widgets import FindsReferences, NaturalKeyWidget, cell_text
from common.text import fold

from .models import Country, Department, Institution, Municipality, Network, Person, Programme


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
        return cell_text(value).lower()

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
    match = MUNICIPALITY_REFERENCE.match(cell_text(reference))
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
            found = [m for m in found if fold(m.name) == fold(name)]
    else:
        found = list(in_country.filter(name__iexact=name))
        if not found:
            # Accents are often dropped in spreadsheets ("Citala"); compare without them.
            found = [m for m in in_country if fold(m.name) == fold(name)]
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
            % {"value": cell_text(reference), "matches": _describe(found)}
        )
    return found[0]


class FindsMunicipalities(FindsReferences):
    """Cells naming municipalities (an import that creates none finds each once per file)."""

    def find_one(self, reference):
        return find_municipality(reference)


class MunicipalityWidget(FindsMunicipalities, widgets.ForeignKeyWidget):
    """One municipality: "SV:0404", "SV:Citalá" or "SV:Citalá [0404]"."""

    def __init__(self, **kwargs):
        super().__init__(Municipality, field="pk", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        return self.find(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else municipality_reference(value)


class MunicipalityListWidget(FindsMunicipalities, widgets.ManyToManyWidget):
    """Several municipalities separated by semicolons: "SV:Metapán; HN:Ocotepeque"."""

    def __init__(self, **kwargs):
        super().__init__(Municipality, separator=";", **kwargs)

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for reference in cell_text(value).split(self.separator):
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
        codes = [c.strip().upper() for c in cell_text(value).split(self.separator) if c.strip()]
        found = list(Country.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {country.code for country in found})
        if unknown:
            raise ValueError(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{self.separator} ".join(sorted(country.code for country in value.all()))
