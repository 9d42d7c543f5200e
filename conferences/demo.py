"""Demo conferences and sessions for ``manage.py load_demo``, loaded after the registry and the
practices demo.

The two virtual exchanges recreate the kind of conferences IOM and SICA held in September 2020
for border municipalities of El Salvador, Guatemala and Honduras. They are demo content: the
dates, times, agendas, attendance, minutes, agreements and challenges are illustrative, the
people are the fictional ones of the demo registry (networks.demo) and the practices presented
are the demo ordinances (practices.demo), linked only if they exist and are published.

The content is plain data below. Loading is idempotent: rows are found by slug (conferences,
sessions) or by their natural key within a session, and only missing ones are created; an
existing row is never rewritten, so a second run writes nothing.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from networks.access import SYSTEM
from networks.demo import PROGRAMME
from networks.models import Institution, Municipality, Network, Person, Programme
from practices.models import Practice, Theme

from . import services
from .enums import AgreementStatus, Modality, ParticipationRole, SessionStatus
from .models import AgendaItem, Agreement, Challenge, Conference, Minutes, Participation, Session

# Times are written as the region's wall-clock time (UTC-6 all year, no daylight saving).
REGION_TZ = ZoneInfo("America/Guatemala")

TRIFINIO = "Mesa Técnica Transfronteriza del Trifinio"
AMATILLO = "Mesa Técnica Transfronteriza El Amatillo – Goascorán"
JUTIAPA = "Red Local de Movilidad Humana de Jutiapa"

# Institutions of the demo registry, by name.
IOM = "Organización Internacional para las Migraciones"
SICA = "Sistema de la Integración Centroamericana"
CITALA = "Alcaldía Municipal de Citalá"
PASAQUINA = "Alcaldía Municipal de Pasaquina"
OCOTEPEQUE = "Alcaldía Municipal de Ocotepeque"
SANTA_ANA_NORTE = "Alcaldía Municipal de Santa Ana Norte"
ESQUIPULAS = "Municipalidad de Esquipulas"
ASUNCION_MITA = "Municipalidad de Asunción Mita"
CDH_ORIENTE = "Centro de Derechos Humanos del Oriente (ficticio)"
PASTORAL = "Pastoral de Movilidad Humana del Trifinio (ficticia)"
MUJERES_FRONTERA = "Fundación Mujeres de la Frontera (ficticia)"
CAMARA_JUTIAPA = "Cámara Empresarial de Jutiapa (ficticia)"

# The demo ordinances (practices.demo); any that is missing or unpublished is skipped.
ORDINANCE_CITALA = "ordenanza-fondo-municipal-empleo-emprendimiento-citala"
ORDINANCE_OCOTEPEQUE = "ordenanza-capital-semilla-emprendimiento-juvenil-ocotepeque"
ORDINANCE_ESQUIPULAS = "oficina-municipal-atencion-personas-retornadas-esquipulas"

# Content stored in the database, not interface text: it stays in Spanish.
DEMO_NOTE = (
    "Contenido de demostración: fechas, agenda, asistencia, acuerdos y desafíos son "
    "ilustrativos y las personas participantes son ficticias."
)

# People ---------------------------------------------------------------------------------------

# Fictional people of the demo registry who took part in 2020, by table. Officials who took
# office after the 2024 elections are left out: their councils did not exist yet.
ORGANISERS = (
    "daniela.arevalo@example.org",  # OIM
    "fernando.castellanos@example.org",  # OIM
    "mariela.quintanilla@example.org",  # SICA
)
TRIFINIO_PEOPLE = (
    "marta.cardona@example.org",
    "jose.pineda@example.org",
    "carlos.guardado@example.org",
    "rosa.alvarenga@example.org",
    "edgar.sagastume@example.org",
    "lesbia.mejia@example.org",
    "santos.hernandez@example.org",
    "ana.lemus@example.org",
    "silvia.monterrosa@example.org",
)
AMATILLO_PEOPLE = (
    "manuel.ventura@example.org",
    "wilmer.ordonez@example.org",
    "yesenia.canales@example.org",
    "dunia.osorto@example.org",
    "kevin.matamoros@example.org",
    "rocio.amaya@example.org",
    "jesus.mendoza@example.org",
    "gloria.rodas@example.org",
    "luis.portillo@example.org",
    "sandra.zuniga@example.org",
)
JUTIAPA_PEOPLE = (
    "brenda.morales@example.org",
    "hector.barrientos@example.org",
    "andrea.ramirez@example.org",
    "otto.asencio@example.org",
    "mirna.salguero@example.org",
    "alma.hernandez@example.org",
)


def _people(*groups, without=()) -> tuple[str, ...]:
    return tuple(email for group in groups for email in group if email not in without)


# Data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaData:
    title: str
    minutes: int
    institution: str  # presenting institution, by name
    presenter: str = ""  # e-mail; private, the public agenda names the institution only


@dataclass(frozen=True)
class MinutesData:
    text: str  # private to the participants
    summary: str  # public once approved and published
    circulated_on: datetime.date
    approved_on: datetime.date | None = None  # None: circulated, not yet approved
    published_on: datetime.date | None = None


@dataclass(frozen=True)
class AgreementData:
    text: str
    institution: str
    due_date: datetime.date
    status: str
    follow_up: tuple[tuple[datetime.date, str], ...] = ()  # dated notes
    person: str = ""  # e-mail


@dataclass(frozen=True)
class ChallengeData:
    text: str
    theme: str  # practices.Theme slug (practices/migrations/0003_load_taxonomies.py)


@dataclass(frozen=True)
class SessionData:
    slug: str
    title: str
    description: str
    start: datetime.datetime
    end: datetime.datetime
    modality: str
    status: str
    networks: tuple[str, ...] = ()  # names; a conference's sessions take its networks
    venue: str = ""
    municipality: str = ""  # slug
    meeting_link: str = ""
    capacity: int | None = None
    is_public: bool = True
    agenda: tuple[AgendaData, ...] = ()
    participants: tuple[str, ...] = ()  # e-mails, registered
    absent: frozenset[str] = frozenset()  # registered but did not attend
    speakers: frozenset[str] = frozenset()
    minutes: MinutesData | None = None
    agreements: tuple[AgreementData, ...] = ()
    challenges: tuple[ChallengeData, ...] = ()
    practices: tuple[str, ...] = ()  # Practice slugs


@dataclass(frozen=True)
class ConferenceData:
    slug: str
    title: str
    description: str
    start_date: datetime.date
    end_date: datetime.date
    organisers: tuple[str, ...]
    networks: tuple[str, ...]
    sessions: tuple[SessionData, ...] = ()


def _at(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=REGION_TZ)


_d = datetime.date
_VIRTUAL = Modality.VIRTUAL
_HELD = SessionStatus.HELD
_OPEN = AgreementStatus.OPEN
_IN_PROGRESS = AgreementStatus.IN_PROGRESS
_DONE = AgreementStatus.DONE
_DROPPED = AgreementStatus.DROPPED

# The September 2020 exchanges. The dates (10 and 24-25 September 2020) and times are
# illustrative: the content is a demo, not the record of the real meetings.
CONFERENCES = (
    ConferenceData(
        slug="intercambio-virtual-gobernanza-local-migracion-municipios-fronterizos-i",
        title=(
            "Intercambio virtual: gobernanza local de la migración en municipios fronterizos (I)"
        ),
        description=(
            "Primer intercambio virtual organizado por la OIM y el SICA con los gobiernos "
            "locales, instituciones y organizaciones de las mesas técnicas transfronterizas del "
            "Trifinio y de El Amatillo – Goascorán. Los municipios compartieron ordenanzas de "
            "medios de vida como alternativa a la migración irregular y experiencias de "
            "protección de personas en movilidad durante el cierre de fronteras por la "
            "pandemia.\n\n" + DEMO_NOTE
        ),
        start_date=_d(2020, 9, 10),
        end_date=_d(2020, 9, 10),
        organisers=(IOM, SICA),
        networks=(TRIFINIO, AMATILLO),
        sessions=(
            SessionData(
                slug="intercambio-2020-i-ordenanzas-medios-de-vida",
                title="Ordenanzas municipales de medios de vida como alternativa a la migración "
                "irregular",
                description=(
                    "Sesión sobre los marcos normativos municipales: cómo una ordenanza da "
                    "continuidad al apoyo al empleo, al emprendimiento y a la reintegración."
                ),
                start=_at(2020, 9, 10, 9),
                end=_at(2020, 9, 10, 12),
                modality=_VIRTUAL,
                status=_HELD,
                meeting_link="https://meet.example.org/oim-sica-intercambio-i-sesion-1",
                capacity=60,
                agenda=(
                    AgendaData("Bienvenida y objetivos del intercambio", 15, IOM),
                    AgendaData(
                        "La gobernanza local de la migración en el marco del SICA",
                        30,
                        SICA,
                        "mariela.quintanilla@example.org",
                    ),
                    AgendaData(
                        "Experiencia: Fondo Municipal de Empleo y Emprendimiento de Citalá",
                        35,
                        CITALA,
                        "rosa.alvarenga@example.org",
                    ),
                    AgendaData(
                        "Experiencia: Oficina Municipal de Atención a Personas Retornadas de "
                        "Esquipulas",
                        35,
                        ESQUIPULAS,
                        "marta.cardona@example.org",
                    ),
                    AgendaData(
                        "Trabajo en grupos por país: qué ordenanza necesita cada municipio",
                        50,
                        IOM,
                    ),
                    AgendaData("Acuerdos y cierre", 15, SICA),
                ),
                participants=_people(ORGANISERS, TRIFINIO_PEOPLE, AMATILLO_PEOPLE),
                absent=frozenset({"kevin.matamoros@example.org", "gloria.rodas@example.org"}),
                speakers=frozenset({"rosa.alvarenga@example.org", "marta.cardona@example.org"}),
                minutes=MinutesData(
                    text=(
                        "Participaron municipalidades, instituciones nacionales de migración, "
                        "organizaciones de sociedad civil y la cooperación internacional de las "
                        "dos mesas. La Alcaldía de Citalá presentó su Fondo Municipal de Empleo "
                        "y Emprendimiento y la Municipalidad de Esquipulas su oficina de "
                        "atención a personas retornadas. En el trabajo en grupos cada país "
                        "identificó las normas municipales que le hacen falta. Se acordó "
                        "elaborar una propuesta de ordenanza de medios de vida en Pasaquina y "
                        "compartir los textos presentados con todos los municipios.\n\n" + DEMO_NOTE
                    ),
                    summary=(
                        "Municipios fronterizos de El Salvador, Guatemala y Honduras "
                        "compartieron cómo las ordenanzas municipales dan continuidad al apoyo "
                        "al empleo, al emprendimiento y a la reintegración de personas "
                        "retornadas como alternativa a la migración irregular. Se presentaron "
                        "las experiencias de Citalá y Esquipulas, y los grupos por país "
                        "identificaron qué normas necesita cada municipio. La mesa acordó "
                        "preparar una propuesta de ordenanza de medios de vida y difundir los "
                        "textos presentados entre los municipios de las dos mesas."
                    ),
                    circulated_on=_d(2020, 9, 14),
                    approved_on=_d(2020, 9, 21),
                    published_on=_d(2020, 9, 22),
                ),
                agreements=(
                    AgreementData(
                        "Elaborar una propuesta de ordenanza municipal de medios de vida, con "
                        "fondo de emprendimiento para jóvenes, mujeres y personas retornadas.",
                        PASAQUINA,
                        _d(2021, 3, 31),
                        _IN_PROGRESS,
                        follow_up=(
                            (
                                _d(2021, 2, 15),
                                "Borrador presentado a la comisión municipal; pendiente de "
                                "aprobación por el concejo (ejemplo).",
                            ),
                        ),
                        person="manuel.ventura@example.org",
                    ),
                    AgreementData(
                        "Compartir con los municipios de ambas mesas los textos de las "
                        "ordenanzas presentadas.",
                        IOM,
                        _d(2020, 10, 15),
                        _DONE,
                        follow_up=(
                            (_d(2020, 9, 30), "Textos enviados a las municipalidades (ejemplo)."),
                        ),
                    ),
                ),
                challenges=(
                    ChallengeData(
                        "Dar continuidad a las ordenanzas y a sus presupuestos cuando cambian "
                        "los concejos municipales.",
                        "local-governance",
                    ),
                ),
                practices=(ORDINANCE_CITALA, ORDINANCE_ESQUIPULAS),
            ),
            SessionData(
                slug="intercambio-2020-i-rutas-proteccion-liderazgos-comunitarios",
                title="Rutas de protección y liderazgos comunitarios",
                description=(
                    "Sesión sobre la atención y protección de personas migrantes y retornadas "
                    "en los pasos fronterizos y el papel de los liderazgos comunitarios."
                ),
                start=_at(2020, 9, 10, 14),
                end=_at(2020, 9, 10, 16, 30),
                modality=_VIRTUAL,
                status=_HELD,
                meeting_link="https://meet.example.org/oim-sica-intercambio-i-sesion-2",
                capacity=60,
                agenda=(
                    AgendaData("Bienvenida", 10, IOM),
                    AgendaData(
                        "Rutas de protección en El Amatillo durante el cierre de fronteras",
                        30,
                        CDH_ORIENTE,
                        "rocio.amaya@example.org",
                    ),
                    AgendaData(
                        "Acompañamiento comunitario a personas retornadas en el Trifinio",
                        30,
                        PASTORAL,
                        "ana.lemus@example.org",
                    ),
                    AgendaData(
                        "Las mujeres migrantes en los territorios fronterizos",
                        30,
                        MUJERES_FRONTERA,
                        "lesbia.mejia@example.org",
                    ),
                    AgendaData("Diálogo: cómo formar liderazgos comunitarios", 40, IOM),
                    AgendaData("Acuerdos y cierre", 10, SICA),
                ),
                participants=_people(
                    ORGANISERS,
                    TRIFINIO_PEOPLE,
                    AMATILLO_PEOPLE,
                    ("mario.guzman@example.org",),
                    without={"edgar.sagastume@example.org", "luis.portillo@example.org"},
                ),
                absent=frozenset({"jose.pineda@example.org"}),
                speakers=frozenset(
                    {
                        "rocio.amaya@example.org",
                        "ana.lemus@example.org",
                        "lesbia.mejia@example.org",
                    }
                ),
                minutes=MinutesData(
                    text=(
                        "Las organizaciones de sociedad civil y las iglesias describieron cómo "
                        "se mantuvo la atención a personas en movilidad con los pasos "
                        "fronterizos cerrados. Se señaló que los liderazgos comunitarios son "
                        "el primer contacto de muchas personas retornadas, pero no conocen las "
                        "rutas de protección. Se acordó un ciclo de capacitación y la "
                        "actualización del directorio de la ruta de El Amatillo.\n\n" + DEMO_NOTE
                    ),
                    summary=(
                        "Organizaciones de sociedad civil, iglesias, municipalidades y "
                        "autoridades migratorias compartieron cómo mantuvieron la atención a "
                        "personas migrantes y retornadas durante el cierre de fronteras por la "
                        "pandemia. Coincidieron en que los liderazgos comunitarios son a menudo "
                        "el primer contacto de quienes regresan y necesitan conocer las rutas "
                        "de protección, por lo que se acordó un ciclo de capacitación y la "
                        "actualización del directorio de instituciones de la ruta."
                    ),
                    circulated_on=_d(2020, 9, 14),
                    approved_on=_d(2020, 9, 21),
                    published_on=_d(2020, 9, 22),
                ),
                agreements=(
                    AgreementData(
                        "Capacitar a liderazgos comunitarios en rutas de protección de personas "
                        "migrantes y retornadas.",
                        IOM,
                        _d(2020, 12, 15),
                        _DONE,
                        follow_up=(
                            (_d(2020, 11, 27), "Tres talleres virtuales realizados (ejemplo)."),
                        ),
                        person="daniela.arevalo@example.org",
                    ),
                    AgreementData(
                        "Actualizar el directorio de instituciones de la ruta de protección de "
                        "El Amatillo.",
                        CDH_ORIENTE,
                        _d(2021, 2, 26),
                        _OPEN,
                    ),
                ),
                challenges=(
                    ChallengeData(
                        "Formar a los liderazgos comunitarios para que orienten a personas "
                        "migrantes y retornadas hacia las rutas de protección.",
                        "capacity-building",
                    ),
                    ChallengeData(
                        "Mantener la atención a personas en movilidad con los pasos fronterizos "
                        "cerrados por la pandemia.",
                        "protection",
                    ),
                ),
            ),
        ),
    ),
    ConferenceData(
        slug="intercambio-virtual-gobernanza-local-migracion-municipios-fronterizos-ii",
        title=(
            "Intercambio virtual: gobernanza local de la migración en municipios fronterizos (II)"
        ),
        description=(
            "Segundo intercambio virtual organizado por la OIM y el SICA, abierto también a la "
            "Red Local de Movilidad Humana de Jutiapa. Trató los medios de vida y las alianzas "
            "con el sector privado, la gestión de la cooperación con agencias y la hoja de ruta "
            "2021 de cada mesa.\n\n" + DEMO_NOTE
        ),
        start_date=_d(2020, 9, 24),
        end_date=_d(2020, 9, 25),
        organisers=(IOM, SICA),
        networks=(TRIFINIO, AMATILLO, JUTIAPA),
        sessions=(
            SessionData(
                slug="intercambio-2020-ii-medios-de-vida-alianzas-sector-privado",
                title="Medios de vida y alianzas con el sector privado",
                description=(
                    "Sesión sobre empleo juvenil, emprendimiento y alianzas con el sector "
                    "privado en los territorios fronterizos."
                ),
                start=_at(2020, 9, 24, 9),
                end=_at(2020, 9, 24, 12),
                modality=_VIRTUAL,
                status=_HELD,
                meeting_link="https://meet.example.org/oim-sica-intercambio-ii-sesion-1",
                capacity=80,
                agenda=(
                    AgendaData("Bienvenida y síntesis del primer intercambio", 15, SICA),
                    AgendaData(
                        "Experiencia: capital semilla para el emprendimiento juvenil en Ocotepeque",
                        35,
                        OCOTEPEQUE,
                        "jose.pineda@example.org",
                    ),
                    AgendaData(
                        "Empleo juvenil y emprendimiento en los municipios de Jutiapa",
                        35,
                        ASUNCION_MITA,
                        "brenda.morales@example.org",
                    ),
                    AgendaData(
                        "El sector privado ante la migración: oportunidades de alianza",
                        30,
                        CAMARA_JUTIAPA,
                        "veronica.giron@example.org",
                    ),
                    AgendaData("Trabajo en grupos: alianzas posibles en cada territorio", 50, IOM),
                    AgendaData("Acuerdos", 15, IOM),
                ),
                participants=_people(
                    ORGANISERS,
                    TRIFINIO_PEOPLE,
                    AMATILLO_PEOPLE,
                    JUTIAPA_PEOPLE,
                    ("veronica.giron@example.org",),
                ),
                absent=frozenset(
                    {
                        "santos.hernandez@example.org",
                        "sandra.zuniga@example.org",
                        "mirna.salguero@example.org",
                    }
                ),
                speakers=frozenset(
                    {
                        "jose.pineda@example.org",
                        "brenda.morales@example.org",
                        "veronica.giron@example.org",
                    }
                ),
                minutes=MinutesData(
                    text=(
                        "La Alcaldía de Ocotepeque presentó su ordenanza de capital semilla "
                        "para jóvenes y la Municipalidad de Asunción Mita las iniciativas de "
                        "empleo juvenil de Jutiapa. La cámara empresarial expuso su interés en "
                        "programas de primer empleo. Se acordó construir alianzas con el sector "
                        "privado en cada territorio; la feria transfronteriza de empleo quedó "
                        "sujeta a las condiciones sanitarias.\n\n" + DEMO_NOTE
                    ),
                    summary=(
                        "Municipalidades de los tres países y el sector privado de Jutiapa "
                        "intercambiaron experiencias de empleo juvenil y emprendimiento como "
                        "alternativa a la migración irregular, entre ellas una ordenanza "
                        "municipal de capital semilla. Las mesas acordaron construir alianzas "
                        "con empresas y organizaciones comunitarias en cada territorio y "
                        "valorar una feria transfronteriza de empleo cuando las condiciones "
                        "sanitarias lo permitan."
                    ),
                    circulated_on=_d(2020, 9, 29),
                    approved_on=_d(2020, 10, 6),
                    published_on=_d(2020, 10, 7),
                ),
                agreements=(
                    AgreementData(
                        "Construir alianzas en los territorios con sector privado para el "
                        "empleo de jóvenes y personas retornadas.",
                        ASUNCION_MITA,
                        _d(2021, 4, 30),
                        _IN_PROGRESS,
                        follow_up=(
                            (
                                _d(2021, 3, 19),
                                "Dos cartas de entendimiento firmadas con empresas de Jutiapa; "
                                "faltan las de los municipios salvadoreños y hondureños "
                                "(ejemplo).",
                            ),
                        ),
                        person="brenda.morales@example.org",
                    ),
                    AgreementData(
                        "Organizar una feria transfronteriza de empleo en El Amatillo.",
                        PASAQUINA,
                        _d(2021, 3, 31),
                        _DROPPED,
                        follow_up=(
                            (
                                _d(2021, 2, 26),
                                "Descartada por las restricciones sanitarias; la mesa la "
                                "retomará cuando sea posible (ejemplo).",
                            ),
                        ),
                    ),
                ),
                challenges=(
                    ChallengeData(
                        "Construir alianzas en los territorios entre municipalidades, sector "
                        "privado y organizaciones comunitarias.",
                        "local-governance",
                    ),
                    ChallengeData(
                        "Faltan datos municipales desagregados sobre personas retornadas para "
                        "orientar los programas de medios de vida.",
                        "data-evidence",
                    ),
                ),
                practices=(ORDINANCE_OCOTEPEQUE, ORDINANCE_CITALA),
            ),
            SessionData(
                slug="intercambio-2020-ii-cooperacion-con-agencias",
                title="Gestión de la cooperación con agencias",
                description=(
                    "Sesión sobre cómo las municipalidades fronterizas gestionan y coordinan la "
                    "cooperación internacional."
                ),
                start=_at(2020, 9, 24, 14),
                end=_at(2020, 9, 24, 16),
                modality=_VIRTUAL,
                status=_HELD,
                meeting_link="https://meet.example.org/oim-sica-intercambio-ii-sesion-2",
                capacity=80,
                agenda=(
                    AgendaData(
                        "Mapa de la cooperación en los municipios fronterizos",
                        30,
                        IOM,
                        "fernando.castellanos@example.org",
                    ),
                    AgendaData("Mecanismos regionales de cooperación del SICA", 30, SICA),
                    AgendaData(
                        "Panel: cómo gestionan las municipalidades la cooperación",
                        45,
                        PASAQUINA,
                        "manuel.ventura@example.org",
                    ),
                    AgendaData("Acuerdos y cierre", 15, IOM),
                ),
                participants=_people(
                    ORGANISERS,
                    TRIFINIO_PEOPLE,
                    AMATILLO_PEOPLE,
                    JUTIAPA_PEOPLE,
                    without={"alma.hernandez@example.org", "jesus.mendoza@example.org"},
                ),
                absent=frozenset({"rosa.alvarenga@example.org", "hector.barrientos@example.org"}),
                speakers=frozenset({"manuel.ventura@example.org"}),
                minutes=MinutesData(
                    text=(
                        "La OIM presentó el mapa de la oferta de cooperación y el SICA sus "
                        "mecanismos regionales. En el panel, las municipalidades describieron "
                        "la dificultad de coordinar agencias con agendas distintas a ambos "
                        "lados de la frontera. Se acordó gestionar la cooperación de forma "
                        "conjunta desde las mesas.\n\n" + DEMO_NOTE
                    ),
                    summary=(
                        "Las municipalidades fronterizas, la OIM y el SICA revisaron la oferta "
                        "de cooperación en los territorios y las dificultades para coordinar "
                        "agencias con agendas distintas a ambos lados de la frontera. Las mesas "
                        "acordaron gestionar la cooperación de forma conjunta, a partir de un "
                        "mapeo compartido de lo que cada agencia financia en los municipios."
                    ),
                    circulated_on=_d(2020, 9, 29),
                    approved_on=_d(2020, 10, 6),
                    published_on=_d(2020, 10, 7),
                ),
                agreements=(
                    AgreementData(
                        "Gestionar la cooperación con agencias para financiar los planes "
                        "municipales de movilidad humana.",
                        SICA,
                        _d(2021, 6, 30),
                        _OPEN,
                    ),
                    AgreementData(
                        "Preparar un mapeo de la oferta de cooperación en los municipios "
                        "fronterizos.",
                        IOM,
                        _d(2020, 11, 30),
                        _DONE,
                        follow_up=(
                            (_d(2020, 11, 25), "Mapeo compartido con las tres redes (ejemplo)."),
                        ),
                        person="fernando.castellanos@example.org",
                    ),
                ),
                challenges=(
                    ChallengeData(
                        "Gestionar la cooperación con agencias sin duplicar esfuerzos entre "
                        "municipios vecinos de distintos países.",
                        "cross-border",
                    ),
                ),
            ),
            SessionData(
                slug="intercambio-2020-ii-plenaria-hoja-de-ruta-2021",
                title="Plenaria de cierre: hoja de ruta 2021 de las mesas",
                description="Cada mesa presentó su hoja de ruta para 2021.",
                start=_at(2020, 9, 25, 9),
                end=_at(2020, 9, 25, 11),
                modality=_VIRTUAL,
                status=_HELD,
                meeting_link="https://meet.example.org/oim-sica-intercambio-ii-plenaria",
                capacity=80,
                agenda=(
                    AgendaData("Síntesis de los dos intercambios", 20, IOM),
                    AgendaData("Hoja de ruta de la Mesa del Trifinio", 25, ESQUIPULAS),
                    AgendaData("Hoja de ruta de la Mesa El Amatillo – Goascorán", 25, PASAQUINA),
                    AgendaData("Hoja de ruta de la Red Local de Jutiapa", 25, ASUNCION_MITA),
                    AgendaData("Evaluación y cierre", 25, SICA),
                ),
                participants=_people(
                    ORGANISERS,
                    TRIFINIO_PEOPLE,
                    AMATILLO_PEOPLE,
                    JUTIAPA_PEOPLE,
                    without={
                        "santos.hernandez@example.org",
                        "ana.lemus@example.org",
                        "jesus.mendoza@example.org",
                        "gloria.rodas@example.org",
                        "alma.hernandez@example.org",
                        "andrea.ramirez@example.org",
                    },
                ),
                absent=frozenset({"silvia.monterrosa@example.org"}),
                # Circulated, never approved: its summary must stay private.
                minutes=MinutesData(
                    text=(
                        "Cada mesa presentó su hoja de ruta para 2021. Quedan pendientes las "
                        "observaciones de dos municipalidades antes de aprobar el acta.\n\n"
                        + DEMO_NOTE
                    ),
                    summary=(
                        "Las tres redes presentaron sus hojas de ruta para 2021 (borrador "
                        "pendiente de aprobación)."
                    ),
                    circulated_on=_d(2020, 10, 2),
                ),
                agreements=(
                    AgreementData(
                        "Presentar la hoja de ruta 2021 en la primera sesión ordinaria del año "
                        "de cada mesa.",
                        ESQUIPULAS,
                        _d(2021, 2, 26),
                        _DONE,
                        follow_up=(
                            (
                                _d(2021, 2, 26),
                                "Presentada en las sesiones ordinarias de febrero (ejemplo).",
                            ),
                        ),
                    ),
                ),
                challenges=(
                    ChallengeData(
                        "Sostener la participación de los municipios en reuniones virtuales "
                        "con conectividad limitada en las zonas rurales.",
                        "cross-border",
                    ),
                ),
            ),
        ),
    ),
)

# Sessions of a table outside any conference: one cancelled by the pandemic, and one upcoming,
# so the calendar feeds show a cancelled event and a future one. Also illustrative.
STANDALONE_SESSIONS = (
    SessionData(
        slug="mesa-el-amatillo-goascoran-sesion-ordinaria-2020-03",
        title="Sesión ordinaria de la Mesa Técnica Transfronteriza El Amatillo – Goascorán",
        description=(
            "Suspendida por la emergencia sanitaria de COVID-19; la mesa pasó a reunirse en "
            "línea.\n\n" + DEMO_NOTE
        ),
        start=_at(2020, 3, 19, 9),
        end=_at(2020, 3, 19, 12),
        modality=Modality.IN_PERSON,
        status=SessionStatus.CANCELLED,
        networks=(AMATILLO,),
        venue="Casa de la Cultura de Pasaquina (ejemplo)",
        municipality="pasaquina-sv",
        capacity=30,
        agenda=(
            AgendaData("Verificación de quórum y aprobación de la agenda", 15, PASAQUINA),
            AgendaData("Seguimiento de acuerdos", 45, IOM),
            AgendaData("Plan de trabajo 2020", 90, PASAQUINA),
            AgendaData("Varios y cierre", 30, PASAQUINA),
        ),
    ),
    SessionData(
        slug="mesa-trifinio-sesion-ordinaria-2027-03",
        title="Sesión ordinaria de la Mesa Técnica Transfronteriza del Trifinio",
        description=(
            "Sesión ordinaria presencial de la mesa: seguimiento de acuerdos pendientes y "
            "avances de la hoja de ruta.\n\n" + DEMO_NOTE
        ),
        start=_at(2027, 3, 11, 9),
        end=_at(2027, 3, 11, 12),
        modality=Modality.IN_PERSON,
        status=SessionStatus.PLANNED,
        networks=(TRIFINIO,),
        venue="Salón de sesiones de la Municipalidad de Esquipulas",
        municipality="esquipulas-gt",
        capacity=40,
        agenda=(
            AgendaData("Verificación de quórum y aprobación de la agenda", 15, ESQUIPULAS),
            AgendaData("Seguimiento de acuerdos pendientes", 45, IOM),
            AgendaData("Avances de la hoja de ruta", 60, SANTA_ANA_NORTE),
            AgendaData("Buenas prácticas para el catálogo regional", 30, SICA),
            AgendaData("Varios y cierre", 30, OCOTEPEQUE),
        ),
    ),
)


# Loading --------------------------------------------------------------------------------------
#
# Through conferences.services wherever a service exists (sessions, cancellation, registration,
# attendance, the minutes workflow, agreements), so every rule applies; conferences, agenda
# items and challenges have no service yet and get full_clean() + save().


@dataclass
class ConferencesDemoResult:
    counts: dict[str, int]


def conferences_demo_counts() -> dict[str, int]:
    return {
        "conferences": Conference.objects.count(),
        "sessions": Session.objects.count(),
        "participations": Participation.objects.count(),
        "agreements": Agreement.objects.count(),
    }


@transaction.atomic
def conferences_demo_load(*, staff_user) -> ConferencesDemoResult:
    """Create whatever demo conference content is missing; ``staff_user`` approves the minutes.
    Needs the demo registry (networks.demo.demo_load); links the demo practices if present."""
    lookups = _Lookups()
    for data in CONFERENCES:
        conference = _conference_load(data, lookups=lookups)
        for session_data in data.sessions:
            _session_load(
                session_data, conference=conference, lookups=lookups, staff_user=staff_user
            )
    for session_data in STANDALONE_SESSIONS:
        _session_load(session_data, conference=None, lookups=lookups, staff_user=staff_user)
    return ConferencesDemoResult(counts=conferences_demo_counts())


class _Lookups:
    """The rows the data names, fetched once; a name that is missing fails loudly, except
    practices, which belong to another demo and are skipped when absent or unpublished."""

    def __init__(self):
        self.institutions = {i.name: i for i in Institution.objects.all()}
        self.networks = {n.name: n for n in Network.objects.all()}
        self.people = {p.email: p for p in Person.objects.all()}
        self.municipalities = Municipality.objects.in_bulk(field_name="slug")
        self.themes = Theme.objects.in_bulk(field_name="slug")
        self.practices = Practice.objects.published().in_bulk(field_name="slug")
        self.programme = Programme.objects.filter(name=PROGRAMME["name"]).first()

    @staticmethod
    def pick(rows: dict, keys, what: str) -> list:
        missing = [key for key in keys if key not in rows]
        if missing:
            raise LookupError(
                f"Demo conferences name unknown {what}: {missing}. Run demo_load first."
            )
        return [rows[key] for key in keys]

    def one(self, rows: dict, key, what: str):
        (row,) = self.pick(rows, [key], what)
        return row

    def one_or_none(self, rows: dict, key, what: str):
        return self.one(rows, key, what) if key else None


def _create(instance):
    """For the rows no service writes yet: the model's rules still apply."""
    instance.full_clean()
    instance.save()
    return instance


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=REGION_TZ)


def _conference_load(data: ConferenceData, *, lookups: _Lookups) -> Conference:
    conference = Conference.objects.filter(slug=data.slug).first()
    if conference is None:
        conference = _create(
            Conference(
                slug=data.slug,
                title=data.title,
                description=data.description,
                programme=lookups.programme,
                start_date=data.start_date,
                end_date=data.end_date,
                is_public=True,
            )
        )
        conference.organisers.set(
            lookups.pick(lookups.institutions, data.organisers, "institutions")
        )
        conference.networks.set(lookups.pick(lookups.networks, data.networks, "networks"))
    return conference


def _session_load(
    data: SessionData, *, conference: Conference | None, lookups: _Lookups, staff_user
) -> Session:
    practices = [lookups.practices[slug] for slug in data.practices if slug in lookups.practices]
    session = Session.objects.filter(slug=data.slug).first()
    if session is None:
        networks = (
            lookups.pick(lookups.networks, data.networks, "networks")
            if data.networks
            else list(conference.networks.all())
        )
        cancelled = data.status == SessionStatus.CANCELLED
        session = services.session_save(
            session=Session(
                conference=conference,
                slug=data.slug,
                title=data.title,
                description=data.description,
                start=data.start,
                end=data.end,
                modality=data.modality,
                venue=data.venue,
                municipality=lookups.one_or_none(
                    lookups.municipalities, data.municipality, "municipalities"
                ),
                meeting_link=data.meeting_link,
                # A cancelled session was announced first, as in life: its calendar event
                # then changes to cancelled.
                status=SessionStatus.PLANNED if cancelled else data.status,
                capacity=data.capacity,
                is_public=data.is_public,
            ),
            networks=networks,
            practices=practices,
            actor=SYSTEM,
        )
        if cancelled:
            session = services.session_cancel(session=session, actor=SYSTEM)
    elif practices and not set(practices) <= set(session.practices.all()):
        # Practices published since the last run: linked, the earlier links kept.
        services.session_save(
            session=session,
            networks=session.networks.all(),
            practices={*session.practices.all(), *practices},
            actor=SYSTEM,
        )

    _agenda_load(session, data, lookups=lookups)
    _participations_load(session, data, lookups=lookups)
    if data.minutes:
        _minutes_load(session, data.minutes, staff_user=staff_user)
    _agreements_load(session, data, lookups=lookups)
    _challenges_load(session, data, lookups=lookups)
    return session


def _agenda_load(session: Session, data: SessionData, *, lookups: _Lookups) -> None:
    existing = set(session.agenda_items.values_list("position", flat=True))
    for position, item in enumerate(data.agenda, start=1):
        if position not in existing:
            services.agenda_item_save(
                actor=SYSTEM,
                agenda_item=AgendaItem(
                    session=session,
                    position=position,
                    title=item.title,
                    duration_minutes=item.minutes,
                    presenter_institution=lookups.one(
                        lookups.institutions, item.institution, "institutions"
                    ),
                    presenter=lookups.one_or_none(lookups.people, item.presenter, "people"),
                ),
            )


def _role(email: str, data: SessionData) -> str:
    if email in ORGANISERS:
        return ParticipationRole.ORGANISER
    if email in data.speakers:
        return ParticipationRole.SPEAKER
    return ParticipationRole.PARTICIPANT


def _participations_load(session: Session, data: SessionData, *, lookups: _Lookups) -> None:
    existing = set(session.participations.values_list("person__email", flat=True))
    for email in data.participants:
        if email in existing:
            continue
        # The service snapshots the affiliation the person had on the session's day.
        services.participation_register(
            session=session,
            person=lookups.one(lookups.people, email, "people"),
            role=_role(email, data),
            attended=session.status == SessionStatus.HELD and email not in data.absent,
            actor=SYSTEM,
        )


def _minutes_load(session: Session, data: MinutesData, *, staff_user) -> None:
    if Minutes.objects.filter(session=session).exists():
        return
    minutes = services.minutes_save(
        minutes=Minutes(session=session, text=data.text, summary=data.summary), actor=SYSTEM
    )
    minutes = services.minutes_circulate(minutes=minutes, actor=SYSTEM, notify=False)
    dates = {"circulated_at": _noon(data.circulated_on)}
    if data.approved_on:
        minutes = services.minutes_approve(minutes=minutes, actor=staff_user)
        dates["approved_at"] = _noon(data.approved_on)
    if data.published_on:
        minutes = services.minutes_publish_summary(minutes=minutes, actor=SYSTEM)
        dates["published_at"] = _noon(data.published_on)
    # The services stamp "now"; the demo workflow happened in 2020.
    Minutes.objects.filter(pk=minutes.pk).update(**dates)


def _agreements_load(session: Session, data: SessionData, *, lookups: _Lookups) -> None:
    existing = set(session.agreements.values_list("text", flat=True))
    for item in data.agreements:
        if item.text in existing:
            continue
        agreement = services.agreement_create(
            session=session,
            text=item.text,
            responsible_institution=lookups.one(
                lookups.institutions, item.institution, "institutions"
            ),
            responsible_person=lookups.one_or_none(lookups.people, item.person, "people"),
            due_date=item.due_date,
            actor=SYSTEM,
        )
        if item.status != agreement.status or item.follow_up:
            # Notes in agreement_update's "date: note" format, but dated when they happened.
            agreement.follow_up = "\n".join(
                f"{day.isoformat()}: {note}" for day, note in item.follow_up
            )
            services.agreement_update(agreement=agreement, status=item.status, actor=SYSTEM)


def _challenges_load(session: Session, data: SessionData, *, lookups: _Lookups) -> None:
    existing = set(session.challenges.values_list("text", flat=True))
    for item in data.challenges:
        if item.text not in existing:
            services.challenge_save(
                actor=SYSTEM,
                challenge=Challenge(
                    session=session,
                    text=item.text,
                    theme=lookups.one(lookups.themes, item.theme, "themes"),
                ),
            )
