"""A list of integers kept in one column: ``integer[]`` on PostgreSQL, JSON text elsewhere.

The catalogue keeps each practice's facet keys this way (``practices/facets.py``): on
PostgreSQL a GIN index serves ``@>`` (a practice has every chosen key) and ``unnest()``
counts the keys of the matching rows in one pass; SQLite (development, tests) reads the JSON
with ``json_each()``, the same queries at demo sizes.
"""

import json

from django.db import models


class IntegerArrayField(models.Field):
    description = "A list of integers"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        value = [int(item) for item in value]
        return value if connection.vendor == "postgresql" else json.dumps(value)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value


class HasAllKeys(models.Lookup):
    """``facet_keys__has_all=[...]``: the row holds every one of the keys."""

    lookup_name = "has_all"

    def as_sql(self, compiler, connection):
        column, column_params = self.process_lhs(compiler, connection)
        keys = [int(key) for key in self.rhs]
        if not keys:
            return "1 = 1", []
        if connection.vendor == "postgresql":
            return f"{column} @> %s::integer[]", [*column_params, keys]
        # Elsewhere one EXISTS per key over the JSON list (a plain column: no parameters).
        conditions = " AND ".join(
            f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = %s)"  # noqa: S608
            for _key in keys
        )
        return f"({conditions})", keys


class HasAnyKey(models.Lookup):
    """``facet_keys__has_any=[...]``: the row holds at least one of the keys."""

    lookup_name = "has_any"

    def as_sql(self, compiler, connection):
        column, column_params = self.process_lhs(compiler, connection)
        keys = [int(key) for key in self.rhs]
        if not keys:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} && %s::integer[]", [*column_params, keys]
        placeholders = ", ".join(["%s"] * len(keys))
        return (
            # The column is the compiler's; the keys travel as parameters.
            f"EXISTS (SELECT 1 FROM json_each({column}) "  # noqa: S608
            f"WHERE json_each.value IN ({placeholders}))",
            keys,
        )


class SharedKeys(models.Func):
    """How many of ``keys`` the row's list holds: the weight of a related practice."""

    output_field = models.IntegerField()

    def __init__(self, expression, keys, **extra):
        self.keys = [int(key) for key in keys]
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.keys:
            return "0", []
        if connection.vendor == "postgresql":
            return (
                f"(SELECT count(*) FROM unnest({column}) AS item "  # noqa: S608
                "WHERE item = ANY(%s::integer[]))",
                [*params, self.keys],
            )
        placeholders = ", ".join(["%s"] * len(self.keys))
        return (
            f"(SELECT count(*) FROM json_each({column}) "  # noqa: S608
            f"WHERE json_each.value IN ({placeholders}))",
            [*params, *self.keys],
        )


IntegerArrayField.register_lookup(HasAllKeys)
IntegerArrayField.register_lookup(HasAnyKey)
