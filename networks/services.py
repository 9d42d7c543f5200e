"""Writes to the registry: networks, people, institutions and memberships.

The admin (``save_model``, inlines, actions), the spreadsheet imports, the management
commands and the coordinators' workspace all go through these functions, so a rule holds on
every path in. Each takes the acting user (``actor=``; ``networks.access.SYSTEM`` for
commands), checks the access rule, validates with ``full_clean()`` and writes in one
transaction, recording the actor in the audit trail (``common.audit``).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext

from common.audit import bulk_create_audited, bulk_update_audited, write_service
from common.slugs import unique_slug

from . import access
from .enums import NetworkStatus
from .models import (
    Institution,
    Invitation,
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


def person_with_email(email: str) -> Person | None:
    """The person whose e-mail is ``email`` in any case (``None`` for none, or no address)."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return Person.objects.alias(email_key=Lower("email")).filter(email_key=email).first()


@write_service
def person_find_or_create(*, email: str, defaults: dict, actor) -> tuple[Person, bool]:
    """The person with ``email`` (any case), or a new one made of ``defaults`` and ``email``.

    Returns ``(person, created)``. A person found is never changed here, and ``defaults``
    are then ignored: whoever adds them to a network may not have the right to see or
    change their data (they may sit in other networks). So a caller must not show a found
    person's data unless the access rule lets ``actor`` view them. Without an e-mail
    address nothing can be matched: a new person is made.
    """
    found = person_with_email(email)
    if found is not None:
        return found, False
    person = Person(**{**defaults, "email": (email or "").strip().lower()})
    return person_save(person=person, actor=actor), True


# Memberships ----------------------------------------------------------------------------------


def membership_defaults(membership: Membership) -> Membership:
    """What a new seat takes when not given: the institution the person works for today."""
    if membership.pk is None and membership.institution_id is None and membership.person_id:
        membership.institution = membership.person.institution
    return membership


#: ``ValidationError.code`` of a write that would leave a network without a coordinator.
LAST_COORDINATOR = "last_coordinator"


def _coordinates_now(membership) -> bool:
    """Whether the seat is an open coordinating one (begun or still to begin)."""
    return membership.end_date is None and access.is_coordinating_role(membership.role)


def _network_losing_coordinator(stored, membership) -> int | None:
    """The network that loses an open coordinating seat when ``stored`` becomes
    ``membership`` (ended, demoted or moved), else ``None``."""
    if stored is None or not _coordinates_now(stored):
        return None
    if _coordinates_now(membership) and membership.network_id == stored.network_id:
        return None
    return stored.network_id


def _last_coordinator_refusal(person, network) -> ValidationError:
    return ValidationError(
        gettext(
            "%(person)s holds the last coordinator seat of %(network)s. Name a successor "
            "who takes over the seat in the same step."
        )
        % {"person": person, "network": network},
        code=LAST_COORDINATOR,
    )


def holds_last_coordinator_seat(membership: Membership) -> bool:
    """Whether ending or demoting ``membership`` needs a successor (``require_coordinator_kept``):
    it is the only open coordinating seat of an open network."""
    if not _coordinates_now(membership) or membership.network.status == NetworkStatus.CLOSED:
        return False
    others = access.open_coordinating_seats(membership.network_id)
    return not others.exclude(pk=membership.pk).exists()


def check_coordinator_kept(membership: Membership) -> None:
    """Before saving ``membership`` as it is now: raise the ValidationError the save would
    give for leaving its network without a coordinator (for forms that save one seat, such
    as the admin's, which should show it as a form error rather than fail)."""
    if membership._state.adding:
        return
    # Not locked (a form may ask outside a transaction); the save checks again, locked.
    stored = Membership.objects.select_related("person", "network").get(pk=membership.pk)
    network_id = _network_losing_coordinator(stored, membership)
    if network_id is not None and holds_last_coordinator_seat(stored):
        raise _last_coordinator_refusal(stored.person, stored.network)


def require_coordinator_kept(*, network_id: int, seat: Membership, actor) -> None:
    """Refuse a step that leaves a network without any open coordinating seat.

    Checked after the step's writes, inside its transaction (which the refusal rolls
    back), so a hand-over that ends one seat and starts its successor's passes. A closed
    network needs no coordinator; the system actor (the demo, commands loading past terms)
    records history as it happened.
    """
    if actor is access.SYSTEM:
        return
    # Locked, so that two coordinators ending each other's seats at once cannot both pass.
    network = Network.objects.select_for_update().get(pk=network_id)
    if network.status == NetworkStatus.CLOSED:
        return
    if not access.open_coordinating_seats(network_id).exists():
        raise _last_coordinator_refusal(seat.person, network)


def _seat_write(membership: Membership, actor, stored=None) -> Membership:
    """Check, validate and save one seat (no rule across seats: the callers check those)."""
    access.require_save(actor, membership, stored)
    if stored is not None and stored.network_id != membership.network_id:
        access.require(actor, "add", membership)
    membership_defaults(membership)
    membership.full_clean()
    membership.save()
    return membership


def _keep_coordinator(stored, membership, actor) -> None:
    network_id = _network_losing_coordinator(stored, membership)
    if network_id is not None:
        require_coordinator_kept(network_id=network_id, seat=stored, actor=actor)


@write_service
def membership_save(*, membership: Membership, actor) -> Membership:
    """Start or change a seat. A coordinator acts on seats of their own networks only: moving
    a seat to another network needs the right on both. Ending or demoting the last open
    coordinating seat of a network is refused (``membership_hand_over`` names a successor)."""
    stored = _stored(membership)
    _seat_write(membership, actor, stored)
    _keep_coordinator(stored, membership, actor)
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


def _seat_end(membership: Membership, end_date: datetime.date, actor, stored) -> Membership:
    access.require(actor, "change", stored or membership)
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    return membership


@write_service
def membership_end(*, membership: Membership, end_date: datetime.date, actor) -> Membership:
    """Close a membership (officials rotate after every election); history is kept.

    The last open coordinating seat of a network cannot be ended this way: hand it over
    (``membership_hand_over``)."""
    stored = _stored(membership)
    _seat_end(membership, end_date, actor, stored)
    _keep_coordinator(stored, membership, actor)
    access.forget(actor)  # their own seats may have changed
    return membership


def _seat_role_change(seat: Membership, role: str, on: datetime.date, actor) -> Membership:
    """``seat`` (open) takes ``role`` from ``on``: the seat ends the day before and a new
    one starts, so the history keeps both; a seat beginning on or after ``on`` changes in
    place. Returns the seat holding the role."""
    if seat.role == role:
        return seat
    if on > seat.start_date:
        stored = _stored(seat)
        _seat_end(seat, on - datetime.timedelta(days=1), actor, stored)
        successor = Membership(
            person_id=seat.person_id,
            network_id=seat.network_id,
            institution_id=seat.institution_id,
            role=role,
            start_date=on,
        )
        return _seat_write(successor, actor)
    stored = _stored(seat)
    seat.role = role
    return _seat_write(seat, actor, stored)


def _require_open_seat(membership: Membership) -> None:
    if membership.end_date is not None:
        raise ValidationError(
            gettext("This membership has already ended: start a new one instead."),
            code="ended",
        )


@write_service
def membership_role_change(
    *, membership: Membership, role: str, on: datetime.date, actor
) -> Membership:
    """Give the person of an open seat another role from ``on`` (see ``_seat_role_change``).

    Returns the seat that holds the new role. Demoting the last coordinator of a network
    is refused: hand the seat over instead (``membership_hand_over``)."""
    stored = _stored(membership)
    access.require(actor, "change", stored)
    _require_open_seat(stored)
    was_coordinating = _coordinates_now(stored)
    seat = _seat_role_change(stored, role, on, actor)
    if was_coordinating and not access.is_coordinating_role(role):
        require_coordinator_kept(network_id=stored.network_id, seat=stored, actor=actor)
    access.forget(actor)
    return seat


@write_service
def membership_hand_over(
    *, membership: Membership, successor_person: Person, end_date: datetime.date, actor
) -> Membership:
    """End ``membership`` on ``end_date`` and give its role to ``successor_person`` from that
    same day, so the network is never left without the seat (after an election, say).

    The successor takes a new seat, or, when they already sit in the network in another
    role, their seat takes the role (``_seat_role_change``). Returns the successor's seat.
    """
    stored = _stored(membership)
    access.require(actor, "change", stored)
    _require_open_seat(stored)
    if successor_person.pk == stored.person_id:
        raise ValidationError(gettext("Choose someone else as the successor."), code="same_person")
    _seat_end(membership, end_date, actor, stored)
    current = (
        Membership.objects.open()
        .select_for_update()
        .filter(person=successor_person, network_id=stored.network_id)
        .first()
    )
    if current is not None:
        seat = _seat_role_change(current, stored.role, end_date, actor)
    else:
        seat = _seat_write(
            Membership(
                person=successor_person,
                network_id=stored.network_id,
                role=stored.role,
                start_date=end_date,
            ),
            actor,
        )
    _keep_coordinator(stored, membership, actor)
    access.forget(actor)
    return seat


@write_service
def member_add(
    *,
    network: Network,
    email: str,
    person_data: dict,
    role: str,
    start_date: datetime.date,
    institution=None,
    actor,
) -> Membership:
    """Add someone to ``network``: the person with ``email`` (any case) if the registry has
    them, left as they are, else a new person made of ``person_data``; then their seat.

    ``institution``: the one the seat represents; by default the person's current one.
    """
    access.require(actor, "add", Membership(network=network))
    person, _created = person_find_or_create(email=email, defaults=person_data, actor=actor)
    return membership_start(
        person=person,
        network=network,
        start_date=start_date,
        role=role,
        institution=institution,
        actor=actor,
    )


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


#: ``ValidationError.code`` of an erasure refused while the person still sits in a network.
HAS_OPEN_SEATS = "open_seats"
#: ``ValidationError.code`` of an erasure of the acting user's own person.
OWN_DATA = "own_data"


def is_erased(person: Person) -> bool:
    """Whether ``person`` holds nothing personal any more (``person_erase`` ran)."""
    return (
        person.first_name == ERASED
        and not any(getattr(person, name) for name in PERSONAL_FIELDS[1:])
        and person.user_id is None
        and person.consent_date is None
    )


@write_service
def person_erase(*, person: Person, actor) -> dict:
    """Anonymise a person everywhere the portal holds their data (the right to erasure).

    The record stays, so every figure stays the same: the person keeps their sex, their
    institution (its sector and country) and their memberships and participations, but
    loses names, e-mail, phone, position, consent and their user account, which is
    anonymised and switched off (``_account_erase``). Their invitations lose the address
    (open ones are revoked), the audit trail and the admin log lose their data
    (``person_history_erase``), and free text anywhere that names them, e-mails or phones
    them is scrubbed (``personal_data.text_erase``). The trail records that the erasure
    happened and who did it: a version of the person with the reason "Personal data
    erased", naming ``actor``, and an entry in the admin log.

    Refused while the person holds an open seat: end it through ``membership_end`` or
    ``membership_hand_over`` first, so that the rules of seats apply. Running it again on
    an erased person is harmless. Staff holding ``networks.delete_person`` only.
    Returns what was done: ``{"versions": n, "invitations": n, "account": bool, "texts": n}``.
    """
    from django.contrib.admin.models import CHANGE, LogEntry

    from .personal_data import personal_strings, text_erase

    if not access.allows(actor, "delete", Person, person):
        raise PermissionDenied(gettext("You may not erase personal data."))
    stored = Person.objects.select_for_update().get(pk=person.pk)
    if stored.user_id is not None and stored.user_id == getattr(actor, "pk", None):
        raise ValidationError(
            gettext("Your own personal data must be erased by another member of staff."),
            code=OWN_DATA,
        )
    if Membership.objects.open().filter(person=stored).exists():
        raise ValidationError(
            gettext(
                "%(person)s still holds an open seat in a network. End their memberships "
                "(or hand their seats over) before erasing their personal data."
            )
            % {"person": stored},
            code=HAS_OPEN_SEATS,
        )
    strings = personal_strings(stored)
    account = stored.user
    summary = {"account": account is not None}
    if not is_erased(stored):
        for name in PERSONAL_FIELDS:
            setattr(stored, name, "")
        stored.first_name = ERASED
        stored.consent_date, stored.consent_basis, stored.user = None, "", None
        # Stored as written, in the actor's language, as the admin log's messages are.
        stored._change_reason = gettext("Personal data erased")
        stored.save()
        if getattr(actor, "pk", None) is not None:
            LogEntry.objects.log_actions(
                actor.pk,
                [stored],
                CHANGE,
                change_message=gettext("Personal data erased."),
                single_object=True,
            )
    summary["invitations"] = _invitations_erase(stored)
    if account is not None:
        _account_erase(account)
    summary["versions"] = person_history_erase(person_id=stored.pk, actor=actor)
    summary["texts"] = text_erase(strings, exclude=(Person,))
    for name in (*PERSONAL_FIELDS, "consent_date", "consent_basis", "user_id", "updated_at"):
        setattr(person, name, getattr(stored, name))
    return summary


def _invitations_erase(person: Person) -> int:
    """Invitations of ``person`` keep their dates, not the address; open ones are revoked
    (their link, already mailed, would open an account for no one)."""
    from django.utils import timezone

    invitations = Invitation.objects.filter(person=person)
    invitations.open().update(revoked_at=timezone.now())
    return invitations.exclude(email="").update(email="")


def _account_erase(user) -> None:
    """The user account of an erased person: no name, an address that reaches no one, no
    password, sign-in, second factor or session, and no permission. It is kept (not
    deleted) because the audit trail names it as the actor of what they did."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    for label, model_name in (("account", "EmailAddress"), ("mfa", "Authenticator")):
        if apps.is_installed(f"allauth.{label}"):
            apps.get_model(label, model_name).objects.filter(user=user).delete()
    if apps.is_installed("allauth.usersessions"):
        for session in apps.get_model("usersessions", "UserSession").objects.filter(user=user):
            session.end()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.must_change_password = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(user)), object_id=str(user.pk)
    ).update(object_repr=ERASED)


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
