"""Keep the catalogue's rows narrow on PostgreSQL: the long texts out of line.

A search or a filter reads, for every matching practice, its search vector and facet keys
(to rank and to count). Inline, the Markdown texts and the fallback's search text made a row
about 5 kB, two rows a page: a search matching a fifth of 100 000 practices read most of the
table. Moving every long text to the TOAST table as soon as a row passes 128 bytes (the
vector and the keys stay inline: storage MAIN) leaves about 2 kB a row, and the pages a
practice's own page or card reads are fetched only for the rows shown.

Existing rows are rewritten once so that they take the new layout.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE practices_practice ALTER COLUMN search_vector SET STORAGE MAIN, "
    "ALTER COLUMN facet_keys SET STORAGE MAIN",
    "ALTER TABLE practices_practice SET (toast_tuple_target = 128)",
    "UPDATE practices_practice SET title = title",
]
BACKWARD = [
    "ALTER TABLE practices_practice RESET (toast_tuple_target)",
    "ALTER TABLE practices_practice ALTER COLUMN search_vector SET STORAGE EXTENDED, "
    "ALTER COLUMN facet_keys SET STORAGE EXTENDED",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_catalogue_facets")]

    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
