"""Backups of the portal: the PostgreSQL database, the uploaded files and what both held.

One archive, ``portal-backup-<UTC time>.tar``, holds three members:

- ``database.dump``: ``pg_dump --format=custom --no-owner --no-privileges``;
- ``media.tar``: every file under ``MEDIA_ROOT`` (local storage only: a bucket keeps its
  own versions, docs/deploy.md);
- ``manifest.json``: the portal's version and revision, the applied migration heads, the
  rows of every table and the sha256 of every member and every file.

The rows are counted in the very snapshot pg_dump reads (``pg_export_snapshot``), so the
counts describe the dump exactly even while the portal keeps writing. A restore checks the
archive's checksums before touching anything, refuses a database or folder that is not
empty (unless forced), and afterwards counts every table and hashes every file again.
"""

import contextlib
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from psycopg2 import sql

FORMAT = 1
DUMP, MEDIA, MANIFEST = "database.dump", "media.tar", "manifest.json"
_CHUNK = 1024 * 1024


# The database ---------------------------------------------------------------------------


def postgresql(database):
    """``database`` (a DATABASES entry), refused unless it is PostgreSQL."""
    if "postgresql" not in database.get("ENGINE", ""):
        raise CommandError(
            _(
                "Backup and restore need PostgreSQL (pg_dump, pg_restore). On SQLite, stop "
                "the portal and copy the database file and the media folder instead."
            )
        )
    return database


def find_program(name):
    """``pg_dump`` or ``pg_restore``: from PG_BIN_DIR, else PATH, else the newest installed.

    The tool must be at least as new as the server (pg_dump refuses an older one and says
    so); Debian keeps one per version in /usr/lib/postgresql/<version>/bin.
    """
    if bin_dir := os.environ.get("PG_BIN_DIR"):
        candidate = Path(bin_dir) / name
        return str(candidate) if candidate.is_file() else None
    if found := shutil.which(name):
        return found
    installed = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    installed.sort(key=lambda path: int(v) if (v := Path(path).parts[-3]).isdigit() else 0)
    return installed[-1] if installed else None


def _program(name):
    program = find_program(name)
    if program is None:
        raise CommandError(
            _(
                "%(program)s was not found: install the PostgreSQL client of the server's "
                "version (e.g. postgresql-client-15), or name its folder in PG_BIN_DIR."
            )
            % {"program": name}
        )
    return program


def _libpq_environment(database):
    """The connection's secrets and TLS options for pg_dump and pg_restore, never argv."""
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    options = database.get("OPTIONS") or {}
    for option, variable in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }.items():
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def _connection_arguments(database):
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [flag, str(database[key])]
    return [*arguments, "--dbname", str(database["NAME"])]


def connect(database):
    options = database.get("OPTIONS") or {}
    parameters = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        **{key: value for key, value in options.items() if key.startswith("ssl")},
    }
    return psycopg2.connect(**{key: value for key, value in parameters.items() if value})


_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def table_counts(cursor):
    """``{"schema.table": rows}`` for every table of ours (Django's own included)."""
    cursor.execute(_TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _migration_heads(cursor):
    """The latest applied migration of each app: what a restored database is at."""
    cursor.execute("SELECT app, name FROM django_migrations")
    applied = set(cursor.fetchall())
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    heads = {}
    for node in sorted(applied):
        children = graph.node_map[node].children if node in graph.node_map else set()
        if not any(child in applied and child[0] == node[0] for child in children):
            heads.setdefault(node[0], []).append(node[1])
    return heads


def code_migration_heads():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    heads = {}
    for app, name in sorted(graph.leaf_nodes()):
        heads.setdefault(app, []).append(name)
    return heads


# Files and the manifest -------------------------------------------------------------------


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(media_root):
    root = Path(media_root)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def _portal_version():
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def _git_revision():
    """The checkout's commit, read from .git without running git (PORTAL_REVISION wins)."""
    if revision := os.environ.get("PORTAL_REVISION"):
        return revision
    git = Path(settings.BASE_DIR) / ".git"
    with contextlib.suppress(OSError, ValueError):
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head
        ref = head.split(":", 1)[1].strip()
        common = git / "commondir"
        roots = [git] + ([git / common.read_text().strip()] if common.is_file() else [])
        for root in roots:
            if (root / ref).is_file():
                return (root / ref).read_text().strip()
            if (root / "packed-refs").is_file():
                for line in (root / "packed-refs").read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
    return None


def media_is_local():
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend == "django.core.files.storage.FileSystemStorage"


# Backup ----------------------------------------------------------------------------------


def backup(database, directory, media_root, *, include_media=True):
    """Write the archive under ``directory``; return its path and its manifest."""
    postgresql(database)
    pg_dump = _program("pg_dump")
    directory = Path(directory)
    # The archive holds every person's contact data: readable by its owner only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = datetime.now(UTC)
    name = f"portal-backup-{created:%Y%m%dT%H%M%SZ}.tar"
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        work = Path(work)
        connection = connect(database)
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                tables = table_counts(cursor)
                heads = _migration_heads(cursor)
                # While this transaction stays open pg_dump reads exactly what was counted.
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={work / DUMP}",
                        *_connection_arguments(database),
                    ],
                    database,
                )
        finally:
            connection.close()
        files = {}
        if include_media:
            with tarfile.open(work / MEDIA, "w") as media:
                for path in _media_files(media_root):
                    relative = path.relative_to(media_root).as_posix()
                    files[relative] = {"sha256": sha256_of(path), "size": path.stat().st_size}
                    media.add(path, arcname=relative, recursive=False)
        manifest = {
            "format": FORMAT,
            "created": created.isoformat(),
            "portal": {"version": _portal_version(), "revision": _git_revision()},
            "database": {"name": database["NAME"], "server_version": server_version},
            "migrations": heads,
            "tables": tables,
            "media": {"storage": "local" if include_media else "remote", "files": files},
            "members": {
                member: sha256_of(work / member)
                for member in (DUMP, MEDIA)
                if (work / member).exists()
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial = directory / f".{name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "wb") as handle,
            tarfile.open(fileobj=handle, mode="w") as archive,
        ):
            for member in (MANIFEST, DUMP, MEDIA):
                if (work / member).exists():
                    archive.add(work / member, arcname=member)
        # Renamed whole at the end: a backup that failed half-way never looks like one.
        os.replace(partial, directory / name)
    return directory / name, manifest


def _run(command, database):
    result = subprocess.run(  # noqa: S603 - a fixed program, our own arguments
        command, env=_libpq_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(command[0]).name, "error": result.stderr.strip()}
        )
    return result


# Restore ---------------------------------------------------------------------------------


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list = field(default_factory=list)


def read_archive(archive, work):
    """Unpack the archive's members into ``work`` and check them against the manifest."""
    try:
        with tarfile.open(archive) as outer:
            names = set(outer.getnames())
            if MANIFEST not in names or DUMP not in names:
                raise CommandError(
                    _("%(archive)s is not a portal backup (no manifest or dump).")
                    % {"archive": archive}
                )
            for member in (MANIFEST, DUMP, MEDIA):
                if member in names:
                    # Copied by name into our own folder: no path from the archive is used.
                    with outer.extractfile(member) as source, open(work / member, "wb") as target:
                        shutil.copyfileobj(source, target, _CHUNK)
    except (OSError, tarfile.TarError) as error:
        raise CommandError(
            _("Cannot read %(archive)s: %(error)s") % {"archive": archive, "error": error}
        ) from error
    try:
        manifest = json.loads((work / MANIFEST).read_text())
        members = manifest["members"].items()
    except (ValueError, KeyError, AttributeError) as error:
        raise CommandError(
            _("%(archive)s is not a portal backup (no manifest or dump).") % {"archive": archive}
        ) from error
    for member, expected in members:
        if not (work / member).exists() or sha256_of(work / member) != expected:
            raise CommandError(
                _("%(member)s in %(archive)s does not match its checksum: the archive is damaged.")
                % {"member": member, "archive": archive}
            )
    return manifest


def restore(archive, database, media_root, *, force=False):
    """Restore ``archive`` into ``database`` and ``media_root``; return the manifest and
    the verification of every table and file."""
    postgresql(database)
    pg_restore = _program("pg_restore")
    media_root = Path(media_root)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        work = Path(work)
        manifest = read_archive(archive, work)
        connection = connect(database)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(_TABLES)
                existing = len(cursor.fetchall())
        finally:
            connection.close()
        existing_files = len(_media_files(media_root)) if (work / MEDIA).exists() else 0
        if (existing or existing_files) and not force:
            raise CommandError(
                _(
                    "The target is not empty (%(tables)s tables in database %(name)s, "
                    "%(files)s files in %(media)s). Restore into an empty database and folder, "
                    "or pass --force to replace what the backup holds."
                )
                % {
                    "tables": existing,
                    "name": database["NAME"],
                    "files": existing_files,
                    "media": media_root,
                }
            )
        command = [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *(["--clean", "--if-exists"] if existing else []),
            *_connection_arguments(database),
            str(work / DUMP),
        ]
        _run(command, database)
        if (work / MEDIA).exists():
            media_root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(work / MEDIA) as media:
                # "data": no absolute paths, no "..", no links out of the folder.
                media.extractall(media_root, filter="data")
    return manifest, verify(manifest, database, media_root)


def verify(manifest, database, media_root):
    """Count every table of the manifest in ``database`` and hash every file again."""
    result = Verification()
    connection = connect(database)
    try:
        with connection.cursor() as cursor:
            restored = table_counts(cursor)
    finally:
        connection.close()
    for table, expected in sorted(manifest["tables"].items()):
        result.tables += 1
        result.rows += restored.get(table, 0)
        if restored.get(table) != expected:
            result.problems.append(
                _("table %(table)s: %(found)s rows, the backup had %(expected)s")
                % {"table": table, "found": restored.get(table), "expected": expected}
            )
    media_root = Path(media_root)
    for relative, expected in sorted(manifest["media"]["files"].items()):
        result.files += 1
        path = media_root / relative
        if not path.is_file():
            result.problems.append(_("file %(file)s is missing") % {"file": relative})
        elif sha256_of(path) != expected["sha256"]:
            result.problems.append(_("file %(file)s differs from the backup") % {"file": relative})
    return result


def manifest_summary(manifest):
    """What a manifest says, in a few lines (for the commands' output)."""
    return (
        _("Backup of %(created)s, portal %(version)s (%(revision)s).")
        % {
            "created": manifest["created"],
            "version": manifest["portal"]["version"] or "?",
            "revision": (manifest["portal"]["revision"] or "?")[:12],
        }
        + " "
        + _("%(tables)s tables, %(rows)s rows, %(files)s files.")
        % {
            "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()),
            "files": len(manifest["media"]["files"]),
        }
    )
