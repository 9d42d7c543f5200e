"""Who may do what with a practice. Services, views and the admin ask these functions.

A reviewer is active IOM staff holding ``practices.change_practice``. A coordinator (not staff)
only ever acts on the practices they submitted themselves.
"""

from networks.enums import MembershipRole
from networks.models import Membership

from .enums import ReviewStatus
from .workflow import EDITABLE_BY_SUBMITTER, Actor


def _is_active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_reviewer(user) -> bool:
    return _is_active(user) and user.is_staff and user.has_perm("practices.change_practice")


def is_submitter(user, practice) -> bool:
    return (
        _is_active(user)
        and practice.submitted_by_id is not None
        and practice.submitted_by_id == user.pk
    )


def coordinated_network_ids(user) -> set:
    """Networks in which ``user`` holds an open coordinating seat."""
    if not _is_active(user):
        return set()
    return set(
        Membership.objects.open()
        .filter(person__user=user, role__in=MembershipRole.coordinating())
        .values_list("network_id", flat=True)
    )


def can_create_practice(user) -> bool:
    if not _is_active(user):
        return False
    if user.is_staff and user.has_perm("practices.add_practice"):
        return True
    return bool(coordinated_network_ids(user))


def can_edit_practice(user, practice) -> bool:
    """Reviewers edit any practice; the submitter only while it is a draft or sent back."""
    if is_reviewer(user):
        return True
    return is_submitter(user, practice) and practice.status in EDITABLE_BY_SUBMITTER


def can_view_practice(user, practice) -> bool:
    """Published practices are public; the others are seen by their submitter and by staff."""
    if practice.status == ReviewStatus.PUBLISHED:
        return True
    if is_submitter(user, practice):
        return True
    return (
        _is_active(user)
        and user.is_staff
        and (user.has_perm("practices.view_practice") or user.has_perm("practices.change_practice"))
    )


def may_make(user, practice, transition) -> bool:
    """Whether ``user`` may move ``practice`` along ``transition`` (a workflow.Transition)."""
    if is_reviewer(user):
        return True
    if transition.actor == Actor.SUBMITTER_OR_REVIEWER:
        return is_submitter(user, practice)
    return False
