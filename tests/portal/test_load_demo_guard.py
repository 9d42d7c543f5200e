"""``manage.py load_demo`` refuses to run with debug off unless told to, then prints no password.

What the demo loads is tested in tests/networks/test_demo.py (and the practices' and conferences'
demo tests); here only the guard and what the command prints around the accounts.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from accounts.models import User
from networks.models import Network
from tests.networks.test_demo import COORDINATORS_PASSWORD_LINE, PASSWORD_LINE

pytestmark = pytest.mark.django_db


def _load_demo(**options) -> str:
    stdout = StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=stdout, **options)
    return stdout.getvalue()


@pytest.fixture(scope="module")
def runs(django_db_setup, django_db_blocker):
    """The command on an empty database, once with debug off and the flag, once in debug; each
    run's output with the accounts it created, each rolled back afterwards."""
    runs = {}
    for name, debug, options in [
        ("production", False, {"allow_production": True}),
        ("debug", True, {}),
    ]:
        with (
            django_db_blocker.unblock(),
            override_settings(DEBUG=debug),
            transaction.atomic(),
        ):
            runs[name] = (_load_demo(**options), list(User.objects.all()))
            transaction.set_rollback(True)
    return runs


def _passwords_shown(output, users) -> set[str]:
    """The e-mails of the accounts whose password is some word of ``output``."""
    words = set(re.findall(r"\S+", output))
    return {user.email for user in users for word in words if user.check_password(word)}


@override_settings(DEBUG=False)
def test_load_demo_refuses_when_debug_is_off():
    with pytest.raises(CommandError) as refused, translation.override("en"):
        call_command("load_demo", stdout=StringIO())

    assert str(refused.value) == (
        "Debug is off, so this may be the real site: the demo data adds fictional people and a "
        "superuser account. To load it all the same, run manage.py load_demo --allow-production."
    )
    assert (User.objects.exists(), Network.objects.exists()) == (False, False)


def test_load_demo_with_the_flag_and_debug_off_prints_no_password(runs):
    output, users = runs["production"]

    assert {user.email for user in users if user.is_superuser} == {"staff@example.org"}
    assert _passwords_shown(output, users) == set()
    assert (PASSWORD_LINE.findall(output), COORDINATORS_PASSWORD_LINE.findall(output)) == ([], [])
    assert (
        "Its password is not shown with debug off. To set one: "
        "manage.py changepassword staff@example.org"
    ) in output
    assert (
        "The coordinators' passwords are not shown with debug off. To set one: "
        "manage.py changepassword <e-mail>"
    ) in output


def test_load_demo_in_debug_needs_no_flag_and_shows_the_new_passwords(runs):
    output, users = runs["debug"]
    coordinators = {user.email for user in users if not user.is_staff}

    assert len(coordinators) == 3
    assert _passwords_shown(output, users) == {"staff@example.org", *coordinators}
