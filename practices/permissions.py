"""Who may move a practice along its workflow, in terms of the one access rule.

A reviewer is active IOM staff holding ``practices.change_practice``. The other moves of the
workflow table (submit, withdraw while in review, reopen) are also open to the coordinators
of the practice's network (``networks.access``). Seeing, editing and attaching files are
plain permissions: ``user.has_perm("practices.change_practice", practice)``.
"""

from networks import access

from .models import Practice
from .workflow import Actor


def is_reviewer(user) -> bool:
    return access.staff_may(user, "change", Practice)


def may_make(user, practice, transition) -> bool:
    """Whether ``user`` may move ``practice`` along ``transition`` (a workflow.Transition)."""
    if is_reviewer(user):
        return True
    if transition.actor == Actor.COORDINATOR_OR_REVIEWER:
        return access.coordinates(user, practice)
    return False
