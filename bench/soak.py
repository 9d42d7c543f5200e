"""The soak: ``make soak`` (64 connections for 5 minutes) or ``python -m bench.soak --quick``.

gunicorn as in production (portal/gunicorn.conf.py, 2 gthread workers here) on the shared
PostgreSQL, in its own database (``SOAK_DATABASE_URL``, default ``portal_soak``) recreated and
seeded with bench/seed.py (1 000 practices). ``--connections`` threads, each one browser with
its own keep-alive connection, loop over a mix: public pages (home, catalogue, a practice),
searches (one or two words from a list) and a signed-in coordinator's workspace (home, the
member list, a new practice draft). Every 5 s the resident memory of each worker (the master's
children) is read from /proc.

Written to ``bench/results/soak-<date>.md``: requests and p50/p95 per kind, every status other
than success (5xx must be 0), each worker's memory over time with its least-squares slope in
MB/min and a verdict. Not part of the test suite.
"""

import argparse
import datetime
import os
import random
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

from bench.run import RESULTS, Server, configure_environment, recreate_database, snapshot_tree
from bench.traffic import (
    SEARCH_WORDS,
    Answer,
    Client,
    children,
    coordinator_session,
    create_practice,
    migrate_and_seed,
    percentile,
    rss_mb,
    slope_per_minute,
    success,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_soak"
SAMPLE_SECONDS = 5
# Share of each kind of visit: mostly the public, some searches, a few coordinators.
MIX = {"public": 0.55, "search": 0.30, "workspace": 0.15}
# Growth below this many MB per minute, over a run, is noise (allocator, caches filling).
GROWTH_MB_PER_MIN = 0.5

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[soak {time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def prepare(practices: int) -> tuple[dict, Path, dict]:
    database_url = os.environ.get("SOAK_DATABASE_URL", DEFAULT_DATABASE_URL)
    workdir = Path(tempfile.mkdtemp(prefix="portal-soak-"))
    source = snapshot_tree(workdir / "src")
    env = configure_environment(database_url, str(workdir / "static"), source)
    env["GUNICORN_WORKERS"] = os.environ.get("GUNICORN_WORKERS", "2")
    log(f"recreating {urlsplit(database_url).path.lstrip('/')}, migrating, seeding {practices}")
    recreate_database(database_url)
    migrate_and_seed(source, practices)
    from practices.models import Practice

    cookies, network = coordinator_session()
    details = [
        practice.get_absolute_url() for practice in Practice.objects.published().order_by("?")[:200]
    ]
    return env, workdir, {"cookies": cookies, "network": network, "details": details}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.failures = []

    def add(self, kind: str, answer) -> None:
        with self.lock:
            self.statuses[kind][answer.status] += 1
            if success(answer):
                self.timings[kind].append(answer.seconds)
            elif len(self.failures) < 20:
                self.failures.append((kind, answer.status, answer.error))


def visit(kind, rng, public, coordinator, context, recorder, seed) -> None:
    network = context["network"]
    if kind == "public":
        page = rng.choice(["home", "catalogue", "detail", "detail"])
        path = {
            "home": "/",
            "catalogue": f"/practices/?page={rng.randint(1, 5)}",
            "detail": rng.choice(context["details"]),
        }[page]
        recorder.add(page, public.request("GET", path))
    elif kind == "search":
        words = " ".join(rng.sample(SEARCH_WORDS, rng.choice([1, 1, 2])))
        recorder.add("search", public.request("GET", f"/practices/?q={quote_plus(words)}"))
    else:
        action = rng.choice(["ws_home", "ws_members", "ws_members", "ws_create"])
        if action == "ws_home":
            answer = coordinator.request("GET", "/dashboard/")
        elif action == "ws_members":
            answer = coordinator.request("GET", f"/dashboard/networks/{network}/members/")
        else:
            answer = create_practice(coordinator, network, f"soak {seed}-{rng.random():.9f}")
        recorder.add(action, answer)


def visitor(base, context, recorder, stop, seed) -> None:
    rng = random.Random(seed)
    public = Client(base)
    coordinator = Client(base, cookies=context["cookies"])
    while not stop.is_set():
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        try:
            visit(kind, rng, public, coordinator, context, recorder, seed)
        except Exception as error:  # a bug of the load generator: counted, not hidden
            recorder.add(kind, Answer(-1, 0.0, error=repr(error)))
    public.close()
    coordinator.close()


def sampler(server, samples, stop) -> None:
    started = time.monotonic()
    while not stop.wait(SAMPLE_SECONDS if samples else 0):
        at = time.monotonic() - started
        for pid in children(server.process.pid):
            value = rss_mb(pid)
            if value is not None:
                samples[pid].append((at, value))


def run(base, context, server, *, duration, connections) -> dict:
    recorder, samples, stop = Recorder(), defaultdict(list), threading.Event()
    threads = [
        threading.Thread(target=visitor, args=(base, context, recorder, stop, n), daemon=True)
        for n in range(connections)
    ]
    watcher = threading.Thread(target=sampler, args=(server, samples, stop), daemon=True)
    watcher.start()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while time.monotonic() - started < duration:
        time.sleep(min(30, duration - (time.monotonic() - started)))
        done = sum(sum(c.values()) for c in recorder.statuses.values())
        log(f"{time.monotonic() - started:5.0f} s: {done} requests")
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    watcher.join(timeout=10)
    return {
        "seconds": time.monotonic() - started,
        "recorder": recorder,
        "samples": dict(samples),
    }


def report(result, options, gunicorn_log: Path) -> str:
    recorder = result["recorder"]
    total = sum(sum(c.values()) for c in recorder.statuses.values())
    server_errors = sum(
        count for c in recorder.statuses.values() for status, count in c.items() if status >= 500
    )
    no_answer = sum(c.get(0, 0) for c in recorder.statuses.values())
    lines = [
        f"# Soak, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"{options.connections} connections for {result['seconds']:.0f} s over "
        f"{options.practices} practices; gunicorn gthread, "
        f"{os.environ.get('GUNICORN_WORKERS', '2')} workers x 4 threads, on {os.cpu_count()} CPUs "
        "shared with the load generator (Python threads) and PostgreSQL. "
        "Page cache on (as in production). `python -m bench.soak` (bench/soak.py).",
        "",
        f"**{total} requests, {total / result['seconds']:.1f} req/s; 5xx: {server_errors}; "
        f"no answer (connection errors, timeouts): {no_answer}.**",
        "",
        "| kind | requests | statuses | p50 ms | p95 ms | max ms |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for kind in sorted(recorder.statuses):
        timings = recorder.timings[kind]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(recorder.statuses[kind].items()))
        lines.append(
            f"| {kind} | {sum(recorder.statuses[kind].values())} | {statuses} | "
            f"{percentile(timings, 0.5) * 1000:.0f} | {percentile(timings, 0.95) * 1000:.0f} | "
            f"{max(timings, default=float('nan')) * 1000:.0f} |"
        )
    lines += [
        "",
        "ws_create is the whole action: the form (GET) and sending it (POST, 302 on success).",
        "",
        "## Memory of each worker (VmRSS, MB)",
        "",
        f"Sampled every {SAMPLE_SECONDS} s. Slope: least squares over the worker's samples after "
        "its first minute (warm-up: caches and connections fill); "
        f"a growth trend is a slope above {GROWTH_MB_PER_MIN} MB/min.",
        "",
        "| worker pid | samples | first | after 1 min | last | max | slope MB/min | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for pid, points in sorted(result["samples"].items(), key=lambda item: item[1][0][0]):
        start = points[0][0]
        warm = [(t, v) for t, v in points if t - start >= 60] or points
        slope = slope_per_minute(warm)
        if len(warm) < 6:
            verdict = "too short to tell"
        elif slope > GROWTH_MB_PER_MIN:
            verdict = "GROWING"
        else:
            verdict = "flat"
        verdicts.append(verdict)
        lines.append(
            f"| {pid} | {len(points)} | {points[0][1]:.1f} | {warm[0][1]:.1f} | "
            f"{points[-1][1]:.1f} | {max(v for _, v in points):.1f} | {slope:+.2f} | {verdict} |"
        )
    lines += ["", "Series (seconds: MB):", ""]
    for pid, points in result["samples"].items():
        series = " ".join(f"{t:.0f}:{v:.0f}" for t, v in points[:: max(1, len(points) // 30)])
        lines.append(f"- {pid}: {series}")
    restarts = (
        gunicorn_log.read_text(errors="replace").count("Booting worker")
        if (gunicorn_log.exists())
        else 0
    )
    lines += [
        "",
        f'Workers booted during the run (gunicorn log, "Booting worker"): {restarts} '
        "(the first ones included; max_requests recycles a worker after ~20 000 requests).",
    ]
    if recorder.failures:
        lines += ["", "First failures (kind, status, error):", ""]
        lines += [f"- {kind} {status} {error}" for kind, status, error in recorder.failures]
    lines += [
        "",
        f"Verdict: 5xx {'none' if server_errors == 0 else server_errors}; memory "
        f"{'without a growth trend' if 'GROWING' not in verdicts else 'GROWING in some worker'}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="30 s, to try the soak out")
    options = parser.parse_args(argv)
    if options.quick:
        options.duration = 30
    env, workdir, context = prepare(options.practices)
    gunicorn_log = workdir / "gunicorn.log"
    with Server(env, gunicorn_log) as server:
        log(f"gunicorn {server.base}, workers {children(server.process.pid)}")
        result = run(
            server.base,
            context,
            server,
            duration=options.duration,
            connections=options.connections,
        )
    text = report(result, options, gunicorn_log)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"soak-{datetime.datetime.now():%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    print(text)
    log(f"report: {path}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
