from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from conferences.demo import conferences_demo_load
from networks.demo import STAFF_EMAIL, demo_load
from practices.demo import practices_demo_load


class Command(BaseCommand):
    help = (
        "Load real border geography and a fictional demo registry (institutions, people, "
        "three networks), a demo staff account, illustrative good practices and the 2020 "
        "virtual conferences with their sessions. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=(
                "Load the demo data although debug is off (a staging site, say). The new "
                "accounts' passwords are then not printed: set them with changepassword."
            ),
        )

    def handle(self, *args, allow_production=False, **options):
        # The demo adds fictional people and a superuser: by mistake on the real site, and
        # with its password in a deployment log, that is an open door.
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                _(
                    "Debug is off, so this may be the real site: the demo data adds fictional "
                    "people and a superuser account. To load it all the same, run "
                    "manage.py load_demo --allow-production."
                )
            )
        # Only on a developer's machine: elsewhere the output ends up in logs others read.
        show_passwords = settings.DEBUG
        result = demo_load()
        practices = practices_demo_load(staff_user=result.staff_user)
        # Last: sessions link the registry's people and the practices presented.
        conferences = conferences_demo_load(staff_user=result.staff_user)
        labels = {
            "countries": _("Countries"),
            "departments": _("Departments"),
            "municipalities": _("Municipalities"),
            "crossings": _("Border crossings"),
            "institutions": _("Institutions"),
            "people": _("People"),
            "networks": _("Networks"),
            "memberships": _("Memberships"),
        }
        self.stdout.write(self.style.SUCCESS(_("Demo data loaded. People are fictional.")))
        for key, label in labels.items():
            self.stdout.write(f"  {label}: {result.counts[key]}")
        # Outside the f-string, so makemessages finds the msgid.
        published_label = _("Published good practices")
        self.stdout.write(f"  {published_label}: {practices.published}")
        conference_labels = {
            "conferences": _("Conferences"),
            "sessions": _("Sessions"),
            "participations": _("Participations"),
            "agreements": _("Agreements"),
        }
        for key, label in conference_labels.items():
            self.stdout.write(f"  {label}: {conferences.counts[key]}")

        if result.staff_password:
            self.stdout.write(
                self.style.WARNING(_("Staff account created: %(email)s") % {"email": STAFF_EMAIL})
            )
            if show_passwords:
                # Shown once: it is stored hashed and never printed again.
                self.stdout.write(
                    _("Password (shown only now): %(password)s")
                    % {"password": result.staff_password}
                )
            else:
                self.stdout.write(
                    _(
                        "Its password is not shown with debug off. To set one: "
                        "manage.py changepassword %(email)s"
                    )
                    % {"email": STAFF_EMAIL}
                )
            path = reverse("admin:index")
            self.stdout.write(_("Sign in to the administration at %(path)s") % {"path": path})
            self.stdout.write(
                _(
                    "On its first sign-in it asks for a new password of your own, then for an "
                    "authenticator app (two-factor authentication, required for staff)."
                )
            )
        else:
            self.stdout.write(
                _(
                    "Staff account %(email)s already exists; its password was not changed. "
                    "To set a new one: manage.py changepassword %(email)s"
                )
                % {"email": STAFF_EMAIL}
            )
        self._coordinators(result, show_passwords=show_passwords)

    def _coordinators(self, result, *, show_passwords):
        """How to sign in as a coordinator of each demo network."""
        self.stdout.write(
            self.style.SUCCESS(
                _("Sign in as a coordinator at %(path)s:") % {"path": reverse("account_login")}
            )
        )
        for network, email in result.coordinator_accounts:
            self.stdout.write(f"  {email}  ({network})")
        if result.coordinator_password and not show_passwords:
            self.stdout.write(
                _(
                    "The coordinators' passwords are not shown with debug off. To set one: "
                    "manage.py changepassword <e-mail>"
                )
            )
        elif result.coordinator_password:
            # Shown once, as the staff account's: stored hashed, never printed again.
            self.stdout.write(
                _("Coordinators' password, the same for each (shown only now): %(password)s")
                % {"password": result.coordinator_password}
            )
        else:
            self.stdout.write(
                _(
                    "These accounts already existed; their passwords were not changed. To set "
                    "a new one: manage.py changepassword <e-mail>"
                )
            )
        if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
            self.stdout.write(
                _(
                    "E-mails the portal sends (invitations, password resets) are printed in "
                    "the terminal of runserver, not delivered."
                )
            )
