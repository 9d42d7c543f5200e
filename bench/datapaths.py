"""Data paths, each measured in a fresh process: ``python -m bench.datapaths <what> ...``.

- ``import-admin``: a members (people) spreadsheet through the admin's code: the resource
  and kwargs the admin builds, the preview pass (``dry_run=True``), the confirm pass, and the
  admin log entries it writes.
- ``import-defaults``: the same file through a ``ModelResource`` with the library's defaults.
- ``import-copy``: the same rows with PostgreSQL ``COPY`` into a staging table and one
  INSERT ... SELECT resolving institutions by name.
- ``export``: the open-data CSV view over every published practice, streamed to a counting
  sink, against ``COPY (SELECT ...) TO STDOUT`` of the same columns.

Each prints one JSON line. Memory is the growth of the resident set: the kernel's peak
(VmHWM, reset just before the measured work) minus the resident size at that moment. The
people created by an import are deleted afterwards, so runs can be repeated on the database.
"""

import argparse
import io
import json
import os
import random
import sys
import time

import django

EMAIL_PREFIX = "bench-import-"


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _rss_mb() -> float:
    """The resident size now, after resetting the peak (VmHWM) to it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current resident size (Linux >= 4.0)
    except OSError:
        pass
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    return _status_mb("VmHWM")


HEADERS = [
    "first_name",
    "last_name",
    "sex",
    "email",
    "phone",
    "position",
    "institution",
    "consent_date",
    "consent_basis",
]


def _rows(count: int) -> list[list[str]]:
    from networks.models import Institution

    rng = random.Random(count)
    institutions = list(Institution.objects.values_list("name", flat=True)[:300])
    sexes = ["female", "male", "Mujer", "Hombre", "not_stated"]
    return [
        [
            rng.choice(["María", "José", "Ana", "Carlos", "Lucía", "Óscar"]),
            rng.choice(["García López", "Hernández", "Orellana Pineda", "Mejía"]),
            rng.choice(sexes),
            f"{EMAIL_PREFIX}{index}@Example.org",
            f"+504 9{index:07d}",
            "Promotora comunitaria",
            rng.choice(institutions),
            "15/03/2023" if index % 3 else "",
            "written" if index % 3 else "",
        ]
        for index in range(count)
    ]


def _dataset(count: int):
    import tablib

    return tablib.Dataset(*_rows(count), headers=HEADERS)


def _cleanup() -> None:
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    from common.audit import not_recorded
    from networks.models import Person

    people = Person.objects.filter(email__startswith=EMAIL_PREFIX)
    LogEntry.objects.filter(
        object_id__in=[str(pk) for pk in people.values_list("pk", flat=True)]
    ).delete()
    # The audit trail keeps every version, the deletions included: a bench run leaves none.
    with not_recorded():
        people.delete()
    Person.history.filter(email__startswith=EMAIL_PREFIX).delete()
    # Dead rows of an earlier run would slow the next one's writes and index lookups.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE networks_person, networks_historicalperson, django_admin_log"
            )


def _import_figures(count, preview_seconds, confirm_seconds, *, rss_before) -> dict:
    """The figures of an import just measured; then its people are deleted again."""
    from networks.models import Person

    peak = _peak_mb()
    created = Person.objects.filter(email__startswith=EMAIL_PREFIX).count()
    _cleanup()
    return {
        "rows": count,
        "created": created,
        "preview_seconds": preview_seconds,
        "confirm_seconds": confirm_seconds,
        "rows_per_s": count / confirm_seconds,
        "rows_per_s_end_to_end": count / (preview_seconds + confirm_seconds),
        "rss_growth_mb": peak - rss_before,
    }


def _staff():
    from accounts.models import User

    return User.objects.filter(is_superuser=True).order_by("pk").first()


def import_admin(count: int) -> dict:
    from django.contrib import admin
    from django.test import RequestFactory

    from networks.models import Person

    _cleanup()
    dataset = _dataset(count)
    model_admin = admin.site._registry[Person]
    request = RequestFactory().post("/admin/networks/person/import/", secure=True)
    request.user = _staff()
    resource_class = model_admin.get_import_resource_classes(request)[0]
    kwargs = model_admin.get_import_resource_kwargs(request)

    before = _rss_mb()
    started = time.perf_counter()
    # As ImportMixin.import_action, including the admin's get_import_data_kwargs().
    preview = resource_class(**kwargs).import_data(
        dataset,
        dry_run=True,
        raise_errors=False,
        file_name="members.csv",
        user=request.user,
        **model_admin.get_import_data_kwargs(request=request),
    )
    preview_seconds = time.perf_counter() - started
    if preview.has_errors() or preview.has_validation_errors():
        raise SystemExit(f"the preview reported errors: {preview.invalid_rows[:3]}")
    started = time.perf_counter()
    # As ImportMixin.process_dataset: the confirm pass keeps instances for the admin log.
    import_kwargs = model_admin.get_import_data_kwargs(request=request)
    import_kwargs["retain_instance_in_row_result"] = True
    result = resource_class(**kwargs).import_data(
        dataset, dry_run=False, file_name="members.csv", user=request.user, **import_kwargs
    )
    model_admin.generate_log_entries(result, request)
    confirm_seconds = time.perf_counter() - started
    return _import_figures(count, preview_seconds, confirm_seconds, rss_before=before)


def import_defaults(count: int) -> dict:
    from import_export import resources, widgets
    from import_export.fields import Field

    from networks.models import Institution, Person

    class DefaultPersonResource(resources.ModelResource):
        # The least a default resource needs to read this file: a name for the institution
        # column and the e-mail as the row's identity (the file carries no database ids).
        institution = Field(
            attribute="institution",
            column_name="institution",
            widget=widgets.ForeignKeyWidget(Institution, field="name"),
        )

        class Meta:
            model = Person
            fields = HEADERS
            import_id_fields = ("email",)

    _cleanup()
    rows = _rows(count)
    for row in rows:  # the defaults know no labels nor day-first dates
        row[2] = {"Mujer": "female", "Hombre": "male"}.get(row[2], row[2])
        row[7] = "2023-03-15" if row[7] else ""
    import tablib

    dataset = tablib.Dataset(*rows, headers=HEADERS)
    before = _rss_mb()
    started = time.perf_counter()
    preview = DefaultPersonResource().import_data(dataset, dry_run=True)
    preview_seconds = time.perf_counter() - started
    if preview.has_errors() or preview.has_validation_errors():
        raise SystemExit("the preview with the defaults reported errors")
    started = time.perf_counter()
    DefaultPersonResource().import_data(dataset, dry_run=False)
    confirm_seconds = time.perf_counter() - started
    return _import_figures(count, preview_seconds, confirm_seconds, rss_before=before)


def import_copy(count: int) -> dict:
    from django.db import connection, transaction

    from networks.models import Person

    _cleanup()
    buffer = io.StringIO()
    for row in _rows(count):
        row[2] = {"Mujer": "female", "Hombre": "male"}.get(row[2], row[2])
        row[3] = row[3].lower()
        row[7] = "2023-03-15" if row[7] else "\\N"
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    before = _rss_mb()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE staging (first_name text, last_name text, sex text, email text, "
            "phone text, position text, institution text, consent_date date, consent_basis text)"
            " ON COMMIT DROP"
        )
        cursor.cursor.copy_expert("COPY staging FROM STDIN WITH (FORMAT text)", buffer)
        cursor.execute(
            "INSERT INTO networks_person (first_name, last_name, sex, email, phone, position, "
            "institution_id, consent_date, consent_basis, created_at, updated_at) "
            "SELECT s.first_name, s.last_name, s.sex, s.email, s.phone, s.position, i.id, "
            "s.consent_date, s.consent_basis, now(), now() FROM staging s "
            "LEFT JOIN networks_institution i ON lower(i.name) = lower(s.institution)"
        )
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    created = Person.objects.filter(email__startswith=EMAIL_PREFIX).count()
    _cleanup()
    return {
        "rows": count,
        "created": created,
        "seconds": seconds,
        "rows_per_s": count / seconds,
        "rss_growth_mb": peak - before,
    }


class _Sink:
    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def write(self, data):
        self.bytes += len(data)
        self.lines += data.count(b"\n" if isinstance(data, bytes) else "\n")


EXPORT_COPY_SQL = """
COPY (
  SELECT p.slug, p.title, p.summary, p.practice_type,
    (SELECT string_agg(t.slug, ';' ORDER BY t.slug) FROM practices_practice_themes pt
       JOIN practices_theme t ON t.id = pt.theme_id WHERE pt.practice_id = p.id),
    (SELECT string_agg(o.number::text, ';' ORDER BY o.number)
       FROM practices_practice_gcm_objectives po
       JOIN practices_gcmobjective o ON o.id = po.gcmobjective_id WHERE po.practice_id = p.id),
    (SELECT string_agg(DISTINCT c.code, ';') FROM practices_practice_municipalities pm
       JOIN networks_municipality m ON m.id = pm.municipality_id
       JOIN networks_department d ON d.id = m.department_id
       JOIN networks_country c ON c.id = d.country_id WHERE pm.practice_id = p.id),
    (SELECT string_agg(m.slug, ';' ORDER BY m.slug) FROM practices_practice_municipalities pm
       JOIN networks_municipality m ON m.id = pm.municipality_id WHERE pm.practice_id = p.id),
    n.slug, i.name, p.year_started, p.implementation_status, p.language, p.published_at,
    'https://testserver/practices/' || p.slug || '/'
  FROM practices_practice p
  LEFT JOIN networks_network n ON n.id = p.network_id
  LEFT JOIN networks_institution i ON i.id = p.lead_institution_id
  WHERE p.status = 'published' ORDER BY p.slug
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def export() -> dict:
    from django.db import connection
    from django.test import RequestFactory

    from practices.exports import practice_export_csv

    request = RequestFactory().get("/practices/export.csv", secure=True)
    before = _rss_mb()
    started = time.perf_counter()
    response = practice_export_csv(request)
    sink = _Sink()
    first_byte = None
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        sink.write(chunk)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    result = {
        "rows": sink.lines - 1,
        "bytes": sink.bytes,
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "rows_per_s": (sink.lines - 1) / seconds,
        "rss_growth_mb": peak - before,
    }
    copy_sink = _Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(EXPORT_COPY_SQL, copy_sink)
    result.update(
        copy_seconds=time.perf_counter() - started,
        copy_rows=copy_sink.lines - 1,
        copy_bytes=copy_sink.bytes,
    )
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "what", choices=["import-admin", "import-defaults", "import-copy", "export"]
    )
    parser.add_argument("--rows", type=int, default=10_000)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    if options.what == "export":
        result = export()
    else:
        result = {
            "import-admin": import_admin,
            "import-defaults": import_defaults,
            "import-copy": import_copy,
        }[options.what](options.rows)
    sys.stdout.write("BENCH_JSON " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
