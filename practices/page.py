"""What a practice's page shows beside its own row: its relations, read as rows.

The public page and the admin's review preview show the same sections
(``templates/practices/includes/practice_sections.html``) and take them from
:func:`practice_page`. Four short statements written out, whatever the practice links to:
its terms (themes, GCM objectives and principles), its places (municipalities and
replications), its partners and its attachments. The model instances are built from the rows
(``Model.from_db``, as a queryset would): eight prefetching querysets spent more time being
compiled than the database spent answering them.
"""

from dataclasses import dataclass

from django.db import connection

from networks.models import Country, Department, Institution, Municipality
from networks.selectors import municipalities_by_country

from .models import (
    Attachment,
    GCMObjective,
    GCMPrinciple,
    LegalEvidence,
    Practice,
    Replication,
    Theme,
)
from .selectors import related_practices


@dataclass(frozen=True)
class PracticePage:
    themes: list[Theme]
    gcm_objectives: list[GCMObjective]
    gcm_principles: list[GCMPrinciple]
    #: [(country, [municipality, ...]), ...]: countries by name, municipalities by name.
    municipalities_by_country: list[tuple[Country, list[Municipality]]]
    replications: list[Replication]
    partner_institutions: list[Institution]
    attachments: list[Attachment]
    legal_evidence: LegalEvidence | None
    related_practices: list[Practice]


def practice_page(practice: Practice) -> PracticePage:
    """The sections of ``practice``'s page (its legal record as loaded with it, if it was)."""
    params = [practice.pk]
    terms: dict[int, list] = {THEME: [], OBJECTIVE: [], PRINCIPLE: []}
    for kind, pk, slug, name_es, name_en, order in _rows(TERMS, params * 3):
        if kind == OBJECTIVE:
            term = _built(GCMObjective, id=pk, number=order, title_es=name_es, title_en=name_en)
        else:
            term = _built(
                Theme if kind == THEME else GCMPrinciple,
                id=pk,
                slug=slug,
                name_es=name_es,
                name_en=name_en,
                position=order,
            )
        terms[kind].append(term)
    places, replications = [], []
    for kind, replication_id, year, notes, *place in _rows(PLACES, params * 2):
        municipality = _municipality(*place)
        if kind == PLACE:
            places.append(municipality)
            continue
        replication = _built(
            Replication,
            id=replication_id,
            practice_id=practice.pk,
            municipality_id=municipality.pk,
            year=year,
            notes=notes,
        )
        replication.municipality = municipality
        replications.append(replication)
    return PracticePage(
        themes=terms[THEME],
        gcm_objectives=terms[OBJECTIVE],
        gcm_principles=terms[PRINCIPLE],
        municipalities_by_country=municipalities_by_country(places),
        replications=replications,
        partner_institutions=[
            _built(Institution, id=pk, name=name, acronym=acronym)
            for pk, name, acronym in _rows(PARTNERS, params)
        ],
        attachments=[
            _built(Attachment, id=pk, practice_id=practice.pk, title=title, kind=kind, size=size)
            for pk, title, kind, size in _rows(ATTACHMENTS, params)
        ],
        # A practice without a legal record has no row: getattr's default covers it.
        legal_evidence=getattr(practice, "legal_evidence", None),
        related_practices=related_practices(practice, terms[THEME]),
    )


THEME, OBJECTIVE, PRINCIPLE = 1, 2, 3
PLACE, REPLICATION = 1, 2


def _built(model, **values):
    """An instance of ``model`` as a queryset loads one with only these fields (reading
    another would query for it, which the page's query-count tests would catch)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _municipality(pk, name, slug, department_id, department_name, country_id, code, es, en):
    country = _built(Country, id=country_id, code=code, name_es=es, name_en=en)
    department = _built(Department, id=department_id, name=department_name, country_id=country_id)
    department.country = country
    municipality = _built(Municipality, id=pk, name=name, slug=slug, department_id=department_id)
    municipality.department = department
    return municipality


def _rows(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


_THEMES = Practice.themes.through._meta.db_table
_OBJECTIVES = Practice.gcm_objectives.through._meta.db_table
_PRINCIPLES = Practice.gcm_principles.through._meta.db_table
_PLACES = Practice.municipalities.through._meta.db_table
_PARTNERS = Practice.partner_institutions.through._meta.db_table
# The statements, from the models' own table names; the practice's id is a parameter.
# (kind, id, slug, Spanish name, English name, order), each kind in its list's order.
TERMS = (
    f"SELECT {THEME}, t.id, t.slug, t.name_es, t.name_en, t.position "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {_THEMES} l JOIN {Theme._meta.db_table} t ON t.id = l.theme_id "
    "WHERE l.practice_id = %s "
    f"UNION ALL SELECT {OBJECTIVE}, o.id, '', o.title_es, o.title_en, o.number "
    f"FROM {_OBJECTIVES} l JOIN {GCMObjective._meta.db_table} o ON o.id = l.gcmobjective_id "
    "WHERE l.practice_id = %s "
    f"UNION ALL SELECT {PRINCIPLE}, g.id, g.slug, g.name_es, g.name_en, g.position "
    f"FROM {_PRINCIPLES} l JOIN {GCMPrinciple._meta.db_table} g ON g.id = l.gcmprinciple_id "
    "WHERE l.practice_id = %s "
    "ORDER BY 1, 6, 4, 2"
)
_PLACE_COLUMNS = "m.id, m.name, m.slug, d.id, d.name, c.id, c.code, c.name_es, c.name_en"
_PLACE_JOINS = (
    f"JOIN {Municipality._meta.db_table} m ON m.id = {{link}}.municipality_id "
    f"JOIN {Department._meta.db_table} d ON d.id = m.department_id "
    f"JOIN {Country._meta.db_table} c ON c.id = d.country_id "
)
# (kind, replication id, year, notes, the municipality's columns): the municipalities by name,
# then the replications by year and municipality (Replication's own ordering).
PLACES = (
    f"SELECT {PLACE}, NULL, NULL, '', {_PLACE_COLUMNS} FROM {_PLACES} l "  # noqa: S608 (table names and constants only; values are parameters)
    f"{_PLACE_JOINS.format(link='l')}WHERE l.practice_id = %s "
    f"UNION ALL SELECT {REPLICATION}, r.id, r.year, r.notes, {_PLACE_COLUMNS} "
    f"FROM {Replication._meta.db_table} r {_PLACE_JOINS.format(link='r')}"
    "WHERE r.practice_id = %s "
    "ORDER BY 1, 3, 6, 5"
)
PARTNERS = (
    "SELECT i.id, i.name, i.acronym "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {_PARTNERS} l JOIN {Institution._meta.db_table} i ON i.id = l.institution_id "
    "WHERE l.practice_id = %s ORDER BY i.name, i.id"
)
ATTACHMENTS = (
    "SELECT id, title, kind, size "  # noqa: S608 (table names and constants only; values are parameters)
    f"FROM {Attachment._meta.db_table} WHERE practice_id = %s ORDER BY uploaded_at, id"
)
