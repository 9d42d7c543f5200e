"""Relevance weighs a small vector kept in the row; the whole text's vector goes out of line.

A broad search ranks every matching practice. Ranking over the full weighted vector (about
1.3 kB a practice, kept inline by 0007) read most of the table's pages: at 100 000 practices a
one-word search matching a fifth of them read 215 MB of heap to order 20 000 rows. The title
and summary vector is a few hundred bytes; the full vector is read only through its GIN index
(a plain word needs no recheck), so it can live in the TOAST table like the long texts.

Existing rows get their rank vector once, by the expression practices.search.practice_index
uses (each row rewritten once; autovacuum reclaims the old versions).
"""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = [
    "ALTER TABLE practices_practice ALTER COLUMN search_vector SET STORAGE EXTENDED, "
    "ALTER COLUMN rank_vector SET STORAGE MAIN",
    "UPDATE practices_practice SET rank_vector = "
    "setweight(to_tsvector('spanish_unaccent'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('spanish_unaccent'::regconfig, COALESCE(summary, '')), 'B')",
]
BACKWARD = [
    "ALTER TABLE practices_practice ALTER COLUMN search_vector SET STORAGE MAIN",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0007_narrow_catalogue_rows")]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD)),
    ]
