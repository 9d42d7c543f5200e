"""The catalogue's facets: what each practice is filed under, kept with it, and counted fast.

Every practice keeps its **facet keys** (``Practice.facet_keys``): one integer per country,
department and municipality where it is carried out, network, theme, GCM objective, type and
year started, plus :data:`EVERY_PRACTICE`. ``practices.search.practice_index`` writes them
with the search data, from the practice's own relations.

- A filter is a key: the catalogue keeps the practices holding every chosen key
  (``facet_keys__has_all``, served by a GIN index on PostgreSQL).
- The counts of a search are one query over the matching rows: each key is counted once per
  practice (a practice in two municipalities of a country counts once for the country), and
  the count of :data:`EVERY_PRACTICE` is the number of results, so pagination needs no
  ``COUNT(*)`` of its own.
- The counts of the whole catalogue (no search, no filter) are kept in ``FacetTotal``,
  recounted for the keys a change touches (:func:`facet_totals_refresh`), so the page every
  visitor starts from does not count 100 000 practices.

Labels come from the small tables (countries, departments, municipalities, networks,
themes, objectives), read whole in one statement and kept with the counts until the next write.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

from common.caching import remembered_here
from common.languages import is_english
from networks.models import Country, Department, Municipality, Network

from .enums import PracticeType
from .models import FacetTotal, GCMObjective, Practice, Theme

# Keys are KIND * SPAN + value: the value is the record's id (a year for "year", the number
# of TYPE_NUMBERS for "type").
SPAN = 10_000_000
KINDS = {
    "country": 1,
    "department": 2,
    "municipality": 3,
    "network": 4,
    "theme": 5,
    "gcm": 6,
    "type": 7,
    "year": 8,
}
#: Held by every practice: its count is the number of practices counted.
EVERY_PRACTICE = 0
#: A fixed number per type of practice (never reuse one: stored keys hold them).
TYPE_NUMBERS = {
    PracticeType.MUNICIPAL_ORDINANCE: 1,
    PracticeType.PROGRAMME_OR_PROJECT: 2,
    PracticeType.PUBLIC_SERVICE: 3,
    PracticeType.COORDINATION_MECHANISM: 4,
    PracticeType.TRAINING: 5,
    PracticeType.AWARENESS_CAMPAIGN: 6,
    PracticeType.OTHER: 7,
}

MunicipalityLink = Practice.municipalities.through
ThemeLink = Practice.themes.through
ObjectiveLink = Practice.gcm_objectives.through


def key(kind: str, value: int) -> int:
    return KINDS[kind] * SPAN + int(value)


def type_key(practice_type: str) -> int:
    return key("type", TYPE_NUMBERS[practice_type])


_KIND_NAMES = {number: name for name, number in KINDS.items()}


def split(facet_key: int) -> tuple[str | None, int]:
    kind, value = divmod(facet_key, SPAN)
    return _KIND_NAMES.get(kind), value


# Writing the keys ---------------------------------------------------------------------------


def facet_keys_of(practice_ids: Iterable[int]) -> dict[int, list[int]]:
    """The facet keys of each practice, read in four queries whatever their number."""
    ids = list(practice_ids)
    keys: dict[int, set[int]] = {}
    for pk, network_id, practice_type, year in Practice.objects.filter(pk__in=ids).values_list(
        "pk", "network_id", "practice_type", "year_started"
    ):
        found = keys[pk] = {EVERY_PRACTICE}
        if network_id:
            found.add(key("network", network_id))
        if practice_type in TYPE_NUMBERS:
            found.add(type_key(practice_type))
        if year:
            found.add(key("year", year))
    for pk, municipality, department, country in MunicipalityLink.objects.filter(
        practice_id__in=ids
    ).values_list(
        "practice_id",
        "municipality_id",
        "municipality__department_id",
        "municipality__department__country_id",
    ):
        keys[pk] |= {
            key("municipality", municipality),
            key("department", department),
            key("country", country),
        }
    for pk, theme in ThemeLink.objects.filter(practice_id__in=ids).values_list(
        "practice_id", "theme_id"
    ):
        keys[pk].add(key("theme", theme))
    for pk, objective in ObjectiveLink.objects.filter(practice_id__in=ids).values_list(
        "practice_id", "gcmobjective_id"
    ):
        keys[pk].add(key("gcm", objective))
    return {pk: sorted(found) for pk, found in keys.items()}


def facet_keys_store(practice_ids: Iterable[int]) -> None:
    """Rewrite the facet keys of these practices and recount the totals they touch."""
    ids = list(practice_ids)
    if not ids:
        return
    practices = list(Practice.objects.filter(pk__in=ids).only("pk", "facet_keys"))
    new_keys = facet_keys_of(ids)
    touched = set()
    for practice in practices:
        touched |= set(practice.facet_keys or ()) | set(new_keys.get(practice.pk, ()))
        practice.facet_keys = new_keys.get(practice.pk, [])
    Practice.objects.bulk_update(practices, ["facet_keys"], batch_size=500)
    facet_totals_refresh(touched)


def facet_keys_rebuild(*, from_id: int = 0) -> None:
    """Rebuild the keys of every practice with ``pk >= from_id``, then every total: for bulk
    loads (seeding, a repair), where practice_index row by row would be slow. On PostgreSQL
    one UPDATE builds the arrays in the database."""
    if connection.vendor != "postgresql":
        ids = list(Practice.objects.filter(pk__gte=from_id).values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            keys = facet_keys_of(chunk)
            practices = [Practice(pk=pk, facet_keys=keys.get(pk, [])) for pk in chunk]
            Practice.objects.bulk_update(practices, ["facet_keys"], batch_size=500)
        facet_totals_refresh()
        return
    types = " ".join(
        f"WHEN '{value}' THEN {key('type', number)}" for value, number in TYPE_NUMBERS.items()
    )
    places = MunicipalityLink._meta.db_table
    statement = f"""
        UPDATE practices_practice AS p SET facet_keys = ARRAY(
            SELECT {EVERY_PRACTICE}
            UNION SELECT {key("network", 0)} + p.network_id WHERE p.network_id IS NOT NULL
            UNION SELECT CASE p.practice_type {types} END
                WHERE p.practice_type IN ({", ".join(f"'{v}'" for v in TYPE_NUMBERS)})
            UNION SELECT {key("year", 0)} + p.year_started WHERE p.year_started IS NOT NULL
            UNION SELECT {key("municipality", 0)} + l.municipality_id
                FROM {places} AS l WHERE l.practice_id = p.id
            UNION SELECT {key("department", 0)} + m.department_id
                FROM {places} AS l JOIN networks_municipality AS m ON m.id = l.municipality_id
                WHERE l.practice_id = p.id
            UNION SELECT {key("country", 0)} + d.country_id
                FROM {places} AS l JOIN networks_municipality AS m ON m.id = l.municipality_id
                JOIN networks_department AS d ON d.id = m.department_id
                WHERE l.practice_id = p.id
            UNION SELECT {key("theme", 0)} + t.theme_id
                FROM {ThemeLink._meta.db_table} AS t WHERE t.practice_id = p.id
            UNION SELECT {key("gcm", 0)} + o.gcmobjective_id
                FROM {ObjectiveLink._meta.db_table} AS o WHERE o.practice_id = p.id
            ORDER BY 1
        )
        WHERE p.id >= %s
    """  # noqa: S608 (built from constants and table names only; the id is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(statement, [from_id])
    facet_totals_refresh()


# Counting -----------------------------------------------------------------------------------


def facet_counts(practices: QuerySet[Practice]) -> dict[int, int]:
    """How many of ``practices`` hold each key, in one query over the matching rows."""
    # The queryset's own SQL, compiled by Django with its values as parameters.
    try:
        sql, params = practices.order_by().values("facet_keys").query.sql_with_params()
    except EmptyResultSet:  # a search that can match nothing (only punctuation)
        return {}
    if connection.vendor == "postgresql":
        statement = (
            f"SELECT facet_key, COUNT(*) FROM ({sql}) AS matches, "  # noqa: S608
            "unnest(matches.facet_keys) AS facet_key GROUP BY facet_key"
        )
    else:
        statement = (
            f"SELECT json_each.value, COUNT(*) FROM ({sql}) AS matches, "  # noqa: S608
            "json_each(matches.facet_keys) GROUP BY json_each.value"
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {int(facet_key): count for facet_key, count in cursor.fetchall()}


def catalogue_totals() -> dict[int, int]:
    """The counts of every published practice, as kept by :func:`facet_totals_refresh`."""
    return dict(FacetTotal.objects.values_list("key", "count"))


def facet_totals_refresh(keys: Iterable[int] | None = None) -> None:
    """Recount, among published practices, the totals of ``keys`` (all of them if None).

    Called by every write that changes which practices are published or what they are filed
    under, inside its transaction. Recounts are serialised on PostgreSQL (an advisory lock),
    so two writers committing at once cannot leave a stale total.
    """
    keys = None if keys is None else sorted(set(keys))
    if keys == []:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FACET_TOTALS_LOCK])
        published = Practice.objects.published()
        if keys is not None:
            published = published.filter(facet_keys__has_any=keys)
        counts = facet_counts(published)
        stale = (
            FacetTotal.objects.all() if keys is None else FacetTotal.objects.filter(key__in=keys)
        )
        stale.delete()
        FacetTotal.objects.bulk_create(
            [
                FacetTotal(key=facet_key, count=count)
                for facet_key, count in counts.items()
                if keys is None or facet_key in keys
            ],
            batch_size=1000,
        )


#: The advisory lock that serialises recounts of the totals ("facet" in ASCII).
FACET_TOTALS_LOCK = 0x6661636574


# Options ------------------------------------------------------------------------------------


class FacetOption(NamedTuple):
    value: str
    label: str
    count: int


def facet_options(
    counts: dict[int, int],
    *,
    chosen: Sequence[dict] = (),
    country: Country | None = None,
    department: Department | None = None,
) -> dict[str, list[FacetOption]]:
    """The options of each filter with their counts, labelled in the page's language.

    Places follow the place chosen: with a country, only its departments and municipalities;
    with a department, only its municipalities (a practice across a border keeps its other
    side out of those lists; the countries stay, to move to another). A ``chosen`` filter
    (``{"name", "value", "label"}``) that no result holds any more is listed with a count of
    0, so that it still shows as chosen.
    """
    present: dict[str, dict[int, int]] = {name: {} for name in KINDS}
    for facet_key, count in counts.items():
        kind, value = split(facet_key)
        if kind is not None:
            present[kind][value] = count

    labelled: dict[str, list[FacetOption]] = {name: [] for name in KINDS}
    english = is_english()  # asked once: a list page labels about a thousand options
    for row in _labels(present, country=country, department=department):
        name = _KIND_NAMES[row.kind]
        # A municipality's option names its department too.
        label = f"{row.label} ({row.detail})" if name == "municipality" else row.name(english)
        labelled[name].append(FacetOption(row.value, label, present[name][row.pk]))
    facets = {
        **{name: labelled[name] for name in LABELLED_KINDS},
        # Types in the order of their definition, not alphabetically by code.
        "type": [
            FacetOption(value, label, present["type"][TYPE_NUMBERS[value]])
            for value, label in PracticeType.choices
            if TYPE_NUMBERS[value] in present["type"]
        ],
        "year": [
            FacetOption(str(year), str(year), present["year"][year])
            for year in sorted(present["year"], reverse=True)
        ],
    }
    for choice in chosen:
        options = facets[choice["name"]]
        if all(option.value != choice["value"] for option in options):
            options.append(FacetOption(choice["value"], choice["label"], 0))
    return facets


#: The kinds whose options are labelled from a table (types and years label themselves).
LABELLED_KINDS = ("country", "department", "municipality", "network", "theme", "gcm")


def _labels(present, *, country=None, department=None) -> list["LabelRow"]:
    """The label rows of the options present, each kind in its list's order. Places follow
    ``department``, else ``country``.

    Every label of every kind is read in one statement and kept with the facet counts
    (:func:`label_table`): the table is small (about a thousand places) and the same for
    every search, so a page filters it rather than asking the database again."""
    if not any(present.values()):
        return []
    rows = []
    for row in label_table().values():
        if row.pk not in present[_KIND_NAMES[row.kind]]:
            continue
        # A department's row names itself as its department, so one test serves both kinds.
        if row.kind in PLACE_KINDS and (
            (department is not None and row.department != department.pk)
            or (department is None and country is not None and row.country != country.pk)
        ):
            continue
        rows.append(row)
    return rows


class LabelRow(NamedTuple):
    """What the catalogue shows of a record it files practices under."""

    kind: int
    pk: int
    #: The option's value in a URL (a code, a slug, an objective's number).
    value: str
    #: The name in Spanish (a network's or place's only name).
    label: str
    #: The name in English for countries, themes and objectives (may be empty); a
    #: municipality's department.
    detail: str
    #: A place's country and department (a department's own id); None for other kinds.
    country: int | None
    department: int | None
    #: The row's place in list order: countries by Spanish name, departments and
    #: municipalities by name (then code or slug), networks by name, themes by position,
    #: objectives by number.
    position: int

    def name(self, english: bool) -> str:
        """The record's name as the catalogue shows it (its model's ``str``), in English or
        in Spanish; Spanish where no English was written."""
        if self.kind not in BILINGUAL_KINDS:
            return self.label
        name = self.detail if english and self.detail else self.label
        return f"{self.value}. {name}" if self.kind == KINDS["gcm"] else name


#: The kinds whose rows carry an English name in ``detail``.
BILINGUAL_KINDS = frozenset({KINDS["country"], KINDS["theme"], KINDS["gcm"]})


def label_of(kind: str, value: str) -> LabelRow | None:
    """The label row of the record that ``value`` names in a URL (a country's or
    department's code, a slug, an objective's number), or None: a chosen filter is looked up
    here, without a query of its own."""
    global _by_value
    table = label_table()
    if _by_value is None or _by_value[0] is not table:
        _by_value = (table, {(row.kind, row.value): row for row in table.values()})
    return _by_value[1].get((KINDS[kind], value))


#: The label table last indexed by value, and that index (rebuilt when the table is).
_by_value: tuple[dict, dict] | None = None


def label_table() -> dict[int, LabelRow]:
    """Every option's label row by its facet key, in list order: kept
    ``FACET_COUNTS_CACHE_SECONDS`` in the pages cache and in the process, forgotten by every
    write (a renamed municipality shows at once, in the filters and on the cards).

    The shared copy is pickled and outlives a deploy: name the key anew whenever
    ``LabelRow`` changes."""
    return remembered_here(
        "facet-label-rows", _read_label_table, seconds=settings.FACET_COUNTS_CACHE_SECONDS
    )


def _read_label_table() -> dict[int, LabelRow]:
    """Written out rather than composed with the ORM: compiling six querysets took longer
    than the database did."""
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(LABEL_STATEMENTS.values()) + " ORDER BY 1, 6, 7, 3")
        rows = cursor.fetchall()
    return {
        key(_KIND_NAMES[kind], pk): LabelRow(kind, pk, value, label, detail, country, department, n)
        for n, (kind, pk, value, label, detail, _n, _text, country, department) in enumerate(rows)
    }


# One SELECT per labelled kind: (kind, pk, value, label, English label or detail, order
# number, order text, country and department of a place), from the models' own table names.
LABEL_STATEMENTS = {
    "country": (
        f"SELECT {KINDS['country']}, id, code, name_es, name_en, 0, name_es, NULL, NULL "  # noqa: S608 (table names and constants only)
        f"FROM {Country._meta.db_table}"
    ),
    "department": (
        f"SELECT {KINDS['department']}, id, code, name, '', 0, name, country_id, id "  # noqa: S608 (table names and constants only)
        f"FROM {Department._meta.db_table}"
    ),
    "municipality": (
        f"SELECT {KINDS['municipality']}, m.id, m.slug, m.name, d.name, 0, m.name, "  # noqa: S608 (table names and constants only)
        f"d.country_id, m.department_id FROM {Municipality._meta.db_table} m "
        f"JOIN {Department._meta.db_table} d ON d.id = m.department_id"
    ),
    "network": (
        f"SELECT {KINDS['network']}, id, slug, name, '', 0, name, NULL, NULL "  # noqa: S608 (table names and constants only)
        f"FROM {Network._meta.db_table}"
    ),
    "theme": (
        f"SELECT {KINDS['theme']}, id, slug, name_es, name_en, position, name_es, NULL, NULL "  # noqa: S608 (table names and constants only)
        f"FROM {Theme._meta.db_table}"
    ),
    "gcm": (
        f"SELECT {KINDS['gcm']}, id, CAST(number AS VARCHAR(10)), title_es, title_en, number, '', "  # noqa: S608 (table names and constants only)
        f"NULL, NULL FROM {GCMObjective._meta.db_table}"
    ),
}
#: The kinds whose lists follow the place chosen.
PLACE_KINDS = frozenset({KINDS["department"], KINDS["municipality"]})


def result_count(counts: dict[int, int]) -> int:
    return counts.get(EVERY_PRACTICE, 0)
