"""Writes to sessions, attendance, minutes, agreements and challenges.

The admin, the attendance-sheet import, the demo data and the coordinators' workspace go
through these functions, so a rule holds on every path in. Each takes the acting user
(``actor=``), checks the access rule (``networks.access``) and records the actor in the
audit trail (``common.audit``). Rules that belong to one row live
in the models (``clean()`` and constraints); these functions call ``full_clean()`` and add the
rules that span rows or follow a workflow.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.audit import account_of, bulk_update_audited, write_service
from common.caching import forget_public_pages
from common.slugs import unique_slug
from networks import access
from networks.models import Membership, Network, Person

from . import notifications
from .enums import MinutesStatus, ParticipationRole, SessionStatus
from .models import (
    AgendaItem,
    Agreement,
    Challenge,
    Minutes,
    OverdueNotice,
    Participation,
    Session,
)

logger = logging.getLogger(__name__)

# A change to any of these reaches people's calendars: the iCalendar SEQUENCE must grow.
SCHEDULE_FIELDS = ("start", "end", "venue", "municipality_id", "modality", "status")


# Sessions -----------------------------------------------------------------------------------


def _slug_for(session: Session) -> str:
    day = timezone.localdate(session.start).isoformat() if session.start else ""
    return unique_slug(Session, session.title, suffix=day)


@write_service
def session_save(*, session: Session, networks, practices=None, actor) -> Session:
    """Validate and save a session with its networks (and the practices presented).

    A new session gets a slug from its title and local date; the slug of a saved session
    never changes, since it is part of public URLs and calendar UIDs. Changing the time,
    place, modality or status of a saved session bumps its ``sequence`` so calendar clients
    replace the event they hold.
    """
    networks = list(networks)
    if not networks:
        raise ValidationError({"networks": _("A session belongs to one network at least.")})
    access.require_save(actor, session)
    if not access.staff_may(actor, "change", Session):
        # A coordinator attaches and detaches only networks they coordinate.
        before = set() if session._state.adding else set(session.networks.values_list("pk"))
        access.require_networks(
            actor,
            {network.pk for network in networks} ^ {pk for (pk,) in before},
            message=gettext("A session can only be linked to networks you coordinate."),
        )
    if session.pk:
        previous = (
            Session.objects.select_for_update()
            .filter(pk=session.pk)
            .values("sequence", *SCHEDULE_FIELDS)
            .first()
        )
        if previous is not None:
            session.sequence = previous["sequence"]
            if any(previous[field] != getattr(session, field) for field in SCHEDULE_FIELDS):
                session.sequence += 1
    if not session.slug and session.title:
        session.slug = _slug_for(session)
    session.full_clean()
    session.save()
    session.networks.set(networks)
    if practices is not None:
        session.practices.set(practices)
    return session


@write_service
def session_duplicate(*, source: Session, session: Session, networks, actor) -> Session:
    """Save ``session`` (new: its own date, title, place…) as a copy of ``source``: the
    same networks unless ``networks`` says otherwise, and a copy of its agenda."""
    access.require(actor, "view", source)
    if not session._state.adding:
        raise ValueError("session_duplicate() makes a new session")
    session = session_save(session=session, networks=networks, actor=actor)
    for item in source.agenda_items.order_by("position", "pk"):
        agenda_item_save(
            agenda_item=AgendaItem(
                session=session,
                position=item.position,
                title=item.title,
                duration_minutes=item.duration_minutes,
                presenter_institution_id=item.presenter_institution_id,
                presenter_id=item.presenter_id,
            ),
            actor=actor,
        )
    return session


@write_service
def session_cancel(*, session: Session, actor) -> Session:
    """Mark a planned session cancelled; calendars then show it struck through.

    Attendance can no longer be recorded for it (``Participation.clean``).
    """
    access.require(actor, "change", session)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is already cancelled."), code="already_cancelled")
    if session.status == SessionStatus.HELD:
        raise ValidationError(
            _("This session was held: it cannot be cancelled."), code="already_held"
        )
    current = Session.objects.select_for_update().values_list("sequence", flat=True)
    session.sequence = current.get(pk=session.pk) + 1
    session.status = SessionStatus.CANCELLED
    session.full_clean()
    session.save(update_fields=["status", "sequence", "updated_at"])
    return session


# Participation ------------------------------------------------------------------------------


def _affiliation(*, session: Session, person: Person):
    """The institution ``person`` represented at ``session``.

    Their seat in one of the session's networks on the session's day wins; then an open seat
    in one of them; then the person's current institution.
    """
    seats = (
        Membership.objects.filter(
            person=person, network__in=session.networks.all(), institution__isnull=False
        )
        .select_related("institution")
        .order_by("-start_date", "-pk")
    )
    day = timezone.localdate(session.start) if session.start else timezone.localdate()
    seat = seats.active_on(day).first() or seats.open().first()
    if seat is not None:
        return seat.institution
    return person.institution


def participation_take_snapshot(*, participation: Participation) -> Participation:
    """Copy the affiliation of the person as it is for the session (not saved).

    Reports on past sessions read these copies, so a later change of seat or institution
    does not rewrite them.
    """
    institution = _affiliation(session=participation.session, person=participation.person)
    participation.institution = institution
    participation.sector = institution.sector if institution else ""
    participation.country_id = institution.country_id if institution else None
    participation.municipality_id = institution.municipality_id if institution else None
    return participation


@write_service
def session_delete(*, session: Session, actor) -> None:
    access.require(actor, "delete", session)
    session.delete()


@write_service
def participation_register(
    *,
    session: Session,
    person: Person,
    role: str,
    actor,
    registered: bool = True,
    attended: bool = False,
) -> Participation:
    """Register ``person`` for ``session`` with a snapshot of their affiliation."""
    participation = Participation(
        session=session, person=person, role=role, registered=registered, attended=attended
    )
    return participation_save(participation=participation, actor=actor)


@write_service
def participation_save(*, participation: Participation, actor) -> Participation:
    """Register (a new participation, with the snapshot) or change role and attendance.

    The person and the session of a saved participation never change; the snapshot is
    taken once, on registering.
    """
    access.require_save(actor, participation)
    session, person = participation.session, participation.person
    if not participation._state.adding:
        stored = Participation.objects.select_for_update().get(pk=participation.pk)
        participation.session_id, participation.person_id = stored.session_id, stored.person_id
        participation.full_clean()
        participation.save()
        return participation
    if not access.staff_may(actor, "add", Participation) and not access.allows(
        actor, "view", Person, person
    ):
        # A coordinator registers the people of their own networks only.
        raise PermissionDenied(access.refusal(person))
    if Participation.objects.filter(session=session, person=person).exists():
        error = ValidationError(
            _("%(person)s is already registered for this session."),
            code="registered_twice",
            params={"person": person},
        )
        raise ValidationError({"person": error})
    participation_take_snapshot(participation=participation)
    participation.full_clean()
    participation.save()
    return participation


@write_service
def participations_register(
    *, session: Session, people: Iterable[Person], role: str = ParticipationRole.PARTICIPANT, actor
) -> list[Participation]:
    """Register several people at once (each with their snapshot): all of them or none."""
    return [
        participation_register(session=session, person=person, role=role, actor=actor)
        for person in people
    ]


@write_service
def session_record_attendance(*, session: Session, attended: Iterable[int], actor) -> int:
    """Record who came to ``session`` in one write: the participations whose ids are in
    ``attended`` came, every other participation of the session did not.

    Refused as a whole, nothing recorded, when an id is not a participation of this session
    (a person who is not registered) or when anyone is marked present at a cancelled
    session. The number of queries does not grow with the number of participants (one bulk
    update and its versions in the audit trail); returns how many participations changed.
    """
    access.require(
        actor,
        "change",
        Participation(session=session),
        message=gettext("You may not record the attendance of this session."),
    )
    attended = set(attended)
    participations = list(
        Participation.objects.select_for_update().filter(session=session).only("pk", "attended")
    )
    if attended - {participation.pk for participation in participations}:
        raise ValidationError(
            _("Only people registered for this session can be marked present."),
            code="not_registered",
        )
    if attended and session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("Nobody can attend a cancelled session."), code="cancelled")
    changed = []
    for participation in participations:
        came = participation.pk in attended
        if participation.attended != came:
            participation.attended = came
            changed.append(participation)
    if changed:
        bulk_update_audited(changed, Participation, ["attended"])
        # Bulk writes send no model signals: the public figures count attendance.
        forget_public_pages()
    return len(changed)


@write_service
def participation_set_attendance(
    *, participation: Participation, attended: bool, actor
) -> Participation:
    """Record whether the person came; refused for a cancelled session."""
    access.require(actor, "change", participation)
    participation.attended = attended
    participation.full_clean()
    participation.save(update_fields=["attended"])
    return participation


# Minutes ------------------------------------------------------------------------------------


def _require_status(minutes: Minutes, expected: str, message) -> None:
    if minutes.status != expected:
        raise ValidationError(
            message,
            code="illegal_transition",
            params={"status": minutes.get_status_display()},
        )


@write_service
def participation_delete(*, participation: Participation, actor) -> None:
    access.require(actor, "delete", participation)
    participation.delete()


@write_service
def minutes_save(*, minutes: Minutes, actor) -> Minutes:
    """Save edited minutes. Approved text is frozen; so is a published summary."""
    access.require_save(actor, minutes)
    if minutes.pk:
        stored = Minutes.objects.filter(pk=minutes.pk).values("status", "text", "summary").first()
        if stored is not None:
            # The workflow fields are the services' to change, never a form's.
            minutes.status = stored["status"]
            frozen = Minutes.frozen_fields(stored["status"])
            if "text" in frozen and minutes.text != stored["text"]:
                raise ValidationError(
                    {"text": _("Approved minutes cannot be changed.")}, code="frozen"
                )
            if "summary" in frozen and minutes.summary != stored["summary"]:
                raise ValidationError(
                    {"summary": _("A published summary cannot be changed.")}, code="frozen"
                )
    minutes.full_clean()
    minutes.save()
    return minutes


@write_service
def minutes_circulate(*, minutes: Minutes, actor, notify: bool = True) -> Minutes:
    """Draft -> circulated to the participants for their comments (each e-mailed, unless
    ``notify`` is off: the demo's fictional people get no mail)."""
    access.require(actor, "change", minutes)
    _require_status(
        minutes,
        MinutesStatus.DRAFT,
        _("Only draft minutes can be circulated; these are “%(status)s”."),
    )
    if not minutes.text.strip():
        raise ValidationError({"text": _("Write the minutes before circulating them.")})
    minutes.status = MinutesStatus.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.full_clean()
    minutes.save(update_fields=["status", "circulated_at"])
    # After commit: no e-mail about minutes whose circulation was rolled back; a mail server
    # failure is logged (robust) instead of undoing it.
    if notify:
        transaction.on_commit(
            partial(notifications.send_minutes_circulated, minutes_pk=minutes.pk), robust=True
        )
    return minutes


@write_service
def minutes_approve(*, minutes: Minutes, actor) -> Minutes:
    """Circulated -> approved, recording who approved them and when."""
    access.require(actor, "change", minutes)
    _require_status(
        minutes,
        MinutesStatus.CIRCULATED,
        _("Only circulated minutes can be approved; these are “%(status)s”."),
    )
    if account_of(actor) is None:
        raise ValidationError(_("Minutes are approved by a signed-in person."), code="no_user")
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_by = actor
    minutes.approved_at = timezone.now()
    minutes.full_clean()
    minutes.save(update_fields=["status", "approved_by", "approved_at"])
    return minutes


@write_service
def minutes_publish_summary(*, minutes: Minutes, actor) -> Minutes:
    """Approved -> the summary becomes public (the full text never does)."""
    access.require(actor, "change", minutes)
    _require_status(
        minutes,
        MinutesStatus.APPROVED,
        _("Only the summary of approved minutes can be published; these are “%(status)s”."),
    )
    if not minutes.summary.strip():
        raise ValidationError(
            {"summary": _("Write the public summary before publishing it.")}, code="no_summary"
        )
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.full_clean()
    minutes.save(update_fields=["status", "published_at"])
    return minutes


#: The audit trail keeps a reason of at most this length (django-simple-history's column).
REOPEN_REASON_MAX_LENGTH = 100


@write_service
def minutes_reopen(*, minutes: Minutes, reason: str, actor) -> Minutes:
    """Approved (or published) -> draft again, so that the text can be corrected.

    The only way an approved text changes. The reason is recorded in the audit trail with
    the actor (the version's change reason); a published summary leaves the public site
    until the minutes are approved and published again.
    """
    access.require(actor, "change", minutes)
    if minutes.status not in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED):
        raise ValidationError(
            _("Only approved minutes can be reopened; these are “%(status)s”."),
            code="illegal_transition",
            params={"status": minutes.get_status_display()},
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the minutes are reopened.")}, code="no_reason")
    if len(reason) > REOPEN_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(limit)d characters.")
                % {"limit": REOPEN_REASON_MAX_LENGTH}
            },
            code="reason_too_long",
        )
    minutes.status = MinutesStatus.DRAFT
    minutes.circulated_at = None
    minutes.approved_by = None
    minutes.approved_at = None
    minutes.published_at = None
    minutes._change_reason = reason  # django-simple-history records it on this version
    minutes.full_clean()
    minutes.save(
        update_fields=["status", "circulated_at", "approved_by", "approved_at", "published_at"]
    )
    return minutes


# Agreements ---------------------------------------------------------------------------------


@write_service
def agreement_save(*, agreement: Agreement, actor, follow_up_note: str = "") -> Agreement:
    """Record a new agreement or save changes to one, appending a dated follow-up note
    (earlier notes are kept)."""
    access.require_save(actor, agreement)
    note = follow_up_note.strip()
    if note:
        line = f"{timezone.localdate().isoformat()}: {note}"
        agreement.follow_up = f"{agreement.follow_up.rstrip()}\n{line}".lstrip("\n")
    agreement.full_clean()
    agreement.save()
    return agreement


def agreement_create(
    *,
    session: Session,
    text: str,
    responsible_institution,
    due_date: datetime.date | None,
    responsible_person=None,
    actor,
) -> Agreement:
    agreement = Agreement(
        session=session,
        text=text,
        responsible_institution=responsible_institution,
        responsible_person=responsible_person,
        due_date=due_date,
    )
    return agreement_save(agreement=agreement, actor=actor)


def agreement_update(
    *, agreement: Agreement, status: str, follow_up_note: str = "", actor
) -> Agreement:
    """Change the status and append a dated follow-up note."""
    agreement.status = status
    return agreement_save(agreement=agreement, actor=actor, follow_up_note=follow_up_note)


def follow_up_notes(agreement: Agreement) -> list[tuple[datetime.date | None, str]]:
    """The dated follow-up notes of ``agreement``, newest first, as ``agreement_save`` writes
    them (one ``YYYY-MM-DD: note`` line each; a line without a date keeps ``None``)."""
    notes = []
    for line in agreement.follow_up.splitlines():
        line = line.strip()
        if not line:
            continue
        day, separator, text = line.partition(": ")
        try:
            notes.append((datetime.date.fromisoformat(day), text) if separator else (None, line))
        except ValueError:
            notes.append((None, line))
    notes.reverse()
    return notes


@write_service
def agreement_delete(*, agreement: Agreement, actor) -> None:
    access.require(actor, "delete", agreement)
    agreement.delete()


# Challenges and agenda ----------------------------------------------------------------------


@write_service
def challenge_save(*, challenge: Challenge, actor) -> Challenge:
    access.require_save(actor, challenge)
    challenge.full_clean()
    challenge.save()
    return challenge


@write_service
def challenge_delete(*, challenge: Challenge, actor) -> None:
    access.require(actor, "delete", challenge)
    challenge.delete()


@write_service
def agenda_item_save(*, agenda_item: AgendaItem, actor) -> AgendaItem:
    access.require_save(actor, agenda_item)
    agenda_item.full_clean()
    agenda_item.save()
    return agenda_item


@write_service
def agenda_item_delete(*, agenda_item: AgendaItem, actor) -> None:
    access.require(actor, "delete", agenda_item)
    agenda_item.delete()


# Reads that preparing a session needs -------------------------------------------------------


def pending_agreements_for(network: Network) -> QuerySet:
    """Open and in-progress agreements of the network's sessions, soonest due first.

    Each agreement's ``is_overdue`` flags the late ones; no query per row.
    """
    return (
        Agreement.objects.pending()
        .filter(session__in=Session.objects.filter(networks=network))
        .select_related("session", "responsible_institution", "responsible_person")
        .order_by(F("due_date").asc(nulls_last=True), "session__start", "pk")
    )


def pending_agreements_before(session: Session) -> QuerySet:
    """What earlier sessions of the same networks left open, to review at this one."""
    earlier = Session.objects.filter(
        networks__in=session.networks.all(), start__lt=session.start
    ).exclude(pk=session.pk)
    return (
        Agreement.objects.pending()
        .filter(session__in=earlier)
        .select_related("session", "responsible_institution", "responsible_person")
        .order_by(F("due_date").asc(nulls_last=True), "session__start", "pk")
    )


# Overdue agreements -------------------------------------------------------------------------


def agreements_to_report_overdue(today: datetime.date | None = None) -> QuerySet:
    """Overdue agreements whose coordinators have not been told for their current due date."""
    told = OverdueNotice.objects.filter(agreement=OuterRef("pk"), due_date=OuterRef("due_date"))
    return (
        Agreement.objects.overdue(today)
        .exclude(Exists(told))
        .select_related("session", "responsible_institution", "responsible_person")
        .order_by("due_date", "pk")
    )


@write_service
def overdue_notices_record(*, agreements: Iterable[Agreement], actor) -> None:
    """Record that the coordinators were told about ``agreements`` for their due dates."""
    agreements = list(agreements)
    for agreement in agreements:
        access.require(actor, "change", agreement)
    OverdueNotice.objects.bulk_create(
        [
            OverdueNotice(agreement=agreement, due_date=agreement.due_date)
            for agreement in agreements
        ],
        ignore_conflicts=True,
    )


@dataclass
class OverdueReport:
    """What ``agreements_notify_overdue`` did (or would do, on a dry run)."""

    agreements: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    without_recipient: list = field(default_factory=list)


def agreements_notify_overdue(
    *, actor, today: datetime.date | None = None, dry_run: bool = False
) -> OverdueReport:
    """E-mail the coordinators of the sessions' networks about agreements newly overdue.

    One message per coordinator with an active account (in their language) listing their
    agreements; each agreement is reported once per due date (``OverdueNotice``), so a second
    run the same day sends nothing. An agreement whose networks have no coordinator with an
    account is not recorded: it is reported once someone can read it. Nothing is sent or
    recorded on a dry run.
    """
    agreements = list(agreements_to_report_overdue(today))
    digests = notifications.overdue_digests(agreements, today=today)
    told = {item.agreement.pk for items in digests.values() for item in items}
    report = OverdueReport(
        agreements=[agreement for agreement in agreements if agreement.pk in told],
        recipients=list(digests),
        without_recipient=[agreement for agreement in agreements if agreement.pk not in told],
    )
    if dry_run:
        return report
    unsent = set()
    for user, items in digests.items():
        try:
            notifications.send_overdue_digest(user=user, agreements=items)
        except Exception:  # a mail server failure: the others still go, these go tomorrow
            logger.exception("Overdue agreements: the message to user %s failed", user.pk)
            unsent |= {item.agreement.pk for item in items}
            report.failed += 1
        else:
            report.sent += 1
    overdue_notices_record(
        agreements=[agreement for agreement in report.agreements if agreement.pk not in unsent],
        actor=actor,
    )
    return report
