"""Login limits that hold in production.

Failed sign-ins are counted per client address (allauth's ``login_failed`` limit) in a cache that
every gunicorn worker shares: a table in the database, or Redis when REDIS_URL is set. Behind the
TLS proxy the client's address comes from the proxy only when the proxy is trusted
(DJANGO_TRUSTED_PROXY_COUNT / DJANGO_CLIENT_IP_HEADER); otherwise forwarded headers are ignored.

The Redis tests need REDIS_URL, a Redis whose login counters they may delete. They skip without
it, unless REQUIRE_REDIS is set (CI), where a missing Redis fails.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from portal.settings import base as production
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/en/accounts/login/"
PASSWORD = "correct horse battery staple"  # the factories' password
WRONG = "wrong"
TOO_MANY = "Too many failed login attempts"
# Production's allowance of failed sign-ins per client address a minute ("10/m/ip,...").
PER_ADDRESS = next(
    rate.amount
    for rate in parse_rates(production.ACCOUNT_RATE_LIMITS["login_failed"])
    if rate.per == "ip"
)
# The test client's REMOTE_ADDR: here the TLS proxy, on the same machine as gunicorn.
PROXY = "127.0.0.1"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.20"
REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(autouse=True)
def limits(settings):
    """Production's login limits (the suite turns them off), on counters emptied around each
    test."""
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def account(email="ana@example.org"):
    user = UserFactory(email=email)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def sign_in(client, email, password=WRONG, **extra):
    """POST the sign-in form; ``extra`` holds headers (``HTTP_X_FORWARDED_FOR``) and
    ``REMOTE_ADDR``, as the WSGI server would pass them."""
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def refused(response):
    return response.status_code == 200 and TOO_MANY in response.content.decode()


def fail_allowance(client, request_of=None, **extra):
    """Use up the failures allowed from one address, each on another made-up account, so that
    only the per-address limit (not the per-account one) is reached. ``request_of(n)`` gives
    the headers of the n-th attempt when they change, ``extra`` those of every attempt."""
    for n in range(PER_ADDRESS):
        response = sign_in(
            client, f"guess{n}@example.org", **(request_of(n) if request_of else extra)
        )
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
        assert not refused(response)


# Behind the trusted proxy --------------------------------------------------------------


def test_behind_the_trusted_proxy_failures_lock_out_that_client_and_nobody_else(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    ana = account()
    fail_allowance(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)

    # The next attempt from that client is refused, even with the right password...
    response = sign_in(client, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert refused(response)
    assert "_auth_user_id" not in client.session

    # ...while another visitor, arriving through the same proxy, signs in.
    other = Client()
    response = sign_in(
        other, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT
    )
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(ana.pk)


def test_what_the_client_writes_before_the_proxys_entry_does_not_reset_its_counter(
    client, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    ana = account()
    # The proxy appends the address it received the request from to whatever the client sent.
    fail_allowance(
        client, lambda n: {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"10.0.0.{n}, {CLIENT}"}
    )

    response = sign_in(
        client, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {CLIENT}"
    )
    assert refused(response)


def test_a_client_ip_header_set_by_the_proxy_names_the_client(client, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    ana = account()
    # X-Forwarded-For is not read at all then: rotating it changes nothing.
    fail_allowance(
        client,
        lambda n: {
            "REMOTE_ADDR": PROXY,
            "HTTP_X_REAL_IP": CLIENT,
            "HTTP_X_FORWARDED_FOR": f"10.0.0.{n}",
        },
    )

    assert refused(sign_in(client, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=CLIENT))
    other = Client()
    response = sign_in(other, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=OTHER_CLIENT)
    assert response.status_code == 302


def test_a_sign_in_without_the_configured_client_ip_header_is_refused(client, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    ana = account()

    response = sign_in(client, ana.email, PASSWORD, REMOTE_ADDR=PROXY)

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_proxy_count_larger_than_the_forwarded_chain_is_a_configuration_error(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    account()

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        sign_in(client, "ana@example.org", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)


# Without a trusted proxy (the default) -------------------------------------------------------


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_reset_the_counter(client):
    ana = account()
    fail_allowance(client, lambda n: {"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": f"10.0.0.{n}"})

    response = sign_in(
        client, ana.email, PASSWORD, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=OTHER_CLIENT
    )
    assert refused(response)
    assert "_auth_user_id" not in client.session

    # A visitor connecting from another address is counted apart.
    other = Client()
    assert sign_in(other, ana.email, PASSWORD, REMOTE_ADDR=OTHER_CLIENT).status_code == 302


def test_without_a_trusted_proxy_everyone_behind_a_proxy_shares_one_counter(client):
    """Why the setting matters: behind the proxy, unconfigured, one client locks out all."""
    ana = account()
    fail_allowance(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)

    other = Client()
    response = sign_in(
        other, ana.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT
    )
    assert refused(response)


# Settings ---------------------------------------------------------------------------------


def worker_env(**overrides):
    """The environment of a production process: none of this one's settings variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_")
        and key not in {"DATABASE_URL", "EMAIL_URL", "CACHE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DJANGO_SECRET_KEY="k3y-" + "z9Q!" * 15,
        DATABASE_URL="sqlite:////tmp/portal-rate-limits-test.sqlite3",
        EMAIL_URL="smtp://mail.invalid:25",
        DJANGO_DEFAULT_FROM_EMAIL="portal@example.org",
    )
    env.update(overrides)
    return env


def run_python(code, *args, **env):
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=worker_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_SETTINGS = """
import json
import django
django.setup()
from allauth import app_settings
from django.conf import settings
default = settings.CACHES["default"]
print(json.dumps({
    "backend": default["BACKEND"],
    "location": default.get("LOCATION"),
    "proxy_count": app_settings.TRUSTED_PROXY_COUNT,
    "client_ip_header": app_settings.TRUSTED_CLIENT_IP_HEADER,
}))
"""


def production_settings(**env):
    result = run_python(SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_counts_in_the_database_and_trusts_no_proxy_by_default():
    assert production_settings() == {
        "backend": "django.core.cache.backends.db.DatabaseCache",
        "location": "portal_cache",
        "proxy_count": 0,
        "client_ip_header": None,
    }


def test_the_environment_names_redis_and_the_proxy():
    assert production_settings(
        REDIS_URL="redis://127.0.0.1:6390/0", DJANGO_TRUSTED_PROXY_COUNT="1"
    ) == {
        "backend": "django.core.cache.backends.redis.RedisCache",
        "location": "redis://127.0.0.1:6390/0",
        "proxy_count": 1,
        "client_ip_header": None,
    }
    # CACHE_URL overrides both; a client IP header instead of the count.
    shown = production_settings(
        REDIS_URL="redis://127.0.0.1:6390/0",
        CACHE_URL="locmemcache://",
        DJANGO_CLIENT_IP_HEADER="X-Real-IP",
    )
    assert shown["backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert (shown["proxy_count"], shown["client_ip_header"]) == (0, "X-Real-IP")


def test_a_proxy_count_and_a_client_ip_header_together_refuse_to_start():
    result = run_python(
        SHOW_SETTINGS, DJANGO_TRUSTED_PROXY_COUNT="1", DJANGO_CLIENT_IP_HEADER="X-Real-IP"
    )

    assert result.returncode != 0
    assert "not both" in result.stderr


def test_the_test_database_has_the_cache_table():
    """Django's test runner runs createcachetable after migrating, as `make serve` does."""
    assert "portal_cache" in connection.introspection.table_names()


# Shared by every worker ----------------------------------------------------------------------

# One gunicorn worker's failed sign-ins, counted as the sign-in form counts them (the account
# adapter's pre_authenticate, before the password is looked at): True for each attempt allowed.
WORKER = """
import json
import sys
import django
django.setup()
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory

address, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
allowed = []
for n in range(first, first + count):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address, HTTP_HOST="localhost")
    try:
        get_adapter(request).pre_authenticate(request, email=f"guess{n}@example.org", password="x")
    except ValidationError:
        allowed.append(False)
    else:
        allowed.append(True)
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "allowed": allowed}))
"""


def run_worker(address, first, count, **env):
    result = run_python(WORKER, address, str(first), str(count), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def database_url(tmp_path):
    """A database two more processes can open: the test database itself on a server; a file
    beside it for SQLite, whose test database lives in this process's memory."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'workers.sqlite3'}"
    assert connection.vendor == "postgresql", connection.vendor
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("REQUIRE_REDIS is set but REDIS_URL is not: start a Redis and set it")
        pytest.skip("needs a Redis server: set REDIS_URL=redis://127.0.0.1:<port>/0")
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.ping()

    def forget_counters():
        for key in server.scan_iter(match="*allauth:rl:*"):
            server.delete(key)

    forget_counters()
    yield REDIS_URL
    forget_counters()
    server.close()


def shared_store(kind, request, tmp_path):
    """The environment that points a production process at the shared counters."""
    if kind == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url")}
    env = {"DATABASE_URL": database_url(tmp_path)}
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('createcachetable')",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return env


@pytest.mark.django_db(transaction=True)  # the workers see the test database's committed rows
@pytest.mark.parametrize(
    ("kind", "backend"),
    [
        ("database", "django.core.cache.backends.db.DatabaseCache"),
        ("redis", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_two_workers_share_the_counters(kind, backend, request, tmp_path):
    env = shared_store(kind, request, tmp_path)
    first = PER_ADDRESS // 2 + 1

    one = run_worker(CLIENT, 0, first, **env)
    two = run_worker(CLIENT, first, PER_ADDRESS - first + 2, **env)
    elsewhere = run_worker(OTHER_CLIENT, 100, 1, **env)

    assert one == {"backend": backend, "allowed": [True] * first}
    # The second worker grants only what the first one left, then refuses.
    assert two == {"backend": backend, "allowed": [True] * (PER_ADDRESS - first) + [False] * 2}
    assert elsewhere["allowed"] == [True]
