"""Who may see or change what: the portal's one access rule.

Every view, export, admin queryset, service and template asks this module, in one of three
ways that all evaluate the same rule:

- ``user.has_perm("<app>.<action>_<model>", obj)`` (django-rules' object backend; in
  templates ``{% has_perm %}``) for one record; for "some record of the model" ask
  ``allows(user, action, Model)``: without an object, Django's model backend also answers
  ``has_perm`` and would grant a bare import or export permission on its own;
- ``Model.objects.for_user(user, action)``, the records of a model ``user`` may act on;
- ``get_or_404(user, queryset, action, **lookup)``, which answers 404 for a record
  outside the user's view scope, as if it did not exist.

The rule, for the actions view, add, change, delete, export and import:

- IOM staff act by model permission: an active staff account holding
  ``<app>.<action>_<model>`` (view also by change; export also needs view, and the export
  permission where the model has one, as the models of personal data do; import also add
  and change). Superusers hold every permission.
- A coordinator is a person with an open coordinator or co-coordinator seat that has begun.
  They act on the records of the networks of those seats, for the actions each model grants
  coordinators in its ``Scope`` (declared on the model's QuerySet), and on nothing else.
  A seat that has ended (any end date) gives nothing, from that moment, on every path.
- Everyone, signed in or not, may view what a model declares public (published practices;
  the registry's public records).
- Nobody else sees anything private: a former coordinator, a plain member, an account with
  no person, a staff account without the permission.
- ``SYSTEM``, the actor of management commands and the demo data, may do everything.

The coordinated networks are computed once per request: they are kept on the user object,
which Django builds anew for every request.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from .enums import MembershipRole

ACTIONS = ("view", "add", "change", "delete", "export", "import")

#: Roles whose open seat lets a person manage the network's records.
COORDINATING_ROLES = tuple(MembershipRole.coordinating())

_CACHE_ATTRIBUTE = "_access_coordinated_network_ids"


class _System:
    """The actor of management commands, migrations and the demo data: trusted operators
    at the server's shell. Never a request's user."""

    is_authenticated = True
    is_active = True
    is_staff = True
    is_superuser = True
    pk = None

    def __repr__(self):
        return "SYSTEM"

    def __str__(self):
        return "system"

    def has_perm(self, perm, obj=None):
        return True


SYSTEM = _System()


@dataclass(frozen=True)
class Scope:
    """What the access rule needs to know about a model (declared on its QuerySet).

    ``network``: the lookup from the model to the network(s) its records belong to
    (``""`` for Network itself, ``None`` for records of no network).
    ``coordinators``: the actions coordinators may take on their networks' records.
    ``coordinators_when``: for some of those actions, the values fields must have
    (``{"change": {"status": {...}}}``).
    ``public``: ``True`` when every record is public; a mapping of lookups to values
    for the public records only (``{"status": {"published"}}``); ``None`` for none.
    ``staff_as``: for the parts of another record (a practice's files), the label of the
    model whose permissions staff need: view (or export) to read the part, change to write.
    """

    network: str | None = None
    coordinators: frozenset = frozenset()
    coordinators_when: Mapping[str, Mapping[str, Iterable]] = field(default_factory=dict)
    public: bool | Mapping[str, Iterable] | None = None
    staff_as: str | None = None


class AccessQuerySet(models.QuerySet):
    """Base of the QuerySets of every model the access rule covers."""

    access_scope = Scope()

    def for_user(self, user, action="view"):
        """The records ``user`` may take ``action`` on (see the module docstring)."""
        return scope(self, user, action)

    def public_only(self):
        """The records anyone may see, signed in or not: the Scope's ``public``."""
        from django.contrib.auth.models import AnonymousUser

        return scope(self, AnonymousUser(), "view")


# Who the user is -------------------------------------------------------------------------


def is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def coordinated_network_ids(user, *, today: datetime.date | None = None) -> frozenset:
    """Networks in which ``user`` holds an open coordinating seat that has begun.

    Kept on the user object (one query per request); ``forget(user)`` drops it.
    """
    if user is SYSTEM or not is_active(user):
        return frozenset()
    if today is None:
        cached = getattr(user, _CACHE_ATTRIBUTE, None)
        if cached is not None:
            return cached
    ids = frozenset(
        coordinating_seats(today=today)
        .filter(person__user=user)
        .values_list("network_id", flat=True)
    )
    if today is None:
        setattr(user, _CACHE_ATTRIBUTE, ids)
    return ids


def coordinating_seats(*, today: datetime.date | None = None):
    """The seats that make their holders coordinators today: open coordinating seats that
    have begun (every coordinator of a network, for notices, is one of these)."""
    from .models import Membership

    return Membership.objects.filter(
        role__in=COORDINATING_ROLES,
        end_date__isnull=True,
        start_date__lte=today or timezone.localdate(),
    )


def is_coordinating_role(role: str) -> bool:
    """Whether a seat of ``role`` coordinates its network (once begun, while open)."""
    return role in COORDINATING_ROLES


def open_coordinating_seats(network_id):
    """The open coordinating seats of a network (begun or still to begin)."""
    from .models import Membership

    return Membership.objects.open().filter(network_id=network_id, role__in=COORDINATING_ROLES)


def forget(user) -> None:
    """Drop what this module keeps on ``user`` (after changing their seats in a request)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def is_coordinator(user) -> bool:
    return bool(coordinated_network_ids(user))


def _permission(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def staff_may(user, action: str, model) -> bool:
    """Whether ``user`` is active staff holding the model permission for ``action``."""
    if user is SYSTEM:
        return True
    if not (is_active(user) and user.is_staff):
        return False
    if user.is_superuser:
        return True
    parent = scope_of(model).staff_as
    if parent:
        from django.apps import apps

        reading = action in ("view", "export")
        return staff_may(user, action if reading else "change", apps.get_model(parent))
    # The permissions of the model backend, cached on the user: asking user.has_perm() here
    # would come back to this module through the object backend.
    held = user.get_all_permissions()

    def holds(act):
        return _permission(model, act) in held

    if action == "view":
        return holds("view") or holds("change")
    if action == "export":
        # Records of personal data have their own export permission; the others export
        # what their viewers see.
        exportable = "export" not in model._meta.default_permissions or holds("export")
        return exportable and (holds("view") or holds("change"))
    if action == "import":
        return holds("import") and holds("add") and holds("change")
    return holds(action)


# The rule ----------------------------------------------------------------------------------


def scope_of(model) -> Scope:
    queryset_class = getattr(model._default_manager, "_queryset_class", None)
    return getattr(queryset_class, "access_scope", None) or Scope()


def allows(user, action: str, model, obj=None) -> bool:
    """The rule for one record (``obj``) or, without it, for some record of ``model``.

    A new record (no primary key) whose networks come through a many-valued relation
    (a new person, a new session) is checked as "some record": the service that creates
    it checks the networks it attaches (``require_networks``).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is SYSTEM or staff_may(user, action, model):
        return True
    rules = scope_of(model)
    if action == "view" and _is_public(rules, obj):
        return True
    if action not in rules.coordinators:
        return False
    coordinated = coordinated_network_ids(user)
    if not coordinated:
        return False
    if obj is None or rules.network is None:
        # "Some record", or a model whose records belong to no network (institutions).
        return True
    condition = rules.coordinators_when.get(action, {})
    if not all(_value(obj, lookup) in set(values) for lookup, values in condition.items()):
        return False
    networks = network_ids_of(obj, rules.network)
    if networks is None:
        return True
    return bool(networks & coordinated)


def scope(queryset, user, action: str = "view"):
    """``queryset`` narrowed to the records ``user`` may take ``action`` on."""
    model = queryset.model
    if user is SYSTEM or staff_may(user, action, model):
        return queryset
    rules = scope_of(model)
    allowed = []
    if action == "view" and rules.public is True:
        return queryset
    if action == "view" and rules.public:
        allowed.append(_lookups(rules.public))
    coordinated = coordinated_network_ids(user) if action in rules.coordinators else ()
    if coordinated and rules.network is None:
        return queryset
    if coordinated:
        condition = _lookups(rules.coordinators_when.get(action, {}))
        if rules.network == "":
            allowed.append(Q(pk__in=coordinated) & condition)
        elif _is_multivalued(model, rules.network):
            # A subquery, not a join: a record of two coordinated networks is listed once.
            members = model._default_manager.filter(**{f"{rules.network}__in": coordinated})
            allowed.append(Q(pk__in=members.values("pk")) & condition)
        else:
            allowed.append(Q(**{f"{rules.network}__in": coordinated}) & condition)
    if not allowed:
        return queryset.none()
    return queryset.filter(reduce(or_, allowed))


def refusal(record) -> str:
    """The message of a refused write on ``record``."""
    return gettext("You may not change “%(record)s”.") % {"record": record}


def require(user, action: str, obj=None, *, model=None, message=None) -> None:
    """Raise PermissionDenied unless the rule allows ``action`` (services call this)."""
    model = model or type(obj)
    if not allows(user, action, model, obj):
        default = refusal(obj) if obj is not None else gettext("You may not do this.")
        raise PermissionDenied(message or default)


def require_save(user, record, stored=None) -> None:
    """Adding ``record`` needs the add permission; changing it needs change on the record
    as the database holds it (``stored``, when the caller has read it)."""
    if record._state.adding:
        require(user, "add", record)
    else:
        require(user, "change", stored or record, message=refusal(record))


def require_networks(user, networks, *, message=None) -> None:
    """Raise PermissionDenied unless ``user`` may attach records to every one of ``networks``
    (staff by the caller's model permission; coordinators only to networks they coordinate)."""
    if user is SYSTEM:
        return
    coordinated = coordinated_network_ids(user)
    ids = {getattr(network, "pk", network) for network in networks}
    if not ids <= coordinated:
        raise PermissionDenied(message or gettext("This is not a network you coordinate."))


def get_or_404(user, queryset, action: str = "view", **lookup):
    """The record ``lookup`` names, if ``user`` may see it; otherwise 404, as if it did not
    exist. Seen but not open to ``action`` (a published practice its coordinator can no
    longer edit): PermissionDenied."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    try:
        obj = get_object_or_404(scope(queryset, user, "view"), **lookup)
    except (ValueError, TypeError) as error:  # a malformed id in the URL
        raise Http404 from error
    if action != "view" and not allows(user, action, queryset.model, obj):
        raise PermissionDenied
    return obj


# Helpers -------------------------------------------------------------------------------------


def _lookups(mapping) -> Q:
    return reduce(lambda q, item: q & Q(**{f"{item[0]}__in": list(item[1])}), mapping.items(), Q())


def _is_public(rules: Scope, obj) -> bool:
    if rules.public is True:
        return True
    if not rules.public or obj is None:
        return False
    return all(_value(obj, lookup) in set(values) for lookup, values in rules.public.items())


def _value(obj, lookup):
    """The value ``lookup`` (``status``, ``practice__status``) reaches from ``obj``."""
    for name in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _is_multivalued(model, path) -> bool:
    for name in path.split("__"):
        field_ = model._meta.get_field(name)
        if field_.many_to_many or field_.one_to_many:
            return True
        model = field_.related_model
    return False


def network_ids_of(obj, path) -> set | None:
    """Ids of the networks ``obj`` belongs to through ``path``; ``None`` for a new record
    whose networks come through a many-valued relation (not known before it is saved)."""
    if path == "":
        return {obj.pk} if obj.pk is not None else None
    head, _, rest = path.partition("__")
    try:
        field_ = obj._meta.get_field(head)
    except FieldDoesNotExist as error:
        raise ValueError(f"{type(obj).__name__} has no {head!r}") from error
    if field_.many_to_one or (field_.one_to_one and field_.concrete):
        if not rest:
            value = getattr(obj, field_.attname)
            return set() if value is None else {value}
        related = getattr(obj, head)
        return set() if related is None else network_ids_of(related, rest)
    if obj.pk is None:
        return None
    values = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True)
    return set(values) - {None}


def register_permissions() -> None:
    """Make ``user.has_perm("<app>.<action>_<model>", obj)`` ask this module for every model
    whose QuerySet declares a Scope (called once, from the networks app's ready())."""
    import rules
    from django.apps import apps

    for model in apps.get_models():
        queryset_class = getattr(model._default_manager, "_queryset_class", None)
        if not (queryset_class and issubclass(queryset_class, AccessQuerySet)):
            continue
        for action in ACTIONS:
            rules.set_perm(_permission(model, action), _predicate(model, action))


def _predicate(model, action):
    import rules

    def check(user, obj=None):
        return allows(user, action, model, obj)

    return rules.predicate(check, name=f"access:{_permission(model, action)}")


def coordinates(user, obj) -> bool:
    """Whether ``user`` coordinates a network ``obj`` belongs to (whatever the action)."""
    path = scope_of(type(obj)).network
    if path is None:
        return False
    networks = network_ids_of(obj, path)
    return bool(networks and networks & coordinated_network_ids(user))
