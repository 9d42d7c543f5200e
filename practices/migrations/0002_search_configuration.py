"""PostgreSQL full-text search: a Spanish, accent-insensitive configuration and a GIN index.

``spanish_unaccent`` runs unaccent before the Spanish stemmer, so "migracion" and
"migración", "ordenanzas" and "ordenanza" meet. Other databases skip this migration:
they search the accent-folded ``search_text`` column instead.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS spanish_unaccent",
    "CREATE TEXT SEARCH CONFIGURATION spanish_unaccent (COPY = pg_catalog.spanish)",
    "ALTER TEXT SEARCH CONFIGURATION spanish_unaccent "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
    "CREATE INDEX practice_search_gin ON practices_practice USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS spanish_unaccent",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
