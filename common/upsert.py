"""Idempotent loading of reference and demo data: create a row, or update what differs."""


def upsert(model, *, lookup: dict, values: dict, create_only: dict | None = None, save=None):
    """Find a row by ``lookup``; create it, or update only the fields that differ.

    Writing nothing when nothing differs keeps a second run a true no-op (``updated_at``
    and the like stay as they were). ``save(instance)``, when given, writes instead of
    ``full_clean()`` and ``save()``: the write service of a model that has one.
    """
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values, **(create_only or {}))
        return save(instance) if save else _clean_save(instance)
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    if changed:
        for field in changed:
            setattr(instance, field, values[field])
        if save:
            return save(instance)
        instance.full_clean()
        instance.save(update_fields=changed)
    return instance


def _clean_save(instance):
    instance.full_clean()
    instance.save()
    return instance
