"""The review workflow of a practice: which status may follow which, and who may move it.

The table is the single source of truth: the services refuse any move not listed here, the
admin review screen offers only the moves listed here for the current status and user.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .enums import ReviewStatus


class Actor:
    """Who may make a move (see practices.permissions.may_make)."""

    # A coordinator of the practice's network (networks.access), or a reviewer.
    COORDINATOR_OR_REVIEWER = "coordinator_or_reviewer"
    # Only a reviewer: active staff holding practices.change_practice.
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor: str
    label: str


TRANSITIONS = (
    Transition(
        ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, Actor.COORDINATOR_OR_REVIEWER, _("Submit")
    ),
    Transition(
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.SUBMITTED,
        Actor.COORDINATOR_OR_REVIEWER,
        _("Submit again"),
    ),
    Transition(
        ReviewStatus.SUBMITTED,
        ReviewStatus.CHANGES_REQUESTED,
        Actor.REVIEWER,
        _("Request changes"),
    ),
    Transition(ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED, Actor.REVIEWER, _("Publish")),
    Transition(ReviewStatus.PUBLISHED, ReviewStatus.ARCHIVED, Actor.REVIEWER, _("Archive")),
    Transition(
        ReviewStatus.SUBMITTED, ReviewStatus.WITHDRAWN, Actor.COORDINATOR_OR_REVIEWER, _("Withdraw")
    ),
    Transition(
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.WITHDRAWN,
        Actor.COORDINATOR_OR_REVIEWER,
        _("Withdraw"),
    ),
    Transition(ReviewStatus.PUBLISHED, ReviewStatus.WITHDRAWN, Actor.REVIEWER, _("Withdraw")),
    Transition(ReviewStatus.ARCHIVED, ReviewStatus.PUBLISHED, Actor.REVIEWER, _("Publish again")),
    Transition(
        ReviewStatus.WITHDRAWN,
        ReviewStatus.DRAFT,
        Actor.COORDINATOR_OR_REVIEWER,
        _("Reopen as draft"),
    ),
)

_BY_MOVE = {(transition.source, transition.target): transition for transition in TRANSITIONS}

# Moves that are a reviewer's decision: the submitter hears about them by e-mail.
DECISIONS = frozenset(
    {
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.PUBLISHED,
        ReviewStatus.ARCHIVED,
        ReviewStatus.WITHDRAWN,
    }
)

# While in these states the network's coordinators may still edit the practice and its files.
EDITABLE_BY_COORDINATORS = frozenset({ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED})


class TransitionNotAllowed(ValidationError):
    """A move the workflow table does not list, e.g. from draft straight to published."""

    def __init__(self, source, target):
        super().__init__(
            _("A practice cannot go from “%(source)s” to “%(target)s”."),
            code="transition_not_allowed",
            params={"source": ReviewStatus(source).label, "target": ReviewStatus(target).label},
        )
        self.source = source
        self.target = target


def find_transition(source, target):
    """The transition from ``source`` to ``target``, or None if the workflow forbids it."""
    return _BY_MOVE.get((source, target))


def transitions_from(source):
    return [transition for transition in TRANSITIONS if transition.source == source]
