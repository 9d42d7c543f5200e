"""Hostile input on every URL of the portal answers a page, a 400 or a 404: never a 500.

The security review found NUL bytes (which PostgreSQL can neither store nor compare) and
malformed ids reaching the database from the public session pages and from the admin. The
test walks the whole URL configuration, so a page added later is tried without anyone
remembering to add it here. Run it on PostgreSQL too: most NUL failures show only there.
"""

import itertools

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import LocalePrefixPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

from networks.enums import MembershipRole
from practices.models import Attachment
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    MembershipFactory,
    NetworkFactory,
    ParticipationFactory,
    PracticeFactory,
    ProgrammeFactory,
    PublishedMinutesFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Put in place of every converter or regex group of a pattern.
HOSTILE_PATH_VALUES = [
    "%00",
    "abc%00",
    "abc",
    "0",
    "-1",
    "9" * 25,
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3E",
    "%27%20OR%201%3D1--",
    "%C3%B1and%C3%BA",  # ñandú
    "a" * 400,
]

# Added to every URL that resolves with real values (and to those without parameters).
HOSTILE_QUERIES = [
    "q=%00",
    "q=abc%00def",
    "%00=1",
    "page=%00",
    "page=-1",
    "page=99999999999999999999",
    "o=%00",
    "p=%00",
    "format=%00",
    "_changelist_filters=%00",
    "country=%00",
    "sort=%00",
    "next=%00",
]

# The English pages run the same views: a few queries there, all of them on the Spanish ones.
ENGLISH_QUERIES = ["q=%00", "page=-1"]

# The autocomplete view reads its model and field from the query string.
AUTOCOMPLETE_QUERIES = [
    "app_label=networks&model_name=x&field_name=%00&term=%00",
    "app_label=%00&model_name=%00&field_name=%00&term=x",
]

# A few pages are asked with HEAD as well: some servers and monitors send it.
HEAD_TEMPLATES = {"", "en/", "practices/", "networks/", "conferences/", "healthz", "readyz"}


class Values(dict):
    """Fills every ``%(name)s`` of a pattern's template with the same value."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def __missing__(self, key):
        return self.value


def url_templates(resolver=None, prefix=""):
    """``(template, params, pattern)`` for every URL pattern, ``%(name)s`` for each parameter.

    The language prefix is tried both ways: none (Spanish, the default) and ``en/``.
    """
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            pieces = [("", []), ("en/", [])]
        else:
            pieces = normalize(entry.pattern.regex.pattern)
        for piece, params in pieces:
            if isinstance(entry, URLResolver):
                for template, inner_params, pattern in url_templates(entry, prefix + piece):
                    yield template, params + inner_params, pattern
            else:
                yield prefix + piece, params, entry


def model_admin_of(pattern):
    """The ModelAdmin serving ``pattern``, if any: its own views carry it, the views that
    add-ons (import-export, simple-history) add are bound methods of it."""
    callback = pattern.callback
    found = getattr(callback, "model_admin", None)
    found = found or getattr(getattr(callback, "__wrapped__", None), "__self__", None)
    return found if isinstance(found, admin.ModelAdmin) else None


def list_filter_queries(model_admin):
    """Each list filter of a changelist, asked with a NUL and with a non-numeric id."""
    queries = []
    for entry in model_admin.list_filter:
        field = entry[0] if isinstance(entry, tuple | list) else entry
        if isinstance(field, str):
            queries += [
                f"{field}__exact=%00",
                f"{field}__id__exact=abc",
                f"{field}__id__exact=%00",
                f"{field}__isnull=%00",
                f"{field}__gte=%00",
            ]
        else:
            queries.append(f"{field.parameter_name}=%00")
    if model_admin.date_hierarchy:
        queries += [
            f"{model_admin.date_hierarchy}__year=abc",
            f"{model_admin.date_hierarchy}__month=%00",
        ]
    return queries


def prefill_queries(model_admin):
    """The add page fills its form from the query string: each field, given a NUL, a word
    and a number too large for any id (a word or a date, such as ``2026-13-45``, that does not
    fit the field is dropped, as if not given)."""
    fields = [
        field
        for field in model_admin.model._meta.get_fields()
        if field.concrete and not field.auto_created
    ]
    return [f"{field.name}={value}" for field in fields for value in ("%00", "abc", "9" * 25)] + [
        "start=2026-13-45"
    ]


@pytest.fixture
def records(border_municipalities):
    """One record of each main model, so detail URLs are tried with real ids as well."""
    metapan = border_municipalities["SV"]
    network = NetworkFactory(
        name="Red Trifinio",
        slug="red-trifinio",
        municipalities=[metapan],
        programme=ProgrammeFactory(),
    )
    coordinator = UserFactory(email="coordinadora@example.org")
    membership = MembershipFactory(
        person__user=coordinator, network=network, role=MembershipRole.COORDINATOR
    )
    conference = ConferenceFactory(networks=[network])
    session = SessionFactory(conference=conference, networks=[network], municipality=metapan)
    draft = PracticeFactory(network=network, themes=[ThemeFactory()])
    published = PublishedPracticeFactory(network=network, municipalities=[metapan])
    attachment = Attachment.objects.create(
        practice=published,
        title="Informe",
        file=SimpleUploadedFile("informe.pdf", b"%PDF-1.4"),
        original_name="informe.pdf",
        content_type="application/pdf",
        size=8,
    )
    agenda_item = AgendaItemFactory(session=session)
    participation = ParticipationFactory(session=session)
    agreement = AgreementFactory(session=session)
    PublishedMinutesFactory(session=session)
    return {
        "coordinator": coordinator,
        "staff": StaffUserFactory(email="superuser@example.org", is_superuser=True),
        # Values per parameter name; a URL with several parameters gets them in step.
        "real": {
            "slug": [network.slug, metapan.slug, published.slug, conference.slug],
            "network": [network.slug],
            "key": [session.slug, str(session.pk)],
            "pk": [str(draft.pk), str(session.pk), str(agreement.pk), str(attachment.pk)],
            "person": [str(membership.person.pk)],
            "membership": [str(membership.pk)],
            "part": [str(agenda_item.pk)],
            "participation": [str(participation.pk)],
            "attachment": [str(attachment.pk)],
            "step": ["1", "summary"],
            "to": ["submitted"],
            "file_format": ["xlsx", "csv"],
        },
    }


def real_urls(template, params, pattern, real):
    """The template filled with real values: the admin's ids are its model's own records."""
    model_admin = model_admin_of(pattern)
    if model_admin is not None:
        ids = [
            str(pk) for pk in model_admin.model._default_manager.values_list("pk", flat=True)[:2]
        ]
        candidates = {param: ids or ["1"] for param in params}
    else:
        candidates = {param: real.get(param, ["1"]) for param in params}
    rounds = max((len(values) for values in candidates.values()), default=1)
    cycles = {param: itertools.cycle(values) for param, values in candidates.items()}
    return {template % {param: next(cycles[param]) for param in params} for _ in range(rounds)}


def requests_to_try(real):
    """``(method, url)`` pairs: hostile path values everywhere, hostile queries on real URLs."""
    tried = []
    for template, params, pattern in url_templates():
        model_admin = model_admin_of(pattern)
        if params:
            tried += [("get", "/" + template % Values(value)) for value in HOSTILE_PATH_VALUES]
        concrete = real_urls(template, params, pattern, real)
        queries = list(ENGLISH_QUERIES if template.startswith("en/") else HOSTILE_QUERIES)
        if model_admin is not None and pattern.name and pattern.name.endswith("_changelist"):
            queries += list_filter_queries(model_admin)
        if model_admin is not None and pattern.name and pattern.name.endswith("_add"):
            queries += prefill_queries(model_admin)
        for url in sorted(concrete):
            tried.append(("get", f"/{url}"))
            tried += [("get", f"/{url}?{query}") for query in queries]
            if url in HEAD_TEMPLATES:
                tried.append(("head", f"/{url}?q=%00"))
    for query in AUTOCOMPLETE_QUERIES:
        tried.append(("get", f"/admin/autocomplete/?{query}"))
    for model_admin in admin.site._registry.values():
        opts = model_admin.model._meta
        for field in model_admin.autocomplete_fields:
            tried.append(
                (
                    "get",
                    f"/admin/autocomplete/?app_label={opts.app_label}&model_name={opts.model_name}"
                    f"&field_name={field}&term=%00",
                )
            )
    return tried


def server_error(client, method, url):
    """What went wrong, if the request ended in a server error; None otherwise."""
    try:
        # A database error aborts PostgreSQL's transaction: the savepoint keeps the next
        # requests working.
        with transaction.atomic():
            response = getattr(client, method)(url)
    except Exception as error:  # every unhandled error is a 500 to report
        return f"{type(error).__name__}: {str(error)[:160]}"
    return response.status_code if response.status_code >= 500 else None


def session_cookie(client):
    return client.cookies.get(settings.SESSION_COOKIE_NAME)


def test_no_url_answers_a_server_error_to_hostile_input(records):
    users = {"anonymous": None, "coordinator": records["coordinator"], "staff": records["staff"]}
    # Signed in, each sees a page only they may: else the fuzz would quietly run anonymous.
    own_pages = {"coordinator": "/dashboard/networks/red-trifinio/", "staff": "/admin/"}
    tried = requests_to_try(records["real"])
    failures = []
    for name, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
            assert client.get(own_pages[name]).status_code == 200
        for method, url in tried:
            # A page may sign its visitor out (signing out ends the session and its cookie):
            # sign in again, or the rest would be tried as an anonymous visitor.
            if user is not None and not getattr(session_cookie(client), "value", ""):
                client.force_login(user)
            error = server_error(client, method, url)
            if error is not None:
                failures.append(f"{method.upper()} {url[:120]} as {name}: {error}")
    print(f"{len(tried) * len(users)} hostile requests tried")

    assert failures == [], "\n".join(["", *failures])


# The guard itself (common/request_guard.py) ------------------------------------------------

NUL_MESSAGE = "The address or the form contains a character that is not allowed (a NUL byte)."


@pytest.mark.parametrize(
    "data", [{"login": "ana\x00@example.org", "password": "x"}, {"log\x00in": "ana@example.org"}]
)
def test_a_form_with_a_nul_in_a_name_or_value_is_refused(client, data):
    response = client.post("/en/accounts/login/", data)

    assert (response.status_code, response.content.decode()) == (400, NUL_MESSAGE)


def test_an_uploaded_file_may_hold_nul_bytes(client, db):
    upload = SimpleUploadedFile("hoja.xlsx", b"PK\x03\x04\x00\x00binary")

    response = client.post("/en/accounts/login/", {"login": "ana@example.org", "file": upload})

    assert response.status_code == 200


def test_a_nul_in_the_path_is_refused(client, db):
    response = client.get("/en/sessions/%00/")

    assert (response.status_code, response.content.decode()) == (400, NUL_MESSAGE)
