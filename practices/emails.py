"""E-mails to the submitter of a practice when a reviewer decides on it."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.mail import site_url

from .enums import ReviewStatus

SUBJECTS = {
    ReviewStatus.CHANGES_REQUESTED: _("Changes requested for “%(title)s”"),
    ReviewStatus.PUBLISHED: _("“%(title)s” is published"),
    ReviewStatus.ARCHIVED: _("“%(title)s” is archived"),
    ReviewStatus.WITHDRAWN: _("“%(title)s” is withdrawn"),
}


def practice_link(practice) -> str:
    """The public page once published; before that the staff review screen."""
    if practice.status == ReviewStatus.PUBLISHED:
        return site_url(practice.get_absolute_url())
    return site_url(reverse("admin:practices_practice_change", args=[practice.pk]))


def send_decision_email(*, practice, to_status, comment, recipient) -> None:
    """Tell ``recipient`` (the submitter) what the reviewer decided, in the practice's language."""
    with translation.override(practice.language):
        subject = str(SUBJECTS[to_status]) % {"title": practice.title}
        body = render_to_string(
            "practices/email/decision.txt",
            {
                "practice": practice,
                "status": ReviewStatus(to_status).label,
                "comment": comment,
                "url": practice_link(practice),
            },
        )
    # A title is one line in the form, but a header must never carry a line break.
    subject = " ".join(subject.split())
    send_mail(subject, body, None, [recipient])
