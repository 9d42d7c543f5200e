"""The benchmark: ``make bench`` (1 000 / 10 000 / 100 000 practices) or ``make bench-quick``.

1. Recreates a separate PostgreSQL database (``BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/portal_bench``), migrates it and seeds the registry.
2. For each size: grows the practices (bulk paths), serves the portal as in production
   (gunicorn with portal/gunicorn.conf.py, DEBUG off, whitenoise over a fresh collectstatic)
   on a free loopback port, and drives it with wrk: warm-up, then several rounds at
   saturation (throughput) and at 4 connections (p50/p95/p99); the medians are kept. The
   floors B0 and B1 are measured by the same server in the same run.
   The page-cache-off server also times single requests (one keep-alive connection, requests
   in sequence, many rounds), and the essential SQL of each catalogue page, written by hand
   (bench/floors.py), is timed the same way beside them: the floor of each page's database work.
3. Counts the queries of every page with Django's test client, and keeps the slowest
   statements (with EXPLAIN ANALYZE) of the largest size.
4. Measures the data paths (members import, open-data export) in fresh processes.
5. Writes ``bench/results/<date>.md`` (and ``.json``) and the summary at the end of README.md.

Not part of the test suite: nothing here asserts a time.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.floors import measure_floors, summarise

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
FORWARDED = "X-Forwarded-Proto: https"  # as the TLS proxy in front of gunicorn sets it
# Under load every request comes on a new connection, as nginx (docs/deploy.md) talks to
# gunicorn. wrk's persistent connections are each accepted once, by whichever worker wins the
# race, and then stay with it: a round could find one worker holding all 16 connections and
# the other idle (the practice list measured 130 and 277 req/s in two rounds back to back).
LOAD_HEADERS = ("Connection: close",)

FULL = {
    "sizes": [1_000, 10_000, 100_000],
    "warmup": 3,
    "rounds": 3,
    "duration": 6,
    "csv_rounds": 2,
    "import_rows": [1_000, 10_000],
    # Single requests in sequence (page cache off) and rounds of each SQL floor.
    "single_requests": 200,
}
QUICK = {
    "sizes": [1_000],
    "warmup": 1,
    "rounds": 2,
    "duration": 3,
    "csv_rounds": 2,
    "import_rows": [200, 1_000],
    "single_requests": 40,
}
SATURATION = {"threads": 2, "connections": 16}


def uncached_profile(profile: dict) -> dict:
    """Pages without the page cache: one round each, enough to show the cost it saves."""
    return {**profile, "rounds": 1}


MODERATE = {"threads": 1, "connections": 4}


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench {(time.monotonic() - STARTED) / 60:5.1f} min] {message}", flush=True)


# Environment --------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "bench: wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y wrk`) "
        "or run the benchmark as root so it can install it."
    )


def snapshot_tree(destination: Path) -> Path:
    """A copy of the working tree: the server, the data paths and the seeding run this code.

    gunicorn restarts workers (max_requests), and a restarted worker imports whatever is on
    disk; in a tree others are editing, a run must measure one consistent version.
    """
    shutil.copytree(
        ROOT,
        destination,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "media",
            "staticfiles",
            "test-artifacts",
            "results",
            "*.sqlite3",
            "__pycache__",
            ".pytest_cache",
            "*.egg-info",
            "node_modules",
        ),
    )
    return destination


def configure_environment(database_url: str, static_root: str, source: Path) -> dict:
    """The environment of the portal processes: production settings, the bench database."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "BENCH_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        # Production settings refuse to start without a mail server and sender; none is used.
        "EMAIL_URL": "smtp://localhost:25",
        "DJANGO_DEFAULT_FROM_EMAIL": "bench@example.org",
        "PYTHONPATH": str(source),
        # The production page cache (files on local disk), emptied before each server starts:
        # seeding writes with COPY, which no change signal sees.
        "PAGE_CACHE_URL": f"filecache://{Path(static_root).parent / 'pages'}",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def recreate_database(database_url: str) -> None:
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in ("postgres", "portal"):
        raise SystemExit(f"bench: refusing to recreate database {name!r}")
    admin_dsn = database_url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(admin_dsn)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def machine() -> dict:
    def read(path):
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpu = re.search(r"model name\s*:\s*(.+)", read("/proc/cpuinfo"))
    memory = re.search(r"MemTotal:\s*(\d+)", read("/proc/meminfo"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "postgres": postgres,
        "shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": wrk_version.split("\n")[0].strip(),
        "loadavg_start": os.getloadavg(),
    }


# Server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the checked-in configuration, on a free loopback port."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = log_path
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        shutil.rmtree(urlsplit(self.env["PAGE_CACHE_URL"]).path, ignore_errors=True)
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "portal/gunicorn.conf.py", "portal.wsgi"],
            cwd=self.env["PYTHONPATH"],
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise SystemExit("bench: gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    @staticmethod
    def memory(pid: int) -> dict:
        values = {}
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, amount = line.split()[:2]
                    values[key.rstrip(":")] = int(amount) / 1024
        except OSError:
            pass
        return values


# Load -------------------------------------------------------------------------------------------


def wrk(url: str, *, threads: int, connections: int, duration: float, headers=()) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "report.lua"),
        "-H",
        FORWARDED,
    ]
    for header in (*LOAD_HEADERS, *headers):
        command += ["-H", header]
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    errors = sum(data[key] for key in ("non2xx", "connect", "read", "write", "timeout"))
    return {
        "rps": data["requests"] / seconds,
        "requests": data["requests"],
        "p50_ms": data["p50"] / 1000,
        "p95_ms": data["p95"] / 1000,
        "p99_ms": data["p99"] / 1000,
        "errors": errors,
        "bytes_per_request": data["bytes"] / data["requests"] if data["requests"] else 0,
    }


# A page slower than this for one request is not put under load: at 16 connections it would
# only queue behind gunicorn's 30 s worker timeout. Its figures come from requests in sequence.
SLOW_PAGE_SECONDS = 2.0
SEQUENTIAL_REQUESTS = 5


def fetch(url: str, headers=()) -> tuple[float, int]:
    """One request: (seconds, bytes). Fails clearly unless the page answers 200 in place (a
    redirect would otherwise be measured as a cheap page)."""
    request = urllib.request.Request(
        url, headers=dict(header.split(": ", 1) for header in (FORWARDED, *headers))
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        size = len(response.read())
        if response.status != 200 or response.geturl() != url:
            raise SystemExit(f"bench: {url} answered {response.status} at {response.geturl()}")
    return time.perf_counter() - started, size


def measure_sequential(url, path, headers, *, first=None, size=None) -> dict:
    timings = [first] if first is not None else []
    while len(timings) < SEQUENTIAL_REQUESTS:
        seconds, size = fetch(url, headers)
        timings.append(seconds)
    timings.sort()
    median = statistics.median(timings)
    return {
        "path": path,
        "mode": "sequential",
        "rps": 1 / median,
        "rps_rounds": [],
        "p50_ms": median * 1000,
        # Five requests in a row: the slowest stands for the tail.
        "p95_ms": timings[-1] * 1000,
        "p99_ms": timings[-1] * 1000,
        "moderate_rps": 1 / median,
        "errors": 0,
        "bytes": size,
    }


def measure_page(base: str, path: str, profile: dict, headers=()) -> dict:
    url = base + path
    fetch(url, headers)  # the first visitor fills the page cache (where the page uses it)
    single, size = fetch(url, headers)
    if single > SLOW_PAGE_SECONDS:
        return measure_sequential(url, path, headers, first=single, size=size)
    wrk(url, duration=profile["warmup"], headers=headers, **MODERATE)
    saturated = [
        wrk(url, duration=profile["duration"], headers=headers, **SATURATION)
        for _ in range(profile["rounds"])
    ]
    moderate = [
        wrk(url, duration=profile["duration"], headers=headers, **MODERATE)
        for _ in range(profile["rounds"])
    ]
    if any(r["requests"] == 0 for r in saturated + moderate):
        # Under load no request finished within a round: the page is too slow to load-test.
        time.sleep(30)  # let the queued requests drain (gunicorn times them out at 30 s)
        return measure_sequential(url, path, headers)
    return {
        "path": path,
        "mode": "wrk",
        "rps": statistics.median(r["rps"] for r in saturated),
        "rps_rounds": [round(r["rps"], 1) for r in saturated],
        "p50_ms": statistics.median(r["p50_ms"] for r in moderate),
        "p95_ms": statistics.median(r["p95_ms"] for r in moderate),
        "p99_ms": statistics.median(r["p99_ms"] for r in moderate),
        "moderate_rps": statistics.median(r["rps"] for r in moderate),
        "errors": sum(r["errors"] for r in saturated + moderate),
        "bytes": round(saturated[0]["bytes_per_request"]),
    }


def measure_single(
    base: str, path: str, headers=(), *, warmup: int = 5, requests: int = FULL["single_requests"]
) -> dict:
    """Server time of single requests: one persistent (keep-alive) connection, requests strictly
    in sequence, each body read whole; p50/p95/p99/max in ms of the ``requests`` after
    ``warmup``. A connection the server closes (a worker restarted by max_requests) is opened
    again and the request repeated, untimed."""
    parts = urlsplit(base)
    sent = dict(header.split(": ", 1) for header in (FORWARDED, *headers))
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    timings, size, reconnects = [], 0, 0
    try:
        while len(timings) < requests:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=sent)
                response = connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                reconnects += 1
                if reconnects > 10:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise SystemExit(f"bench: {base}{path} answered {response.status}")
            size = len(body)
            if warmup > 0:
                warmup -= 1
            else:
                timings.append(elapsed)
    finally:
        connection.close()
    return {"path": path, **summarise(timings), "bytes": size, "reconnects": reconnects}


def measure_csv(server: Server, path: str, rounds: int) -> dict:
    """Whole downloads, one at a time, with the server workers' memory before and after."""
    workers = server.workers()
    before = {pid: server.memory(pid) for pid in workers}
    timings, sizes = [], []
    for _ in range(rounds):
        request = urllib.request.Request(server.base + path, headers={"X-Forwarded-Proto": "https"})
        started = time.perf_counter()
        size = 0
        with urllib.request.urlopen(request, timeout=900) as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
        timings.append(time.perf_counter() - started)
        sizes.append(size)
    after = {pid: server.memory(pid) for pid in workers}
    growth = [
        after[pid].get("VmHWM", 0) - before[pid].get("VmRSS", 0)
        for pid in workers
        if after.get(pid)
    ]
    seconds = statistics.median(timings)
    return {
        "path": path,
        "seconds": seconds,
        "rps": 1 / seconds,
        "bytes": sizes[0],
        "mb_per_s": sizes[0] / seconds / 1e6,
        "worker_peak_growth_mb": max(growth) if growth else None,
    }


# Pages, query counts, diagnostics -----------------------------------------------------------


def staff_cookie() -> str:
    """A signed-in superuser's session, created by Django's test client in the bench database."""
    from django.test import Client

    from accounts.models import User

    user = User.objects.filter(email="bench-staff@example.org").first()
    if user is None:
        user = User.objects.create_superuser(
            email="bench-staff@example.org", password=secrets.token_urlsafe(16)
        )
    client = Client()
    client.force_login(user)
    # Staff pass a second factor to reach the admin (accounts/middleware.py): the session
    # records a sign-in that did, as allauth's own would.
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    from django.conf import settings

    # "__Host-sessionid" with production settings (Secure cookies).
    name = settings.SESSION_COOKIE_NAME
    return f"Cookie: {name}={client.cookies[name].value}"


def pages() -> list[tuple[str, str, bool]]:
    """(key, path, needs staff) of every page measured; the session page only if it exists."""
    from django.db.models import Count

    from bench.seed import BROAD_QUERY, NARROW_QUERY
    from networks.models import Network
    from practices.models import Practice

    practice = Practice.objects.published().order_by("pk").first()
    network = (
        Network.objects.annotate(practice_count=Count("practices"))
        .order_by("-practice_count", "pk")
        .first()
    )
    result = [
        ("b0", "/bench/b0", False),
        ("b1", "/bench/b1", False),
        ("home", "/", False),
        ("list", "/practices/", False),
        ("list_filtered", "/practices/?country=GT&theme=health", False),
        ("search_narrow", f"/practices/?q={NARROW_QUERY}", False),
        ("search_broad", f"/practices/?q={BROAD_QUERY}", False),
        # A broad search of two words (websearch: both must match).
        ("search_broad_words", "/practices/?q=ordenanza+migracion", False),
        ("detail", practice.get_absolute_url(), False),
        ("network", network.get_absolute_url(), False),
    ]
    session_path = _session_path()
    if session_path:
        result.append(("session", session_path, False))
    result.append(("admin_changelist", "/admin/practices/practice/", True))
    # Django's admin with nothing to read: the floor of any changelist on this machine.
    result.append(("admin_floor", "/admin/networks/department/", True))
    return result


def _session_path() -> str:
    try:
        from conferences.models import Session
    except ImportError:
        return ""
    try:
        session = Session.objects.public().order_by("pk").first()
        return session.get_absolute_url() if session else ""
    except Exception:  # the conferences app is being finished: a missing route skips the page
        return ""


def rendered_afresh(function):
    """Run ``function`` with the page cache off: its queries are those of rendering a page."""

    def wrapper(*args, **kwargs):
        from django.test import override_settings

        with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
            return function(*args, **kwargs)

    return wrapper


@rendered_afresh
def query_profile(paths, cookie: str, *, explain: bool) -> dict:
    """Queries per page (test client), their total database time and the slowest ones."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    session_id = cookie.split("=", 1)[1]
    profiles = {}
    for key, path, staff in paths:
        client = Client()
        if staff:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_id
        client.get(path, secure=True)  # warm caches (content types, translations)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)
        queries = [{"sql": query["sql"], "ms": float(query["time"]) * 1000} for query in captured]
        slowest = sorted(queries, key=lambda query: -query["ms"])[:3]
        profile = {
            "status": response.status_code,
            "queries": len(queries),
            "db_ms": sum(query["ms"] for query in queries),
            "slowest": [{"ms": q["ms"], "sql": q["sql"][:600]} for q in slowest],
        }
        if (
            explain
            and slowest
            and slowest[0]["ms"] > 5
            and slowest[0]["sql"].lstrip().upper().startswith("SELECT")
        ):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                profile["explain"] = "\n".join(row[0] for row in cursor.fetchall())
        profiles[key] = profile
    return profiles


@rendered_afresh
def list_query_counts(cookie: str) -> dict:
    """Queries of the list pages with few and with many rows on the page."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.seed import NARROW_QUERY
    from practices.models import Practice

    one = Practice.objects.published().order_by("pk").first()
    cases = {
        "list, 1 row": f"/practices/?q={NARROW_QUERY}&year={one.year_started}",
        "list, 20 rows": "/practices/",
        "admin, 1 row": f"/admin/practices/practice/?q={one.slug}",
        "admin, 100 rows": "/admin/practices/practice/",
    }
    counts = {}
    for label, path in cases.items():
        client = Client()
        if label.startswith("admin"):
            client.cookies[settings.SESSION_COOKIE_NAME] = cookie.split("=", 1)[1]
        client.get(path, secure=True)
        with CaptureQueriesContext(connection) as captured:
            client.get(path, secure=True)
        counts[label] = len(captured)
    return counts


# Data paths ---------------------------------------------------------------------------------------


def datapath(env: dict, *args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.datapaths", *args],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"bench: datapaths {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


# Main ---------------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 000 practices, short rounds")
    parser.add_argument("--sizes", help="comma-separated practice counts (overrides the profile)")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not update README.md (quick runs never do)"
    )
    options = parser.parse_args(argv)
    profile = dict(QUICK if options.quick else FULL)
    if options.sizes:
        profile["sizes"] = [int(size) for size in options.sizes.split(",")]
    profile["name"] = "quick" if options.quick else "full"

    ensure_wrk()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    source = snapshot_tree(workdir / "src")
    env = configure_environment(database_url, str(workdir / "static"), source)
    started = time.monotonic()

    log(f"recreating {urlsplit(database_url).path.lstrip('/')} and migrating")
    recreate_database(database_url)
    import django

    # Django and the apps load from the snapshot (the bench package itself is already loaded).
    sys.path.insert(0, str(source))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    from bench import seed

    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "profile": profile,
        "machine": machine(),
        "gunicorn": gunicorn_settings(env),
        "load": {"headers": list(LOAD_HEADERS)},
        "seeding": {},
        "sizes": {},
    }
    clock = time.monotonic()
    results["seeding"]["registry"] = seed.seed_registry()
    results["seeding"]["registry_seconds"] = time.monotonic() - clock
    cookie = staff_cookie()

    for size in profile["sizes"]:
        clock = time.monotonic()
        added = seed.seed_practices(size)
        seed.analyze()
        seeding_seconds = time.monotonic() - clock
        selectivity = seed.search_selectivity()
        log(f"size {size}: {added} practices added in {seeding_seconds:.0f} s; {selectivity}")
        paths = pages()
        measured = {}
        with Server(env, workdir / "gunicorn.log") as server:
            for key, path, staff in paths:
                headers = (cookie,) if staff else ()
                measured[key] = measure_page(server.base, path, profile, headers)
                log(
                    f"  {key:17} {measured[key]['rps']:8.1f} req/s  p95 "
                    f"{measured[key]['p95_ms']:7.1f} ms  errors {measured[key]['errors']}"
                )
            csv_result = measure_csv(server, "/practices/export.csv", profile["csv_rounds"])
            log(f"  csv export        {csv_result['seconds']:.2f} s per download")
        # The same pages rendered on every request: what the first visitor after a change,
        # or a search nobody made before, waits for.
        uncached = {}
        with Server({**env, "PUBLIC_PAGE_CACHE_SECONDS": "0"}, workdir / "gunicorn.log") as server:
            for key, path, staff in paths:
                if staff:
                    continue  # staff pages never use the page cache: measured above
                uncached[key] = measure_page(server.base, path, uncached_profile(profile))
                log(
                    f"  uncached {key:17} {uncached[key]['rps']:8.1f} req/s  p95 "
                    f"{uncached[key]['p95_ms']:7.1f} ms"
                )
            # B2: the SQL floor of each page held against B1 under load, behind a bare view.
            from bench.report import LOAD_PAGES

            by_key = {key: path for key, path, _staff in paths}
            for key in LOAD_PAGES:
                floor_path = f"/bench/b2/{key}?path={quote(by_key[key], safe='')}"
                floor = uncached[f"b2_{key}"] = measure_page(
                    server.base, floor_path, uncached_profile(profile)
                )
                log(
                    f"  uncached b2 {key:14} {floor['rps']:8.1f} req/s  p95 "
                    f"{floor['p95_ms']:7.1f} ms"
                )
            # Server time of one request at a time (B0 and B1: the floor of the HTTP stack).
            single = {}
            for key, path, staff in paths:
                if staff:
                    continue
                single[key] = measure_single(server.base, path, requests=profile["single_requests"])
                log(
                    f"  single {key:19} p50 {single[key]['p50_ms']:7.1f} ms  p95 "
                    f"{single[key]['p95_ms']:7.1f} ms  max {single[key]['max_ms']:7.1f} ms"
                )
        # The SQL of the catalogue pages written by hand, in sequence: their database floor.
        floors = measure_floors(
            {key: path for key, path, _staff in paths},
            database_url,
            rounds=profile["single_requests"],
        )
        for key, floor in floors.items():
            log(
                f"  floor  {key:19} p50 {floor['p50_ms']:7.1f} ms  p95 {floor['p95_ms']:7.1f} ms"
                f"  (without counts p95 {floor['without_counts']['p95_ms']:.1f} ms)"
            )
        is_largest = size == profile["sizes"][-1]
        results["sizes"][str(size)] = {
            "added": added,
            "seeding_seconds": seeding_seconds,
            "selectivity": selectivity,
            "pages": measured,
            "pages_uncached": uncached,
            "pages_single": single,
            "floors": floors,
            "csv": csv_result,
            "queries": query_profile(paths, cookie, explain=is_largest),
            "list_query_counts": list_query_counts(cookie),
        }

    log("data paths: members import (admin code, library defaults, COPY) and export")
    imports = {"admin": [], "defaults": [], "copy": []}
    for rows in profile["import_rows"]:
        for mode in imports:
            imports[mode].append(datapath(env, f"import-{mode}", "--rows", str(rows)))
            log(f"  import {mode:8} {rows:6} rows: {imports[mode][-1]['rows_per_s']:.0f} rows/s")
    results["imports"] = imports
    results["export"] = datapath(env, "export")
    log(
        f"  export {results['export']['rows']} rows: {results['export']['seconds']:.1f} s, "
        f"COPY {results['export']['copy_seconds']:.2f} s"
    )
    results["machine"]["loadavg_end"] = os.getloadavg()
    results["elapsed_minutes"] = (time.monotonic() - started) / 60

    from bench.report import write_report

    # README shows the full benchmark: a quick look never replaces it.
    report_path = write_report(results, update_readme=not (options.no_readme or options.quick))
    log(f"report: {report_path.relative_to(ROOT)}  ({results['elapsed_minutes']:.1f} min)")
    shutil.rmtree(workdir, ignore_errors=True)


def gunicorn_settings(env: dict) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import runpy, json; c = runpy.run_path('portal/gunicorn.conf.py'); "
            "print(json.dumps({k: c[k] for k in ('worker_class', 'workers', 'threads', "
            "'keepalive', 'max_requests', 'timeout')}))",
        ],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


if __name__ == "__main__":
    main()
