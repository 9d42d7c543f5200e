"""Seed the benchmark database with realistic, Spanish-text data, through bulk paths only.

The registry (real border geography plus interior municipalities, institutions, networks,
5 000 people and their memberships), 500 sessions with 50 000 participations, and published
practices grown in steps (1 000, 10 000, 100 000) plus drafts. Rows go in with PostgreSQL
``COPY``; search vectors are then built by one set-based UPDATE with the very expressions of
``practices.search.practice_index``, and the practices' table is compacted (``analyze``).

Text is generated from phrase pools so that two queries have known selectivity:

- ``NARROW_QUERY`` is a programme name given to 20 of the first 1 000 practices (one in 50)
  and to no other, so it matches 20 at every size: the page shows the same 20 cards whether
  the catalogue holds 1 000 or 100 000 practices, and their ratio is the cost of size alone.
  Each practice also carries one of ``RARE_NAMES`` (one practice in 5 000 each);
- ``BROAD_QUERY`` ("salud") appears in a sentence that about a fifth of the practices carry,
  and in no other phrase of the pools.
"""

import datetime
import io
import random

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from common.text import folded_words
from networks.demo import border_municipalities_load
from networks.enums import ConsentBasis, MembershipRole, NetworkKind, NetworkStatus, Sector, Sex
from networks.geography import geography_load
from networks.models import (
    Country,
    Department,
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    Programme,
)
from practices.enums import ImplementationStatus, PracticeType, ReviewStatus
from practices.facets import facet_keys_rebuild
from practices.models import GCMObjective, Practice, Theme
from practices.search import TEXT_FIELDS, search_vectors

try:  # the conferences app may not be there yet
    from conferences.models import (
        AgendaItem,
        Agreement,
        Conference,
        Minutes,
        Participation,
        Session,
    )
except ImportError:  # pragma: no cover
    Session = None

PEOPLE = 5_000
SESSIONS = 500
PARTICIPATIONS = 50_000
INTERIOR_MUNICIPALITIES = 180
INSTITUTIONS = 600
NETWORKS = 40
DRAFT_SHARE = 0.1  # drafts and practices in review, on top of the published ones
BROAD_SHARE = 0.2

SYLLABLES = [
    "ca",
    "ta",
    "la",
    "ma",
    "na",
    "pa",
    "sa",
    "ra",
    "te",
    "le",
    "me",
    "ne",
    "pe",
    "se",
    "re",
    "ti",
    "li",
    "mi",
    "ni",
    "pi",
    "si",
    "ri",
    "co",
    "lo",
    "mo",
    "no",
    "po",
    "so",
    "ro",
    "cu",
    "lu",
    "mu",
    "nu",
    "pu",
    "su",
    "ru",
    "gua",
    "hue",
    "chi",
    "tzu",
    "qui",
    "xe",
    "ya",
    "cal",
    "tan",
    "pan",
    "mal",
    "zac",
    "jal",
    "tec",
    "huit",
]
RARE_NAMES_COUNT = 5_000


def _rare_names(count: int) -> list[str]:
    """Distinct invented programme names ("Tzunalpa"): each is a narrow search term."""
    rng = random.Random(7)
    names: list[str] = []
    seen = set()
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word in seen or "salud" in word:
            continue
        seen.add(word)
        names.append(word.capitalize())
    return names


_NAMES = _rare_names(RARE_NAMES_COUNT + 1)  # the same 5 000 names, and one more
RARE_NAMES, NARROW_QUERY = _NAMES[:-1], _NAMES[-1]
#: Practices 1, 51 ... 951 carry NARROW_QUERY: 20 matches at every size.
NARROW_EVERY, NARROW_BELOW = 50, 1000
BROAD_QUERY = "salud"

# Phrase pools. None of them contains "salud" (or a word stemming to it): only BROAD_SENTENCES do.
KINDS = {
    PracticeType.MUNICIPAL_ORDINANCE: ["Ordenanza municipal", "Acuerdo municipal", "Reglamento"],
    PracticeType.PROGRAMME_OR_PROJECT: ["Programa", "Proyecto", "Iniciativa"],
    PracticeType.PUBLIC_SERVICE: ["Ventanilla", "Oficina municipal", "Servicio"],
    PracticeType.COORDINATION_MECHANISM: ["Mesa de coordinación", "Protocolo", "Red"],
    PracticeType.TRAINING: ["Curso", "Diplomado", "Taller"],
    PracticeType.AWARENESS_CAMPAIGN: ["Campaña", "Jornada", "Feria informativa"],
    PracticeType.OTHER: ["Experiencia", "Práctica", "Estrategia"],
}
TYPE_WEIGHTS = [18, 26, 16, 14, 12, 9, 5]
TOPICS = [
    "de atención a personas retornadas",
    "de protección de niñez migrante no acompañada",
    "de empleo para jóvenes en riesgo de migrar",
    "de prevención de la trata de personas",
    "de orientación a personas en tránsito",
    "de registro de población migrante",
    "de inclusión económica de mujeres retornadas",
    "de acogida comunitaria",
    "de gestión de remesas productivas",
    "de documentación e identidad",
    "de reintegración psicosocial",
    "de seguridad alimentaria en la frontera",
    "de coordinación entre alcaldías fronterizas",
    "de prevención de la violencia basada en género",
    "de acceso a la educación de hijos de migrantes",
    "de formación técnica y vocacional",
    "de emprendimiento local",
    "de información sobre migración regular",
    "de gestión del riesgo y desplazamiento",
    "de atención consular en frontera",
]
ACTORS = [
    "La alcaldía",
    "El concejo municipal",
    "La mesa técnica transfronteriza",
    "La red local de protección",
    "La unidad municipal de la mujer",
    "La oficina de atención al migrante",
    "Un comité comunitario",
    "La mancomunidad",
    "El equipo técnico municipal",
    "La comisión de niñez",
]
VERBS = [
    "impulsó",
    "puso en marcha",
    "coordinó",
    "institucionalizó",
    "diseñó",
    "amplió",
    "organizó",
    "financió",
    "acompañó",
    "evaluó",
]
OBJECTS = [
    "un registro único de personas retornadas",
    "una ruta de referencia interinstitucional",
    "un fondo semilla para emprendimientos",
    "un albergue temporal con enfoque de derechos",
    "una ventanilla de orientación laboral",
    "un protocolo de atención a niñas, niños y adolescentes",
    "una campaña radial en lenguas mayas",
    "un sistema de alerta temprana",
    "un convenio con cooperativas de ahorro",
    "un diagnóstico participativo de movilidad humana",
    "una escuela de oficios",
    "un mapa de servicios en la frontera",
    "una línea telefónica gratuita",
    "brigadas móviles de documentación",
    "mesas de diálogo con la comunidad",
    "un plan municipal de migración",
    "un programa de becas para adolescentes",
    "la certificación de competencias laborales",
]
PURPOSES = [
    "para reducir la migración irregular",
    "para facilitar la reintegración de las familias",
    "para garantizar el acceso a servicios básicos",
    "para mejorar la coordinación entre instituciones",
    "para prevenir la separación familiar",
    "para generar ingresos en la comunidad",
    "para informar sobre los riesgos del viaje",
    "para fortalecer la gobernanza local",
    "para proteger a las personas en tránsito",
    "para contar con datos confiables",
    "para promover la cohesión social",
    "para reconocer los aprendizajes de quienes regresan",
]
DETAILS = [
    "Participaron {n} personas de {k} comunidades.",
    "Se capacitó a {n} funcionarios y funcionarias municipales.",
    "La iniciativa alcanzó a {n} familias durante el primer año.",
    "El presupuesto municipal asignó fondos propios por tercer año consecutivo.",
    "Se firmó un acuerdo con {k} instituciones nacionales.",
    "La experiencia se documentó en una guía metodológica.",
    "Las reuniones se celebran cada mes y rotan entre los municipios.",
    "Se habilitó un espacio seguro en el parque central.",
    "Se elaboró una base de datos compartida con la mesa técnica.",
    "La cooperación internacional aportó asistencia técnica.",
    "Se realizaron {k} ferias de empleo en la cabecera departamental.",
    "Los resultados se presentaron en el intercambio regional de buenas prácticas.",
]
BROAD_SENTENCES = [
    "Incluye acompañamiento en salud mental para las familias.",
    "Se coordinó con la unidad de salud la atención de personas en tránsito.",
    "Las jornadas de salud preventiva se hicieron en la plaza municipal.",
    "El promotor de salud comunitaria refiere los casos a la red.",
]
RESULTS = [
    "Se redujo el tiempo de atención de semanas a días.",
    "Más de {n} personas obtuvieron documentos de identidad.",
    "{k} emprendimientos siguen activos después de dos años.",
    "La ordenanza fue aprobada por unanimidad y publicada en el diario oficial.",
    "El servicio se mantiene con recursos municipales.",
    "Otros {k} municipios solicitaron asistencia para replicarla.",
]
LESSONS = [
    "La continuidad depende de que el concejo la incluya en el presupuesto.",
    "Involucrar a las personas retornadas desde el diseño mejoró la participación.",
    "La coordinación transfronteriza exige acuerdos escritos y puntos focales estables.",
    "Los datos desagregados por sexo y edad orientaron mejor las decisiones.",
    "La rotación del personal municipal obliga a documentar cada procedimiento.",
]
CHALLENGES = [
    "El cambio de autoridades municipales retrasó la implementación.",
    "La conectividad en las aldeas limita el registro en línea.",
    "Falta financiamiento estable para el personal técnico.",
    "La desconfianza inicial de la comunidad tardó meses en superarse.",
]
REQUIREMENTS = [
    "Un acuerdo del concejo municipal y una persona responsable en la alcaldía.",
    "Un espacio físico accesible y un presupuesto anual modesto.",
    "Alianzas con organizaciones locales y con la mesa técnica.",
    "Capacitación inicial del personal y un sistema de registro sencillo.",
]
FIRST_NAMES = [
    "María",
    "José",
    "Ana",
    "Carlos",
    "Luis",
    "Rosa",
    "Juan",
    "Carmen",
    "Jorge",
    "Sofía",
    "Miguel",
    "Elena",
    "Pedro",
    "Lucía",
    "Francisco",
    "Gabriela",
    "Mario",
    "Andrea",
    "Oscar",
    "Patricia",
    "Héctor",
    "Claudia",
    "Manuel",
    "Sandra",
    "Óscar",
    "Reina",
]
LAST_NAMES = [
    "García",
    "López",
    "Hernández",
    "Martínez",
    "Pérez",
    "González",
    "Rodríguez",
    "Ramírez",
    "Cruz",
    "Flores",
    "Morales",
    "Reyes",
    "Ortiz",
    "Castillo",
    "Mejía",
    "Chávez",
    "Alvarado",
    "Aguilar",
    "Ramos",
    "Orellana",
    "Portillo",
    "Lemus",
    "Pineda",
]


# COPY -------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(table: str, columns: list[str], rows) -> int:
    """Load ``rows`` (tuples in ``columns`` order) into ``table`` with one COPY."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_cell(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    quoted = ", ".join(f'"{name}"' for name in columns)  # "end", "start" are keywords
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT text)",
            buffer,
        )
    return count


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def _weights(count: int, skew: float = 1.0) -> list[float]:
    """Zipf-like weights: a few items are very common, most are rare (as in real use)."""
    return [1 / (rank + 1) ** skew for rank in range(count)]


# The registry and sessions -------------------------------------------------------------


@transaction.atomic
def seed_registry(*, seed: int = 1) -> dict:
    """Everything but practices. Returns counts for the report."""
    rng = random.Random(seed)
    now = timezone.now()
    geography_load()
    border_municipalities_load()
    departments = list(Department.objects.select_related("country").order_by("code"))

    # Interior municipalities beside the real border ones.
    taken = {(m.department_id, m.name.lower()) for m in Municipality.objects.all()}
    interior = []
    while len(interior) < INTERIOR_MUNICIPALITIES:
        department = rng.choice(departments)
        name = "San " + "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        if (department.pk, name.lower()) in taken:
            continue
        taken.add((department.pk, name.lower()))
        slug = f"{slugify(name)}-{department.code.lower()}-{len(interior)}"
        interior.append(Municipality(department=department, name=name, slug=slug))
    Municipality.objects.bulk_create(interior, batch_size=1000)

    municipalities = list(Municipality.objects.current().select_related("department__country"))
    programme, _ = Programme.objects.get_or_create(name="Programa regional de migración (bench)")

    institutions = []
    for index in range(INSTITUTIONS):
        place = municipalities[index % len(municipalities)]
        if index < len(municipalities):
            name, sector = (
                f"Alcaldía Municipal de {place.name} {index}",
                Sector.MUNICIPAL_GOVERNMENT,
            )
        else:
            sector = rng.choice(list(Sector))
            name = f"Asociación {rng.choice(RARE_NAMES[100:600])} {index} (ficticia)"
        institutions.append(
            Institution(
                name=name,
                acronym="",
                sector=sector,
                country=place.department.country,
                municipality=place,
            )
        )
    Institution.objects.bulk_create(institutions, batch_size=1000)
    institutions = list(Institution.objects.order_by("pk"))

    border = [m for m in municipalities if m.is_border]
    networks = []
    for index in range(NETWORKS):
        cross_border = index % 3 == 0
        name = (
            f"Mesa técnica transfronteriza {rng.choice(RARE_NAMES[600:900])} {index}"
            if cross_border
            else f"Red local de protección {rng.choice(RARE_NAMES[900:1200])} {index}"
        )
        networks.append(
            Network(
                name=name,
                slug=slugify(name),
                kind=NetworkKind.CROSS_BORDER_TABLE if cross_border else NetworkKind.LOCAL_NETWORK,
                status=rng.choices(list(NetworkStatus), weights=[1, 8, 2, 1])[0],
                description=f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.",
                founded_on=datetime.date(rng.randint(2013, 2023), rng.randint(1, 12), 1),
                programme=programme,
            )
        )
    Network.objects.bulk_create(networks)
    networks = list(Network.objects.order_by("pk"))
    links = []
    by_country: dict[str, list[Municipality]] = {}
    for place in border:
        by_country.setdefault(place.department.country.code, []).append(place)
    for network in networks:
        if network.kind == NetworkKind.CROSS_BORDER_TABLE:
            codes = rng.sample(sorted(by_country), 2)
            chosen = {rng.choice(by_country[code]).pk for code in codes}
            chosen |= {rng.choice(border).pk for _ in range(rng.randint(0, 3))}
        else:
            chosen = {rng.choice(municipalities).pk for _ in range(rng.randint(1, 3))}
        links += [(network.pk, pk) for pk in chosen]
    through = Network.municipalities.through
    copy_rows(through._meta.db_table, ["network_id", "municipality_id"], links)

    # People and memberships.
    person_id = _next_id(Person)
    people = []
    for index in range(PEOPLE):
        institution = rng.choice(institutions)
        consent = index % 4 != 0
        people.append(
            (
                person_id + index,
                rng.choice(FIRST_NAMES),
                f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}",
                rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.NOT_STATED]),
                f"persona{index}@example.org",
                f"+503 7{index:07d}",
                "Técnico municipal",
                institution.pk,
                datetime.date(2022, 1, 1) if consent else None,
                ConsentBasis.WRITTEN if consent else "",
                None,
                now,
                now,
            )
        )
    copy_rows(
        Person._meta.db_table,
        [
            "id",
            "first_name",
            "last_name",
            "sex",
            "email",
            "phone",
            "position",
            "institution_id",
            "consent_date",
            "consent_basis",
            "user_id",
            "created_at",
            "updated_at",
        ],
        people,
    )
    _reset_sequence(Person)
    memberships = []
    network_weights = _weights(len(networks), 0.6)
    for row in people:
        chosen = set(rng.choices(range(len(networks)), weights=network_weights, k=2))
        for position in chosen:
            start = datetime.date(rng.randint(2014, 2024), rng.randint(1, 12), 1)
            ended = rng.random() < 0.2
            memberships.append(
                (
                    row[0],
                    networks[position].pk,
                    row[7],
                    rng.choices(list(MembershipRole), weights=[1, 1, 1, 20, 3])[0],
                    start,
                    start + datetime.timedelta(days=400) if ended else None,
                )
            )
    copy_rows(
        Membership._meta.db_table,
        ["person_id", "network_id", "institution_id", "role", "start_date", "end_date"],
        memberships,
    )

    counts = {"people": PEOPLE, "memberships": len(memberships), "networks": len(networks)}
    if Session is not None:
        counts.update(_seed_sessions(rng, networks, people, institutions, municipalities))
    return counts


def _seed_sessions(rng, networks, people, institutions, municipalities) -> dict:
    now = timezone.now()
    conference = Conference.objects.create(
        title="Intercambio regional de buenas prácticas (bench)",
        slug="intercambio-regional-bench",
        start_date=datetime.date(2020, 6, 1),
        end_date=datetime.date(2020, 6, 5),
        is_public=True,
    )
    session_id = _next_id(Session)
    sessions = []
    for index in range(SESSIONS):
        start = now - datetime.timedelta(days=rng.randint(-60, 3000), hours=rng.randint(0, 8))
        place = rng.choice(municipalities)
        sessions.append(
            (
                session_id + index,
                conference.pk if index % 10 == 0 else None,
                f"Sesión ordinaria {index} de la {rng.choice(TOPICS)[3:]}",
                f"sesion-ordinaria-{index}",
                f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.",
                start,
                start + datetime.timedelta(hours=3),
                rng.choice(["in_person", "virtual", "hybrid"]),
                f"Salón de usos múltiples de {place.name}",
                place.pk,
                "",
                "held" if start < now else "planned",
                120,
                index % 5 != 0,
                0,
                now,
                now,
            )
        )
    copy_rows(
        Session._meta.db_table,
        [
            "id",
            "conference_id",
            "title",
            "slug",
            "description",
            "start",
            "end",
            "modality",
            "venue",
            "municipality_id",
            "meeting_link",
            "status",
            "capacity",
            "is_public",
            "sequence",
            "created_at",
            "updated_at",
        ],
        sessions,
    )
    _reset_sequence(Session)
    copy_rows(
        Session.networks.through._meta.db_table,
        ["session_id", "network_id"],
        [
            (row[0], pk)
            for row in sessions
            for pk in {rng.choice(networks).pk for _ in range(rng.randint(1, 2))}
        ],
    )
    agenda, minutes, agreements = [], [], []
    for row in sessions:
        for position in range(4):
            agenda.append(
                AgendaItem(
                    session_id=row[0],
                    position=position,
                    title=f"Punto {position + 1}: {rng.choice(OBJECTS)}",
                    duration_minutes=30,
                    presenter_institution=rng.choice(institutions),
                )
            )
        if row[11] == "held":
            minutes.append(
                Minutes(
                    session_id=row[0],
                    text="Acta completa de la sesión.",
                    summary=f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}.",
                    status="published",
                    approved_at=now,
                    published_at=now,
                )
            )
            agreements += [
                Agreement(
                    session_id=row[0],
                    text=f"Dar seguimiento a {rng.choice(OBJECTS)}.",
                    responsible_institution=rng.choice(institutions),
                    due_date=(row[5] + datetime.timedelta(days=30)).date(),
                )
                for _ in range(2)
            ]
    AgendaItem.objects.bulk_create(agenda, batch_size=2000)
    Minutes.objects.bulk_create(minutes, batch_size=2000)
    Agreement.objects.bulk_create(agreements, batch_size=2000)

    per_session = PARTICIPATIONS // SESSIONS
    institution_of = {institution.pk: institution for institution in institutions}
    participations = []
    for row in sessions:
        for person in rng.sample(people, per_session):
            institution = institution_of[person[7]]
            participations.append(
                (
                    row[0],
                    person[0],
                    "participant",
                    True,
                    row[11] == "held" and rng.random() < 0.8,
                    institution.pk,
                    institution.sector,
                    institution.country_id,
                    institution.municipality_id,
                )
            )
    copy_rows(
        Participation._meta.db_table,
        [
            "session_id",
            "person_id",
            "role",
            "registered",
            "attended",
            "institution_id",
            "sector",
            "country_id",
            "municipality_id",
        ],
        participations,
    )
    return {"sessions": len(sessions), "participations": len(participations)}


# Practices ---------------------------------------------------------------------------------


def _fill(rng, template: str) -> str:
    return template.format(n=rng.randint(20, 900), k=rng.randint(2, 12))


def _practice_text(rng, index: int, kind: str, place: Municipality) -> dict:
    name = RARE_NAMES[index % RARE_NAMES_COUNT]
    if index <= NARROW_BELOW and index % NARROW_EVERY == 1:
        name = f"{name} y {NARROW_QUERY}"
    topic = rng.choice(TOPICS)
    title = f"{rng.choice(KINDS[kind])} {topic} en {place.name}: iniciativa {name}"
    summary = (
        f"{rng.choice(ACTORS)} de {place.name} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(PURPOSES)}. {_fill(rng, rng.choice(DETAILS))}"
    )
    sentences = [
        f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PURPOSES)}."
        for _ in range(rng.randint(3, 6))
    ]
    sentences += [_fill(rng, rng.choice(DETAILS)) for _ in range(rng.randint(2, 4))]
    if rng.random() < BROAD_SHARE:
        sentences.insert(rng.randint(0, len(sentences)), rng.choice(BROAD_SENTENCES))
    body = (
        f"## Contexto\n\n{' '.join(sentences)}\n\n"
        f"## Componentes\n\n- {rng.choice(OBJECTS).capitalize()}\n"
        f"- {rng.choice(OBJECTS).capitalize()}\n"
    )
    return {
        "title": title[:300],
        "summary": summary,
        "body": body,
        "results": " ".join(_fill(rng, rng.choice(RESULTS)) for _ in range(2)),
        "lessons_learned": rng.choice(LESSONS),
        "challenges": rng.choice(CHALLENGES),
        "replication_requirements": rng.choice(REQUIREMENTS),
    }


PRACTICE_COLUMNS = [
    "id",
    "title",
    "slug",
    *TEXT_FIELDS[1:],
    "practice_type",
    "network_id",
    "lead_institution_id",
    "year_started",
    "implementation_status",
    "language",
    "status",
    "submitted_by_id",
    "published_at",
    "created_at",
    "updated_at",
    "search_text",
    "facet_keys",  # "{}" here; facet_keys_rebuild() fills them once the links are in
]


@transaction.atomic
def seed_practices(target_published: int, *, seed: int = 2) -> int:
    """Grow the published practices to ``target_published`` (plus drafts); returns rows added."""
    published_now = Practice.objects.published().count()
    missing = target_published - published_now
    if missing <= 0:
        return 0
    rng = random.Random(seed + target_published)
    now = timezone.now()
    first_id = _next_id(Practice)
    drafts = int(missing * DRAFT_SHARE)
    total = missing + drafts

    municipalities = list(
        Municipality.objects.current()
        .select_related("department__country")
        .order_by("-is_border", "pk")
    )
    place_weights = _weights(len(municipalities), 0.8)
    networks = list(Network.objects.order_by("pk"))
    network_weights = _weights(len(networks), 0.7)
    institutions = list(Institution.objects.order_by("pk").values_list("pk", flat=True))
    themes = list(Theme.objects.order_by("position").values_list("pk", flat=True))
    theme_weights = _weights(len(themes), 0.5)
    objectives = list(GCMObjective.objects.order_by("number").values_list("pk", flat=True))
    objective_weights = _weights(len(objectives), 0.7)
    kinds = [choice for choice, _label in PracticeType.choices]
    in_review = [ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.CHANGES_REQUESTED]

    rows, theme_links, objective_links, place_links = [], [], [], []
    for offset in range(total):
        pk = first_id + offset
        published = offset < missing
        kind = rng.choices(kinds, weights=TYPE_WEIGHTS)[0]
        places = {
            municipalities[i].pk: municipalities[i]
            for i in rng.choices(
                range(len(municipalities)), weights=place_weights, k=rng.choice([1, 1, 1, 2, 3])
            )
        }
        text = _practice_text(rng, pk, kind, next(iter(places.values())))
        published_at = now - datetime.timedelta(days=rng.uniform(0, 12 * 365))
        rows.append(
            (
                pk,
                text["title"],
                f"{slugify(text['title'])[:300]}-{pk}",
                *(text[name] for name in TEXT_FIELDS[1:]),
                kind,
                rng.choices(networks, weights=network_weights)[0].pk
                if rng.random() < 0.8
                else None,
                rng.choice(institutions) if rng.random() < 0.9 else None,
                rng.randint(2008, 2025),
                rng.choice([ImplementationStatus.ONGOING, ImplementationStatus.COMPLETED]),
                "es",
                ReviewStatus.PUBLISHED if published else rng.choice(in_review),
                None,
                published_at if published else None,
                published_at - datetime.timedelta(days=30),
                now,
                " " + folded_words(" ".join(text[name] for name in TEXT_FIELDS)),
                "{}",
            )
        )
        theme_links += [
            (pk, theme)
            for theme in set(rng.choices(themes, weights=theme_weights, k=rng.randint(1, 3)))
        ]
        objective_links += [
            (pk, objective)
            for objective in set(
                rng.choices(objectives, weights=objective_weights, k=rng.randint(1, 3))
            )
        ]
        place_links += [(pk, place) for place in places]

    copy_rows(Practice._meta.db_table, PRACTICE_COLUMNS, rows)
    _reset_sequence(Practice)
    copy_rows(Practice.themes.through._meta.db_table, ["practice_id", "theme_id"], theme_links)
    copy_rows(
        Practice.gcm_objectives.through._meta.db_table,
        ["practice_id", "gcmobjective_id"],
        objective_links,
    )
    copy_rows(
        Practice.municipalities.through._meta.db_table,
        ["practice_id", "municipality_id"],
        place_links,
    )
    # The stored vectors, built by the database in one statement: the expression of
    # practices.search.practice_index, applied to the new rows only.
    Practice.objects.filter(pk__gte=first_id).update(**search_vectors())
    # And their facet keys, built by the database in one statement (practices/facets.py).
    facet_keys_rebuild(from_id=first_id)
    if Session is not None and first_id == 1:
        # Sessions present some of the first practices.
        session_ids = list(Session.objects.values_list("pk", flat=True))
        copy_rows(
            Session.practices.through._meta.db_table,
            ["session_id", "practice_id"],
            [
                (session, practice)
                for session in session_ids
                for practice in {rng.randint(first_id, first_id + missing - 1) for _ in range(2)}
            ],
        )
    return total


def analyze() -> None:
    """Statistics for the planner, and the practices' table as a live catalogue has it.

    Seeding writes every practice three times (COPY, then one UPDATE for the vectors and one
    for the facet keys), leaving two dead versions of each row that no autovacuum has yet
    reclaimed: searches would wade through three times the pages. A live catalogue writes a
    practice and its index a row at a time while autovacuum reclaims, so its table stays about
    as dense as a freshly written one: rewrite it so (VACUUM FULL), then set its visibility
    map (VACUUM), as autovacuum would have.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL {Practice._meta.db_table}")
        cursor.execute(f"VACUUM {Practice._meta.db_table}")
        cursor.execute("ANALYZE")


def search_selectivity() -> dict:
    """How many published practices the two bench queries match (checked, not assumed)."""
    from practices.search import practice_search

    published = Practice.objects.published()
    total = published.count()
    narrow = practice_search(published, NARROW_QUERY).count()
    broad = practice_search(published, BROAD_QUERY).count()
    return {
        "published": total,
        "narrow_matches": narrow,
        "broad_matches": broad,
        "broad_share": broad / total if total else 0,
        "countries": Country.objects.count(),
    }
