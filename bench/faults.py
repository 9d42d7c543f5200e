"""Fault tests: ``make faults`` (``python -m bench.faults``), a few minutes in all.

gunicorn as in production (portal/gunicorn.conf.py, 2 gthread workers) on a throwaway
PostgreSQL 15 instance of its own (initdb in a temporary folder, a free loopback port: the
shared cluster is never touched), uploads on a 2 MB tmpfs when this machine lets us mount one.
The public page cache is off, so that every page reads the database. Scenarios:

a. PostgreSQL restarted under load, ``-m fast`` then ``-m immediate``: readers (catalogue,
   searches, practices) and writers (a coordinator creating practice drafts, each with a
   unique title). Every answer during the outage must be a success or a 503 (no 500); the
   recovery is the time from PostgreSQL accepting connections again to the first success; every
   write answered with success must be in the database afterwards.
b. A worker killed (SIGKILL) while a request is in flight in it: the master forks a new one,
   the other requests are answered.
c. The upload disk full: an attachment sent through the workspace gets the form again with a
   clear message, no row and no partial file are left; once there is room the same upload works.
d. Slow clients (slowloris): 50 connections sending their headers a byte at a time; the
   latency of normal requests meanwhile.

Writes ``bench/results/faults-<date>.md``. Not part of the test suite.
"""

import argparse
import datetime
import io
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus

from bench.run import RESULTS, Server, configure_environment, free_port, snapshot_tree
from bench.traffic import (
    SEARCH_WORDS,
    Client,
    children,
    coordinator_session,
    create_practice,
    form_fields,
    migrate_and_seed,
    percentile,
    success,
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MEDIA_TMPFS_SIZE = "2m"
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[faults {time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


class ThrowawayPostgres:
    """A PostgreSQL instance of our own, trust authentication, deleted at the end."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        shutil.chown(root, "postgres", "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal_faults"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # No pipes: a server started by pg_ctl keeps its parent's stdout open, and reading
        # a pipe to its end would wait for the server to stop.
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=check,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.root,
            timeout=120,
        )

    def start(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "--no-sync")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "log"), "-w", "start",
        )  # fmt: skip
        self.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "portal_faults")

    def restart(self, mode: str) -> tuple[float, float]:
        """(monotonic time the restart began, monotonic time it accepts connections again)."""
        began = time.monotonic()
        # pg_ctl restart reuses the options of the running server (postmaster.opts).
        self.run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
            "-m", mode, "-w", "restart",
        )  # fmt: skip
        return began, time.monotonic()

    def stop(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop", check=False)


# a. PostgreSQL restarted under load ---------------------------------------------------------------


def db_restart(server, pg, context, *, readers: int = 8, writers: int = 4) -> dict:
    answers, confirmed, lock, stop = [], [], threading.Lock(), threading.Event()
    base, network, token = server.base, context["network"], secrets.token_hex(3)

    def record(kind, answer):
        with lock:
            answers.append((kind, answer))

    def reader(n):
        rng, client = random.Random(n), Client(base, timeout=20)
        while not stop.is_set():
            path = rng.choice(
                [
                    f"/practices/?page={rng.randint(1, 5)}",
                    f"/practices/?q={quote_plus(rng.choice(SEARCH_WORDS))}",
                    rng.choice(context["details"]),
                ]
            )
            record("read", client.request("GET", path))
        client.close()

    def writer(n):
        client, count = Client(base, cookies=context["cookies"], timeout=20), 0
        while not stop.is_set():
            title = f"faults {token} {n}-{count}"
            count += 1
            answer = create_practice(client, network, title)
            record("write", answer)
            if success(answer) and "/answers/" in answer.location:
                with lock:
                    confirmed.append((title, answer.location))
            time.sleep(0.05)
        client.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(readers)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    restarts = []
    time.sleep(6)
    for mode in ("fast", "immediate"):
        log(f"a. pg_ctl restart -m {mode}")
        began, up = pg.restart(mode)
        restarts.append({"mode": mode, "began": began, "up": up})
        time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    for restart in restarts:
        after = [
            (kind, a)
            for kind, a in answers
            if a.started >= restart["up"] and success(a) and kind in ("read", "write")
        ]
        for kind in ("read", "write"):
            ends = [a.started + a.seconds for k, a in after if k == kind]
            restart[f"recovery_{kind}"] = min(ends) - restart["up"] if ends else None
        recovered = min((a.started + a.seconds for _kind, a in after), default=restart["up"] + 30)
        window = [
            (kind, a)
            for kind, a in answers
            if a.started + a.seconds >= restart["began"] and a.started <= recovered
        ]
        restart["outage_s"] = restart["up"] - restart["began"]
        restart["statuses"] = Counter(f"{kind} {a.status}" for kind, a in window)
    unavailable = [a for _kind, a in answers if a.status == 503]
    sample = unavailable[0] if unavailable else None
    # Every write answered with success must be in the database.
    from django.db import connections

    from practices.models import Practice

    connections.close_all()  # ours died with the restarts
    titles = [title for title, _location in confirmed]
    stored = set(Practice.objects.filter(title__in=titles).values_list("title", flat=True))
    extra = Practice.objects.filter(title__startswith=f"faults {token} ").exclude(title__in=titles)
    return {
        "readers": readers,
        "writers": writers,
        "restarts": restarts,
        "totals": Counter(f"{kind} {a.status}" for kind, a in answers),
        "server_errors": sum(1 for _k, a in answers if a.status >= 500 and a.status != 503),
        "no_answer": sum(1 for _k, a in answers if a.status == 0),
        "confirmed": len(titles),
        "found": len(stored),
        "lost": sorted(set(titles) - stored),
        "stored_unconfirmed": extra.count(),
        "sample_503": {
            "retry_after": sample.headers.get("retry-after") if sample else None,
            "message": bool(
                sample
                and (
                    "inténtelo de nuevo".encode() in sample.body
                    or b"please try again in a few seconds" in sample.body
                )
            ),
            "traceback": bool(sample and b"Traceback" in sample.body),
        },
        "a_draft": confirmed[0][1] if confirmed else None,
    }


# b. A worker killed mid-request -------------------------------------------------------------------


def _holder_of(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The worker holding the accepted socket of our connection (/proc/net/tcp, fds)."""
    wanted = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == server_port and (
                int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                wanted = f"socket:[{inode}]"
    if wanted is None:
        return None
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == wanted:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return None


def worker_kill(server, context) -> dict:
    answers, stop, lock = [], threading.Event(), threading.Lock()

    def reader(n):
        rng, client = random.Random(100 + n), Client(server.base, timeout=20)
        while not stop.is_set():
            answer = client.request("GET", f"/practices/?page={rng.randint(1, 5)}")
            with lock:
                answers.append(answer)
        client.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    before = children(server.process.pid)
    # The request in flight: a form whose body is still arriving, so that the worker's thread
    # is inside Django reading it (the NUL check reads request.POST).
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(
        b"POST /practices/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nq="
    )
    time.sleep(1)
    victim = _holder_of(server.port, slow.getsockname()[1], before)
    if victim is None:
        stop.set()
        return {"error": "could not find the worker holding the request"}
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    try:
        in_flight = slow.recv(1000) or b"(connection closed, no answer)"
    except OSError as error:
        in_flight = f"({type(error).__name__})".encode()
    slow.close()
    replaced_after = None
    while time.monotonic() - killed_at < 10:
        now = children(server.process.pid)
        if victim not in now and len(now) == len(before):
            replaced_after = time.monotonic() - killed_at
            break
        time.sleep(0.005)
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    after_kill = [a for a in answers if a.started >= killed_at]
    return {
        "victim": victim,
        "workers_before": before,
        "workers_after": children(server.process.pid),
        "replaced_after_s": replaced_after,
        "in_flight": in_flight.decode("utf-8", "replace")[:80],
        "others": Counter(a.status for a in answers),
        "others_after_kill": Counter(a.status for a in after_kill),
        "p95_after_kill_ms": percentile([a.seconds for a in after_kill if success(a)], 0.95) * 1000,
    }


# c. The upload disk full --------------------------------------------------------------------------


def noise_png(side: int = 160) -> bytes:
    """An image that does not compress (random pixels): tens of kilobytes, a real PNG."""
    from PIL import Image

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def multipart(fields: dict, name: str, filename: str, content: bytes, mime: str):
    boundary = secrets.token_hex(12)
    parts = []
    for key, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        f"\r\nContent-Type: {mime}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def disk_full(server, context, media: Path, draft_location: str | None) -> dict:
    if draft_location is None:
        return {"error": "no draft to attach a file to (scenario a confirmed no write)"}
    match = re.search(r"/practices/(\d+)/", draft_location)
    pk = int(match.group(1))
    path = f"/dashboard/networks/{context['network']}/practices/{pk}/files/"
    image = noise_png()
    filler = media / "filler"
    # Leave 16 KB: the upload starts writing and runs out of room part-way.
    room = 16 * 1024
    stats = os.statvfs(media)
    with filler.open("wb") as out:
        out.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - room))
    before = {p for p in media.rglob("*") if p.is_file()}
    client = Client(server.base, cookies=context["cookies"])

    def send():
        page = client.request("GET", path)
        fields = form_fields(page.body)
        fields["title"] = "Foto de la sesión"
        body, content_type = multipart(fields, "file", "foto.png", image, "image/png")
        return client.request("POST", path, body=body, content_type=content_type)

    full = send()
    from django.db import connections

    from practices.models import Attachment

    connections.close_all()
    rows_when_full = Attachment.objects.filter(practice_id=pk).count()
    left = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
    new_files = [p for p in left if media / p not in before]
    text = full.body.decode("utf-8", "replace")
    message = next(
        (
            m
            for m in (
                "el disco del servidor está lleno",
                "the server&#x27;s disk is full",
                "the server's disk is full",
            )
            if m in text
        ),
        None,
    )
    filler.unlink()
    again = send()
    rows_after = Attachment.objects.filter(practice_id=pk).count()
    client.close()
    return {
        "upload_bytes": len(image),
        "room_bytes": room,
        "status_when_full": full.status,
        "message": message,
        "rows_when_full": rows_when_full,
        "new_files_when_full": new_files,
        "status_with_room": again.status,
        "rows_with_room": rows_after,
    }


# d. Slow clients ----------------------------------------------------------------------------------


def slow_clients(server, *, sockets: int = 50, hold: float = 20) -> dict:
    def timed(seconds):
        client, timings, failures = Client(server.base, timeout=10), [], Counter()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            answer = client.request("GET", "/practices/?page=2")
            if success(answer):
                timings.append(answer.seconds)
            else:
                failures[answer.status or answer.error] += 1
        client.close()
        return timings, failures

    baseline, _ = timed(5)
    stop, opened = threading.Event(), []

    def trickle():
        try:
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        except OSError:
            return
        opened.append(sock)
        header = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n" + (
            b"X-Slow: " + b"a" * 400
        )
        for byte in header:
            if stop.wait(1):
                break
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
        sock.close()

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(sockets)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    during, failures = timed(hold - 3)
    stop.set()
    alive = 0
    for sock in opened:
        try:
            sock.send(b"a")
            alive += 1
        except OSError:
            pass
    for thread in threads:
        thread.join(timeout=5)
    after, _ = timed(3)
    return {
        "sockets": sockets,
        "opened": len(opened),
        "still_open_at_end": alive,
        "baseline": (len(baseline), percentile(baseline, 0.5), percentile(baseline, 0.95)),
        "during": (len(during), percentile(during, 0.5), percentile(during, 0.95)),
        "during_max": max(during, default=float("nan")),
        "during_failures": dict(failures),
        "after": (len(after), percentile(after, 0.5), percentile(after, 0.95)),
    }


# Report -------------------------------------------------------------------------------------------


def report(results: dict) -> str:
    a, b, c, d = (results.get(k, {}) for k in "abcd")
    ms = lambda s: f"{s * 1000:.0f}"  # noqa: E731
    lines = [
        f"# Fault tests, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        "`python -m bench.faults` (bench/faults.py): gunicorn with portal/gunicorn.conf.py, "
        f"2 gthread workers x 4 threads, page cache off, on a throwaway PostgreSQL "
        f"{results.get('postgres', '15')} on loopback; {os.cpu_count()} CPUs; "
        f"{results['practices']} practices. Whole run {results['elapsed']:.0f} s.",
        "",
        "## a. PostgreSQL restarted under load",
        "",
        f"{a['readers']} readers (catalogue pages, searches, practices) and {a['writers']} writers "
        "(a signed-in coordinator creating practice drafts through the workspace form, each "
        "with a unique title).",
        "",
        "| restart | PostgreSQL down (s) | first read success after up (s) | first write "
        "success after up (s) | answers from the restart to the recovery |",
        "|---|---:|---:|---:|---|",
    ]
    for r in a["restarts"]:
        statuses = ", ".join(f"{k}: {n}" for k, n in sorted(r["statuses"].items()))
        rec = lambda v: "none" if v is None else f"{v:.2f}"  # noqa: E731
        lines.append(
            f"| -m {r['mode']} | {r['outage_s']:.2f} | {rec(r['recovery_read'])} | "
            f"{rec(r['recovery_write'])} | {statuses} |"
        )
    totals = ", ".join(f"{k}: {n}" for k, n in sorted(a["totals"].items()))
    lines += [
        "",
        f"All answers of the scenario: {totals}.",
        f"**500s: {a['server_errors']}; no answer at all: {a['no_answer']}.** "
        f"A 503: Retry-After {a['sample_503']['retry_after']}, message shown "
        f"{a['sample_503']['message']}, traceback shown {a['sample_503']['traceback']}.",
        f"**Confirmed writes (302 to question 2): {a['confirmed']}; found afterwards: "
        f"{a['found']}; lost: {len(a['lost'])}.** Stored without a success answer (the answer "
        f"lost on the way, the write kept): {a['stored_unconfirmed']}.",
        "",
        "## b. A worker killed (SIGKILL) with a request in flight",
        "",
    ]
    if "error" in b:
        lines.append(f"Not run: {b['error']}.")
    else:
        lines += [
            f"Workers {b['workers_before']}; killed {b['victim']} while it read a request body. "
            f"The in-flight request: {b['in_flight']!r}. "
            f"**New worker forked after {b['replaced_after_s'] * 1000:.0f} ms** "
            f"(workers now {b['workers_after']}).",
            f"Other requests (4 clients, keep-alive): {dict(b['others'])}; after the kill: "
            f"{dict(b['others_after_kill'])}, p95 {b['p95_after_kill_ms']:.0f} ms.",
        ]
    lines += ["", "## c. The upload disk full", ""]
    if "error" in c:
        lines.append(f"Not run: {c['error']}.")
    else:
        lines += [
            f"MEDIA_ROOT on a {MEDIA_TMPFS_SIZE} tmpfs filled to {c['room_bytes'] // 1024} KB of "
            f"room; a {c['upload_bytes'] // 1024} KB PNG sent through the workspace's file form.",
            f"**Full: {c['status_when_full']}, message {c['message']!r}, attachment rows "
            f"{c['rows_when_full']}, files left {c['new_files_when_full']}.** With room again: "
            f"{c['status_with_room']}, rows {c['rows_with_room']}.",
            "Also tests/practices/test_upload_disk_full.py (ENOSPC part-way through Django's "
            "own FileSystemStorage write).",
        ]
    base, during, after = d["baseline"], d["during"], d["after"]
    lines += [
        "",
        "## d. Slow clients",
        "",
        f"{d['opened']} connections sending their request headers one byte a second "
        f"({d['still_open_at_end']} still open after {results['slow_hold']} s). Normal "
        "requests (/practices/?page=2, one at a time, 10 s timeout):",
        "",
        "| | requests | p50 ms | p95 ms |",
        "|---|---:|---:|---:|",
        f"| before | {base[0]} | {ms(base[1])} | {ms(base[2])} |",
        f"| during | {during[0]} | {ms(during[1])} | {ms(during[2])} |",
        f"| after | {after[0]} | {ms(after[1])} | {ms(after[2])} |",
        "",
        f"During: slowest {ms(d['during_max'])} ms; failures {d['during_failures'] or 'none'}.",
        "",
        "gunicorn's gthread worker hands a connection to a thread once its first bytes arrive;"
        " a client trickling its headers keeps that thread (or, deferred after 5 s without "
        "data, a connection slot). The real protection is the reverse proxy: nginx reads the "
        "whole request (headers and body, `proxy_request_buffering on`, the default) before "
        "it opens a connection to gunicorn, and times slow clients out itself "
        "(`client_header_timeout`, `client_body_timeout`); gunicorn must only ever be reached "
        "through it (bind on loopback).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--practices", type=int, default=300)
    options = parser.parse_args(argv)
    # Stopped from outside (a timeout): still stop PostgreSQL and unmount in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    pg_root = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
    media = workdir / "media"
    media.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={MEDIA_TMPFS_SIZE}", "tmpfs", str(media)],
            capture_output=True,
        ).returncode
        == 0
    )
    pg = ThrowawayPostgres(pg_root)
    results = {"practices": options.practices, "slow_hold": 20}
    try:
        log(f"PostgreSQL of our own on port {pg.port} ({pg_root})")
        pg.start()
        source = snapshot_tree(workdir / "src")
        env = configure_environment(pg.url, str(workdir / "static"), source)
        extra = {
            "GUNICORN_WORKERS": "2",
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            "DJANGO_MEDIA_ROOT": str(media),
        }
        env.update(extra)
        os.environ.update(extra)
        migrate_and_seed(source, options.practices)
        from django.db import connection

        from practices.models import Practice

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results["postgres"] = cursor.fetchone()[0]
        cookies, network = coordinator_session()
        context = {
            "cookies": cookies,
            "network": network,
            "details": [p.get_absolute_url() for p in Practice.objects.published()[:100]],
        }
        log("seeded; starting gunicorn")
        with Server(env, workdir / "gunicorn.log") as server:
            log("a. PostgreSQL restarted under load")
            results["a"] = db_restart(server, pg, context)
            log("b. a worker killed mid-request")
            results["b"] = worker_kill(server, context)
            log("c. the upload disk full")
            results["c"] = (
                disk_full(server, context, media, results["a"]["a_draft"])
                if mounted
                else {"error": "mount -t tmpfs is not permitted here; see the pytest test"}
            )
            log("d. slow clients")
            results["d"] = slow_clients(server, hold=results["slow_hold"])
    finally:
        from django.db import connections

        connections.close_all()
        pg.stop()
        if mounted:
            subprocess.run(["umount", str(media)], check=False)
        shutil.rmtree(pg_root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    results["elapsed"] = time.monotonic() - STARTED
    text = report(results)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"faults-{datetime.datetime.now():%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    print(text)
    log(f"report: {path}")


if __name__ == "__main__":
    main()
