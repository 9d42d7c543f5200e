import os

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests.factories import (
    CountryFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffUserFactory,
)

# Property tests (hypothesis): in CI the same examples every run (a red run is reproducible,
# never a matter of luck) and no example database left in the checkout; on a developer's
# machine new examples each run, the failures remembered in .hypothesis/.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def countries(db):
    return {code: CountryFactory(code=code) for code in ("SV", "GT", "HN")}


@pytest.fixture
def border_municipalities(countries):
    """One municipality on each side of the Trifinio area."""
    departments = {
        "SV": DepartmentFactory(country=countries["SV"], code="SV-SA", name="Santa Ana"),
        "GT": DepartmentFactory(country=countries["GT"], code="GT-20", name="Chiquimula"),
        "HN": DepartmentFactory(country=countries["HN"], code="HN-OC", name="Ocotepeque"),
    }
    return {
        "SV": MunicipalityFactory(department=departments["SV"], name="Metapán", slug="metapan-sv"),
        "GT": MunicipalityFactory(
            department=departments["GT"], name="Esquipulas", slug="esquipulas-gt"
        ),
        "HN": MunicipalityFactory(
            department=departments["HN"], name="Ocotepeque", slug="ocotepeque-hn"
        ),
    }


@pytest.fixture
def staff_user(db):
    return StaffUserFactory(email="staff@example.org")


@pytest.fixture(autouse=True)
def _default_language():
    """A test-client request leaves its page's language active in the test thread: start every
    test in Spanish, the default, so ``get_absolute_url()`` gives unprefixed paths."""
    with translation.override("es"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _session_media_root(tmp_path_factory):
    """Module-scoped fixtures (demo loads) run before function fixtures: keep their files
    out of the repository's media/ folder too."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of each test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _staff_sessions_passed_two_factor(monkeypatch):
    """``client.force_login(staff)`` stands for a complete staff sign-in, which includes the
    second factor the admin requires (accounts/middleware.py; tests/accounts/test_mfa.py
    signs in for real). The account gets an authenticator app and the session the record
    allauth keeps of a sign-in that passed it."""
    from django.apps import apps
    from django.test import Client

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff and apps.is_installed("allauth.mfa"):
            _pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


def _pass_second_factor(client, user):
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
