"""SQL floors: the essential SQL of each catalogue page, written by hand, timed in sequence.

The floor of a page is what its data costs in the database and the driver, without Django:
the same questions the page asks, as plain statements on one psycopg2 connection to the bench
database (autocommit, nothing cached between rounds). A round runs every statement of the
page in order; its time is their total. For the list and searches a round is

(a) the facet counts: the kept totals (``practices_facettotal``) for the unfiltered list,
    otherwise one count over the matching rows (``unnest(facet_keys)``);
(b) the ids of the first page of 20, ranked as the page ranks them;
(c) the cards of those 20: their columns with their facet keys (the names of their themes,
    places and network come from the labels);
(d) the labels of every facet, one ``UNION ALL`` over the small tables.

The catalogue remembers the counts of a search or filter, with its filters as rendered, and
the labels (``FACET_COUNTS_CACHE_SECONDS``), so a repeated request does not pay (a) or (d):
every floor also reports its total without (a).

The detail floor reads the practice by slug with its network, lead institution and legal
evidence, its themes, objectives and principles, municipalities (and replications), partner
institutions, attachments and the three related practices.
"""

import math
import statistics
import time
from urllib.parse import parse_qs, urlsplit

#: The pages with a floor, by their key in ``run.pages()``.
FLOOR_PAGES = (
    "list",
    "list_filtered",
    "search_narrow",
    "search_broad",
    "search_broad_words",
    "detail",
)
SEARCH_CONFIG = "spanish_unaccent"
PAGE_SIZE = 20
#: Key of a facet: kind * SPAN + id (practices/facets.py).
SPAN = 10_000_000
KIND_COUNTRY, KIND_DEPARTMENT, KIND_MUNICIPALITY, KIND_NETWORK, KIND_THEME, KIND_GCM = range(1, 7)
COUNTS = "counts"


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(seconds: list[float]) -> dict:
    """p50/p95/p99/max (ms) and the count of a list of timings in seconds."""
    ordered = sorted(seconds)
    if not ordered:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "count": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "max_ms": ordered[-1] * 1000,
    }


# Statements ---------------------------------------------------------------------------------

PUBLISHED = "p.status = 'published'"
SEARCHED = f"p.search_vector @@ websearch_to_tsquery('{SEARCH_CONFIG}', %(q)s)"
FILTERED = "p.facet_keys @> %(keys)s::integer[]"
RANK = f"ts_rank(p.rank_vector, websearch_to_tsquery('{SEARCH_CONFIG}', %(q)s)) DESC, "
NEWEST = "p.published_at DESC, p.id DESC"

CARDS = (
    "SELECT id, slug, title, summary, practice_type, year_started, facet_keys "
    "FROM practices_practice WHERE id = ANY(%(ids)s)"
)
LABELS = (
    "SELECT 1, id, code, name_es, name_en, 0, name_es, NULL::bigint, NULL::bigint "
    "FROM networks_country "
    "UNION ALL SELECT 2, id, code, name, '', 0, name, country_id, id FROM networks_department "
    "UNION ALL SELECT 3, m.id, m.slug, m.name, d.name, 0, m.name, d.country_id, "
    "m.department_id FROM networks_municipality m "
    "JOIN networks_department d ON d.id = m.department_id "
    "UNION ALL SELECT 4, id, slug, name, '', 0, name, NULL, NULL FROM networks_network "
    "UNION ALL SELECT 5, id, slug, name_es, name_en, position, name_es, NULL, NULL "
    "FROM practices_theme "
    "UNION ALL SELECT 6, id, CAST(number AS varchar), title_es, title_en, number, '', NULL, NULL "
    "FROM practices_gcmobjective "
    "ORDER BY 1, 6, 7, 3"
)
TOTALS = "SELECT key, count FROM practices_facettotal"


def counted(condition: str) -> str:
    return (
        "SELECT facet_key, COUNT(*) FROM (SELECT p.facet_keys FROM practices_practice p "
        f"WHERE {PUBLISHED} AND {condition}) m, unnest(m.facet_keys) facet_key "
        "GROUP BY facet_key"
    )


def first_page(condition: str | None, ranked: bool) -> str:
    where = PUBLISHED + (f" AND {condition}" if condition else "")
    order = (RANK if ranked else "") + NEWEST
    return f"SELECT p.id FROM practices_practice p WHERE {where} ORDER BY {order} LIMIT {PAGE_SIZE}"


DETAIL = (
    "SELECT p.id, p.title, p.slug, p.summary, p.body, p.practice_type, p.year_started, "
    "p.implementation_status, p.results, p.lessons_learned, p.challenges, "
    "p.replication_requirements, p.language, p.published_at, p.updated_at, "
    "n.id, n.name, n.slug, n.kind, i.id, i.name, i.acronym, i.sector, i.website, "
    "c.name_es, c.name_en, c.code, e.number, e.approval_date, e.gazette_reference, e.url "
    "FROM practices_practice p "
    "LEFT JOIN networks_network n ON n.id = p.network_id "
    "LEFT JOIN networks_institution i ON i.id = p.lead_institution_id "
    "LEFT JOIN networks_country c ON c.id = i.country_id "
    "LEFT JOIN practices_legalevidence e ON e.practice_id = p.id "
    f"WHERE {PUBLISHED} AND p.slug = %(slug)s"
)
DETAIL_TERMS = (
    "SELECT 1, t.id, t.position, t.slug, t.name_es, t.name_en FROM practices_practice_themes l "
    "JOIN practices_theme t ON t.id = l.theme_id WHERE l.practice_id = %(id)s "
    "UNION ALL SELECT 2, o.id, o.number, CAST(o.number AS varchar), o.title_es, o.title_en "
    "FROM practices_practice_gcm_objectives l JOIN practices_gcmobjective o "
    "ON o.id = l.gcmobjective_id WHERE l.practice_id = %(id)s "
    "UNION ALL SELECT 3, g.id, g.position, g.slug, g.name_es, g.name_en "
    "FROM practices_practice_gcm_principles l JOIN practices_gcmprinciple g "
    "ON g.id = l.gcmprinciple_id WHERE l.practice_id = %(id)s "
    "ORDER BY 1, 3, 5"
)
DETAIL_PLACES = (
    "SELECT 1, NULL::smallint, m.id, m.name, m.slug, m.is_border, m.latitude, m.longitude, "
    "d.name, c.name_es, c.name_en, c.code FROM practices_practice_municipalities l "
    "JOIN networks_municipality m ON m.id = l.municipality_id "
    "JOIN networks_department d ON d.id = m.department_id "
    "JOIN networks_country c ON c.id = d.country_id WHERE l.practice_id = %(id)s "
    "UNION ALL SELECT 2, r.year, m.id, m.name, m.slug, m.is_border, m.latitude, m.longitude, "
    "d.name, c.name_es, c.name_en, c.code FROM practices_replication r "
    "JOIN networks_municipality m ON m.id = r.municipality_id "
    "JOIN networks_department d ON d.id = m.department_id "
    "JOIN networks_country c ON c.id = d.country_id WHERE r.practice_id = %(id)s "
    "ORDER BY 1, 2, 4"
)
DETAIL_PARTNERS = (
    "SELECT i.id, i.name, i.acronym, i.sector, i.website, c.name_es, c.name_en, c.code "
    "FROM practices_practice_partner_institutions l "
    "JOIN networks_institution i ON i.id = l.institution_id "
    "JOIN networks_country c ON c.id = i.country_id WHERE l.practice_id = %(id)s "
    "ORDER BY i.name"
)
DETAIL_ATTACHMENTS = (
    "SELECT id, title, kind, file, original_name, content_type, size, uploaded_at "
    "FROM practices_attachment WHERE practice_id = %(id)s ORDER BY uploaded_at"
)
# As the page: among the 500 highest ids sharing a theme, the three published sharing most.
DETAIL_RELATED = (
    "SELECT p.id, p.title, p.slug, p.summary, p.year_started, p.published_at, COUNT(*) "
    "FROM (SELECT u.practice_id FROM practices_practice_themes u "
    "WHERE u.theme_id = ANY(%(themes)s) AND u.practice_id <> %(id)s "
    "ORDER BY 1 DESC LIMIT 500) c "
    "JOIN practices_practice p ON p.id = c.practice_id "
    "JOIN practices_practice_themes l ON l.practice_id = p.id AND l.theme_id = ANY(%(themes)s) "
    f"WHERE {PUBLISHED} GROUP BY p.id ORDER BY 7 DESC, {NEWEST} LIMIT 3"
)


# Rounds -----------------------------------------------------------------------------------------


class Round:
    """One round of a page's statements on ``cursor``, timing each part."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.parts: dict[str, float] = {}
        self.statements = 0

    def run(self, part: str, statement: str, params=None) -> list[tuple]:
        started = time.perf_counter()
        self.cursor.execute(statement, params)
        rows = self.cursor.fetchall()
        self.statements += 1
        self.parts[part] = self.parts.get(part, 0.0) + time.perf_counter() - started
        return rows


def catalogue_round(
    cursor, *, q: str | None, keys: list[int], lookups: dict, kept: bool = False
) -> Round:
    """The list, a filter or a search: counts, first page, cards, labels.

    ``kept``: only what a repeated request still asks the database, the counts (the kept
    totals for the list) and the labels (with the filters' records) being kept between
    requests."""
    step = Round(cursor)
    params = {"q": q}
    if lookups:
        # The filters travel as codes and slugs, found in the labels (which a first request
        # reads, and a repeated one keeps): (kind, value) -> key.
        found = _kept_lookups(cursor) if kept else _by_value(step.run("labels", LABELS))
        keys = [*keys, *(found[KINDS_BY_NAME[name], value] for name, value in lookups.items())]
    conditions = []
    if q:
        conditions.append(SEARCHED)
    if keys:
        conditions.append(FILTERED)
        params["keys"] = sorted(keys)
    condition = " AND ".join(conditions) or None
    statement = counted(condition) if condition else TOTALS  # the kept totals: no filter
    if not kept:
        step.run(COUNTS, statement, params)
    ids = [row[0] for row in step.run("ids", first_page(condition, bool(q)), params)]
    step.run("cards", CARDS, {"ids": ids})
    if not kept and not lookups:
        step.run("labels", LABELS)
    return step


KINDS_BY_NAME = {"country": KIND_COUNTRY, "theme": KIND_THEME}
_KEPT_LOOKUPS: dict = {}


def _by_value(label_rows) -> dict:
    return {(kind, value): kind * SPAN + pk for kind, pk, value, *_rest in label_rows}


def _kept_lookups(cursor) -> dict:
    """The labels as a repeated request holds them: read once, outside any timing."""
    if not _KEPT_LOOKUPS:
        cursor.execute(LABELS)
        _KEPT_LOOKUPS.update(_by_value(cursor.fetchall()))
    return _KEPT_LOOKUPS


def detail_round(cursor, *, slug: str) -> Round:
    step = Round(cursor)
    (practice, *_) = step.run("practice", DETAIL, {"slug": slug})
    params = {"id": practice[0]}
    terms = step.run("relations", DETAIL_TERMS, params)
    step.run("relations", DETAIL_PLACES, params)
    step.run("relations", DETAIL_PARTNERS, params)
    step.run("relations", DETAIL_ATTACHMENTS, params)
    themes = [row[1] for row in terms if row[0] == 1]
    step.run("related", DETAIL_RELATED, {**params, "themes": themes})
    return step


def floor_round(key: str, path: str, *, kept: bool = False):
    """The round function of a page, from its key and the path the bench measures."""
    parts = urlsplit(path)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    if key == "detail":
        slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return lambda cursor: detail_round(cursor, slug=slug)
    lookups = {name: query[name] for name in ("country", "theme") if name in query}
    q = query.get("q") or None
    return lambda cursor: catalogue_round(cursor, q=q, keys=[], lookups=lookups, kept=kept)


def connect(database_url: str):
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    return connection


def measure_floors(paths: dict[str, str], database_url: str, *, rounds: int, warmup: int = 5):
    """Floors of the pages in ``paths`` (key -> path as measured) with a floor: per page, the
    p50/p95/p99/max of a round's total, the same without the counts, and each part's p50."""
    results = {}
    connection = connect(database_url)
    try:
        with connection.cursor() as cursor:
            for key, path in paths.items():
                if key not in FLOOR_PAGES:
                    continue
                page_round = floor_round(key, path)
                for _ in range(warmup):
                    page_round(cursor)
                steps = [page_round(cursor) for _ in range(rounds)]
                measured = [step.parts for step in steps]
                totals = [sum(parts.values()) for parts in measured]
                without_counts = [
                    total - parts.get(COUNTS, 0.0)
                    for total, parts in zip(totals, measured, strict=True)
                ]
                names = list(measured[0])
                results[key] = {
                    "path": path,
                    **summarise(totals),
                    "without_counts": summarise(without_counts),
                    "parts_p50_ms": {
                        name: statistics.median(parts.get(name, 0.0) for parts in measured) * 1000
                        for name in names
                    },
                    "statements": steps[0].statements,
                }
    finally:
        connection.close()
    return results
