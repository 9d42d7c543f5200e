"""``manage.py erase_person <id> --actor <staff e-mail>``: the right to erasure at the shell.

The erasure is done as the named staff member, so the audit trail says who did it, and
their permissions apply (``networks.delete_person``): the command refuses to run as
nobody (the system actor would leave no name).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from accounts.models import User
from networks.models import Person
from networks.services import person_erase


class Command(BaseCommand):
    help = "Erase a person's personal data everywhere, as the staff member named by --actor."

    def add_arguments(self, parser):
        parser.add_argument("person_id", type=int, help="The id of the person to erase.")
        parser.add_argument(
            "--actor", default="", help="E-mail address of the staff member who erases."
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, person_id, actor, interactive, **options):
        if not actor:
            raise CommandError(
                gettext("Name the staff member who erases, with --actor <e-mail address>.")
            )
        account = User.objects.filter(email__iexact=actor.strip(), is_active=True).first()
        if account is None or not account.is_staff:
            raise CommandError(
                gettext("%(email)s is not an active staff account.") % {"email": actor}
            )
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise CommandError(gettext("There is no person %(id)s.") % {"id": person_id})
        if interactive:
            answer = input(
                gettext(
                    "Erase the personal data of person %(id)s everywhere? This cannot be "
                    "undone. Type 'yes' to continue: "
                )
                % {"id": person_id}
            )
            if answer.strip().lower() not in {"yes", gettext("yes")}:
                raise CommandError(gettext("Nothing was erased."))
        try:
            summary = person_erase(person=person, actor=account)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            gettext(
                "Person %(id)s erased: %(versions)s past versions scrubbed, %(invitations)s "
                "invitations cleared, %(texts)s texts scrubbed, user account: %(account)s."
            )
            % {
                "id": person_id,
                "versions": summary["versions"],
                "invitations": summary["invitations"],
                "texts": summary["texts"],
                "account": gettext("anonymised") if summary["account"] else gettext("none"),
            }
        )
