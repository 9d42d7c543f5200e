"""Forms of the sessions pages of the workspace: plain questions, native date and time inputs,
and choices limited to the network's own records (a record of another network is an invalid
choice, never a write)."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from networks.models import Municipality
from networks.workspace.mixins import workspace_networks
from practices.models import Theme

from .. import selectors
from ..enums import AgreementStatus, Modality, ParticipationRole, SessionStatus
from ..models import AgendaItem, Agreement, Challenge, Minutes, Session
from ..services import REOPEN_REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _anchor(bound_field) -> str:
    """The id of the input a "Change" link lands on (a group of radios: its first one)."""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


def _yes_no(value):
    return gettext("Yes") if value else gettext("No")


# Sessions -------------------------------------------------------------------------------------


class SessionForm(forms.Form):
    """A session's questions. The page's network is always one of its networks; the others
    are those the user may attach (a coordinator's own networks)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput)
    end_date = forms.DateField(
        label=_("Ends on another day"),
        required=False,
        widget=DateInput,
        help_text=_("Only for a session that goes on past midnight."),
    )
    modality = forms.ChoiceField(
        label=_("How people take part"), choices=Modality.choices, widget=forms.RadioSelect
    )
    venue = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("The building and address, for a session in person or hybrid."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    meeting_link = forms.URLField(
        label=_("Meeting link"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "For a virtual or hybrid session. Only IOM staff and the coordinators of the "
            "session's networks see it."
        ),
    )
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, required=False, help_text=_("Leave empty for no limit.")
    )
    description = forms.CharField(
        label=_("What the session is about"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    other_networks = forms.ModelMultipleChoiceField(
        label=_("Other networks taking part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public = forms.BooleanField(
        label=_("Show this session on the public site and calendars"),
        required=False,
        help_text=_("The public sees the title, date, place and agenda; never the meeting link."),
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("session", "Status"),
        choices=[
            (SessionStatus.PLANNED, SessionStatus.PLANNED.label),
            (SessionStatus.HELD, SessionStatus.HELD.label),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, network, user, session=None, with_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.session = session
        current = session.municipality_id if session is not None else None
        self.fields["municipality"].queryset = (
            Municipality.objects.filter(Q(networks=network) | Q(pk=current))
            .distinct()
            .order_by("name")
        )
        self.fields["other_networks"].queryset = (
            workspace_networks(user).exclude(pk=network.pk).order_by("name")
        )
        self.fields["other_networks"].help_text = gettext(
            "The session belongs to %(network)s. Tick the other networks that join it."
        ) % {"network": network.name}
        if not self.fields["other_networks"].queryset.exists():
            del self.fields["other_networks"]
        if not with_status:
            del self.fields["status"]

    @classmethod
    def initial_from(cls, session: Session, *, with_date=True) -> dict:
        """The answers of an existing session (to edit it, or to copy it without its date)."""
        start, end = timezone.localtime(session.start), timezone.localtime(session.end)
        initial = {
            "title": session.title,
            "start_time": start.time(),
            "end_time": end.time(),
            "modality": session.modality,
            "venue": session.venue,
            "municipality": session.municipality_id,
            "meeting_link": session.meeting_link,
            "capacity": session.capacity,
            "description": session.description,
            "other_networks": [network.pk for network in session.networks.all()],
            "is_public": session.is_public,
            "status": session.status,
        }
        if with_date:
            initial["date"] = start.date()
            if end.date() != start.date():
                initial["end_date"] = end.date()
        return initial

    def clean(self):
        cleaned = super().clean()
        day, start, end = (cleaned.get(name) for name in ("date", "start_time", "end_time"))
        if day and start and end:
            end_day = cleaned.get("end_date") or day
            cleaned["start"] = timezone.make_aware(datetime.datetime.combine(day, start))
            cleaned["end"] = timezone.make_aware(datetime.datetime.combine(end_day, end))
            if cleaned["end"] <= cleaned["start"]:
                self.add_error("end_time", _("The session must end after it starts."))
        return cleaned

    def apply_to(self, session: Session) -> Session:
        """``session`` with the answers (not saved)."""
        data = self.cleaned_data
        for name in ("title", "modality", "venue", "municipality", "meeting_link", "capacity"):
            setattr(session, name, data[name])
        session.description = data["description"]
        session.is_public = data["is_public"]
        session.start, session.end = data["start"], data["end"]
        if "status" in data:
            session.status = data["status"]
        return session

    def networks(self, *, kept=()) -> list:
        """The session's networks: this one, the ticked ones, and ``kept`` (networks of the
        session the user may not detach, since they do not work on them)."""
        chosen = {self.network.pk: self.network}
        for network in [*self.cleaned_data.get("other_networks", []), *kept]:
            chosen.setdefault(network.pk, network)
        return list(chosen.values())

    def summary(self) -> list[dict]:
        """The check-your-answers rows: label, answer and the field to change."""
        data = self.cleaned_data
        rows = [
            (_("Title"), data["title"], "title"),
            (
                _("When"),
                "{}, {}–{}".format(
                    date_format(data["start"].date(), "DATE_FORMAT"),
                    time_format(timezone.localtime(data["start"]), "TIME_FORMAT"),
                    (
                        date_format(timezone.localtime(data["end"]).date(), "DATE_FORMAT") + ", "
                        if data.get("end_date") and data["end_date"] != data["date"]
                        else ""
                    )
                    + time_format(timezone.localtime(data["end"]), "TIME_FORMAT"),
                ),
                "date",
            ),
            (_("How people take part"), Modality(data["modality"]).label, "modality"),
            (_("Place"), data["venue"], "venue"),
            (_("Municipality"), data["municipality"] or "", "municipality"),
            (_("Meeting link"), data["meeting_link"], "meeting_link"),
            (_("Places"), data["capacity"] or gettext("No limit"), "capacity"),
            (_("What the session is about"), data["description"], "description"),
        ]
        if "other_networks" in self.fields:
            names = ", ".join(network.name for network in self.networks())
            rows.append((_("Networks"), names, "other_networks"))
        rows.append((_("On the public site"), _yes_no(data["is_public"]), "is_public"))
        if "status" in data:
            rows.append(
                (pgettext_lazy("session", "Status"), SessionStatus(data["status"]).label, "status")
            )
        return [
            {"label": label, "value": value, "field": name, "anchor": _anchor(self[name])}
            for label, value, name in rows
        ]


class SessionFilterForm(forms.Form):
    """The GET filters of a network's sessions; a value that is not a choice is ignored."""

    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[
            ("", _("Upcoming and past")),
            (selectors.UPCOMING, _("Upcoming")),
            (selectors.PAST, _("Past")),
        ],
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("session", "Status"),
        required=False,
        choices=[("", _("Any status")), *SessionStatus.choices],
    )
    q = forms.CharField(label=_("Title or place"), required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {
                name: value
                for name, value in self.cleaned_data.items()
                if name not in self.errors and value
            }
        return {name: value for name, value in self.cleaned_data.items() if value}


# Agenda, challenges -------------------------------------------------------------------------


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "duration_minutes", "presenter_institution", "presenter", "position"]
        labels = {"position": _("Order on the agenda")}
        help_texts = {"position": _("Items are listed from the lowest number.")}

    def __init__(self, *args, network, user, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        self.fields["presenter_institution"].queryset = selectors.network_institutions(
            network, also=item.presenter_institution_id
        )
        self.fields["presenter"].queryset = selectors.network_people(
            user, network, also=item.presenter_id
        )


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["text", "theme"]
        labels = {"text": _("The challenge raised")}
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.order_by("pk")


# Participants and attendance ------------------------------------------------------------------


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, person):
        if person.institution_id:
            return f"{person.full_name} — {person.institution}"
        return person.full_name


class RegistrationForm(forms.Form):
    people = PersonChoiceField(
        label=_("Members to register"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one member."),
            "invalid_choice": _("Someone ticked is not a current member of this network."),
            "invalid_pk_value": _("Someone ticked is not a current member of this network."),
        },
    )
    role = forms.ChoiceField(
        label=_("They take part as"),
        choices=ParticipationRole.choices,
        initial=ParticipationRole.PARTICIPANT,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates


class AttendanceForm(forms.Form):
    """One checkbox per participation of the session; choices from the list already read."""

    attended = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        error_messages={
            "invalid_choice": _(
                "Only people registered for this session can be marked present: "
                "nothing was recorded."
            )
        },
    )

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.participations = participations
        self.fields["attended"].choices = [(str(p.pk), str(p.pk)) for p in participations]

    def checked(self) -> set:
        """The ids ticked: the posted ones, or who attended as recorded."""
        if self.is_bound:
            return {str(value) for value in self.data.getlist("attended")}
        return {str(p.pk) for p in self.participations if p.attended}


# Minutes --------------------------------------------------------------------------------------


class MinutesForm(forms.ModelForm):
    """The text and the summary; those the workflow has frozen are read-only (and a changed
    value posted anyway is refused by ``minutes_save``)."""

    class Meta:
        model = Minutes
        fields = ["text", "summary"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 16}),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen = Minutes.frozen_fields(self.instance.status)
        for name in self.frozen:
            self.fields[name].widget.attrs["readonly"] = True
            self.fields[name].help_text = _("Locked: reopen the minutes to change it.")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do the minutes need to change?"),
        max_length=REOPEN_REASON_MAX_LENGTH,
        help_text=_("Kept in the record of changes, with your name and the date."),
    )


# Agreements -----------------------------------------------------------------------------------


class AgreementForm(forms.ModelForm):
    follow_up_note = forms.CharField(
        label=_("New follow-up note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added with today's date; earlier notes are kept."),
    )

    class Meta:
        model = Agreement
        fields = ["text", "responsible_institution", "responsible_person", "due_date", "status"]
        labels = {"text": _("What was agreed")}
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "due_date": DateInput}
        help_texts = {
            "responsible_institution": _("An institution of this network."),
            "responsible_person": _("A member of this network."),
        }

    def __init__(self, *args, network, user, **kwargs):
        super().__init__(*args, **kwargs)
        agreement = self.instance
        self.fields["responsible_institution"].queryset = selectors.network_institutions(
            network, also=agreement.responsible_institution_id
        )
        self.fields["responsible_person"].queryset = selectors.network_people(
            user, network, also=agreement.responsible_person_id
        )
        if agreement._state.adding:
            del self.fields["follow_up_note"]


class FollowUpForm(forms.ModelForm):
    """The agreement page's quick update: its status and a dated note."""

    follow_up_note = forms.CharField(
        label=_("What is new?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added with today's date; earlier notes are kept."),
    )

    class Meta:
        model = Agreement
        fields = ["status"]
        widgets = {"status": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("follow_up_note", "").strip()
            and cleaned.get("status") == self.initial.get("status")
            and not self.errors
        ):
            raise forms.ValidationError(
                _("Write a note or choose another status."), code="nothing_new"
            )
        return cleaned


class AgreementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("agreement", "Status"),
        required=False,
        choices=[
            ("", _("All agreements")),
            (selectors.PENDING, _("Open or in progress")),
            (selectors.OVERDUE, _("Overdue")),
            *AgreementStatus.choices,
        ],
    )
