"""Writes to the good-practice repository. The admin, its actions and review screen, and the
coordinators' forms all go through these functions, so the workflow holds on every path in.

Only the workflow functions change a practice's status; each move is checked against
``practices.workflow.TRANSITIONS`` and ``practices.permissions`` and leaves a ReviewLogEntry.
"""

import errno
from contextlib import suppress
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.audit import account_of, acting_as, write_service
from common.slugs import unique_slug
from networks import access

from .emails import send_decision_emails
from .enums import ReviewStatus
from .facets import facet_totals_refresh
from .models import (
    RESERVED_SLUGS,
    Attachment,
    LegalEvidence,
    Practice,
    Replication,
    ReviewLogEntry,
)
from .permissions import may_make
from .search import practice_index
from .uploads import safe_original_name, validate_attachment_file
from .workflow import DECISIONS, TransitionNotAllowed, find_transition

__all__ = [
    "TransitionNotAllowed",
    "attachment_add",
    "attachment_delete",
    "attachment_update",
    "legal_evidence_delete",
    "legal_evidence_save",
    "practice_archive",
    "practice_delete",
    "practice_publish",
    "practice_reopen",
    "practice_request_changes",
    "practice_save",
    "practice_submit",
    "practice_transition",
    "practice_withdraw",
    "replication_delete",
    "replication_save",
]


# Content --------------------------------------------------------------------------------


@write_service
def practice_save(
    *,
    practice: Practice,
    actor,
    themes=None,
    gcm_objectives=None,
    gcm_principles=None,
    municipalities=None,
    partner_institutions=None,
) -> Practice:
    """Validate and save a practice and the relations given (None leaves a relation as is).

    A new practice starts as a draft submitted by ``actor``; the status of an existing one is
    never changed here (the workflow functions do that). Refreshes its search data.
    """
    creating = practice._state.adding
    if creating:
        if not access.allows(actor, "add", Practice):
            raise PermissionDenied(gettext("You may not add good practices."))
        practice.status = ReviewStatus.DRAFT
        practice.published_at = None
        if practice.submitted_by_id is None and actor is not access.SYSTEM:
            practice.submitted_by = actor
    else:
        stored = Practice.objects.select_for_update().get(pk=practice.pk)
        if not access.allows(actor, "change", Practice, stored):
            raise PermissionDenied(gettext("You may not edit this good practice."))
        practice.status, practice.published_at = stored.status, stored.published_at
    staff = access.staff_may(actor, "add" if creating else "change", Practice)
    if not staff and practice.network_id not in access.coordinated_network_ids(actor):
        # A coordinator's practice belongs to a network they coordinate.
        raise ValidationError(
            {"network": _("You can only add practices to a network you coordinate.")}
        )
    if not practice.slug:
        practice.slug = unique_slug(Practice, practice.title, reserved=RESERVED_SLUGS)
    practice.full_clean()
    practice.save()
    relations = {
        "themes": themes,
        "gcm_objectives": gcm_objectives,
        "gcm_principles": gcm_principles,
        "municipalities": municipalities,
        "partner_institutions": partner_institutions,
    }
    for name, values in relations.items():
        if values is not None:
            getattr(practice, name).set(values)
    practice_index([practice.pk])
    return practice


# Workflow -------------------------------------------------------------------------------


def practice_transition(
    *, practice: Practice, to_status: str, actor, comment: str = ""
) -> Practice:
    """Move ``practice`` to ``to_status`` if the workflow and ``actor``'s rights allow it.

    Raises TransitionNotAllowed (a ValidationError) for a move the workflow does not list,
    PermissionDenied when ``actor`` may not make it, ValidationError when the practice is
    not ready for it. Nothing is written then.
    """
    comment = (comment or "").strip()
    with transaction.atomic(), acting_as(actor):
        # Lock the row: two reviewers deciding at once must not both apply.
        current = Practice.objects.select_for_update().get(pk=practice.pk)
        source = current.status
        transition = find_transition(source, to_status)
        if transition is None:
            raise TransitionNotAllowed(source, to_status)
        if not may_make(actor, current, transition):
            raise PermissionDenied(
                gettext("You may not move “%(title)s” from “%(source)s” to “%(target)s”.")
                % {
                    "title": current.title,
                    "source": ReviewStatus(source).label,
                    "target": ReviewStatus(to_status).label,
                }
            )
        if to_status == ReviewStatus.CHANGES_REQUESTED and not comment:
            raise ValidationError(
                {"comment": _("Say what needs to change: the submitter receives this comment.")},
                code="comment_required",
            )
        if to_status == ReviewStatus.PUBLISHED:
            _check_publishable(current)

        current.status = to_status
        if to_status == ReviewStatus.PUBLISHED and current.published_at is None:
            current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
        if (source == ReviewStatus.PUBLISHED) != (to_status == ReviewStatus.PUBLISHED):
            # The catalogue's kept counts follow what is published.
            facet_totals_refresh(current.facet_keys)
        ReviewLogEntry.objects.create(
            practice=current,
            actor=account_of(actor),
            from_status=source,
            to_status=to_status,
            comment=comment,
        )
        if to_status in DECISIONS:
            # After commit: no e-mail about a decision that was rolled back; a mail server
            # failure is logged (robust) instead of undoing the decision.
            transaction.on_commit(
                partial(
                    send_decision_emails,
                    practice=current,
                    to_status=to_status,
                    comment=comment,
                    actor=actor,
                ),
                robust=True,
            )
    practice.status = current.status
    practice.published_at = current.published_at
    practice.updated_at = current.updated_at
    return practice


def _check_publishable(practice):
    missing = {}
    if not practice.themes.exists():
        missing["themes"] = _("A practice needs at least one theme before it is published.")
    if not practice.municipalities.exists():
        missing["municipalities"] = _(
            "A practice needs at least one municipality before it is published."
        )
    if missing:
        raise ValidationError(missing, code="not_publishable")


def practice_submit(*, practice: Practice, actor, comment: str = "") -> Practice:
    """Draft → submitted, or changes requested → submitted again. Submitter or reviewer."""
    return practice_transition(
        practice=practice, to_status=ReviewStatus.SUBMITTED, actor=actor, comment=comment
    )


def practice_request_changes(*, practice: Practice, actor, comment: str) -> Practice:
    """Submitted → changes requested, with the comment the submitter receives. Reviewer."""
    return practice_transition(
        practice=practice, to_status=ReviewStatus.CHANGES_REQUESTED, actor=actor, comment=comment
    )


def practice_publish(*, practice: Practice, actor, comment: str = "") -> Practice:
    """Submitted → published, or archived → published again. Reviewer.

    ``published_at`` records the first publication and is kept when republished.
    """
    return practice_transition(
        practice=practice, to_status=ReviewStatus.PUBLISHED, actor=actor, comment=comment
    )


def practice_archive(*, practice: Practice, actor, comment: str = "") -> Practice:
    """Published → archived. Reviewer."""
    return practice_transition(
        practice=practice, to_status=ReviewStatus.ARCHIVED, actor=actor, comment=comment
    )


def practice_withdraw(*, practice: Practice, actor, comment: str = "") -> Practice:
    """Submitted or changes requested → withdrawn (submitter or reviewer);
    published → withdrawn (reviewer)."""
    return practice_transition(
        practice=practice, to_status=ReviewStatus.WITHDRAWN, actor=actor, comment=comment
    )


def practice_reopen(*, practice: Practice, actor, comment: str = "") -> Practice:
    """Withdrawn → draft. Submitter or reviewer."""
    return practice_transition(
        practice=practice, to_status=ReviewStatus.DRAFT, actor=actor, comment=comment
    )


# Attachments ----------------------------------------------------------------------------


def attachment_add(
    *, practice: Practice, uploaded_file, title: str, kind: str, actor
) -> Attachment:
    """Check an upload (type from its bytes, size) and store it under a server-made name."""
    if not access.allows(actor, "change", Practice, practice):
        raise PermissionDenied(gettext("You may not add files to this good practice."))
    try:
        detected = validate_attachment_file(uploaded_file)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from error
    attachment = Attachment(
        practice=practice,
        title=title,
        kind=kind,
        original_name=safe_original_name(uploaded_file.name),
        content_type=detected.mime,
        size=uploaded_file.size,
    )
    # Everything but the file is checked before anything is written to storage.
    attachment.full_clean(exclude=["file"])
    # The stored name comes from attachment_path; the suffix from the detected type.
    _store_attachment_file(attachment, f"attachment{detected.extensions[0]}", uploaded_file)
    try:
        with transaction.atomic(), acting_as(actor):
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def _store_attachment_file(attachment: Attachment, name: str, content) -> None:
    """Write the file; a write that fails half-way leaves no part of it behind.

    FileSystemStorage keeps the bytes written so far when the disk fills up, under a name it
    never returns: the name is chosen here first, so that the partial file can be removed.
    """
    field = attachment._meta.get_field("file")
    storage = attachment.file.storage
    name = storage.get_available_name(
        field.generate_filename(attachment, name), max_length=field.max_length
    )
    try:
        attachment.file = storage.save(name, content, max_length=field.max_length)
    except OSError as error:
        with suppress(OSError):
            storage.delete(name)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ValidationError(
                {
                    "file": gettext(
                        "The file could not be saved: the server's disk is full. "
                        "Please tell the IOM team."
                    )
                },
                code="disk_full",
            ) from error
        raise


def attachment_delete(*, attachment: Attachment, actor) -> None:
    """Remove an attachment and, once the deletion is committed, its stored file."""
    if not access.allows(actor, "change", Practice, attachment.practice):
        raise PermissionDenied(gettext("You may not remove files of this good practice."))
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic(), acting_as(actor):
        attachment.delete()
        transaction.on_commit(partial(storage.delete, name), robust=True)


@write_service
def attachment_update(*, attachment: Attachment, actor) -> Attachment:
    """Save a new title or kind of a stored file (the file itself never changes)."""
    _require_practice_change(actor, attachment.practice)
    attachment.full_clean(exclude=["file"])
    attachment.save(update_fields=["title", "kind"])
    return attachment


# Parts of a practice: legal evidence and replications ---------------------------------------


def _require_practice_change(actor, practice):
    if not access.allows(actor, "change", Practice, practice):
        raise PermissionDenied(gettext("You may not edit this good practice."))


def _part_save(part, actor):
    _require_practice_change(actor, part.practice)
    part.full_clean()
    part.save()
    return part


def _part_delete(part, actor):
    _require_practice_change(actor, part.practice)
    part.delete()


@write_service
def legal_evidence_save(*, legal_evidence: LegalEvidence, actor) -> LegalEvidence:
    return _part_save(legal_evidence, actor)


@write_service
def legal_evidence_delete(*, legal_evidence: LegalEvidence, actor) -> None:
    _part_delete(legal_evidence, actor)


@write_service
def replication_save(*, replication: Replication, actor) -> Replication:
    return _part_save(replication, actor)


@write_service
def replication_delete(*, replication: Replication, actor) -> None:
    _part_delete(replication, actor)


@write_service
def practice_delete(*, practice: Practice, actor) -> None:
    """Remove a practice (a coordinator: only a draft); its files go once committed."""
    if not access.allows(actor, "delete", Practice, practice):
        raise PermissionDenied(gettext("You may not delete this good practice."))
    names = [(a.file.storage, a.file.name) for a in practice.attachments.all()]
    # As stored (the instance may predate the last index): what the kept counts hold.
    status, keys = Practice.objects.values_list("status", "facet_keys").get(pk=practice.pk)
    practice.delete()
    if status == ReviewStatus.PUBLISHED:
        facet_totals_refresh(keys)
    for storage, name in names:
        transaction.on_commit(partial(storage.delete, name), robust=True)
