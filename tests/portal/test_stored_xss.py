# The browser fixtures imported from tests/browser/conftest.py are arguments of a test.
# ruff: noqa: F811

"""Stored XSS: every payload of the adversarial corpus (tests/portal/adversarial.py), stored in
every text field that reaches a public page, the feed, a workspace page, the admin or an
e-mail, shows as the text that was typed and never runs.

A page is read as elements (``PageReading``): a payload "runs" when its marker ends up in a
script, an event handler, a script URL, a style or a refresh. Each test stores all payloads at
once (one record per payload, or all of them on one record) and reads every page they reach,
and also checks that the typed text is shown, so a field left off a page cannot pass for one
that was escaped.
"""

import datetime
from html import escape

import pytest
from defusedxml import ElementTree
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from conferences.models import Challenge
from networks.enums import MembershipRole
from practices.enums import ReviewStatus
from practices.models import LegalEvidence, Replication, Theme
from practices.services import practice_request_changes
from tests.browser.conftest import CHROMIUM, browser, page, problems  # noqa: F401
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    ConferenceFactory,
    InstitutionFactory,
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    PublishedMinutesFactory,
    PublishedPracticeFactory,
    SessionFactory,
    StaffUserFactory,
    ThemeFactory,
    UserFactory,
)
from tests.workspace_urls import attachment_of, url_of, workspace_url_names

from .adversarial import MARKER, XSS_PAYLOADS, PageReading, marker_of

pytestmark = pytest.mark.django_db

ALL = list(enumerate(XSS_PAYLOADS))
#: The payloads that close a quoted attribute or a textarea.
BREAKOUTS = [n for n, payload in ALL if payload.startswith(('"', "'", "</textarea>"))]


def test_the_corpus_has_a_distinct_marker_per_payload():
    markers = [marker_of(payload) for payload in XSS_PAYLOADS]
    assert len(markers) == len(set(markers)) >= 30


def test_the_reader_catches_payloads_left_unescaped():
    """The reading can fail: unescaped, most payloads run; escaped, none does and each shows."""
    unescaped = [
        payload
        for payload in XSS_PAYLOADS
        if PageReading(f'<p>{payload}</p><input value="{payload}">').executed
    ]
    escaped = PageReading(
        "".join(f'<p>{escape(p)}</p><input value="{escape(p)}">' for p in XSS_PAYLOADS)
    )

    assert len(unescaped) >= 22
    assert escaped.executed == set()
    assert [payload for payload in XSS_PAYLOADS if payload not in escaped.text] == []


@pytest.fixture(autouse=True)
def _pages_rendered_afresh(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


class Reader:
    """Reads pages with a client and keeps what ran on any of them and all the text shown."""

    def __init__(self, client):
        self.client = client
        self.executed = {}  # url -> markers
        self.script_urls = {}
        self.text = []
        self.pages = 0

    def read(self, url) -> PageReading:
        response = self.client.get(url)
        assert response.status_code == 200, url
        return self.take(url, response.content.decode())

    def take(self, url, html) -> PageReading:
        page = PageReading(html)
        if page.executed:
            self.executed[url] = sorted(page.executed)
        if page.script_urls:
            self.script_urls[url] = page.script_urls
        self.text.append(page.text)
        self.pages += 1
        return page

    def shown(self, value) -> bool:
        return any(value in text for text in self.text)

    def assert_nothing_ran(self):
        assert (self.executed, self.script_urls) == ({}, {})


# Public pages: practices, their networks and places ---------------------------------------


@pytest.fixture
def hostile_practices(border_municipalities):
    """One published practice per payload, the payload in each of its text fields, in its
    network's name and description, its municipality's name, its institutions, its legal
    evidence, a replication and an attachment."""
    # The themes of the data migration, unless a browser test's flush removed them.
    theme = Theme.objects.order_by("position").first() or ThemeFactory()
    department = border_municipalities["SV"].department
    practices = []
    for n, payload in ALL:
        municipality = MunicipalityFactory(
            name=payload, slug=f"municipio-xss-{n}", department=department
        )
        network = NetworkFactory(
            name=payload,
            slug=f"red-xss-{n}",
            description=f"descripcion-{n} {payload}",
            municipalities=[municipality],
        )
        practice = PublishedPracticeFactory(
            title=payload,
            slug=f"practica-xss-{n}",
            summary=f"resumen-{n} {payload}",
            body=f"cuerpo-{n} {payload}",
            results=f"resultados-{n} {payload}",
            lessons_learned=f"lecciones-{n} {payload}",
            challenges=f"desafios-{n} {payload}",
            replication_requirements=f"requisitos-{n} {payload}",
            network=network,
            lead_institution=InstitutionFactory(name=f"lider-{n} {payload}"),
            partner_institutions=[InstitutionFactory(name=f"socia-{n} {payload}")],
            municipalities=[municipality],
            themes=[theme],
        )
        LegalEvidence.objects.create(
            practice=practice, number=f"N-{n} {payload}"[:100], gazette_reference=payload
        )
        Replication.objects.create(
            practice=practice,
            municipality=border_municipalities["GT"],
            notes=f"replica-{n} {payload}",
        )
        attachment = attachment_of(practice)
        attachment.title = f"anexo-{n} {payload}"
        attachment.save()
        practices.append(practice)
    return practices


def test_public_practice_pages_show_every_payload_as_text(client, hostile_practices):
    reader = Reader(client)

    for n, payload in ALL:
        practice = hostile_practices[n]
        page = reader.read(practice.get_absolute_url())
        # Plain-text fields show exactly what was typed (entities and braces included).
        for shown in (
            payload,
            f"resumen-{n} {payload}",
            f"lider-{n} {payload}",
            f"socia-{n} {payload}",
            f"replica-{n} {payload}",
            f"anexo-{n} {payload}",
        ):
            assert shown in page.text, (n, shown)
        # Markdown fields are sanitised: their words are shown, never the active parts.
        for word in ("cuerpo", "resultados", "lecciones", "desafios", "requisitos"):
            assert f"{word}-{n}" in page.text, (n, word)
    reader.assert_nothing_ran()


def test_catalogue_home_networks_and_places_show_every_payload_as_text(client, hostile_practices):
    reader = Reader(client)
    catalogue = reverse("practices:practice-list")
    for url in (catalogue, f"{catalogue}?page=2", reverse("home")):
        reader.read(url)
    reader.read(reverse("networks:network-list"))
    reader.read(reverse("networks:network-list") + "?page=2")
    for n, _payload in ALL:
        practice = hostile_practices[n]
        reader.read(practice.network.get_absolute_url())
        reader.read(practice.municipalities.get().get_absolute_url())

    reader.assert_nothing_ran()
    assert [n for n, payload in ALL if not reader.shown(payload)] == []
    assert [n for n, payload in ALL if not reader.shown(f"descripcion-{n}")] == []


def test_feed_entries_are_text_for_any_feed_reader(client, hostile_practices):
    """The Atom feed declares its summaries as HTML: a reader renders them, so the text
    must arrive escaped inside that HTML, and titles are plain text."""
    response = client.get(reverse("practices:practice-feed"))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(response.content).findall(f"{atom}entry")
    reader = Reader(client)

    titles = [entry.findtext(f"{atom}title") for entry in entries]
    reader.text.extend(titles)
    for position, entry in enumerate(entries):
        summary = entry.find(f"{atom}summary")
        if summary.get("type") == "html":
            reader.take(f"feed entry {position}", summary.text)
        else:
            reader.text.append(summary.text)

    assert len(entries) == 20  # the feed's size: the newest twenty
    assert set(titles) <= set(XSS_PAYLOADS)
    reader.assert_nothing_ran()
    summaries = [f"resumen-{XSS_PAYLOADS.index(title)} {title}" for title in titles]
    assert [summary for summary in summaries if not reader.shown(summary)] == []


def test_sitemap_is_well_formed_xml_with_the_practices(client, hostile_practices):
    response = client.get(reverse("sitemap"))

    tree = ElementTree.fromstring(response.content)  # a payload would break the XML
    locations = [element.text for element in tree.iter() if element.tag.endswith("loc")]
    assert sum("/practica-xss-" in location for location in locations) >= len(XSS_PAYLOADS)
    assert MARKER.search(response.content.decode()) is None  # slugs only, never titles


# Public pages: conferences and sessions -----------------------------------------------------


@pytest.fixture
def hostile_conference(border_municipalities):
    network = NetworkFactory(name="Mesa Trifinio XSS", slug="mesa-xss")
    conference = ConferenceFactory(
        title="Conferencia " + XSS_PAYLOADS[0],
        slug="conferencia-xss",
        description="\n".join(XSS_PAYLOADS),
        networks=[network],
    )
    sessions = [
        SessionFactory(
            conference=conference,
            title=payload,
            slug=f"sesion-xss-{n}",
            description=f"descripcion-{n} {payload}",
            venue=f"lugar-{n} {payload}"[:300],
            networks=[network],
            start=timezone.make_aware(datetime.datetime(2020, 9, 17, 15)) + datetime.timedelta(n),
            end=timezone.make_aware(datetime.datetime(2020, 9, 17, 17)) + datetime.timedelta(n),
        )
        for n, payload in ALL
    ]
    first = sessions[0]
    institution = InstitutionFactory(name="Alcaldía XSS")
    for n, payload in ALL:
        AgendaItemFactory(session=first, position=n, title=f"punto-{n} {payload}")
        AgreementFactory(
            session=first, text=f"acuerdo-{n} {payload}", responsible_institution=institution
        )
        Challenge.objects.create(session=first, text=f"reto-{n} {payload}")
    PublishedMinutesFactory(session=first, summary="\n".join(f"resumen-{n} {p}" for n, p in ALL))
    return {"conference": conference, "sessions": sessions, "network": network}


def test_conference_and_session_pages_show_every_payload_as_text(client, hostile_conference):
    reader = Reader(client)
    reader.read(reverse("conferences:conference-list"))
    reader.read(hostile_conference["conference"].get_absolute_url())
    for session in hostile_conference["sessions"]:
        reader.read(session.get_absolute_url())

    reader.assert_nothing_ran()
    assert [n for n, payload in ALL if not reader.shown(payload)] == []  # session titles
    for field in ("punto", "acuerdo", "resumen"):
        missing = [n for n, payload in ALL if not reader.shown(f"{field}-{n} {payload}")]
        assert missing == [], field


# The workspace --------------------------------------------------------------------------


@pytest.fixture
def hostile_network(border_municipalities):
    """A network whose every record carries the payloads: members, institutions, sessions
    and their parts, practices and files; and its coordinator."""
    network = NetworkFactory(
        name="Red " + XSS_PAYLOADS[4],
        slug="red-hostil",
        description="\n".join(XSS_PAYLOADS),
        municipalities=[border_municipalities["SV"]],
    )
    coordinator = UserFactory(name=XSS_PAYLOADS[0], email="coordinadora@example.org")
    MembershipFactory(
        person__user=coordinator,
        person__first_name="Coordinadora",
        network=network,
        role=MembershipRole.COORDINATOR,
    )
    theme = Theme.objects.order_by("position").first()
    records = {"network": network}
    for n, payload in ALL:
        person = PersonFactory(
            first_name=payload[:150],
            last_name=f"apellido-{n}",
            position=f"cargo-{n} {payload}"[:200],
            institution=InstitutionFactory(name=f"institucion-{n} {payload}"),
        )
        membership = MembershipFactory(person=person, network=network)
        session = SessionFactory(networks=[network], title=payload, slug=f"sesion-red-{n}")
        participation = ParticipationFactory(session=session, person=person)
        practice = PracticeFactory(
            network=network,
            title=payload,
            slug=f"borrador-xss-{n}",
            summary=f"resumen-{n} {payload}",
            body=f"cuerpo-{n} {payload}",
            status=ReviewStatus.DRAFT,
            themes=[theme],
            municipalities=[border_municipalities["SV"]],
        )
        if n == 0:
            records.update(
                person=person,
                membership=membership,
                session=session,
                participation=participation,
                practice=practice,
            )
    first = records["session"]
    for n, payload in ALL:
        attachment = attachment_of(records["practice"])
        attachment.title = f"anexo-{n} {payload}"
        attachment.save()
        records.setdefault("attachment", attachment)
        AgendaItemFactory(session=first, position=n, title=f"punto-{n} {payload}")
        agreement = AgreementFactory(
            session=first,
            text=f"acuerdo-{n} {payload}",
            responsible_institution=records["person"].institution,
            follow_up=f"seguimiento-{n} {payload}",
        )
        challenge = Challenge.objects.create(session=first, text=f"reto-{n} {payload}")
    PublishedMinutesFactory(
        session=first,
        text="\n".join(f"acta-{n} {p}" for n, p in ALL),
        summary="\n".join(f"resumen-acta-{n} {p}" for n, p in ALL),
    )
    records.update(
        {"agreement": agreement, "challenge": challenge, "agenda item": first.agenda_items.first()}
    )
    return records, coordinator


def test_every_workspace_page_shows_the_payloads_as_text(client, hostile_network):
    records, coordinator = hostile_network
    client.force_login(coordinator)
    reader = Reader(client)

    with translation.override("en"):
        for name, arguments in workspace_url_names():
            url = url_of(name, arguments, records)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue  # downloads, POST-only steps and redirects
            reader.take(url, response.content.decode())

    assert reader.pages >= 30
    reader.assert_nothing_ran()
    # Names, sessions and practices (titles) are shown as typed somewhere in the workspace.
    assert [n for n, payload in ALL if not reader.shown(payload)] == []
    for field in ("institucion", "punto", "acuerdo", "reto", "anexo"):
        missing = [n for n, payload in ALL if not reader.shown(f"{field}-{n} {payload}")]
        assert missing == [], field


# The admin ----------------------------------------------------------------------------------


def test_admin_pages_show_every_payload_as_text(client, hostile_practices, hostile_network):
    records, _coordinator = hostile_network
    client.force_login(StaffUserFactory(is_superuser=True, email="admin@example.org"))
    reader = Reader(client)
    for changelist in (
        "practices_practice",
        "networks_network",
        "networks_person",
        "networks_institution",
        "networks_municipality",
        "networks_membership",
        "conferences_session",
        "conferences_agreement",
    ):
        reader.read(reverse(f"admin:{changelist}_changelist"))
    # Change forms: the values inside inputs and textareas. Admin forms are slow to render,
    # so only the practices whose payloads break out of quotes or a textarea are opened; the
    # network's description (a textarea) holds every payload.
    for n in BREAKOUTS:
        reader.read(reverse("admin:practices_practice_change", args=[hostile_practices[n].pk]))
    for model, record in (
        ("networks_network", records["network"]),
        ("networks_person", records["person"]),
        ("conferences_agreement", records["agreement"]),
    ):
        reader.read(reverse(f"admin:{model}_change", args=[record.pk]))

    reader.assert_nothing_ran()
    assert [n for n, payload in ALL if not reader.shown(payload)] == []  # changelists
    assert [n for n in BREAKOUTS if not reader.shown(f"cuerpo-{n} {XSS_PAYLOADS[n]}")] == []
    assert reader.shown(records["network"].description)  # every payload, in its textarea


# E-mails ------------------------------------------------------------------------------------


def test_review_decision_e_mails_carry_payloads_as_plain_text(
    border_municipalities, django_capture_on_commit_callbacks
):
    """The portal's e-mails are plain text only (no HTML part a mail client would render):
    the payloads arrive as the characters typed, and a subject stays one line."""
    network = NetworkFactory(name=XSS_PAYLOADS[1], municipalities=[border_municipalities["SV"]])
    reviewer = StaffUserFactory(is_superuser=True, email="revisora@example.org")
    submitter = UserFactory(name=XSS_PAYLOADS[2], email="ana@example.org", language="es")
    MembershipFactory(person__user=submitter, network=network, role=MembershipRole.COORDINATOR)
    titles = [*XSS_PAYLOADS, "Título\r\nBcc: intruso@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        for n, title in enumerate(titles):
            practice = PracticeFactory(
                network=network,
                title=title,
                slug=f"revision-xss-{n}",
                status=ReviewStatus.SUBMITTED,
                submitted_by=submitter,
            )
            practice_request_changes(
                practice=practice, actor=reviewer, comment=f"comentario-{n} {title}"
            )

    assert len(mail.outbox) == len(titles)
    for n, (message, title) in enumerate(zip(mail.outbox, titles, strict=True)):
        assert (message.content_subtype, getattr(message, "alternatives", [])) == ("plain", [])
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.to == ["ana@example.org"]
        if n < len(XSS_PAYLOADS):
            assert title in message.subject
            assert f"comentario-{n} {title}" in message.body
            assert XSS_PAYLOADS[2] in message.body  # the greeting names the recipient
    assert "Bcc" not in mail.outbox[-1].extra_headers
    assert mail.outbox[-1].bcc == []


# In a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")
def test_no_payload_runs_in_a_browser(live_server, page, problems, hostile_practices):
    """Chromium opens the catalogue and a practice holding every payload in every field: no
    dialog opens and the Content Security Policy never has to block an injected script
    (it would, so a violation is what an escaping mistake looks like here)."""
    everything = "\n\n".join(XSS_PAYLOADS)
    practice = hostile_practices[0]
    for field in ("summary", "body", "results", "lessons_learned", "challenges"):
        setattr(practice, field, everything)
    practice.save()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(live_server.url + practice.get_absolute_url())
    heading = page.locator("h1").inner_text()
    for path in (
        reverse("practices:practice-list"),
        reverse("networks:network-list"),
        practice.network.get_absolute_url(),
    ):
        page.goto(live_server.url + path)
        page.mouse.move(200, 300)  # hover handlers, had any survived

    assert heading == XSS_PAYLOADS[0]  # shown as text
    assert dialogs == []
    assert [problem for problem in problems if "CSP" in problem] == []
