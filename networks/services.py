"""Writes to the registry. The admin, spreadsheet imports, commands and future
coordinator forms all go through these functions, so a rule holds on every path in."""

import datetime

from django.db import transaction
from django.utils.text import slugify

from .models import Membership, Municipality, Network, validate_network_municipalities


@transaction.atomic
def network_save(*, network: Network, municipalities) -> Network:
    """Validate and save a network with its municipalities in one step."""
    municipalities = list(
        Municipality.objects.with_geography().filter(pk__in=[m.pk for m in municipalities])
    )
    validate_network_municipalities(network.kind, municipalities)
    if not network.slug:
        network.slug = unique_slug(Network, network.name)
    network.full_clean()
    network.save()
    network.municipalities.set(municipalities)
    return network


def membership_start(
    *,
    person,
    network,
    start_date: datetime.date,
    role: str,
    institution=None,
) -> Membership:
    membership = Membership(
        person=person,
        network=network,
        institution=institution if institution is not None else person.institution,
        role=role,
        start_date=start_date,
    )
    membership.full_clean()
    membership.save()
    return membership


def membership_end(*, membership: Membership, end_date: datetime.date) -> Membership:
    """Close a membership (officials rotate after every election); history is kept."""
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    return membership


def unique_slug(model, text: str, *, suffix: str = "", reserved=frozenset()) -> str:
    """A slug for ``text`` unused by ``model`` and not ``reserved``, adding -2, -3… if needed."""
    base = slugify(f"{text} {suffix}".strip())[:200] or "item"
    slug, counter = base, 2
    while slug in reserved or model.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def upsert(model, *, lookup: dict, values: dict, create_only: dict | None = None):
    """Find a row by ``lookup``; create it, or update only the fields that differ.

    Writing nothing when nothing differs keeps a second run a true no-op (``updated_at``
    and the like stay as they were).
    """
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values, **(create_only or {}))
        instance.full_clean()
        instance.save()
        return instance
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    if changed:
        for field in changed:
            setattr(instance, field, values[field])
        instance.full_clean()
        instance.save(update_fields=changed)
    return instance
