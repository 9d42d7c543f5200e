"""A network's activity: every change to its records, from the audit trail (common.audit).

The records of a network are: the network itself, its memberships, the people who hold or
held a seat in it, its sessions (those of the network now, and deleted ones that were) with
their participations, minutes, agreements and challenges, its practices (the versions that
named it) and their files. Nothing of another network: a person only in network B never
appears in A's activity.

The page reads a constant number of queries whatever the size of the history: one count and
one page of (date, version id, source) over every history table at once (``UNION ALL``),
then, for each history table with versions on the page, the versions (with their author),
the versions before them, the tracked many-to-many values and the labels of the records
their foreign keys name.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.views.generic import ListView
from simple_history.models import HistoricalRecords

from common.audit import HISTORY_FIELDS
from common.pagination import LenientPaginationMixin
from conferences.models import Agreement, Challenge, Minutes, Participation, Session
from networks import access
from networks.models import Membership, Network, Person
from networks.workspace.mixins import NetworkMixin
from practices.models import Attachment, Practice

PAGE_SIZE = 50

#: Fields whose changes say nothing to a coordinator: timestamps the database keeps, the
#: calendar's revision counter, a stored file's generated name (its original name stays).
QUIET_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "uploaded_at", "sequence", "file", "slug"}
)

KIND_LABELS = {
    "+": pgettext_lazy("activity", "Created"),
    "~": pgettext_lazy("activity", "Changed"),
    "-": pgettext_lazy("activity", "Deleted"),
}
KIND_BADGES = {"+": "badge--success", "~": "", "-": "badge--danger"}


# Which versions are the network's --------------------------------------------------------------


def _m2m_history(model, name):
    """The history table of the tracked many-to-many field ``name`` of ``model``."""
    return HistoricalRecords.m2m_models[model._meta.get_field(name)]


def _session_ids(network):
    """The network's sessions now, and the deleted sessions that were once its own."""
    current = Session.networks.through.objects.filter(network_id=network.pk).values("session_id")
    deleted = (
        _m2m_history(Session, "networks")
        .objects.filter(network_id=network.pk)
        .exclude(session_id__in=Session.objects.values("pk"))
        .values("session_id")
    )
    return current, deleted


def _practice_ids(network):
    """The network's practices now, and the deleted practices that were its own."""
    current = Practice.objects.filter(network_id=network.pk).values("pk")
    deleted = (
        Practice.history.model.objects.filter(network_id=network.pk)
        .exclude(id__in=Practice.objects.values("pk"))
        .values("id")
    )
    return current, deleted


def _in(lookup, subqueries) -> Q:
    current, deleted = subqueries
    return Q(**{f"{lookup}__in": current}) | Q(**{f"{lookup}__in": deleted})


def _people_ids(network):
    """Everyone who holds or held a seat in the network (a seat's history counts too)."""
    return (
        Membership.objects.filter(network_id=network.pk).values("person_id"),
        Membership.history.model.objects.filter(network_id=network.pk).values("person_id"),
    )


def _text(value, length=80):
    return Truncator(value or "").chars(length)


def _person_name(person):
    return person.full_name if person is not None else gettext("a deleted person")


@dataclass(frozen=True)
class Source:
    """One audited model as the activity reads it."""

    key: str
    model: type[models.Model]
    scope: Callable[[Network], Q]
    label: Callable[[models.Model], str]
    related: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()

    @property
    def history(self):
        return self.model.history.model

    @property
    def name(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def plural(self):
        return capfirst(self.model._meta.verbose_name_plural)


SOURCES = (
    Source(
        "network",
        Network,
        lambda network: Q(id=network.pk),
        lambda version: version.name,
        m2m=("municipalities",),
    ),
    Source(
        "membership",
        Membership,
        lambda network: Q(network_id=network.pk),
        lambda version: f"{_person_name(version.person)} ({version.get_role_display()})",
        related=("person",),
    ),
    Source(
        "person",
        Person,
        lambda network: _in("id", _people_ids(network)),
        lambda version: (
            f"{version.first_name} {version.last_name}".strip()
            or gettext("a person whose name was erased")
        ),
    ),
    Source(
        "session",
        Session,
        lambda network: _in("id", _session_ids(network)),
        lambda version: version.title,
        m2m=("networks",),
    ),
    Source(
        "participation",
        Participation,
        lambda network: _in("session_id", _session_ids(network)),
        lambda version: (
            gettext("%(person)s at %(session)s")
            % {
                "person": _person_name(version.person),
                "session": version.session.title if version.session else "—",
            }
        ),
        related=("person", "session"),
    ),
    Source(
        "minutes",
        Minutes,
        lambda network: _in("session_id", _session_ids(network)),
        lambda version: version.session.title if version.session else "—",
        related=("session",),
    ),
    Source(
        "agreement",
        Agreement,
        lambda network: _in("session_id", _session_ids(network)),
        lambda version: _text(version.text),
    ),
    Source(
        "challenge",
        Challenge,
        lambda network: _in("session_id", _session_ids(network)),
        lambda version: _text(version.text),
    ),
    Source(
        "practice",
        Practice,
        lambda network: Q(network_id=network.pk),
        lambda version: version.title,
    ),
    Source(
        "attachment",
        Attachment,
        lambda network: _in("practice_id", _practice_ids(network)),
        lambda version: version.title,
    ),
)
SOURCE_BY_KEY = {source.key: source for source in SOURCES}


def activity_sources(user, keys=None):
    """The sources ``user`` may read (the access rule, model by model), or those of ``keys``."""
    return [
        (index, source)
        for index, source in enumerate(SOURCES)
        if (not keys or source.key in keys) and access.allows(user, "view", source.model)
    ]


def network_activity(network, *, user, keys=None, date_from=None, date_to=None):
    """The network's versions, newest first, as ``(history_date, history_id, source index)``
    rows of one ``UNION ALL`` query: count it and slice it, then ``activity_entries()``."""
    parts = []
    for index, source in activity_sources(user, keys):
        versions = source.history.objects.filter(source.scope(network))
        if date_from:
            versions = versions.filter(history_date__gte=_start_of(date_from))
        if date_to:
            versions = versions.filter(history_date__lt=_start_of(date_to + datetime.timedelta(1)))
        parts.append(
            versions.order_by()
            .annotate(source=Value(index, output_field=models.IntegerField()))
            .values_list("history_date", "history_id", "source")
        )
    if not parts:
        return Network.history.model.objects.none().values_list("history_date", "history_id")
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id", "-source")


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# What each version says ----------------------------------------------------------------------


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    by_import: bool
    kind: str
    source: Source
    label: str
    changes: list[Change] = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def kind_badge(self):
        return KIND_BADGES[self.kind]


def _author(version):
    if version.history_user is not None:
        return str(version.history_user)
    if version.history_change_reason == "import":
        return gettext("Import")
    return gettext("System")


def _tracked_fields(source):
    return [
        f
        for f in source.history._meta.concrete_fields
        if f.name not in HISTORY_FIELDS and f.name not in QUIET_FIELDS
    ]


def _previous_version(history):
    """The version just before the outer one, of the same record."""
    return (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def _m2m_values(source, version_ids):
    """For each version id, its values of each tracked many-to-many field (one query each)."""
    values = defaultdict(lambda: defaultdict(set))
    for name in source.m2m:
        target = source.model._meta.get_field(name).related_model
        through = _m2m_history(source.model, name)
        target_field = next(
            f.name for f in through._meta.concrete_fields if f.related_model is target
        )
        rows = through.objects.filter(history_id__in=version_ids).select_related(target_field)
        for row in rows:
            related = getattr(row, target_field)
            values[row.history_id][name].add(str(related) if related else "—")
    return values


class _Labels:
    """The labels of the records the changed foreign keys name, read once per model."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self):
        for model, pks in self.wanted.items():
            for obj in model._base_manager.filter(pk__in=pks):
                self.found[(model, obj.pk)] = str(obj)

    def get(self, model, pk):
        return self.found.get((model, pk)) or gettext("a deleted record")


def _show(model_field, value, labels):
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return labels.get(model_field.related_model, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(model_field, models.DateTimeField):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(model_field, models.DateField):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return _text(str(value), 140)


def activity_entries(rows):
    """The entries of one page of ``network_activity()`` rows, in the same order."""
    wanted = defaultdict(list)
    for _date, history_id, index in rows:
        wanted[index].append(history_id)
    labels = _Labels()
    read = {}  # (source index, history id) -> (version, previous, m2m values)
    pending = []
    for index, ids in wanted.items():
        source = SOURCES[index]
        history = source.history
        versions = list(
            history.objects.filter(history_id__in=ids)
            .select_related("history_user", *source.related)
            .annotate(previous_id=Subquery(_previous_version(history)))
        )
        previous_ids = [v.previous_id for v in versions if v.history_type == "~" and v.previous_id]
        previous = history.objects.in_bulk(previous_ids) if previous_ids else {}
        m2m = _m2m_values(source, [v.history_id for v in versions] + previous_ids)
        fields = _tracked_fields(source)
        for version in versions:
            before = previous.get(version.previous_id) if version.history_type == "~" else None
            changed = []
            if before is not None:
                for model_field in fields:
                    old = getattr(before, model_field.attname)
                    new = getattr(version, model_field.attname)
                    if old != new:
                        changed.append((model_field, old, new))
                        if model_field.is_relation:
                            labels.want(model_field.related_model, old)
                            labels.want(model_field.related_model, new)
            pending.append((index, version, changed, before, m2m))
    labels.load()
    for index, version, changed, before, m2m in pending:
        source = SOURCES[index]
        changes = [
            Change(
                capfirst(model_field.verbose_name),
                _show(model_field, old, labels),
                _show(model_field, new, labels),
            )
            for model_field, old, new in changed
        ]
        if before is not None:
            for name in source.m2m:
                old, new = m2m[before.history_id][name], m2m[version.history_id][name]
                if old != new:
                    changes.append(
                        Change(
                            capfirst(source.model._meta.get_field(name).verbose_name),
                            ", ".join(sorted(old)) or "—",
                            ", ".join(sorted(new)) or "—",
                        )
                    )
        read[(index, version.history_id)] = Entry(
            when=version.history_date,
            who=_author(version),
            by_import=version.history_change_reason == "import",
            kind=version.history_type,
            source=source,
            label=source.label(version),
            changes=changes,
        )
    return [read[(index, history_id)] for _date, history_id, index in rows]


# The page ------------------------------------------------------------------------------------


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Records"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", gettext("All records"))] + [
            (source.key, source.plural) for _index, source in sources
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", gettext("The end date cannot precede the start date."))
        return cleaned


class ActivityView(NetworkMixin, LenientPaginationMixin, ListView):
    """The network's history of changes, newest first; for its coordinators and staff."""

    template_name = "workspace/activity.html"
    paginate_by = PAGE_SIZE
    context_object_name = "rows"

    def get_queryset(self):
        sources = activity_sources(self.request.user)
        self.form = ActivityFilterForm(self.request.GET or None, sources=sources)
        filters = {}
        if self.form.is_bound:
            self.form.is_valid()  # an invalid filter is shown with its error and left out
            data = self.form.cleaned_data
            filters = {
                "keys": {data["kind"]} if data.get("kind") else None,
                "date_from": data.get("date_from"),
                "date_to": data.get("date_to"),
            }
        return network_activity(self.network, user=self.request.user, **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = activity_entries(list(context["page_obj"].object_list))
        context["form"] = self.form
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        context["filter_query"] = query.urlencode()
        context["filtered"] = any(value for key, value in query.items())
        return context
