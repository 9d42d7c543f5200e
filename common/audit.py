"""The audit trail: who created, changed or deleted which record, when, and what it held.

Built on django-simple-history: every audited model has ``history = audited()``, a table of
its past versions (all values, so "before" and "after" are two rows). The write services
name the actor with ``acting_as(actor)``; each version saved inside that block records them
(``history_user``; ``None`` with the reason "system" for management commands and the demo)
and the reason given ("import" for spreadsheets). Bulk writes of the imports go through
``bulk_create_audited`` / ``bulk_update_audited``, which write the versions in bulk too.

A version saved outside any ``acting_as`` block falls back to the request's user
(``simple_history.middleware.HistoryRequestMiddleware``), so nothing is recorded nameless
by accident when a signed-in user's request writes.
"""

import contextvars
from contextlib import contextmanager
from functools import wraps

from django.db import connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

_acting = contextvars.ContextVar("audit_acting", default=None)
_recording = contextvars.ContextVar("audit_recording", default=True)

#: The reason recorded for writes of the trusted system actor (commands, demo data).
SYSTEM_REASON = "system"


def account_of(actor):
    """The user account to record for ``actor`` (``None`` for the system actor)."""
    if actor is None or getattr(actor, "pk", None) is None:
        return None
    return actor if getattr(actor, "is_authenticated", False) else None


@contextmanager
def acting_as(actor, reason: str = ""):
    """Record ``actor`` (and ``reason``) on every version saved inside the block."""
    if not reason and account_of(actor) is None:
        reason = SYSTEM_REASON
    token = _acting.set((actor, reason))
    try:
        yield
    finally:
        _acting.reset(token)


@contextmanager
def not_recorded():
    """Writes that are rolled back whatever happens (an import's preview) leave no versions:
    writing them would only cost time."""
    token = _recording.set(False)
    try:
        yield
    finally:
        _recording.reset(token)


def current_actor():
    acting = _acting.get()
    return acting[0] if acting else None


def _history_user(instance=None, request=None, **kwargs):
    acting = _acting.get()
    if acting is not None:
        return account_of(acting[0])
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords that take the actor and the reason from ``acting_as``."""

    def create_historical_record(self, instance, history_type, using=None):
        if _recording.get():
            super().create_historical_record(instance, history_type, using=using)

    def get_change_reason_for_object(self, instance, history_type, using):
        reason = super().get_change_reason_for_object(instance, history_type, using)
        acting = _acting.get()
        return reason or (acting[1] if acting else None) or None


def audited(**options) -> HistoricalRecords:
    """The ``history`` attribute of an audited model."""
    options.setdefault("get_user", _history_user)
    return AuditedRecords(**options)


def bulk_create_audited(objs, model, *, batch_size=None):
    """``bulk_create`` with one version per created record, naming the current actor."""
    created = model._default_manager.bulk_create(objs, batch_size=batch_size)
    _record_versions(model, [record.pk for record in created], "+")
    return created


def bulk_update_audited(objs, model, fields, *, batch_size=None):
    """``bulk_update`` with one version per updated record, naming the current actor."""
    updated = model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
    _record_versions(model, [record.pk for record in objs], history_type="~")
    return updated


HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_type", "history_user", "history_change_reason"}
)


def _record_versions(model, pks, history_type, *, chunk=1000):
    """The versions django-simple-history's bulk helpers write, as one ``INSERT … SELECT``
    per chunk: the database copies the rows just written instead of Python building a
    version object per record (an import of 10 000 people wrote its versions in a second
    that way; here in a few statements). Same columns, same values; models with tracked
    many-to-many fields or excluded fields keep to simple-history's own helpers."""
    if not _recording.get() or not pks:
        return
    acting = _acting.get() or (None, SYSTEM_REASON)
    user, reason = account_of(acting[0]), acting[1] or None
    history_model = model.history.model
    if getattr(history_model, "_history_m2m_fields", None) or _excludes_fields(model):
        records = list(model._default_manager.filter(pk__in=pks))
        model.history.bulk_history_create(
            records,
            update=history_type == "~",
            default_user=user,
            default_change_reason=reason,
        )
        return
    copied = [f for f in history_model._meta.concrete_fields if f.name not in HISTORY_FIELDS]
    quote = connection.ops.quote_name
    targets = ", ".join(quote(f.column) for f in copied)
    sources = ", ".join(quote(model._meta.get_field(f.name).column) for f in copied)
    history_columns = ", ".join(
        quote(history_model._meta.get_field(name).column)
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(pks), chunk):
            part = pks[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {quote(history_model._meta.db_table)} ({targets}, {history_columns}) "  # noqa: S608 (names from the models, values as parameters)
                f"SELECT {sources}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(part))})",
                [now, history_type, getattr(user, "pk", None), reason, *part],
            )


def _excludes_fields(model):
    tracked = {f.name for f in model.history.model._meta.concrete_fields} - HISTORY_FIELDS
    return tracked != {f.name for f in model._meta.concrete_fields}


def write_service(function):
    """Run a write service in one transaction, recording its ``actor=`` on every version.

    The decorated function must take ``actor`` as a keyword argument.
    """

    @wraps(function)
    def wrapper(*args, actor, **kwargs):
        with transaction.atomic(), acting_as(actor, _acting_reason()):
            return function(*args, actor=actor, **kwargs)

    return wrapper


def _acting_reason():
    """An outer ``acting_as`` block's reason (an import) carries into the services it calls."""
    acting = _acting.get()
    return acting[1] if acting and acting[1] != SYSTEM_REASON else ""
