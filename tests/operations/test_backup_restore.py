"""make backup / make restore: a backup restored into an empty database has every record and file.

PostgreSQL only: the commands run pg_dump and pg_restore (run the suite with
DATABASE_URL=postgres://...). The test writes committed rows (pg_dump reads them from its own
connection), backs them up, restores into a fresh database and media folder, and compares.
"""

import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from psycopg2 import sql

from portal import backups
from practices.models import Attachment
from tests.factories import MembershipFactory, PublishedPracticeFactory, StaffUserFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backup and restore run pg_dump and pg_restore: set DATABASE_URL=postgres://...",
)


@pytest.fixture(autouse=True)
def _english():
    """The commands speak the active language; the messages are checked in English."""
    with translation.override("en"):
        yield


def server_connection(dbname):
    db = connection.settings_dict
    parameters = {
        "dbname": dbname,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"],
    }
    return psycopg2.connect(**{key: value for key, value in parameters.items() if value})


@pytest.fixture
def empty_database():
    """A new database on the same server, with nothing in it (template0); dropped after."""
    name = f"portal_restore_{uuid.uuid4().hex[:12]}"
    admin = server_connection("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
        )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    yield name, url
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    admin.close()


def rows_per_table(cursor):
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema = 'public'"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        counts[table] = cursor.fetchone()[0]
    return counts


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_every_record_and_file(
    media_root, tmp_path_factory, empty_database, capsys
):
    staff = StaffUserFactory(email="operadora@example.org")
    seat = MembershipFactory(person__email="ana.lopez@example.org")
    practice = PublishedPracticeFactory(title="Ventanilla de atención en Esquipulas")
    contents = {
        "Ordenanza.pdf": b"%PDF-1.4 ordenanza municipal\n" + bytes(range(256)) * 40,
        "Foto.png": b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 5000,
    }
    attachments = [
        Attachment.objects.create(
            practice=practice,
            title=name,
            file=ContentFile(data, name=name),
            original_name=name,
            content_type="application/octet-stream",
            size=len(data),
        )
        for name, data in contents.items()
    ]
    with connection.cursor() as cursor:
        source_counts = rows_per_table(cursor.cursor)

    directory = tmp_path_factory.mktemp("backups")
    call_command("backup", directory=str(directory))
    [archive] = [str(path) for path in directory.iterdir()]
    assert f"Written {archive}" in capsys.readouterr().out
    assert Path(archive).name.startswith("portal-backup-") and archive.endswith("Z.tar")
    assert Path(archive).stat().st_mode & 0o777 == 0o600  # personal data: the owner's only
    with tarfile.open(archive) as outer:
        assert sorted(outer.getnames()) == ["database.dump", "manifest.json", "media.tar"]

    name, url = empty_database
    restored_media = tmp_path_factory.mktemp("restored-media")
    call_command("restore", archive, database_url=url, media_root=str(restored_media))
    summary = capsys.readouterr().out
    assert (
        f"{len(source_counts)} tables with {sum(source_counts.values())} rows, 2 files, "
        "all as in the backup"
    ) in summary

    restored = server_connection(name)
    try:
        with restored.cursor() as cursor:
            assert rows_per_table(cursor) == source_counts
            cursor.execute("SELECT email, is_staff FROM accounts_user WHERE id = %s", [staff.pk])
            assert cursor.fetchone() == ("operadora@example.org", True)
            cursor.execute("SELECT email FROM networks_person WHERE id = %s", [seat.person_id])
            assert cursor.fetchone() == ("ana.lopez@example.org",)
            cursor.execute("SELECT title FROM practices_practice WHERE id = %s", [practice.pk])
            assert cursor.fetchone() == ("Ventanilla de atención en Esquipulas",)
            cursor.execute("SELECT id, file FROM practices_attachment ORDER BY id")
            assert cursor.fetchall() == [(a.pk, a.file.name) for a in attachments]
    finally:
        restored.close()
    for attachment in attachments:
        assert (restored_media / attachment.file.name).read_bytes() == contents[attachment.title]
    assert sum(source_counts.values()) > 0
    print(  # the figures, for the record (pytest -s)
        f"restored {len(source_counts)} tables, {sum(source_counts.values())} rows, "
        f"{len(attachments)} files"
    )

    # The restored database is no longer empty: a second restore needs --force.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", archive, database_url=url, media_root=str(restored_media))

    # A damaged archive is refused before anything is written.
    damaged = tmp_path_factory.mktemp("damaged") / "damaged.tar"
    with tarfile.open(archive) as outer, tarfile.open(damaged, "w") as copy:
        for member in outer.getmembers():
            data = outer.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            copy.addfile(member, ContentFile(data))
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command(
            "restore", str(damaged), database_url=url, media_root=str(restored_media), force=True
        )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_forced_restore_over_changed_data_brings_back_the_backup(
    tmp_path_factory, empty_database
):
    PublishedPracticeFactory(title="Antes")
    path, manifest = backups.backup(
        connection.settings_dict, tmp_path_factory.mktemp("backups"), tmp_path_factory.mktemp("m")
    )
    name, url = empty_database
    restored_media = tmp_path_factory.mktemp("restored-media")
    call_command("restore", str(path), database_url=url, media_root=str(restored_media))
    restored = server_connection(name)
    restored.autocommit = True
    try:
        with restored.cursor() as cursor:
            cursor.execute("UPDATE practices_practice SET title = 'Después'")
            cursor.execute("DELETE FROM django_session")
        call_command(
            "restore", str(path), database_url=url, media_root=str(restored_media), force=True
        )
        with restored.cursor() as cursor:
            cursor.execute("SELECT title FROM practices_practice")
            assert cursor.fetchall() == [("Antes",)]
            assert rows_per_table(cursor) == {
                table.split(".", 1)[1]: rows for table, rows in manifest["tables"].items()
            }
    finally:
        restored.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite refusal")
@pytest.mark.django_db
def test_backup_on_sqlite_says_to_copy_the_file(tmp_path):
    with pytest.raises(CommandError, match="need PostgreSQL") as raised:
        call_command("backup", directory=str(tmp_path))

    assert "copy the database file" in str(raised.value)
    assert not any(tmp_path.iterdir())


def test_a_missing_pg_dump_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PG_BIN_DIR", str(tmp_path))  # a folder without the tools

    with pytest.raises(CommandError, match="pg_dump was not found"):
        backups.backup({"ENGINE": "django.db.backends.postgresql", "NAME": "x"}, tmp_path, tmp_path)
