"""A coordinator's whole path through the workspace, on a phone without JavaScript.

Rosa Alvarenga is invited by IOM staff, follows the e-mailed link, chooses a password and
works on her cross-border table as a person would: by clicking links and buttons by their
Spanish text, on a 375 px wide screen with JavaScript off. She adds a member, plans a
session, registers participants and records who came, writes the minutes, records an
agreement and proposes a good practice, which staff then publish. The coordinator of
another network then types every workspace address Rosa visited and gets 404 for each.

Skipped when /usr/bin/chromium is absent, unless REQUIRE_BROWSER is set (CI), where a missing
browser fails. Screenshots go to test-artifacts/workspace-*.png for a human look.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from conferences.models import Agreement, Minutes, Participation, Session
from networks.enums import MembershipRole, NetworkKind, Sector, Sex
from networks.invitations import invitation_send
from networks.models import Membership, Person
from practices.enums import ReviewStatus
from practices.models import GCMObjective, Practice
from practices.services import practice_publish
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    ThemeFactory,
    UserFactory,
)

from .conftest import CHROMIUM, PHONE, REPORT_CSP_VIOLATIONS

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason="needs Chromium at /usr/bin/chromium",
    ),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ROSA_PASSWORD = "Trifinio-Frontera-2025!"
OTHER_PASSWORD = "correct horse battery staple"  # UserFactory's
SESSION_TITLE = "Sesión ordinaria de seguimiento de la mesa"
PRACTICE_TITLE = "Ventanilla municipal para personas retornadas de Metapán"
AGREEMENT_TEXT = "Compartir el directorio de servicios de protección con las tres alcaldías."


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def phone_context(browser, problems, expected_statuses=None):
    """A 375 px wide context without JavaScript whose page reports console errors, uncaught
    exceptions and 4xx/5xx answers into ``problems`` (but the (status, url) pairs of
    ``expected_statuses``, which the test asks for on purpose)."""
    expected_statuses = expected_statuses if expected_statuses is not None else set()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()

    def on_console(message):
        # The browser logs every 4xx answer too: not a problem for those asked on purpose.
        failed = re.fullmatch(r"Failed to load resource: .* status of (\d+) .*", message.text)
        if failed and (int(failed[1]), message.location.get("url")) in expected_statuses:
            return
        if message.type == "error":
            problems.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and (response.status, response.url) not in expected_statuses
            and problems.append(f"{response.status}: {response.url}")
        ),
    )
    return context, page


class Walk:
    """Rosa's page, the addresses she visits, and what every page must satisfy."""

    def __init__(self, page):
        self.page = page
        self.visited = []

    def at(self, heading, shot=None):
        """The page now shown has ``heading`` as its title and fits the phone's width."""
        page = self.page
        expect(page.locator("h1")).to_have_text(heading)
        self.visited.append(page.url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 375px screen"
        if shot:
            screenshot(page, f"workspace-{shot}")

    def says(self, text):
        """The success message at the top of the page."""
        expect(self.page.locator(".messages")).to_contain_text(text)

    def link(self, name, exact=True):
        """A link of the page's content (not of the site's header)."""
        return self.page.locator("#main").get_by_role("link", name=name, exact=exact)

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def back(self, label):
        """Follow the back link above the title (its text is ``label``)."""
        link = self.page.locator(".back-link a")
        expect(link).to_have_text(label)
        link.click()

    def my_networks(self):
        self.page.locator(".workspace-nav").get_by_role("link", name="Mis redes").click()

    def field(self, label, **kwargs):
        return self.page.get_by_label(label, **kwargs)


@pytest.fixture
def site(live_server, border_municipalities, countries):
    """A cross-border table whose open coordinator seat is Rosa's (no account yet), two more
    members, and another network with a coordinator who has an account."""
    m = border_municipalities
    table = NetworkFactory(
        name="Mesa Técnica Transfronteriza del Trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=list(m.values()),
    )
    alcaldia = InstitutionFactory(
        name="Alcaldía Municipal de Metapán",
        country=countries["SV"],
        sector=Sector.MUNICIPAL_GOVERNMENT,
    )
    municipalidad = InstitutionFactory(
        name="Municipalidad de Esquipulas",
        country=countries["GT"],
        sector=Sector.MUNICIPAL_GOVERNMENT,
    )
    pastoral = InstitutionFactory(
        name="Pastoral de Movilidad Humana de Ocotepeque",
        country=countries["HN"],
        sector=Sector.FAITH_BASED,
    )
    rosa = PersonFactory(
        first_name="Rosa",
        last_name="Alvarenga",
        email="rosa.alvarenga@alcaldia-metapan.example",
        institution=alcaldia,
    )
    MembershipFactory(network=table, person=rosa, role=MembershipRole.COORDINATOR)
    members = [
        PersonFactory(first_name="Julio", last_name="Cabrera", institution=municipalidad),
        PersonFactory(first_name="Marisol", last_name="Zelaya", institution=pastoral),
    ]
    for member in members:
        MembershipFactory(network=table, person=member)

    other = NetworkFactory(name="Red Local de Movilidad Humana de Jutiapa")
    other_account = UserFactory(email="brenda.morales@jutiapa.example", name="Brenda Morales")
    other_coordinator = PersonFactory(
        first_name="Brenda",
        last_name="Morales",
        email=other_account.email,
        user=other_account,
        institution=InstitutionFactory(name="Municipalidad de Jutiapa", country=countries["GT"]),
    )
    MembershipFactory(network=other, person=other_coordinator, role=MembershipRole.COORDINATOR)

    # Loaded by data migrations, but an earlier transactional test of the run may have
    # flushed them: known slugs and numbers return the existing rows.
    ThemeFactory(slug="return-reintegration", name_es="Retorno y reintegración")
    GCMObjective.objects.get_or_create(
        number=21,
        defaults={
            "title_es": "Colaborar para facilitar el regreso y la readmisión en condiciones "
            "de seguridad y dignidad, así como la reintegración sostenible",
            "title_en": "Cooperate in facilitating safe and dignified return and readmission, "
            "as well as sustainable reintegration",
        },
    )
    staff = UserFactory(email="oim.staff@example.org", is_staff=True, is_superuser=True)
    return {
        "url": live_server.url,
        "table": table,
        "rosa": rosa,
        "alcaldia": alcaldia,
        "members": members,
        "other": other,
        "other_account": other_account,
        "staff": staff,
    }


def invitation_link(site) -> str:
    """Staff invite Rosa; the link of the e-mail she receives, on the live server's host.

    The service runs here, in the test's thread, so the locmem backend's ``mail.outbox``
    holds the message (nothing needs reading from the live server's thread).
    """
    invitation_send(person=site["rosa"], actor=site["staff"], network=site["table"])
    assert mail.outbox, "the invitation e-mail was not sent"
    message = mail.outbox[-1]
    assert message.to == ["rosa.alvarenga@alcaldia-metapan.example"]
    found = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert found, message.body
    link = urlsplit(found.group(0))
    live = urlsplit(site["url"])
    return urlunsplit((live.scheme, live.netloc, link.path, link.query, ""))


def test_coordinator_walks_the_workspace_on_a_phone_without_javascript(browser, site):
    problems = []
    expected_statuses = set()
    context, page = phone_context(browser, problems, expected_statuses)
    walk = Walk(page)
    table = site["table"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    due = yesterday + datetime.timedelta(days=30)
    mistakes = []  # expected behaviour that is not there: reported at the end

    # 1-2. The e-mailed link: choose a password, twice ------------------------------------------
    page.goto(invitation_link(site))
    walk.at("Abra su cuenta", "invitation")
    expect(page.locator("main")).to_contain_text("rosa.alvarenga@alcaldia-metapan.example")
    expect(page.locator("main")).to_contain_text(table.name)
    walk.visited.pop()  # the link is not a workspace address (and works once)
    walk.field("Contraseña", exact=True).fill(ROSA_PASSWORD)
    walk.field("Contraseña (de nuevo)").fill(ROSA_PASSWORD)
    walk.button("Abrir mi cuenta").click()

    walk.at("Mis redes", "home")
    walk.says("Le damos la bienvenida. Su cuenta está lista.")
    site["rosa"].refresh_from_db()
    assert site["rosa"].user is not None
    assert site["rosa"].user.email == "rosa.alvarenga@alcaldia-metapan.example"
    panel = page.locator("section.panel")
    expect(panel).to_have_count(1)
    expect(panel).to_contain_text("3 integrantes actuales")

    walk.link(table.name).click()
    walk.at(table.name, "network")

    # Members: add a new one --------------------------------------------------------------------
    walk.link("Integrantes").click()
    walk.at("Integrantes", "members")
    expect(page.locator(".result-count")).to_have_text("3 integrantes actuales")
    walk.link("Agregar una persona integrante").click()
    walk.at("Agregar una persona integrante", "member-add")
    walk.field("Dirección de correo electrónico").fill("teodoro.membreno@example.org")
    walk.field("Nombres").fill("Teodoro")
    walk.field("Apellidos").fill("Membreño")
    walk.field("Hombre").check()
    walk.field("Cargo").fill("Técnico de la Unidad Municipal de Migración")
    walk.field("Institución").select_option(label="Alcaldía Municipal de Metapán")
    walk.button("Continuar").click()

    walk.at("Revise sus respuestas", "member-check")
    answers = page.locator(".summary-list")
    for answer in ("Teodoro", "Membreño", "Hombre", "Alcaldía Municipal de Metapán", "Integrante"):
        expect(answers).to_contain_text(answer)
    walk.button("Agregar a la red").click()

    walk.at("Teodoro Membreño", "member-added")
    walk.says(f"Teodoro Membreño ahora es integrante de {table.name}.")
    teodoro = Person.objects.get(email="teodoro.membreno@example.org")
    seat = Membership.objects.open().get(network=table, person=teodoro)
    assert seat.role == MembershipRole.MEMBER
    assert seat.institution == site["alcaldia"]
    assert teodoro.sex == Sex.MALE
    walk.back("Integrantes")
    walk.at("Integrantes")
    expect(page.locator(".result-count")).to_have_text("4 integrantes actuales")
    expect(page.get_by_role("row", name="Membreño, Teodoro")).to_contain_text(
        "Alcaldía Municipal de Metapán"
    )

    # Sessions: plan one ------------------------------------------------------------------------
    walk.back(table.name)
    walk.at(table.name)
    walk.link("Sesiones").click()
    walk.at("Sesiones", "sessions")
    walk.link("Programar una sesión nueva").click()
    walk.at("Nueva sesión", "session-new")
    walk.field("Título").fill(SESSION_TITLE)
    walk.field("Fecha", exact=True).fill(yesterday.isoformat())
    walk.field("Hora de inicio").fill("09:00")
    walk.field("Hora de fin").fill("11:30")
    walk.field("Presencial").check()
    walk.field("Lugar").fill("Salón de sesiones de la Alcaldía")
    walk.field("Municipio").select_option(label="Metapán")
    walk.field("De qué trata la sesión").fill("Seguimiento de los acuerdos del trimestre.")
    walk.button("Continuar").click()

    walk.at("Revise sus respuestas", "session-check")
    rows = page.locator(".summary-list")
    expect(rows).to_contain_text(SESSION_TITLE)
    expect(rows).to_contain_text(f"{date_format(yesterday, 'DATE_FORMAT')}, 09:00–11:30")
    expect(rows).to_contain_text("Presencial")
    expect(rows).to_contain_text("Metapán")
    walk.button("Guardar la sesión").click()

    walk.at(SESSION_TITLE, "session")
    walk.says(f"Se creó la sesión «{SESSION_TITLE}».")
    session = Session.objects.get(title=SESSION_TITLE)
    assert list(session.networks.all()) == [table]
    assert timezone.localtime(session.start).date() == yesterday
    assert session.is_public is False
    session_url = page.url

    # Register participants ---------------------------------------------------------------------
    walk.link("inscribir integrantes", exact=False).click()
    walk.at("Participantes", "participants")
    walk.field("Rosa Alvarenga").check()
    walk.field("Teodoro Membreño").check()
    walk.field("Julio Cabrera").check()
    walk.button("Inscribirlas").click()

    walk.at("Participantes", "participants-registered")
    walk.says("Se inscribieron 3 personas.")
    expect(page.locator("#registered")).to_have_text("3 personas inscritas")
    for name in ("Rosa Alvarenga", "Teodoro Membreño", "Julio Cabrera"):
        expect(page.get_by_role("row", name=name)).to_contain_text("Participante")
    assert Participation.objects.filter(session=session).count() == 3

    # Who came, in one request ------------------------------------------------------------------
    walk.link("Registrar quién asistió").click()
    walk.at("Quién asistió", "attendance")
    attendance_url = page.url
    posts = []
    page.on(
        "request",
        lambda request: (
            request.method == "POST" and request.url == attendance_url and posts.append(request.url)
        ),
    )
    walk.field("Rosa Alvarenga").check()
    walk.field("Teodoro Membreño").check()
    expect(walk.field("Julio Cabrera")).not_to_be_checked()
    walk.button("Guardar quién asistió").click()

    walk.at(SESSION_TITLE, "attendance-saved")
    assert page.url == session_url
    walk.says("Asistencia guardada: 2 de 3 personas asistieron.")
    expect(page.locator("main")).to_contain_text("3 personas inscritas, asistencia: 2.")
    assert len(posts) == 1
    came = Participation.objects.filter(session=session, attended=True)
    assert sorted(p.person.last_name for p in came) == ["Alvarenga", "Membreño"]

    # The minutes' draft ------------------------------------------------------------------------
    walk.link("Redactar el acta").click()
    walk.at("Acta", "minutes")
    walk.field("Acta completa").fill(
        "Se revisaron los acuerdos del trimestre. Asistieron la Alcaldía de Metapán y la "
        "coordinación de la mesa."
    )
    walk.field("Resumen público").fill("La mesa revisó sus acuerdos del trimestre.")
    walk.button("Guardar el acta").click()

    walk.at("Acta", "minutes-saved")
    walk.says("Se guardó el acta.")
    expect(page.locator(".badge").first).to_have_text("Borrador")
    minutes = Minutes.objects.get(session=session)
    assert minutes.status == "draft"
    assert minutes.summary == "La mesa revisó sus acuerdos del trimestre."

    # An agreement ------------------------------------------------------------------------------
    walk.back(SESSION_TITLE)
    walk.at(SESSION_TITLE)
    walk.link("Registrar un acuerdo").click()
    walk.at("Registrar un acuerdo", "agreement-new")
    walk.field("Lo que se acordó").fill(AGREEMENT_TEXT)
    walk.field("Institución responsable").select_option(label="Alcaldía Municipal de Metapán")
    walk.field("Fecha de vencimiento").fill(due.isoformat())
    walk.button("Guardar el acuerdo").click()

    walk.at("Acuerdo", "agreement")
    walk.says("Se guardó el acuerdo.")
    main = page.locator("main")
    expect(main).to_contain_text(AGREEMENT_TEXT)
    expect(main).to_contain_text("Alcaldía Municipal de Metapán")
    expect(main).to_contain_text(date_format(due, "DATE_FORMAT"))
    agreement = Agreement.objects.get(session=session)
    assert agreement.text == AGREEMENT_TEXT
    assert agreement.responsible_institution == site["alcaldia"]
    assert agreement.due_date == due

    # Good practices: a draft through the question pages, then submitted ---------------------
    walk.my_networks()
    walk.at("Mis redes")
    expect(page.locator("section.panel")).to_contain_text("4 integrantes actuales")
    expect(page.locator("section.panel")).to_contain_text("1 abierto")
    walk.link(table.name).click()
    walk.at(table.name)
    walk.link("Buenas prácticas").click()
    walk.at("Buenas prácticas", "practices")
    walk.link("Proponer una práctica nueva").click()

    walk.at("Acerca de la práctica", "practice-1")
    expect(page.locator(".caption")).to_contain_text("Pregunta 1 de 5")
    walk.field("Nombre de la práctica").fill(PRACTICE_TITLE)
    walk.field("Servicio público").check()
    walk.field("Resumen: el problema al que responde y lo que hace").fill(
        "Una ventanilla en la alcaldía orienta a las personas retornadas sobre documentos, "
        "empleo y salud, y las deriva a los servicios de los tres países."
    )
    walk.field("Español").check()
    walk.button("Guardar y continuar").click()

    walk.at("Qué se hizo", "practice-2")
    walk.says("Su borrador está guardado.")
    walk.field("¿Qué se hizo?").fill("Se abrió una ventanilla con dos personas técnicas.")
    walk.field("¿Cuáles fueron los resultados?").fill("340 personas atendidas en 2024.")
    walk.field("Metapán (Santa Ana, El Salvador)").check()
    walk.field("Retorno y reintegración").check()
    walk.button("Guardar y continuar").click()

    walk.at("El Pacto Mundial para la Migración", "practice-3")
    walk.says("Sus respuestas están guardadas.")
    walk.field("Colaborar para facilitar el regreso").check()
    walk.button("Guardar y continuar").click()

    walk.at("Quiénes y cuándo", "practice-4")
    walk.field("¿Qué institución la lideró?").select_option(label="Alcaldía Municipal de Metapán")
    walk.field("Pastoral de Movilidad Humana de Ocotepeque").check()
    walk.field("¿En qué año comenzó?").fill("2022")
    walk.field("En curso").check()
    walk.button("Guardar y continuar").click()

    walk.at("Lo que otros pueden aprender", "practice-5")
    walk.field("¿Qué se aprendió?").fill("Atender en la alcaldía genera confianza.")
    walk.field("¿Qué fue difícil?").fill("Conseguir los datos de contacto de los servicios.")
    walk.field("¿Qué necesitaría otro municipio para hacer lo mismo?").fill(
        "Un espacio en la alcaldía y dos personas formadas."
    )
    walk.button("Guardar y continuar").click()

    walk.at("Revise sus respuestas antes de enviar", "practice-check")
    expect(page.locator("#missing-title")).to_have_count(0)
    main = page.locator("main")
    for answer in (PRACTICE_TITLE, "Servicio público", "Retorno y reintegración", "2022"):
        expect(main).to_contain_text(answer)
    # Each answer has a link to change it, "Cambiar" (the verb) as on the other check pages;
    # checked at the end, so that a wrong word does not hide the rest of the path.
    if walk.link(re.compile(r"^Cambiar ")).count() == 0:
        mistakes.append(
            f"{page.url}: the answers' change links read "
            f"{walk.link(re.compile(r'^Cambio ')).count()} × 'Cambio' (the noun), not 'Cambiar'"
        )
    walk.field("¿Hay algo que el equipo de revisión deba saber?").fill(
        "Tenemos fotos de la ventanilla si hacen falta."
    )
    walk.button("Enviar a revisión").click()

    walk.at(PRACTICE_TITLE, "practice-submitted")
    walk.says(f"«{PRACTICE_TITLE}» se envió a revisión.")
    expect(page.locator("#next-title")).to_have_text("En revisión")
    practice = Practice.objects.get(title=PRACTICE_TITLE)
    assert practice.status == ReviewStatus.SUBMITTED
    assert practice.network == table
    assert list(practice.municipalities.values_list("name", flat=True)) == ["Metapán"]
    edit_url = (
        f"{site['url']}/dashboard/networks/{table.slug}/practices/{practice.pk}/answers/work/"
    )
    assert edit_url in walk.visited

    # 3. Staff publish it; Rosa sees it published and read-only ------------------------------
    practice_publish(practice=practice, actor=site["staff"])

    walk.my_networks()
    walk.at("Mis redes")
    expect(page.locator("section.panel")).to_contain_text("0 en revisión")
    walk.link(table.name).click()
    walk.at(table.name)
    walk.link("Buenas prácticas").click()
    walk.at("Buenas prácticas", "practices-published")
    expect(page.locator("#status-published")).to_contain_text("Publicada")
    expect(walk.link(re.compile("^Verla en el catálogo público"))).to_have_count(1)
    walk.link(PRACTICE_TITLE).click()

    walk.at(PRACTICE_TITLE, "practice-published")
    expect(page.locator("#next-title")).to_have_text("Publicada")
    expect(walk.link(re.compile(r"^(Cambiar|Cambio)\b"))).to_have_count(0)
    expect(walk.link("Revise sus respuestas y envíe")).to_have_count(0)
    expect(walk.link("Agregar o quitar archivos")).to_have_count(0)
    expect(walk.link("Ver los archivos")).to_have_count(1)
    # Her bookmark of a question page of the draft no longer opens a form.
    expected_statuses.add((403, edit_url))
    response = page.goto(edit_url)
    assert response.status == 403
    expect(page.locator("form.question-form")).to_have_count(0)
    screenshot(page, "workspace-practice-locked")
    context.close()
    assert problems == []

    # 4. Another network's coordinator types Rosa's addresses -------------------------------
    workspace = f"{site['url']}/dashboard/networks/{table.slug}/"
    typed = list(dict.fromkeys(url for url in walk.visited if url.startswith(workspace)))
    assert len(typed) >= 20, typed
    names = [
        "Rosa",
        "Alvarenga",
        "Teodoro",
        "Membreño",
        "Julio",
        "Cabrera",
        "Marisol",
        "Zelaya",
    ]

    other_problems = []
    denied = {(404, url) for url in typed}
    context, page = phone_context(browser, other_problems, denied)
    page.goto(f"{site['url']}/")
    page.get_by_role("link", name="Iniciar sesión").click()
    expect(page.locator("h1")).to_have_text("Iniciar sesión")
    page.get_by_label("Correo electrónico").fill(site["other_account"].email)
    page.get_by_label("Contraseña").fill(OTHER_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.locator("h1")).to_have_text("Mis redes")
    expect(page.locator("section.panel h2")).to_have_text([site["other"].name])
    screenshot(page, "workspace-other-coordinator")

    for url in typed:
        response = page.goto(url)
        assert response.status == 404, f"{url} answered {response.status}"
        expect(page.locator("h1")).to_have_text("Página no encontrada")
        text = page.locator("body").inner_text()
        shown = [name for name in names if name in text]
        assert shown == [], f"{url} shows {shown}"
    screenshot(page, "workspace-other-404")
    context.close()
    assert other_problems == []
    assert mistakes == []
