"""E-mail the coordinators about agreements that are past their due date and still pending.

Each coordinator (an open coordinator or co-coordinator seat that has begun, in a network of
the agreement's session) with an active account gets one message listing their agreements,
in the language of their account. An agreement is reported once per due date: running the
command twice the same day sends nothing the second time, and an agreement whose due date
is moved and passes again is reported again. ``--dry-run`` lists what would be sent and
sends and records nothing.

Run it once a day, after midnight in the region's time zone (``TIME_ZONE``), for example:

cron (``crontab -e`` as the user that runs the portal)::

    15 6 * * *  cd /srv/portal && .venv/bin/python manage.py notify_overdue_agreements

systemd timer (``/etc/systemd/system/portal-overdue.service`` and ``.timer``)::

    [Service]
    Type=oneshot
    User=portal
    WorkingDirectory=/srv/portal
    EnvironmentFile=/srv/portal/.env
    ExecStart=/srv/portal/.venv/bin/python manage.py notify_overdue_agreements

    [Timer]
    OnCalendar=*-*-* 06:15:00
    Persistent=true

    [Install]
    WantedBy=timers.target

then ``systemctl enable --now portal-overdue.timer``. ``Persistent=true`` catches up a run
missed while the server was off; a late or repeated run is harmless.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from conferences.services import agreements_notify_overdue
from networks.access import SYSTEM


class Command(BaseCommand):
    help = (
        "E-mail the coordinators about agreements past their due date and still pending, "
        "once per agreement and due date. Safe to run more than once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be sent; send and record nothing.",
        )
        parser.add_argument(
            "--today",
            help="Take this day (YYYY-MM-DD) as today, e.g. to catch up; default: today.",
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        if today:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {today!r}"
                ) from error
        report = agreements_notify_overdue(actor=SYSTEM, today=today, dry_run=dry_run)
        for agreement in report.without_recipient:
            self.stdout.write(
                f"No coordinator with an account to tell about agreement {agreement.pk} "
                f"(session {agreement.session.slug}, due {agreement.due_date})."
            )
        if dry_run:
            for user in report.recipients:
                self.stdout.write(f"Would write to {user.email}.")
            self.stdout.write(
                f"Dry run: {len(report.agreements)} overdue agreement(s) to report to "
                f"{len(report.recipients)} coordinator(s); nothing sent."
            )
            return
        self.stdout.write(
            f"{len(report.agreements)} overdue agreement(s) reported: {report.sent} message(s) "
            f"sent, {report.failed} failed, {len(report.without_recipient)} agreement(s) "
            "without a coordinator to tell."
        )
        if report.failed:
            raise CommandError(f"{report.failed} message(s) could not be sent; see the log.")
