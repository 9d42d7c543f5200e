"""Data protection: what the portal holds about a person, and who is due for review.

- ``person_personal_data(person)``: everything held about one person (the access request),
  as plain JSON-ready values, for the admin's JSON download and printable page;
- ``people_due_for_review(now=None)``: people with no open seat and no activity for
  ``PERSONAL_DATA_RETENTION_DAYS`` (the retention review; ``manage.py retention_report``);
- ``text_erase(strings)``: free text anywhere in the portal that names a person, scrubbed by
  ``services.person_erase``.

Records of upper apps (participations, agreements, agenda items) are found through the app
registry, as reverse relations of ``Person``, so this lower app imports none of them; what an
upper app adds to the retention review (when a person last took part) it registers here from
its ``ready()`` (``register_activity``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from common.text import fold

from .models import Membership, Person
from .signals import texts_erased

#: Why the registry holds personal data, shown to staff next to each person's consent.
PURPOSES = (
    gettext_lazy("Coordinating the networks and tables the person takes part in."),
    gettext_lazy("Inviting the person to the portal and to sessions."),
    gettext_lazy("The donor's figures, disaggregated by sex, sector and country (never public)."),
)

#: Fields never handed out, not even to the person: secrets, not data about them.
WITHHELD_FIELDS = frozenset({"key_hash", "password"})


# The access request ---------------------------------------------------------------------------


def _value(record, field):
    """One field of ``record`` as JSON can hold it, in the reader's words."""
    if field.is_relation:
        related = getattr(record, field.name)
        return None if related is None else {"id": related.pk, "label": str(related)}
    value = getattr(record, field.attname)
    if field.choices and value not in (None, ""):
        return {"value": value, "label": str(getattr(record, f"get_{field.name}_display")())}
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _fields(model, *, skip=()):
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in WITHHELD_FIELDS and field.name not in skip
    ]


def _records(queryset, fields):
    return [{field.name: _value(record, field) for field in fields} for record in queryset]


def _section(key, title, labels, records):
    return {"key": key, "title": str(title), "labels": labels, "records": records}


def _labels(fields):
    return {field.name: str(field.verbose_name) for field in fields}


def _is_history_model(model) -> bool:
    return getattr(model, "instance_type", None) is not None  # simple-history's versions


def _related_sections(person: Person):
    """A section per model pointing at ``Person`` (memberships, invitations, and those of
    the upper apps found by app registry), each with the records naming the person."""
    sections = []
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        model = relation.related_model
        if _is_history_model(model) or not (relation.one_to_many or relation.one_to_one):
            continue
        link = relation.field
        fields = _fields(model, skip={link.name})
        queryset = (
            model._default_manager.filter(**{link.name: person})
            .select_related(*(f.name for f in fields if f.is_relation))
            .order_by("pk")
        )
        sections.append(
            _section(
                f"{model._meta.app_label}.{model._meta.model_name}",
                gettext("%(records)s (as %(field)s)")
                % {"records": model._meta.verbose_name_plural, "field": link.verbose_name},
                _labels(fields),
                _records(queryset, fields),
            )
        )
    return sorted(sections, key=lambda section: section["key"])


def _account(user):
    if user is None:
        return None
    addresses = []
    if apps.is_installed("allauth.account"):
        addresses = list(
            apps.get_model("account", "EmailAddress")
            .objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        )
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": addresses,
    }


HISTORY_KINDS = {
    "+": pgettext_lazy("version kind", "created"),
    "~": pgettext_lazy("version kind", "changed"),
    "-": pgettext_lazy("version kind", "deleted"),
}


def _history(person: Person):
    fields = _fields(Person.history.model)
    tracked = [f for f in fields if not f.name.startswith("history_") and f.name != "id"]
    versions = (
        Person.history.filter(id=person.pk).select_related("history_user").order_by("history_id")
    )
    return [
        {
            "date": version.history_date.isoformat(),
            "kind": str(HISTORY_KINDS.get(version.history_type, version.history_type)),
            "actor": str(version.history_user) if version.history_user else gettext("system"),
            "reason": version.history_change_reason or "",
            "values": {field.name: _value(version, field) for field in tracked},
        }
        for version in versions
    ]


def _admin_log(person: Person):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
        )
        .select_related("user")
        .order_by("action_time")
    )
    return [
        {
            "date": entry.action_time.isoformat(),
            "actor": str(entry.user),
            "action": str(entry.get_action_flag_display()),
            "message": entry.get_change_message(),
        }
        for entry in entries
    ]


def person_personal_data(person: Person) -> dict:
    """Everything the portal holds about ``person``: their record with its consent, their
    user account, every record that points at them (memberships with their networks and
    dates, invitations, participations, agreements they answer for, agenda items they
    present), the past versions of their record with dates and actors, and the admin log.

    Only the access rule's staff may be shown this (the admin checks ``view_person``).
    """
    fields = _fields(Person, skip={"user"})
    return {
        "generated_at": timezone.now().isoformat(),
        "person": {field.name: _value(person, field) for field in fields},
        "person_labels": _labels(fields),
        "purposes": [str(purpose) for purpose in PURPOSES],
        "account": _account(person.user),
        "related": _related_sections(person),
        "history": _history(person),
        "admin_log": _admin_log(person),
    }


def _shown(value) -> str:
    """A value of ``person_personal_data`` as the printable page writes it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):
        if "label" in value:
            return str(value["label"])
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value) or "—"
    return str(value)


def _version(version, labels) -> str:
    return "; ".join(
        f"{labels.get(name, name)}: {_shown(value)}" for name, value in version["values"].items()
    )


def display_tables(data: dict) -> list[dict]:
    """``person_personal_data(...)`` as tables of text (title, headers, rows), for the
    printable page: the same content as the JSON download, in the reader's words."""
    field, value = gettext("field"), gettext("value")
    person, labels = data["person"], data["person_labels"]
    tables = [
        {
            "title": gettext("Person"),
            "headers": [field, value],
            "rows": [[data["person_labels"][k], _shown(v)] for k, v in person.items()],
        }
    ]
    if data["account"] is not None:
        tables.append(
            {
                "title": gettext("User account"),
                "headers": [field, value],
                "rows": [[key, _shown(item)] for key, item in data["account"].items()],
            }
        )
    for section in data["related"]:
        labels = section["labels"]
        tables.append(
            {
                "title": section["title"],
                "headers": list(labels.values()),
                "rows": [[_shown(r.get(k)) for k in labels] for r in section["records"]],
            }
        )
    tables.append(
        {
            "title": gettext("Past versions of the record (audit trail)"),
            "headers": [gettext("date"), gettext("kind"), gettext("by"), gettext("reason"), value],
            "rows": [
                [v["date"], v["kind"], v["actor"], v["reason"] or "—", _version(v, labels)]
                for v in data["history"]
            ],
        }
    )
    tables.append(
        {
            "title": gettext("Admin log"),
            "headers": [gettext("date"), gettext("by"), gettext("action"), gettext("message")],
            "rows": [
                [e["date"], e["actor"], e["action"], e["message"] or "—"] for e in data["admin_log"]
            ],
        }
    )
    return tables


# Erasure: free text -----------------------------------------------------------------------

#: How an access request is named in the admin log, by what was handed out.
ACCESS_REQUEST_MESSAGES = {
    "json": gettext_lazy("Personal data handed out (access request, JSON)."),
    "page": gettext_lazy("Personal data shown (access request, printable page)."),
}


def access_request_record(*, person: Person, actor, form: str) -> None:
    """Leave in the admin log that ``actor`` was handed everything held about ``person``:
    who read a person's data is itself part of what a data protection officer checks. The
    entry names the person by id only (no name in the log)."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        object_repr=f"#{person.pk}",
        # Django's log knows additions, changes and deletions; a read is logged as a
        # "change" whose message says what happened.
        action_flag=CHANGE,
        # Stored as written, in the actor's language, as the admin log's messages are.
        change_message=str(ACCESS_REQUEST_MESSAGES[form]),
    )


#: What free text keeps in place of an erased person's name, address or phone.
ERASED_TEXT = "—"


def personal_strings(person: Person) -> list[str]:
    """What would identify ``person`` in free text: their full name (as written and
    folded, as search data keep it), e-mail and phone. A lone first or last name is left
    out: it would also match other people and ordinary words."""
    strings = []
    if person.first_name.strip() and person.last_name.strip():
        strings += [person.full_name, fold(person.full_name)]
    if person.email:
        strings.append(person.email)
    if len(re.sub(r"\D", "", person.phone)) >= 6:
        strings.append(person.phone.strip())
    # Longest first: "Ana López" goes before a shorter string it contains.
    return sorted({s for s in strings if s}, key=len, reverse=True)


def _text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and not field.choices
    ]


def text_erase(strings, *, exclude=()) -> int:
    """Replace ``strings`` (any case) by a dash in every free text (``TextField``) of the
    portal's apps and of their audit trails: descriptions, minutes, agreements and their
    follow-up, challenges, practices and their review comments. Written with ``update()``:
    a scrub is not a change of the record to version. Returns the number of texts (one
    field of one row, a version's included) changed."""
    strings = [s for s in strings if s]
    if not strings:
        return 0
    pattern = re.compile("|".join(re.escape(s) for s in strings), re.IGNORECASE)
    local = set(settings.LOCAL_APPS)
    changed = 0
    changed_rows: dict[type[models.Model], set] = {}
    for model in apps.get_models():
        if model._meta.app_label not in local or model in exclude:
            continue
        if _is_history_model(model) and model.instance_type in exclude:
            continue
        for field in _text_fields(model):
            condition = models.Q()
            for string in strings:
                condition |= models.Q(**{f"{field.name}__icontains": string})
            rows = model._default_manager.filter(condition).values_list("pk", field.attname)
            for pk, text in rows:
                scrubbed = pattern.sub(ERASED_TEXT, text)
                if scrubbed != text:
                    model._default_manager.filter(pk=pk).update(**{field.attname: scrubbed})
                    changed += 1
                    changed_rows.setdefault(model, set()).add(pk)
    if changed:
        from common.caching import forget_public_pages

        # update() sends no signal: the page cache and the search data are told here.
        texts_erased.send(sender=text_erase, changed=changed_rows)
        forget_public_pages()
    return changed


# Retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivitySource:
    """A kind of activity of a person: ``expression()`` annotates a queryset of people with
    the day of each one's latest such activity, or NULL (a ``Subquery`` over
    ``OuterRef("pk")`` for the records of another model)."""

    key: str
    label: Callable[[], str]
    expression: Callable[[], models.Expression]


_activity_sources: dict[str, ActivitySource] = {}


def register_activity(key: str, label, expression) -> None:
    """Count another kind of activity in the retention review (called from an app's
    ``ready()``; registering the same key again replaces it)."""
    _activity_sources[key] = ActivitySource(key, label, expression)


def activity_sources() -> list[ActivitySource]:
    return list(_activity_sources.values())


def _latest_membership_end():
    return Subquery(
        Membership.objects.filter(person=OuterRef("pk"), end_date__isnull=False)
        .order_by("-end_date")
        .values("end_date")[:1],
        output_field=models.DateField(),
    )


register_activity("membership_end", lambda: gettext("membership ended"), _latest_membership_end)
register_activity(
    "record_updated",
    lambda: gettext("record updated"),
    lambda: TruncDate("updated_at"),
)


@dataclass(frozen=True)
class ReviewCandidate:
    person: Person
    last_activity: datetime.date
    activity: str  # what that activity was, in the reader's words


def retention_cutoff(now=None) -> datetime.date:
    """The day before which a person's last activity makes them due for review."""
    today = timezone.localdate(now or timezone.now())
    return today - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def people_due_for_review(now=None) -> list[ReviewCandidate]:
    """People to review for erasure: no open seat (a membership without end date), and
    every activity (a seat's end, a participation's session, a change to their record)
    older than ``PERSONAL_DATA_RETENTION_DAYS`` before ``now``. People already erased are
    left out. Oldest activity first; one query."""
    from .services import ERASED

    cutoff = retention_cutoff(now)
    sources = activity_sources()
    people = (
        Person.objects.exclude(pk__in=Membership.objects.open().values("person_id"))
        .exclude(first_name=ERASED, last_name="", email="")
        .annotate(**{f"activity_{source.key}": source.expression() for source in sources})
    )
    for source in sources:
        column = f"activity_{source.key}"
        people = people.filter(
            models.Q(**{f"{column}__isnull": True}) | models.Q(**{f"{column}__lt": cutoff})
        )
    candidates = []
    for person in people.order_by("pk"):
        dated = [
            (getattr(person, f"activity_{source.key}"), source)
            for source in sources
            if getattr(person, f"activity_{source.key}") is not None
        ]
        if not dated:
            continue
        day, source = max(dated, key=lambda item: item[0])
        candidates.append(ReviewCandidate(person, _as_date(day), source.label()))
    return sorted(candidates, key=lambda candidate: (candidate.last_activity, candidate.person.pk))


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):  # SQLite hands some subqueries back as text
        return datetime.date.fromisoformat(value[:10])
    return value
