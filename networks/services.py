"""Writes to the registry: networks, people, institutions and memberships.

The admin (``save_model``, inlines, actions), the spreadsheet imports, the management
commands and the coordinators' workspace all go through these functions, so a rule holds on
every path in. Each takes the acting user (``actor=``; ``networks.access.SYSTEM`` for
commands), checks the access rule, validates with ``full_clean()`` and writes in one
transaction, recording the actor in the audit trail (``common.audit``).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from common.audit import bulk_create_audited, bulk_update_audited, write_service
from common.slugs import unique_slug

from . import access
from .models import (
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    validate_network_municipalities,
)


def _stored(record):
    """The record as the database holds it (locked until the transaction ends)."""
    if record._state.adding:
        return None
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


# Networks -------------------------------------------------------------------------------------


def network_defaults(network: Network) -> Network:
    """What a new network takes when not given: a slug made from its name."""
    if not network.slug and network.name:
        network.slug = unique_slug(Network, network.name)
    return network


@write_service
def network_save(*, network: Network, municipalities, actor) -> Network:
    """Validate and save a network with its municipalities in one step."""
    access.require_save(actor, network)
    municipalities = list(
        Municipality.objects.with_geography().filter(pk__in=[m.pk for m in municipalities])
    )
    validate_network_municipalities(network.kind, municipalities)
    network_defaults(network)
    network.full_clean()
    network.save()
    network.municipalities.set(municipalities)
    return network


@write_service
def network_delete(*, network: Network, actor) -> None:
    access.require(actor, "delete", network)
    network.delete()


# Institutions and people ----------------------------------------------------------------------


@write_service
def institution_save(*, institution: Institution, actor) -> Institution:
    access.require_save(actor, institution)
    institution.full_clean()
    institution.save()
    return institution


@write_service
def institution_delete(*, institution: Institution, actor) -> None:
    access.require(actor, "delete", institution)
    institution.delete()


@write_service
def person_save(*, person: Person, actor) -> Person:
    """Save a person's data; only staff and the coordinators of their networks may."""
    access.require_save(actor, person, _stored(person))
    person.full_clean()
    person.save()
    return person


@write_service
def person_delete(*, person: Person, actor) -> None:
    access.require(actor, "delete", person)
    person.delete()


# Memberships ----------------------------------------------------------------------------------


def membership_defaults(membership: Membership) -> Membership:
    """What a new seat takes when not given: the institution the person works for today."""
    if membership.pk is None and membership.institution_id is None and membership.person_id:
        membership.institution = membership.person.institution
    return membership


@write_service
def membership_save(*, membership: Membership, actor) -> Membership:
    """Start or change a seat. A coordinator acts on seats of their own networks only: moving
    a seat to another network needs the right on both."""
    stored = _stored(membership)
    access.require_save(actor, membership, stored)
    if stored is not None and stored.network_id != membership.network_id:
        access.require(actor, "add", membership)
    membership_defaults(membership)
    membership.full_clean()
    membership.save()
    access.forget(actor)  # their own seats may have changed
    return membership


def membership_start(
    *,
    person,
    network,
    start_date: datetime.date,
    role: str,
    institution=None,
    actor,
) -> Membership:
    """A new seat of ``person`` in ``network``."""
    membership = Membership(
        person=person,
        network=network,
        institution=institution,
        role=role,
        start_date=start_date,
    )
    return membership_save(membership=membership, actor=actor)


@write_service
def membership_end(*, membership: Membership, end_date: datetime.date, actor) -> Membership:
    """Close a membership (officials rotate after every election); history is kept."""
    access.require(actor, "change", membership)
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    access.forget(actor)  # their own seats may have changed
    return membership


@write_service
def membership_delete(*, membership: Membership, actor) -> None:
    """Remove a seat recorded by mistake (ending it keeps the history; prefer that)."""
    access.require(actor, "delete", membership)
    membership.delete()


# Many records at once (spreadsheet imports) ---------------------------------------------------


@write_service
def records_save_many(*, model, created, updated, fields, actor, batch_size=1000) -> None:
    """Write validated records in batches, with their versions in the audit trail.

    The access rule is checked for the whole batch with one query: ``actor`` must be allowed
    to add each new record and to change each updated one as it is stored.
    """
    created, updated = list(created), list(updated)
    if created and not all(access.allows(actor, "add", model, record) for record in created):
        raise PermissionDenied(
            gettext("You may not add %(records)s.") % {"records": model._meta.verbose_name_plural}
        )
    # Staff holding the model permission may change any of them: no query to check that.
    if updated and not access.staff_may(actor, "change", model):
        ids = {record.pk for record in updated}
        allowed = model._default_manager.filter(pk__in=ids)
        if access.scope(allowed, actor, "change").count() != len(ids):
            raise PermissionDenied(
                gettext("You may not change some of these %(records)s.")
                % {"records": model._meta.verbose_name_plural}
            )
    if created:
        bulk_create_audited(created, model, batch_size=batch_size)
    if updated:
        bulk_update_audited(updated, model, fields, batch_size=batch_size)


# Erasure ----------------------------------------------------------------------------------------

#: What the audit trail keeps in place of an erased person's name.
ERASED = "—"
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "position")


@write_service
def person_history_erase(*, person_id: int, actor) -> int:
    """Scrub a person's personal data from the audit trail (the right to erasure).

    Every past version of the person keeps its dates, actors and non-personal fields, but
    names, e-mail, phone and position are blanked; so are the names the admin's log shows
    for the person, their memberships and their participations. The person's current
    record is left as it is (edit or delete it through the services). Returns the number
    of versions scrubbed. Staff holding ``networks.delete_person`` only.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if not access.allows(actor, "delete", Person):
        raise PermissionDenied(gettext("You may not erase personal data."))
    blank = dict.fromkeys(PERSONAL_FIELDS, "") | {"first_name": ERASED}
    scrubbed = Person.history.filter(id=person_id).update(**blank)
    logged = {Person: [person_id]}
    logged[Membership] = list(
        Membership.history.filter(person_id=person_id).values_list("id", flat=True).distinct()
    )
    for model, ids in _related_histories(person_id).items():
        logged[model] = ids
    for model, ids in logged.items():
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        ).update(object_repr=ERASED)
    return scrubbed


def _related_histories(person_id):
    """Records of upper apps that name the person in their admin log (by app registry, so
    this lower app imports none of them): ``{model: [ids]}``."""
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if model in (Person, Membership) or manager is None:
            continue
        history = getattr(model, manager)
        fields = {f.name for f in history.model._meta.fields}
        if "person" in fields or "person_id" in fields:
            ids = history.filter(person_id=person_id).values_list("id", flat=True).distinct()
            found[model] = list(ids)
    return found
