"""On PostgreSQL the catalogue index also carries each practice's facet keys.

A practice's page weighs its related practices among the newest published ones holding one
of its themes (practices.selectors.related_practices). With the keys in the index that walk
is an index-only scan of a few hundred entries; without them every candidate's wide row was
read, behind thousands of newer practices in other themes (18-44 ms at 100 000 practices,
3-4 ms with the keys). The key columns and the name stay those of the model's index, so the
model state is unchanged; SQLite has no covering indexes and keeps the plain one.
"""

from django.db import migrations

KEY_COLUMNS = "status, published_at DESC, id DESC, network_id, practice_type, year_started"
FORWARD = [
    "DROP INDEX IF EXISTS practice_catalogue_idx",
    f"CREATE INDEX practice_catalogue_idx ON practices_practice ({KEY_COLUMNS}) "
    "INCLUDE (facet_keys)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_catalogue_idx",
    f"CREATE INDEX practice_catalogue_idx ON practices_practice ({KEY_COLUMNS})",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0008_rank_vector")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
