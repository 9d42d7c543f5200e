"""The Markdown report of a bench run, and the summary at the end of README.md.

``python -m bench.report bench/results/<run>.json [--notes findings.md] [--readme]`` rewrites
the report of a saved run (with the findings of its analysis) and, if asked, README's summary.
"""

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
README_HEADING = "## Benchmarks"

PAGE_LABELS = {
    "b0": "B0: bare view, full middleware",
    "b1": "B1: one query, small template",
    "home": "home",
    "list": "practice list",
    "list_filtered": "list, two filters (country + theme)",
    "search_narrow": "narrow search",
    "search_broad": "broad search (~20 % match)",
    "search_broad_words": "broad multi-word search (two words)",
    "detail": "practice detail",
    "network": "network profile",
    "session": "session page",
    "admin_changelist": "admin practice changelist (staff)",
    "admin_floor": "admin floor: changelist of the 54 departments (staff)",
}


SEQUENTIAL_MARK = " (seq.)"
REMEASURED_MARK = " (re-measured)"


def _connections(results: dict) -> str:
    if "Connection: close" in results.get("load", {}).get("headers", ()):
        return "each request on a new connection (`Connection: close`, as nginx talks to gunicorn)"
    return "persistent connections (each stays with the worker that accepted it)"


def _fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _ok(passed, uncached_passed=None):
    if passed is None:
        return "–"  # not measured in this run (older runs lack the figure)
    if uncached_passed is None or uncached_passed == passed:
        return "met" if passed else "**missed**"
    return "met with the page cache, **missed** without" if passed else "**missed**"


def _uncached(size_data: dict, key: str):
    """The page measured without the page cache, or None (runs before it existed)."""
    return size_data.get("pages_uncached", {}).get(key)


def _single(size_data: dict, key: str):
    """The page timed in single requests (page cache off), or None (older runs)."""
    return (size_data.get("pages_single") or {}).get(key)


def _floor(size_data: dict, key: str):
    """The SQL floor of the page, or None (older runs, pages without one)."""
    return (size_data.get("floors") or {}).get(key)


def _floor_text(floor) -> str:
    if not floor:
        return "SQL floor –"
    without = (floor.get("without_counts") or {}).get("p95_ms")
    return f"SQL floor p95 {floor['p95_ms']:.1f} ms ({_fmt(without)} without the counts)"


def _load_rps(page: dict) -> float:
    """Throughput at 4 connections (the latency rounds); saturation where that is missing."""
    return page.get("moderate_rps") or page["rps"]


def _sequential(page: dict) -> str:
    return " (requests in sequence: too slow to load)" if page.get("mode") == "sequential" else ""


# (page, p95 limit in ms) of single requests at the largest size, page cache off.
SINGLE_TARGETS = (
    ("search_narrow", 20),
    ("search_broad", 100),
    ("search_broad_words", 200),
    ("list", 50),
    ("detail", 30),
)
# Catalogue pages held against B1 under load (page cache off, same server).
LOAD_PAGES = ("list", "list_filtered", "search_narrow", "search_broad", "search_broad_words")
# B2 of each: its SQL floor behind a bare view (bench/views.py), counts and labels kept.
PAGE_LABELS.update({f"b2_{key}": f"B2: SQL floor of the {PAGE_LABELS[key]}" for key in LOAD_PAGES})
LOAD_RPS_SHARE, LOAD_P95_TIMES, SCALE_RATIO = 0.5, 4, 0.8


def single_targets(results: dict) -> list[tuple]:
    """The issue's targets without the page cache: single requests, load against B1, scale."""
    sizes = [str(size) for size in results["profile"]["sizes"]]
    small, large = sizes[0], sizes[-1]
    at = results["sizes"]
    rows = []
    b0 = _single(at[large], "b0")
    http_floor = f"; HTTP floor (B0) p95 {b0['p95_ms']:.1f} ms" if b0 else ""
    for key, limit in SINGLE_TARGETS:
        page = _single(at[large], key)
        measured = "–"
        if page:
            measured = (
                f"{page['p95_ms']:.1f} ms (p50 {page['p50_ms']:.1f}); "
                f"{_floor_text(_floor(at[large], key))}{http_floor}"
            )
        rows.append(
            (
                f"{PAGE_LABELS[key]} p95 at {int(large):,}, single requests (page cache off)",
                f"<= {limit} ms",
                measured,
                page["p95_ms"] <= limit if page else None,
            )
        )
    b1 = _uncached(at[large], "b1")
    for key in LOAD_PAGES:
        page = _uncached(at[large], key)
        measured, passed = "–", None
        if page and b1:
            rps_share = _load_rps(page) / _load_rps(b1)
            p95_times = page["p95_ms"] / b1["p95_ms"]
            measured = (
                f"req/s {rps_share:.2f}x B1 ({_load_rps(page):,.1f} vs {_load_rps(b1):,.1f}), "
                f"p95 {p95_times:.1f}x B1 ({page['p95_ms']:.1f} vs {b1['p95_ms']:.1f} ms)"
                f"{_sequential(page)}; {_floor_text(_floor(at[large], key))}"
            )
            passed = rps_share >= LOAD_RPS_SHARE and p95_times <= LOAD_P95_TIMES
            floor_page = _uncached(at[large], f"b2_{key}")
            if floor_page:
                measured += (
                    f"; B2 (its SQL floor behind a bare view) req/s "
                    f"{_load_rps(floor_page) / _load_rps(b1):.2f}x B1 "
                    f"({_load_rps(floor_page):,.1f}), p95 {floor_page['p95_ms']:.1f} ms"
                )
        rows.append(
            (
                f"{PAGE_LABELS[key]} at {int(large):,} under load (4 connections, page cache "
                "off) / B1 of the same server",
                f"req/s >= {LOAD_RPS_SHARE}x, p95 <= {LOAD_P95_TIMES}x",
                measured,
                passed,
            )
        )
    for key in ("list", "search_narrow"):
        what = (
            f"{PAGE_LABELS[key]} at {int(large):,} / at {int(small):,} (page cache off), "
            "single requests and under load"
        )
        if small == large:
            rows.append((what, f">= {SCALE_RATIO}", "– (one size in this run)", None))
            continue
        parts, ratios = [], []
        singles = _single(at[small], key), _single(at[large], key)
        if all(singles):
            ratio = singles[0]["p95_ms"] / singles[1]["p95_ms"]
            ratios.append(ratio)
            parts.append(
                f"single requests {ratio:.2f} (p95 {singles[0]['p95_ms']:.1f} / "
                f"{singles[1]['p95_ms']:.1f} ms)"
            )
        else:
            parts.append("single requests –")
        loaded = _uncached(at[small], key), _uncached(at[large], key)
        if all(loaded):
            ratio = _load_rps(loaded[1]) / _load_rps(loaded[0])
            ratios.append(ratio)
            parts.append(
                f"under load {ratio:.2f} ({_load_rps(loaded[1]):,.1f} / "
                f"{_load_rps(loaded[0]):,.1f} req/s)"
            )
        else:
            parts.append("under load –")
        floors = _floor(at[small], key), _floor(at[large], key)
        if all(floors):
            parts.append(f"SQL floor p95 {floors[0]['p95_ms']:.1f} / {floors[1]['p95_ms']:.1f} ms")
        rows.append(
            (
                what,
                f">= {SCALE_RATIO} (both)",
                "; ".join(parts),
                all(ratio >= SCALE_RATIO for ratio in ratios) if len(ratios) == 2 else None,
            )
        )
    return rows


def targets(results: dict) -> list[tuple]:
    """(what, target, measured, met) for the issue's table."""
    sizes = [str(size) for size in results["profile"]["sizes"]]
    small, large = sizes[0], sizes[-1]
    at = results["sizes"]
    large_pages = at[large]["pages"]
    b0 = large_pages["b0"]["rps"]
    rows = []

    cold = {key: _uncached(at[large], key) for key in ("b0", "list", "detail")}
    list_ratio = large_pages["list"]["rps"] / b0
    detail_ratio = large_pages["detail"]["rps"] / b0
    measured = f"list {list_ratio:.2f}, detail {detail_ratio:.2f}"
    cold_met = None
    if all(cold.values()):
        cold_list = cold["list"]["rps"] / cold["b0"]["rps"]
        cold_detail = cold["detail"]["rps"] / cold["b0"]["rps"]
        measured += f"; without the page cache: list {cold_list:.2f}, detail {cold_detail:.2f}"
        cold_met = cold_list >= 0.5 and cold_detail >= 0.5
    rows.append(
        (
            f"practice list and detail throughput / B0 (at {int(large):,})",
            ">= 0.5",
            measured,
            list_ratio >= 0.5 and detail_ratio >= 0.5,
            cold_met,
        )
    )
    if small != large:
        growth = large_pages["list"]["rps"] / at[small]["pages"]["list"]["rps"]
        # The floors drift between server runs; the ratio of ratios removes that drift.
        normalised = (large_pages["list"]["rps"] / b0) / (
            at[small]["pages"]["list"]["rps"] / at[small]["pages"]["b0"]["rps"]
        )
        measured = f"{growth:.2f} (vs B0 of each run: {normalised:.2f})"
        cold_met = None
        small_cold, large_cold = _uncached(at[small], "list"), _uncached(at[large], "list")
        if small_cold and large_cold:
            cold_growth = large_cold["rps"] / small_cold["rps"]
            measured += f"; without the page cache: {cold_growth:.2f}"
            cold_met = cold_growth >= 0.9
        rows.append(
            (
                f"practice list throughput at {int(large):,} / at {int(small):,}",
                ">= 0.9",
                measured,
                growth >= 0.9,
                cold_met,
            )
        )
    narrow = large_pages["search_narrow"]["p95_ms"]
    broad = large_pages["search_broad"]["p95_ms"]

    def cold_p95(key, limit):
        page = _uncached(at[large], key)
        if not page:
            return "", None
        return f"; without the page cache: {page['p95_ms']:.1f} ms{how(key, page)}", (
            page["p95_ms"] <= limit
        )

    def how(key, page=None):
        # A page too slow to load-test was timed in sequence: say so beside its figure.
        return (
            " (requests in sequence: too slow to load)"
            if (page or large_pages[key]).get("mode") == "sequential"
            else ""
        )

    cold_text, cold_met = cold_p95("search_narrow", 30)
    rows.append(
        (
            f"narrow search p95 at {int(large):,} (4 connections)",
            "<= 30 ms",
            f"{narrow:.1f} ms{how('search_narrow')}{cold_text}",
            narrow <= 30,
            cold_met,
        )
    )
    cold_text, cold_met = cold_p95("search_broad", 150)
    rows.append(
        (
            f"broad search p95 at {int(large):,} (4 connections)",
            "<= 150 ms",
            f"{broad:.1f} ms{how('search_broad')}{cold_text}",
            broad <= 150,
            cold_met,
        )
    )
    admin_ratio = large_pages["admin_changelist"]["rps"] / b0
    floor = large_pages.get("admin_floor")
    floor_text = (
        f"; Django's admin floor (54 departments) {floor['rps'] / b0:.2f} of B0" if floor else ""
    )
    admin_counts = [at[size]["queries"]["admin_changelist"]["queries"] for size in sizes]
    admin_rows = at[large]["list_query_counts"]
    admin_constant = len(set(admin_counts)) == 1 and (
        admin_rows["admin, 1 row"] == admin_rows["admin, 100 rows"]
    )
    rows.append(
        (
            f"admin changelist at {int(large):,} / B0, constant query count",
            ">= 0.3, constant",
            f"{admin_ratio:.2f}{floor_text}; queries {' / '.join(map(str, admin_counts))} by "
            f"size, {admin_rows['admin, 1 row']} / {admin_rows['admin, 100 rows']} for 1 / 100 "
            "rows",
            admin_ratio >= 0.3 and admin_constant,
        )
    )
    imports = results["imports"]
    admin_import = imports["admin"][-1]
    default_import = imports["defaults"][-1]
    speedup = admin_import["rows_per_s"] / default_import["rows_per_s"]
    small_growth = imports["admin"][0]["rss_growth_mb"]
    large_growth = admin_import["rss_growth_mb"]
    flat = large_growth <= max(1.5 * small_growth, small_growth + 20)
    rows.append(
        (
            f"members import rows/s ({admin_import['rows']:,} rows)",
            ">= 5 000 and >= 5x defaults; memory flat",
            f"{admin_import['rows_per_s']:,.0f} rows/s, {speedup:.2f}x defaults; memory "
            f"+{small_growth:.0f} MB at {imports['admin'][0]['rows']:,} rows, "
            f"+{large_growth:.0f} MB at {admin_import['rows']:,}",
            admin_import["rows_per_s"] >= 5000 and speedup >= 5 and flat,
        )
    )
    export = results["export"]
    worker_growth = at[large]["csv"]["worker_peak_growth_mb"]
    growth = max(export["rss_growth_mb"], worker_growth or 0)
    rows.append(
        (
            f"CSV export of {export['rows']:,} practices",
            "streamed; peak memory growth < 100 MB",
            f"{export['seconds']:.1f} s, +{export['rss_growth_mb']:.0f} MB in process, "
            f"+{_fmt(worker_growth, 0)} MB in the gunicorn worker; first byte after "
            f"{export['first_byte_seconds'] * 1000:.0f} ms",
            growth < 100,
        )
    )
    page_keys = [key for key in large_pages if key not in ("b0", "b1")]
    varying = [
        key for key in page_keys if len({at[size]["queries"][key]["queries"] for size in sizes}) > 1
    ]
    list_rows = at[large]["list_query_counts"]
    rows.append(
        (
            "queries per page, 1 vs many rows and by total size",
            "the same",
            ("varies: " + ", ".join(varying) if varying else "same on every page by size")
            + f"; list {list_rows['list, 1 row']} / {list_rows['list, 20 rows']} for few / 20 rows",
            not varying and list_rows["list, 1 row"] == list_rows["list, 20 rows"],
        )
    )
    rows += single_targets(results)
    # (what, target, measured, met, met without the page cache or None where it does not apply)
    return [row if len(row) == 5 else (*row, None) for row in rows]


def machine_line(machine: dict) -> str:
    return (
        f"{machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gb']} GB RAM, "
        f"PostgreSQL {machine['postgres']} (shared_buffers {machine['shared_buffers']}), "
        f"Python {machine['python']}, {machine['wrk'].split(' [')[0].replace('debian/', '')}"
    )


def render(results: dict) -> str:
    sizes = [str(size) for size in results["profile"]["sizes"]]
    profile = results["profile"]
    machine = results["machine"]
    gunicorn = results["gunicorn"]
    lines = [
        f"# Benchmark {results['date']} ({profile['name']})",
        "",
        f"Machine: {machine_line(machine)}. Load average at start "
        f"{', '.join(f'{x:.2f}' for x in machine['loadavg_start'])}, at end "
        f"{', '.join(f'{x:.2f}' for x in machine.get('loadavg_end', []))}.",
        "",
        f"Server: gunicorn {gunicorn['worker_class']}, {gunicorn['workers']} workers x "
        f"{gunicorn['threads']} threads, keepalive {gunicorn['keepalive']} s, max_requests "
        f"{gunicorn['max_requests']} (portal/gunicorn.conf.py as checked in), DEBUG off, "
        "whitenoise, `X-Forwarded-Proto: https` as from the TLS proxy. Load: wrk on the same "
        f"machine over loopback, {_connections(results)}; warm-up {profile['warmup']} s, "
        f"then {profile['rounds']} rounds "
        f"of {profile['duration']} s at saturation (2 threads, 16 connections: throughput) and "
        f"{profile['rounds']} rounds at 4 connections (latency); medians. Client and server "
        "share the CPUs; other jobs may have been running, so compare ratios within a run "
        "rather than absolute figures between runs.",
        "",
        "## Targets",
        "",
        "| what | target | measured | |",
        "|---|---|---|---|",
    ]
    for what, target, measured, passed, uncached_passed in targets(results):
        lines.append(f"| {what} | {target} | {measured} | {_ok(passed, uncached_passed)} |")
    for size in sizes:
        data = results["sizes"][size]
        pages = data["pages"]
        b0 = pages["b0"]["rps"]
        selectivity = data["selectivity"]
        lines += [
            "",
            f"## {int(size):,} published practices",
            "",
            f"Seeded {data['added']:,} practices (published and drafts) in "
            f"{data['seeding_seconds']:.0f} s. Narrow search matches "
            f"{selectivity['narrow_matches']:,}, broad search {selectivity['broad_matches']:,} "
            f"({selectivity['broad_share']:.0%}) of {selectivity['published']:,}.",
            "",
            "| page | req/s (saturation) | / B0 | p50 ms | p95 ms | p99 ms | queries | "
            "DB ms (1 request) | KB | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, page in pages.items():
            queries = data["queries"].get(key, {})
            mark = SEQUENTIAL_MARK if page.get("mode") == "sequential" else ""
            mark += REMEASURED_MARK if page.get("remeasured") else ""
            lines.append(
                f"| {PAGE_LABELS.get(key, key)}{mark} | {page['rps']:,.1f} | "
                f"{page['rps'] / b0:.2f} | "
                f"{page['p50_ms']:.1f} | {page['p95_ms']:.1f} | {page['p99_ms']:.1f} | "
                f"{queries.get('queries', '–')} | {_fmt(queries.get('db_ms'))} | "
                f"{page['bytes'] / 1024:.1f} | {page['errors']} |"
            )
        csv_result = data["csv"]
        lines.append(
            f"| open-data CSV, whole download | {csv_result['rps']:.2f} | "
            f"{csv_result['rps'] / b0:.4f} | {csv_result['seconds'] * 1000:,.0f} (one at a time) "
            f"| | | {data['queries'].get('csv', {}).get('queries', '–')} | | "
            f"{csv_result['bytes'] / 1024:,.0f} | |"
        )
        uncached = data.get("pages_uncached") or {}
        if uncached:
            cold_b0 = uncached["b0"]["rps"]
            lines += [
                "",
                "Without the page cache (`PUBLIC_PAGE_CACHE_SECONDS=0`: every request rendered, "
                "as for the first visitor after a change or a search nobody made before; one "
                "round each; ratios against this server's own B0):",
                "",
                "| page | req/s (saturation) | / B0 | p50 ms | p95 ms | p99 ms | errors |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            for key, page in uncached.items():
                mark = SEQUENTIAL_MARK if page.get("mode") == "sequential" else ""
                lines.append(
                    f"| {PAGE_LABELS.get(key, key)}{mark} | {page['rps']:,.1f} | "
                    f"{page['rps'] / cold_b0:.2f} | {page['p50_ms']:.1f} | "
                    f"{page['p95_ms']:.1f} | {page['p99_ms']:.1f} | {page['errors']} |"
                )
        counts = data["list_query_counts"]
        if any(page.get("remeasured") for page in pages.values()):
            lines += [
                "",
                f"{REMEASURED_MARK.strip()}: no request finished within this run's rounds (the "
                "harness then had no fallback; a page measured right after such a page also "
                "queued behind it); measured again on the same database and server code "
                "right after the run, with the fallback the harness now has.",
            ]
        if any(page.get("mode") == "sequential" for page in pages.values()):
            lines += [
                "",
                f"{SEQUENTIAL_MARK} Over 2 s for one request, or no request finished within a "
                "round under load: not load-tested (requests would only queue behind "
                "gunicorn's 30 s worker timeout); five requests in sequence instead, req/s = "
                "1 / median, p50 = median, p95 and p99 = the slowest.",
            ]
        lines += [
            "",
            "Queries with few and many rows: "
            + ", ".join(f"{label} {count}" for label, count in counts.items())
            + ".",
        ]
    lines += single_section(results)
    lines += ["", "## Data paths", "", "Members spreadsheet (people), in fresh processes:", ""]
    lines += [
        "| path | rows | preview s | import s | rows/s (import) | rows/s (preview + import) "
        "| memory growth MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "admin": "admin code (PersonResource, admin kwargs, log entries)",
        "defaults": "ModelResource with the library's defaults",
        "copy": "PostgreSQL COPY + INSERT ... SELECT",
    }
    for mode, runs in results["imports"].items():
        for run in runs:
            if mode == "copy":
                lines.append(
                    f"| {labels[mode]} | {run['rows']:,} | | {run['seconds']:.2f} | "
                    f"{run['rows_per_s']:,.0f} | | {run['rss_growth_mb']:.0f} |"
                )
            else:
                lines.append(
                    f"| {labels[mode]} | {run['rows']:,} | {run['preview_seconds']:.2f} | "
                    f"{run['confirm_seconds']:.2f} | {run['rows_per_s']:,.0f} | "
                    f"{run['rows_per_s_end_to_end']:,.0f} | {run['rss_growth_mb']:.0f} |"
                )
    admin_run = results["imports"]["admin"][-1]
    copy_run = results["imports"]["copy"][-1]
    export = results["export"]
    lines += [
        "",
        f"COPY is {copy_run['rows_per_s'] / admin_run['rows_per_s']:,.0f}x the admin import.",
        "",
        f"Open-data CSV export through the view (streamed to a counting sink): "
        f"{export['rows']:,} rows, {export['bytes'] / 1e6:.1f} MB in {export['seconds']:.2f} s "
        f"({export['rows_per_s']:,.0f} rows/s), first byte after "
        f"{export['first_byte_seconds'] * 1000:.0f} ms, memory growth "
        f"{export['rss_growth_mb']:.0f} MB. `COPY (SELECT ...) TO STDOUT` of the same columns: "
        f"{export['copy_rows']:,} rows, {export['copy_bytes'] / 1e6:.1f} MB in "
        f"{export['copy_seconds']:.2f} s ({export['seconds'] / export['copy_seconds']:.1f}x "
        "faster than the view).",
    ]
    largest = sizes[-1]
    lines += ["", f"## Slowest statements at {int(largest):,} (one request, test client)", ""]
    for key, profile_data in results["sizes"][largest]["queries"].items():
        if not profile_data["slowest"] or profile_data["slowest"][0]["ms"] < 5:
            continue
        lines += [
            f"### {PAGE_LABELS.get(key, key)}: {profile_data['queries']} queries, "
            f"{profile_data['db_ms']:.1f} ms in the database",
            "",
        ]
        for query in profile_data["slowest"]:
            lines += [f"- {query['ms']:.1f} ms: `{query['sql'][:400]}`"]
        if profile_data.get("explain"):
            lines += ["", "```", profile_data["explain"], "```"]
        lines.append("")
    notes = results.get("notes")
    if notes:
        lines += ["## Notes", "", notes, ""]
    lines.append(f"Run took {results.get('elapsed_minutes', 0):.1f} minutes.")
    return "\n".join(lines) + "\n"


def single_section(results: dict) -> list[str]:
    """Single requests (page cache off) beside the SQL floors, a table per size."""
    sizes = [str(size) for size in results["profile"]["sizes"]]
    requests = results["profile"].get("single_requests")
    lines = ["", "## Single requests (page cache off)", ""]
    if not any(results["sizes"][size].get("pages_single") for size in sizes):
        return [*lines, "Not measured in this run (it predates single-request timings)."]
    lines += [
        f"Server time of one request at a time: one keep-alive connection, {_fmt(requests)} "
        "requests in sequence after 5 untimed, each body read whole, on the server with "
        "`PUBLIC_PAGE_CACHE_SECONDS=0`. SQL floor: the page's essential SQL written by hand "
        "(bench/floors.py: facet counts, the ids of the first page, the 20 cards, the labels; "
        "for the practice page its row and relations), as many rounds in sequence on one "
        "psycopg2 connection, a round's time the total of its statements. The catalogue "
        "remembers the counts of a search or filter (`FACET_COUNTS_CACHE_SECONDS`), so a "
        "repeated request skips them: the floor without the counts is shown too. B0 is the "
        "floor of the HTTP stack.",
    ]
    for size in sizes:
        data = results["sizes"][size]
        single = data.get("pages_single") or {}
        lines += ["", f"### {int(size):,} published practices", ""]
        if not single:
            lines.append("Not measured at this size.")
            continue
        lines += [
            "| page | p50 ms | p95 ms | max ms | SQL floor p50 / p95 ms | floor p95 without "
            "counts ms | p95 / floor p95 | p95 / floor p95 without counts |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, page in single.items():
            floor = _floor(data, key)
            floor_cells = "– | – | – | –"
            if floor:
                without = (floor.get("without_counts") or {}).get("p95_ms")
                floor_cells = (
                    f"{floor['p50_ms']:.1f} / {floor['p95_ms']:.1f} | {_fmt(without)} | "
                    f"{page['p95_ms'] / floor['p95_ms']:.1f} | "
                    f"{_fmt(page['p95_ms'] / without if without else None)}"
                )
            lines.append(
                f"| {PAGE_LABELS.get(key, key)} | {page['p50_ms']:.1f} | {page['p95_ms']:.1f} | "
                f"{page['max_ms']:.1f} | {floor_cells} |"
            )
        b0 = single.get("b0")
        if b0:
            lines += [
                "",
                f"HTTP floor (B0, a bare view behind the full middleware): p50 "
                f"{b0['p50_ms']:.1f} ms, p95 {b0['p95_ms']:.1f} ms.",
            ]
    return lines


def readme_summary(results: dict, report_name: str) -> str:
    lines = [
        README_HEADING,
        "",
        "`make bench` seeds a separate PostgreSQL database (`portal_bench`) with 1 000, 10 000 and "
        "100 000 published practices, serves the portal with gunicorn as in production and "
        "drives it with wrk; `make bench-quick` is a short first look (1 000 practices). Each "
        "run writes a dated report to `bench/results/`. Ratios are against the floors B0 "
        "(bare view behind the full middleware) and B1 (one query, small template) of the "
        "same run. Public pages are measured as served (anonymous visitors share a page "
        "cache, emptied on every change) and again rendered on every request. The report ends "
        "with the causes of every missed target and what was changed.",
        "",
        f"Latest ({results['date'][:10]}, {results['profile']['name']}, "
        f"[report](bench/results/{report_name})) on {machine_line(results['machine'])}:",
        "",
        "| what | target | measured | |",
        "|---|---|---|---|",
    ]
    for what, target, measured, passed, uncached_passed in targets(results):
        lines.append(f"| {what} | {target} | {measured} | {_ok(passed, uncached_passed)} |")
    return "\n".join(lines) + "\n"


def write_readme_summary(summary: str) -> None:
    text = README.read_text(encoding="utf-8")
    index = text.find("\n" + README_HEADING + "\n")
    text = text[: index + 1] if index != -1 else text.rstrip("\n") + "\n\n"
    README.write_text(text + summary, encoding="utf-8")


def write_report(results: dict, *, update_readme: bool = True) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stem = results["date"].replace(":", "").replace("T", "-") + f"-{results['profile']['name']}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    path = RESULTS / f"{stem}.md"
    path.write_text(render(results), encoding="utf-8")
    if update_readme:
        write_readme_summary(readme_summary(results, path.name))
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Rewrite the report of a saved run.")
    parser.add_argument("results", type=Path, help="bench/results/<run>.json")
    parser.add_argument("--notes", type=Path, help="Markdown file: findings to keep in the report")
    parser.add_argument("--readme", action="store_true", help="also rewrite README's summary")
    options = parser.parse_args(argv)
    results = json.loads(options.results.read_text(encoding="utf-8"))
    if options.notes:
        results["notes"] = options.notes.read_text(encoding="utf-8").strip()
    print(write_report(results, update_readme=options.readme))


if __name__ == "__main__":
    main()
