"""``manage.py retention_report``: people due for review under the retention period.

Lists the people with no open seat whose last activity is older than
``PERSONAL_DATA_RETENTION_DAYS`` (``networks.personal_data.people_due_for_review``): their
id, the day and kind of their last activity, and, with ``--names``, their names. The output
is for staff at the server; erase someone with ``erase_person``. Reports only: writes nothing.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from networks.personal_data import people_due_for_review, retention_cutoff


class Command(BaseCommand):
    help = "List the people due for review under PERSONAL_DATA_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--names", action="store_true", help="Print their names too.")
        parser.add_argument(
            "--on", default="", help="Review as on this day (YYYY-MM-DD) instead of today."
        )

    def handle(self, *args, names, on, **options):
        now = None
        if on:
            try:
                day = datetime.date.fromisoformat(on)
            except ValueError as error:
                raise CommandError(gettext("Give the day as YYYY-MM-DD.")) from error
            now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        candidates = people_due_for_review(now=now)
        self.stdout.write(
            gettext(
                "No open seat and no activity since %(cutoff)s (%(days)s days before %(today)s):"
            )
            % {
                "cutoff": retention_cutoff(now).isoformat(),
                "days": settings.PERSONAL_DATA_RETENTION_DAYS,
                "today": timezone.localdate(now or timezone.now()).isoformat(),
            }
        )
        for candidate in candidates:
            columns = [
                str(candidate.person.pk),
                candidate.last_activity.isoformat(),
                candidate.activity,
            ]
            if names:
                columns.append(candidate.person.full_name)
            self.stdout.write("\t".join(columns))
        self.stdout.write(
            ngettext(
                "%(count)d person due for review.",
                "%(count)d people due for review.",
                len(candidates),
            )
            % {"count": len(candidates)}
        )
