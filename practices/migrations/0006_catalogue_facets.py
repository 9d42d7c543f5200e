"""The catalogue's facet keys (practices/facets.py): a column, its GIN index, kept totals.

Existing practices get their keys, and the totals of the published ones, here; from then
on practice_index keeps them.
"""

from collections import Counter

from django.db import migrations, models

import practices.fields

GIN_FORWARD = (
    "CREATE INDEX practice_facet_keys_gin ON practices_practice USING gin (facet_keys) "
    "WHERE status = 'published'"
)
GIN_BACKWARD = "DROP INDEX IF EXISTS practice_facet_keys_gin"

SPAN = 10_000_000


def fill_keys(apps, schema_editor):
    # The encoding of practices/facets.py, frozen here as it was when this ran.
    types = {
        "municipal_ordinance": 1,
        "programme_or_project": 2,
        "public_service": 3,
        "coordination_mechanism": 4,
        "training": 5,
        "awareness_campaign": 6,
        "other": 7,
    }
    Practice = apps.get_model("practices", "Practice")
    FacetTotal = apps.get_model("practices", "FacetTotal")
    keys = {}
    for pk, network_id, practice_type, year in Practice.objects.values_list(
        "pk", "network_id", "practice_type", "year_started"
    ):
        found = keys[pk] = {0}
        if network_id:
            found.add(4 * SPAN + network_id)
        if practice_type in types:
            found.add(7 * SPAN + types[practice_type])
        if year:
            found.add(8 * SPAN + year)
    for pk, municipality, department, country in Practice.municipalities.through.objects.values_list(
        "practice_id",
        "municipality_id",
        "municipality__department_id",
        "municipality__department__country_id",
    ):
        keys[pk] |= {3 * SPAN + municipality, 2 * SPAN + department, 1 * SPAN + country}
    for pk, theme in Practice.themes.through.objects.values_list("practice_id", "theme_id"):
        keys[pk].add(5 * SPAN + theme)
    for pk, objective in Practice.gcm_objectives.through.objects.values_list(
        "practice_id", "gcmobjective_id"
    ):
        keys[pk].add(6 * SPAN + objective)
    practices = list(Practice.objects.only("pk", "status"))
    totals = Counter()
    for practice in practices:
        practice.facet_keys = sorted(keys[practice.pk])
        if practice.status == "published":
            totals.update(practice.facet_keys)
    Practice.objects.bulk_update(practices, ["facet_keys"], batch_size=500)
    FacetTotal.objects.bulk_create(
        [FacetTotal(key=key, count=count) for key, count in totals.items()], batch_size=1000
    )


def gin(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0005_audit_history")]

    operations = [
        migrations.CreateModel(
            name="FacetTotal",
            fields=[
                ("key", models.PositiveIntegerField(primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
            ],
            options={
                "verbose_name": "catalogue count",
                "verbose_name_plural": "catalogue counts",
                "default_permissions": (),
            },
        ),
        migrations.AddField(
            model_name="practice",
            name="facet_keys",
            field=practices.fields.IntegerArrayField(default=list, editable=False),
        ),
        migrations.RunPython(gin(GIN_FORWARD), gin(GIN_BACKWARD)),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
