"""E-mails about a practice's review: a reviewer's decision, sent to the people who proposed it.

Each message is written in its recipient's language (``common.mail``: the account's
``language``, else the portal's default) and links to where that recipient can act on the
practice: its page in the coordinators' workspace for a coordinator of its network, the
review screen of the admin for staff, the public page once published for anyone else.
"""

import logging

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from common.mail import language_of, send_to_user, site_url
from networks import access

from .enums import ReviewStatus
from .models import Practice

logger = logging.getLogger(__name__)

TEMPLATE_PREFIX = "practices/email/decision"


def decision_recipients(practice: Practice, *, actor=None) -> list:
    """Who hears about a decision on ``practice``.

    The account that proposed it (``submitted_by``) while it is active; a practice without
    one (or whose proposer's account was closed) is the business of its network's current
    coordinators with an active account. Never the one who decided, never an account
    without an address.
    """
    submitter = practice.submitted_by
    if submitter is not None and submitter.is_active:
        users = [submitter]
    elif practice.network_id is not None:
        seats = access.coordinating_seats().filter(network_id=practice.network_id)
        users = list(
            get_user_model()
            .objects.filter(is_active=True, person__memberships__in=seats)
            .distinct()
            .order_by("email")
        )
    else:
        users = []
    actor_pk = getattr(actor, "pk", None)
    return [user for user in users if user.email and (actor_pk is None or user.pk != actor_pk)]


def practice_link(practice: Practice, user) -> str:
    """Where ``user`` follows up on ``practice``, in the active language ("" for nowhere)."""
    if practice.network_id is not None and access.coordinates(user, practice):
        return site_url(
            reverse(
                "dashboard:practices:detail",
                kwargs={"network": practice.network.slug, "pk": practice.pk},
            )
        )
    if access.staff_may(user, "view", Practice):
        return site_url(reverse("admin:practices_practice_change", args=[practice.pk]))
    if practice.status == ReviewStatus.PUBLISHED:
        return site_url(practice.get_absolute_url())
    return ""


def send_decision_email(*, practice: Practice, to_status: str, comment: str, recipient) -> None:
    """Tell ``recipient`` (an account) what the reviewer decided, in their language."""
    # Links are reversed in the recipient's language too: /en/… for an English reader.
    with translation.override(language_of(recipient)):
        url = practice_link(practice, recipient)
        public_url = (
            site_url(practice.get_absolute_url()) if to_status == ReviewStatus.PUBLISHED else ""
        )
    send_to_user(
        TEMPLATE_PREFIX,
        {
            "practice": practice,
            "to_status": to_status,
            "status": ReviewStatus(to_status).label,
            "comment": comment,
            "url": url,
            "public_url": public_url if public_url != url else "",
        },
        user=recipient,
    )


def send_decision_emails(*, practice: Practice, to_status: str, comment: str, actor=None) -> None:
    """Tell every recipient of ``decision_recipients`` about the decision; a failure to
    reach one is logged and does not keep the others from hearing."""
    for recipient in decision_recipients(practice, actor=actor):
        try:
            send_decision_email(
                practice=practice, to_status=to_status, comment=comment, recipient=recipient
            )
        except Exception:
            logger.exception(
                "Could not send the decision on practice %s to user %s", practice.pk, recipient.pk
            )
