"""What bench/faults.py and bench/soak.py share: an HTTP client as a browser behind the TLS
proxy would be (keep-alive, cookies, CSRF), a signed-in coordinator, the workspace write, and
the memory of gunicorn's workers.

Standard library only (the venv has neither requests nor httpx): http.client, one persistent
connection per client, one client per thread.
"""

import datetime
import http.client
import re
import secrets
import statistics
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

SEARCH_WORDS = [
    "salud",
    "migracion",
    "frontera",
    "ordenanza",
    "mujeres",
    "niñez",
    "retorno",
    "empleo",
    "educacion",
    "municipal",
    "registro",
    "agua",
    "comercio",
    "protocolo",
    "alcaldia",
]


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)
    seconds: float
    body: bytes = b""
    location: str = ""
    error: str = ""
    headers: dict = field(default_factory=dict)
    started: float = 0.0  # time.monotonic() when sent


class Client:
    """One browser: a keep-alive connection, its cookies, HTTPS as the proxy reports it."""

    def __init__(self, base: str, *, cookies: dict | None = None, timeout: float = 30):
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies = dict(cookies or {})
        self.connection = None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        *,
        body: bytes | None = None,
        content_type: str = "",
    ) -> Answer:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "es"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Content-Type"] = content_type
            # Secure requests: Django's CSRF check wants the page's own origin.
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        sent_at = time.monotonic()
        started = time.perf_counter()
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A keep-alive connection the server closed between requests (worker restart,
                # keepalive timeout): once more on a new one. A second failure is an answer.
                self.close()
                if attempt == 2 or (
                    method != "GET" and not isinstance(exc, http.client.RemoteDisconnected)
                ):
                    return Answer(
                        0, time.perf_counter() - started, error=type(exc).__name__, started=sent_at
                    )
                continue
            except OSError as exc:
                self.close()
                return Answer(
                    0, time.perf_counter() - started, error=type(exc).__name__, started=sent_at
                )
            break
        for header in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(
            response.status,
            time.perf_counter() - started,
            data,
            response.getheader("Location", ""),
            headers={k.lower(): v for k, v in response.getheaders()},
            started=sent_at,
        )


class _FormFields(HTMLParser):
    """The fields of the page's form that posts (the first with a CSRF token)."""

    def __init__(self):
        super().__init__()
        self.fields, self.radios, self.in_form, self.textarea = {}, {}, False, None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post" and not self.fields:
            self.in_form = True
        elif self.in_form and tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "radio":
                self.radios.setdefault(attrs["name"], attrs.get("value", ""))
            elif kind not in ("checkbox", "submit", "file"):
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.in_form and tag == "select":
            self.select = attrs.get("name")
        elif self.in_form and tag == "option" and self.select and attrs.get("value"):
            self.fields.setdefault(self.select, attrs["value"])
        elif self.in_form and tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        if tag == "textarea":
            self.textarea = None
        if tag == "select":
            self.select = None


def form_fields(html: bytes) -> dict:
    parser = _FormFields()
    parser.feed(html.decode("utf-8", "replace"))
    return {**parser.radios, **parser.fields}


# The signed-in coordinator --------------------------------------------------------------------


def coordinator_session() -> tuple[dict, str]:
    """A coordinator of the network with the most members, signed in: ({cookie: value}, the
    network's slug). Needs Django set up on the bench database."""
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client as DjangoClient

    from accounts.models import User
    from networks.enums import MembershipRole
    from networks.models import Membership, Network

    network = (
        Network.objects.annotate(seats=Count("memberships"))
        .filter(municipalities__isnull=False)
        .order_by("-seats", "pk")
        .first()
    )
    email = "bench-coordinator@example.org"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=secrets.token_urlsafe(16))
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    seat = (
        Membership.objects.filter(
            network=network,
            role=MembershipRole.COORDINATOR,
            end_date__isnull=True,
            start_date__lte=datetime.date.today(),
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    person = seat.person
    if person.user_id != user.pk:
        type(person).objects.filter(user=user).exclude(pk=person.pk).update(user=None)
        person.user = user
        person.save(update_fields=["user"])
    client = DjangoClient()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}, network.slug


def create_practice(client: Client, network: str, title: str) -> Answer:
    """The coordinator's first question of a new practice: sending it creates the draft.
    Success is the redirect to question 2."""
    path = f"/dashboard/networks/{network}/practices/new/"
    page = client.request("GET", path)
    if page.status != 200:
        return page
    fields = form_fields(page.body)
    fields.update(title=title, summary=f"Práctica de carga {title}: salud y frontera.")
    answer = client.request("POST", path, fields)
    if answer.status == 200:
        # The form again: a refusal, not a success (never counted as a confirmed write).
        answer.error = "form shown again"
    return answer


def success(answer: Answer) -> bool:
    return 200 <= answer.status < 300 or answer.status in (301, 302, 303)


# Figures ------------------------------------------------------------------------------------


def percentile(values, fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 3:
        return float("nan")
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return float("nan")
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread * 60


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def snippet(body: bytes) -> str:
    text = re.sub(r"\s+", " ", re.sub(rb"<[^>]+>", b" ", body).decode("utf-8", "replace"))
    return text.strip()[:160]


def migrate_and_seed(source: Path, practices: int) -> None:
    """Load Django from the snapshot ``source``, migrate the (empty) database of the
    environment, collect static files and seed the registry and ``practices`` practices."""
    import sys

    import django

    sys.path.insert(0, str(source))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    from bench import seed

    seed.seed_registry()
    seed.seed_practices(practices)
    seed.analyze()
