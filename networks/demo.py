"""Demo registry for local development and demonstrations: ``manage.py load_demo``.

The geography is real: countries and departments from ISO 3166 (pycountry) and the border
municipalities of ``data/border-municipalities.csv`` (sources in /work/shared/data/README.md).
Everything else is illustrative. Public bodies (alcaldías, migration authorities, IOM, SICA)
keep their real names; civil-society organisations are invented and say so in their name, and
every person is fictional (``@example.org`` e-mails, phone numbers no network can reach).

The content is kept below as plain data so it is easy to read and edit. Loading it is
idempotent: a second run finds every row and writes nothing.
"""

import csv
import datetime
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from common.slugs import municipality_slug
from common.upsert import upsert

from .access import SYSTEM
from .enums import ConsentBasis, MembershipRole, NetworkKind, NetworkStatus, Sector, Sex
from .geography import PROGRAMME_COUNTRIES, geography_load
from .models import (
    BorderCrossing,
    Country,
    Department,
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    Programme,
)
from .services import (
    institution_save,
    membership_end,
    membership_start,
    network_save,
    person_save,
)

BORDER_MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "border-municipalities.csv"

# El Salvador's 2024 territorial reform: the 262 municipalities became districts of 44 new
# municipalities when the councils elected in February 2024 took office on 1 May 2024.
SV_REFORM_LAST_DAY = datetime.date(2024, 4, 30)
SV_REFORM_FIRST_DAY = datetime.date(2024, 5, 1)

# A crossing in a municipality bordering two countries: which one it leads to.
# Anguiatú (Metapán) faces La Ermita, in Chiquimula, Guatemala.
CROSSING_LEADS_TO = {"Anguiatú": "GT"}

# "Citalá -> Chalatenango Norte (2024 municipality per ...)" at the start of `source`.
_REFORM_MAPPING = re.compile(r"^\s*(?P<district>[^;>]+?)\s*->\s*(?P<municipality>[^(;]+?)\s*[(;]")

STAFF_EMAIL = "staff@example.org"

# Programme ------------------------------------------------------------------------------------

# The dates are illustrative: the programme has run in successive phases since about 2010.
PROGRAMME = {
    "name": "Programa Regional sobre Migración Mesoamérica-El Caribe",
    "donor": (
        "Oficina de Población, Refugiados y Migración (PRM) "
        "del Departamento de Estado de los EE. UU."
    ),
    "start_date": datetime.date(2010, 10, 1),
    "end_date": None,
    "description": (
        "Regional Migration Program Mesoamerica-Caribbean. IOM strengthens the capacities of "
        "governments and civil society to manage migration in a safe, orderly and humane way: "
        "local migration governance, protection of people on the move, livelihoods in places "
        "of origin and the reintegration of returnees."
    ),
}

# Institutions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionData:
    name: str
    sector: str
    country: str  # ISO 3166-1 alpha-2
    municipality: str = ""  # name of a municipality of that country, if local
    acronym: str = ""


_MUNI = Sector.MUNICIPAL_GOVERNMENT
_NATIONAL = Sector.NATIONAL_GOVERNMENT

INSTITUTIONS = [
    # Municipal governments: public bodies, real names. SV councils before and after 2024.
    InstitutionData("Alcaldía Municipal de Metapán", _MUNI, "SV", "Metapán"),
    InstitutionData("Alcaldía Municipal de Citalá", _MUNI, "SV", "Citalá"),
    InstitutionData("Alcaldía Municipal de Santa Ana Norte", _MUNI, "SV", "Santa Ana Norte"),
    InstitutionData("Alcaldía Municipal de Chalatenango Norte", _MUNI, "SV", "Chalatenango Norte"),
    InstitutionData("Alcaldía Municipal de Pasaquina", _MUNI, "SV", "Pasaquina"),
    InstitutionData("Alcaldía Municipal de Nueva Esparta", _MUNI, "SV", "Nueva Esparta"),
    InstitutionData("Alcaldía Municipal de La Unión Norte", _MUNI, "SV", "La Unión Norte"),
    InstitutionData("Municipalidad de Esquipulas", _MUNI, "GT", "Esquipulas"),
    InstitutionData("Municipalidad de Concepción Las Minas", _MUNI, "GT", "Concepción Las Minas"),
    InstitutionData("Municipalidad de Asunción Mita", _MUNI, "GT", "Asunción Mita"),
    InstitutionData("Municipalidad de Moyuta", _MUNI, "GT", "Moyuta"),
    InstitutionData("Municipalidad de Atescatempa", _MUNI, "GT", "Atescatempa"),
    InstitutionData("Alcaldía Municipal de Ocotepeque", _MUNI, "HN", "Ocotepeque"),
    InstitutionData("Alcaldía Municipal de Goascorán", _MUNI, "HN", "Goascorán"),
    InstitutionData("Alcaldía Municipal de Alianza", _MUNI, "HN", "Alianza"),
    InstitutionData("Alcaldía Municipal de Aramecina", _MUNI, "HN", "Aramecina"),
    # National migration authorities: public bodies, real names.
    InstitutionData(
        "Dirección General de Migración y Extranjería", _NATIONAL, "SV", acronym="DGME"
    ),
    InstitutionData("Instituto Guatemalteco de Migración", _NATIONAL, "GT", acronym="IGM"),
    InstitutionData("Instituto Nacional de Migración", _NATIONAL, "HN", acronym="INM"),
    # International partners of the programme.
    InstitutionData(
        "Organización Internacional para las Migraciones",
        Sector.INTERNATIONAL_COOPERATION,
        "SV",
        acronym="OIM",
    ),
    InstitutionData(
        "Sistema de la Integración Centroamericana",
        Sector.INTERNATIONAL_COOPERATION,
        "SV",
        acronym="SICA",
    ),
    # Civil society, communities, churches, universities and business: all invented.
    InstitutionData(
        "Fundación Mujeres de la Frontera (ficticia)", Sector.CIVIL_SOCIETY, "HN", "Ocotepeque"
    ),
    InstitutionData(
        "Centro de Derechos Humanos del Oriente (ficticio)", Sector.CIVIL_SOCIETY, "SV", "Pasaquina"
    ),
    InstitutionData(
        "Colectivo Juventud sin Fronteras (ficticio)", Sector.CIVIL_SOCIETY, "GT", "Asunción Mita"
    ),
    InstitutionData(
        "Asociación Comunitaria Frontera Viva (ficticia)",
        Sector.COMMUNITY_ORGANISATION,
        "SV",
        "Citalá",
    ),
    InstitutionData(
        "Asociación de Desarrollo Comunal El Amatillo (ficticia)",
        Sector.COMMUNITY_ORGANISATION,
        "HN",
        "Goascorán",
    ),
    InstitutionData(
        "Consejo Comunitario de Desarrollo Valle Nuevo (ficticio)",
        Sector.COMMUNITY_ORGANISATION,
        "GT",
        "Jalpatagua",
    ),
    InstitutionData(
        "Pastoral de Movilidad Humana del Trifinio (ficticia)",
        Sector.FAITH_BASED,
        "GT",
        "Esquipulas",
    ),
    InstitutionData(
        "Casa de Acogida Buen Samaritano (ficticia)", Sector.FAITH_BASED, "HN", "Goascorán"
    ),
    InstitutionData(
        "Instituto de Investigación sobre Movilidad Humana de Oriente (ficticio)",
        Sector.ACADEMIA,
        "SV",
    ),
    InstitutionData(
        "Cámara Empresarial de Jutiapa (ficticia)", Sector.PRIVATE_SECTOR, "GT", "Asunción Mita"
    ),
]

# People ---------------------------------------------------------------------------------------

# Fictional people. National numbers in SV, GT and HN never start with 0, so the
# "+503 0000-…" pattern keeps the right country prefix and reaches no one.


@dataclass(frozen=True)
class PersonData:
    first_name: str
    last_name: str
    sex: str
    email: str
    phone: str
    position: str
    institution: str
    consent_date: datetime.date
    consent_basis: str


_F, _M, _NS = Sex.FEMALE, Sex.MALE, Sex.NOT_STATED
_WRITTEN = ConsentBasis.WRITTEN
_ELECTRONIC = ConsentBasis.ELECTRONIC
_VERBAL = ConsentBasis.VERBAL_RECORDED
_AGREEMENT = ConsentBasis.INSTITUTIONAL_AGREEMENT
_d = datetime.date

PEOPLE = [
    # Trifinio
    PersonData(
        "Marta Lucía", "Cardona Guerra", _F, "marta.cardona@example.org", "+502 0000-0201",
        "Directora Municipal de Planificación", "Municipalidad de Esquipulas",
        _d(2021, 2, 1), _WRITTEN,
    ),
    PersonData(
        "José Armando", "Pineda Villeda", _M, "jose.pineda@example.org", "+504 0000-0301",
        "Regidor municipal, comisión de migración", "Alcaldía Municipal de Ocotepeque",
        _d(2022, 3, 1), _WRITTEN,
    ),
    PersonData(
        "Daniela Sofía", "Arévalo Montes", _F, "daniela.arevalo@example.org", "+503 0000-0101",
        "Asistente de proyectos, Programa Regional sobre Migración",
        "Organización Internacional para las Migraciones", _d(2016, 11, 24), _AGREEMENT,
    ),
    PersonData(
        "Carlos Ernesto", "Guardado Linares", _M, "carlos.guardado@example.org", "+503 0000-0102",
        "Concejal, referente de migración", "Alcaldía Municipal de Metapán",
        _d(2018, 5, 1), _WRITTEN,
    ),
    PersonData(
        "Karla Beatriz", "Landaverde Sosa", _F, "karla.landaverde@example.org", "+503 0000-0103",
        "Gerente de desarrollo social", "Alcaldía Municipal de Santa Ana Norte",
        _d(2024, 5, 1), _ELECTRONIC,
    ),
    PersonData(
        "Rosa Elvira", "Alvarenga Menjívar", _F, "rosa.alvarenga@example.org", "+503 0000-0104",
        "Encargada de la Unidad Municipal de la Mujer", "Alcaldía Municipal de Citalá",
        _d(2018, 5, 1), _WRITTEN,
    ),
    PersonData(
        "Alex Mauricio", "Rivera Orellana", _NS, "alex.rivera@example.org", "+503 0000-0105",
        "Técnico de proyección social", "Alcaldía Municipal de Chalatenango Norte",
        _d(2024, 5, 1), _ELECTRONIC,
    ),
    PersonData(
        "Edgar Rolando", "Sagastume Paiz", _M, "edgar.sagastume@example.org", "+502 0000-0202",
        "Coordinador de la Oficina Municipal de Desarrollo Económico Local",
        "Municipalidad de Concepción Las Minas", _d(2019, 3, 1), _WRITTEN,
    ),
    PersonData(
        "Lesbia Carolina", "Mejía Paz", _F, "lesbia.mejia@example.org", "+504 0000-0302",
        "Directora ejecutiva", "Fundación Mujeres de la Frontera (ficticia)",
        _d(2017, 6, 1), _WRITTEN,
    ),
    PersonData(
        "Santos Abel", "Hernández Tobar", _M, "santos.hernandez@example.org", "+503 0000-0106",
        "Presidente de la junta directiva", "Asociación Comunitaria Frontera Viva (ficticia)",
        _d(2017, 6, 1), _VERBAL,
    ),
    PersonData(
        "Ana Gabriela", "Lemus Portillo", _F, "ana.lemus@example.org", "+502 0000-0203",
        "Coordinadora de atención a personas retornadas",
        "Pastoral de Movilidad Humana del Trifinio (ficticia)", _d(2019, 3, 1), _WRITTEN,
    ),
    PersonData(
        "Silvia Patricia", "Monterrosa Chávez", _F, "silvia.monterrosa@example.org",
        "+503 0000-0107", "Delegada de la frontera de Anguiatú",
        "Dirección General de Migración y Extranjería", _d(2019, 3, 1), _AGREEMENT,
    ),
    PersonData(
        "Mariela Alejandra", "Quintanilla Bonilla", _F, "mariela.quintanilla@example.org",
        "+503 0000-0108", "Especialista en movilidad humana",
        "Sistema de la Integración Centroamericana", _d(2022, 3, 1), _AGREEMENT,
    ),
    # El Amatillo – Goascorán
    PersonData(
        "Manuel de Jesús", "Ventura Argueta", _M, "manuel.ventura@example.org", "+503 0000-0109",
        "Alcalde municipal", "Alcaldía Municipal de Pasaquina", _d(2018, 6, 14), _WRITTEN,
    ),
    PersonData(
        "Claudia Marisol", "Reyes Blanco", _F, "claudia.reyes@example.org", "+503 0000-0110",
        "Gerente de desarrollo local", "Alcaldía Municipal de La Unión Norte",
        _d(2024, 5, 1), _ELECTRONIC,
    ),
    PersonData(
        "Wilmer Josué", "Ordóñez Lagos", _M, "wilmer.ordonez@example.org", "+504 0000-0303",
        "Regidor, comisión de asuntos fronterizos", "Alcaldía Municipal de Goascorán",
        _d(2022, 2, 15), _WRITTEN,
    ),
    PersonData(
        "Fernando José", "Castellanos Ruiz", _M, "fernando.castellanos@example.org",
        "+503 0000-0111", "Oficial de campo", "Organización Internacional para las Migraciones",
        _d(2018, 6, 14), _AGREEMENT,
    ),
    PersonData(
        "Yesenia Guadalupe", "Canales Romero", _F, "yesenia.canales@example.org",
        "+503 0000-0112", "Promotora social", "Alcaldía Municipal de Nueva Esparta",
        _d(2019, 2, 1), _VERBAL,
    ),
    PersonData(
        "Dunia Marleny", "Osorto Andino", _F, "dunia.osorto@example.org", "+504 0000-0304",
        "Coordinadora de la Oficina Municipal de la Mujer", "Alcaldía Municipal de Alianza",
        _d(2022, 2, 15), _WRITTEN,
    ),
    PersonData(
        "Kevin Alexander", "Matamoros Flores", _M, "kevin.matamoros@example.org",
        "+504 0000-0305", "Técnico de desarrollo económico", "Alcaldía Municipal de Aramecina",
        _d(2022, 2, 15), _ELECTRONIC,
    ),
    PersonData(
        "Rocío del Carmen", "Amaya Benítez", _F, "rocio.amaya@example.org", "+503 0000-0113",
        "Abogada de protección", "Centro de Derechos Humanos del Oriente (ficticio)",
        _d(2018, 6, 14), _WRITTEN,
    ),
    PersonData(
        "Jesús Alberto", "Mendoza Irías", _NS, "jesus.mendoza@example.org", "+504 0000-0306",
        "Secretario de la junta directiva",
        "Asociación de Desarrollo Comunal El Amatillo (ficticia)", _d(2019, 2, 1), _VERBAL,
    ),
    PersonData(
        "Gloria Esperanza", "Rodas Turcios", _F, "gloria.rodas@example.org", "+504 0000-0307",
        "Coordinadora del albergue", "Casa de Acogida Buen Samaritano (ficticia)",
        _d(2019, 2, 1), _WRITTEN,
    ),
    PersonData(
        "Luis Fernando", "Portillo Campos", _M, "luis.portillo@example.org", "+503 0000-0114",
        "Jefe de la delegación migratoria de El Amatillo",
        "Dirección General de Migración y Extranjería", _d(2020, 7, 1), _AGREEMENT,
    ),
    PersonData(
        "Sandra Elizabeth", "Zúniga Aguilar", _F, "sandra.zuniga@example.org", "+504 0000-0308",
        "Oficial de atención a personas migrantes retornadas", "Instituto Nacional de Migración",
        _d(2020, 7, 1), _AGREEMENT,
    ),
    PersonData(
        "Mario Ernesto", "Guzmán Lazo", _M, "mario.guzman@example.org", "+503 0000-0115",
        "Investigador asociado",
        "Instituto de Investigación sobre Movilidad Humana de Oriente (ficticio)",
        _d(2021, 5, 1), _ELECTRONIC,
    ),
    # Jutiapa
    PersonData(
        "Brenda Azucena", "Morales Recinos", _F, "brenda.morales@example.org", "+502 0000-0204",
        "Directora Municipal de la Mujer", "Municipalidad de Asunción Mita",
        _d(2019, 6, 20), _WRITTEN,
    ),
    PersonData(
        "Héctor Rolando", "Barrientos Cruz", _M, "hector.barrientos@example.org",
        "+502 0000-0205", "Coordinador de la Oficina Municipal de Desarrollo Económico Local",
        "Municipalidad de Moyuta", _d(2020, 1, 15), _WRITTEN,
    ),
    PersonData(
        "Gustavo Adolfo", "Véliz Estrada", _NS, "gustavo.veliz@example.org", "+502 0000-0206",
        "Coordinador de la Oficina Municipal de Desarrollo Económico Local",
        "Municipalidad de Moyuta", _d(2024, 1, 15), _ELECTRONIC,
    ),
    PersonData(
        "Andrea Paola", "Ramírez Girón", _F, "andrea.ramirez@example.org", "+502 0000-0207",
        "Coordinadora de programas", "Colectivo Juventud sin Fronteras (ficticio)",
        _d(2019, 6, 20), _WRITTEN,
    ),
    PersonData(
        "Otto René", "Asencio Herrera", _M, "otto.asencio@example.org", "+502 0000-0208",
        "Delegado departamental", "Instituto Guatemalteco de Migración",
        _d(2020, 3, 1), _AGREEMENT,
    ),
    PersonData(
        "Mirna Elizabeth", "Salguero Ortiz", _F, "mirna.salguero@example.org", "+502 0000-0209",
        "Técnica municipal de juventud", "Municipalidad de Atescatempa",
        _d(2020, 3, 1), _VERBAL,
    ),
    PersonData(
        "Alma Rosa", "Hernández Godoy", _F, "alma.hernandez@example.org", "+502 0000-0210",
        "Presidenta", "Consejo Comunitario de Desarrollo Valle Nuevo (ficticio)",
        _d(2020, 3, 1), _VERBAL,
    ),
    PersonData(
        "Verónica Isabel", "Girón Palma", _F, "veronica.giron@example.org", "+502 0000-0211",
        "Directora ejecutiva", "Cámara Empresarial de Jutiapa (ficticia)",
        _d(2021, 4, 1), _ELECTRONIC,
    ),
]  # fmt: skip

# Networks and their seats -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    email: str
    role: str
    start: datetime.date
    end: datetime.date | None = None


@dataclass(frozen=True)
class NetworkData:
    name: str
    kind: str
    founded_on: datetime.date
    description: str
    municipalities: list[tuple[str, str]]  # (ISO 3166-1 alpha-2, municipality name)
    seats: list[Seat]


_COORDINATOR = MembershipRole.COORDINATOR
_CO_COORDINATOR = MembershipRole.CO_COORDINATOR
_SECRETARIAT = MembershipRole.TECHNICAL_SECRETARIAT
_MEMBER = MembershipRole.MEMBER
_OBSERVER = MembershipRole.OBSERVER

# Salvadoran officials rotate with the councils that took office on 1 May 2024, Guatemalan
# ones with those of 15 January 2024.
NETWORKS = [
    NetworkData(
        name="Mesa Técnica Transfronteriza del Trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        founded_on=_d(2016, 11, 24),
        description=(
            "Espacio de coordinación de gobiernos locales, instituciones y organizaciones de "
            "la zona del Trifinio, donde se unen El Salvador, Guatemala y Honduras. Articula "
            "la gobernanza local de la migración, la protección de personas en movilidad y la "
            "reintegración de personas retornadas a ambos lados de la frontera."
        ),
        municipalities=[
            ("SV", "Metapán"),
            ("SV", "Citalá"),
            ("GT", "Esquipulas"),
            ("GT", "Concepción Las Minas"),
            ("HN", "Ocotepeque"),
            ("HN", "Santa Fe"),
            ("HN", "Sinuapa"),
        ],
        seats=[
            Seat("marta.cardona@example.org", _COORDINATOR, _d(2021, 2, 1)),
            Seat("jose.pineda@example.org", _CO_COORDINATOR, _d(2022, 3, 1)),
            Seat("daniela.arevalo@example.org", _SECRETARIAT, _d(2016, 11, 24)),
            Seat("carlos.guardado@example.org", _MEMBER, _d(2018, 5, 1), SV_REFORM_LAST_DAY),
            Seat("karla.landaverde@example.org", _MEMBER, SV_REFORM_FIRST_DAY),
            Seat("rosa.alvarenga@example.org", _MEMBER, _d(2018, 5, 1), SV_REFORM_LAST_DAY),
            Seat("alex.rivera@example.org", _MEMBER, SV_REFORM_FIRST_DAY),
            Seat("edgar.sagastume@example.org", _MEMBER, _d(2019, 3, 1)),
            Seat("lesbia.mejia@example.org", _MEMBER, _d(2017, 6, 1)),
            Seat("santos.hernandez@example.org", _MEMBER, _d(2017, 6, 1)),
            Seat("ana.lemus@example.org", _MEMBER, _d(2019, 3, 1)),
            Seat("silvia.monterrosa@example.org", _OBSERVER, _d(2019, 3, 1)),
            Seat("mariela.quintanilla@example.org", _OBSERVER, _d(2022, 3, 1)),
        ],
    ),
    NetworkData(
        name="Mesa Técnica Transfronteriza El Amatillo – Goascorán",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        founded_on=_d(2018, 6, 14),
        description=(
            "Mesa de municipios salvadoreños y hondureños del valle del río Goascorán, en torno "
            "al paso fronterizo de El Amatillo. Coordina la atención y protección de personas "
            "migrantes en tránsito y retornadas, y promueve medios de vida locales como "
            "alternativa a la migración irregular."
        ),
        municipalities=[
            ("SV", "Pasaquina"),
            ("SV", "Nueva Esparta"),
            ("SV", "Concepción de Oriente"),
            ("HN", "Goascorán"),
            ("HN", "Alianza"),
            ("HN", "Aramecina"),
        ],
        seats=[
            Seat("manuel.ventura@example.org", _COORDINATOR, _d(2018, 6, 14), SV_REFORM_LAST_DAY),
            Seat("claudia.reyes@example.org", _COORDINATOR, SV_REFORM_FIRST_DAY),
            Seat("wilmer.ordonez@example.org", _CO_COORDINATOR, _d(2022, 2, 15)),
            Seat("fernando.castellanos@example.org", _SECRETARIAT, _d(2018, 6, 14)),
            Seat("yesenia.canales@example.org", _MEMBER, _d(2019, 2, 1), SV_REFORM_LAST_DAY),
            Seat("dunia.osorto@example.org", _MEMBER, _d(2022, 2, 15)),
            Seat("kevin.matamoros@example.org", _MEMBER, _d(2022, 2, 15)),
            Seat("rocio.amaya@example.org", _MEMBER, _d(2018, 6, 14)),
            Seat("jesus.mendoza@example.org", _MEMBER, _d(2019, 2, 1)),
            Seat("gloria.rodas@example.org", _MEMBER, _d(2019, 2, 1)),
            Seat("luis.portillo@example.org", _OBSERVER, _d(2020, 7, 1)),
            Seat("sandra.zuniga@example.org", _OBSERVER, _d(2020, 7, 1)),
            Seat("mario.guzman@example.org", _OBSERVER, _d(2021, 5, 1)),
        ],
    ),
    NetworkData(
        name="Red Local de Movilidad Humana de Jutiapa",
        kind=NetworkKind.LOCAL_NETWORK,
        founded_on=_d(2019, 6, 20),
        description=(
            "Red de municipalidades, instituciones y organizaciones de los municipios de "
            "Jutiapa que limitan con El Salvador. Impulsa la gobernanza local de la migración, "
            "la reintegración de personas retornadas y oportunidades de empleo y "
            "emprendimiento para la juventud como alternativa a la migración irregular."
        ),
        municipalities=[
            ("GT", "Agua Blanca"),
            ("GT", "Asunción Mita"),
            ("GT", "Atescatempa"),
            ("GT", "Jerez"),
            ("GT", "Zapotitlán"),
            ("GT", "Comapa"),
            ("GT", "Jalpatagua"),
            ("GT", "Conguaco"),
            ("GT", "Moyuta"),
        ],
        seats=[
            Seat("brenda.morales@example.org", _COORDINATOR, _d(2019, 6, 20)),
            Seat(
                "hector.barrientos@example.org", _CO_COORDINATOR, _d(2020, 1, 15), _d(2024, 1, 14)
            ),
            Seat("gustavo.veliz@example.org", _CO_COORDINATOR, _d(2024, 1, 15)),
            Seat("andrea.ramirez@example.org", _SECRETARIAT, _d(2019, 6, 20)),
            Seat("otto.asencio@example.org", _MEMBER, _d(2020, 3, 1)),
            Seat("mirna.salguero@example.org", _MEMBER, _d(2020, 3, 1)),
            Seat("alma.hernandez@example.org", _MEMBER, _d(2020, 3, 1)),
            Seat("veronica.giron@example.org", _MEMBER, _d(2021, 4, 1)),
            Seat("daniela.arevalo@example.org", _OBSERVER, _d(2019, 6, 20)),
        ],
    ),
]


# Loading --------------------------------------------------------------------------------------


@dataclass
class DemoLoadResult:
    counts: dict[str, int]
    staff_user: User
    staff_password: str | None  # set only when the account was created by this run
    # (network name, sign-in e-mail) of each network's coordinator account.
    coordinator_accounts: list[tuple[str, str]] = field(default_factory=list)
    # The one password of the coordinator accounts created by this run (None: none created).
    coordinator_password: str | None = None


@transaction.atomic
def demo_load(*, csv_path: Path = BORDER_MUNICIPALITIES_CSV) -> DemoLoadResult:
    """Load the whole demo registry. A second run finds every row and writes nothing new."""
    geography_load(country_codes=PROGRAMME_COUNTRIES)
    border_municipalities_load(csv_path=csv_path)
    programme = programme_load()
    institutions_load()
    people_load()
    networks_load(programme=programme)
    staff_user, password = demo_staff_account_ensure()
    coordinators, coordinator_password = demo_coordinator_accounts_ensure()
    return DemoLoadResult(
        counts=demo_counts(),
        staff_user=staff_user,
        staff_password=password,
        coordinator_accounts=coordinators,
        coordinator_password=coordinator_password,
    )


def demo_counts() -> dict[str, int]:
    return {
        "countries": Country.objects.count(),
        "departments": Department.objects.count(),
        "municipalities": Municipality.objects.count(),
        "crossings": BorderCrossing.objects.count(),
        "institutions": Institution.objects.count(),
        "people": Person.objects.count(),
        "networks": Network.objects.count(),
        "memberships": Membership.objects.count(),
    }


def _municipality_slug(name: str, department: Department) -> str:
    return municipality_slug(
        Municipality, name=name, department=department.name, country_code=department.country.code
    )


def _reform_successor_name(row: dict) -> str:
    match = _REFORM_MAPPING.match(row["source"])
    if match is None or match["district"] != row["municipality_name"]:
        raise ValueError(
            f"No 'District -> 2024 municipality' mapping for {row['municipality_name']!r}."
        )
    return match["municipality"]


def border_municipalities_load(*, csv_path: Path = BORDER_MUNICIPALITIES_CSV) -> None:
    """Municipalities and crossings of the reference file, with El Salvador's 2024 reform.

    Salvadoran rows name the municipality as it was before 1 May 2024. Records from those
    years name it, so it stays (ended, pointing at its 2024 municipality) and keeps its
    crossing; the 2024 municipality is created beside it.
    """
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    departments = {d.code: d for d in Department.objects.select_related("country")}
    countries = {c.code: c for c in Country.objects.all()}

    # The 2024 municipalities first, so the districts can point at them.
    successors_by_name: dict[str, Municipality] = {}
    successor_rows: dict[str, list[dict]] = {}
    for row in rows:
        if row["country_iso2"] == "SV":
            successor_rows.setdefault(_reform_successor_name(row), []).append(row)
    for name, districts in successor_rows.items():
        department_codes = {row["department_iso3166_2"] for row in districts}
        if len(department_codes) != 1:
            raise ValueError(f"The districts of {name!r} lie in several departments.")
        department = departments[department_codes.pop()]
        municipality = upsert(
            Municipality,
            lookup={"department": department, "name": name},
            values={"is_border": True, "valid_from": SV_REFORM_FIRST_DAY},
            create_only={"slug": _municipality_slug(name, department)},
        )
        municipality.borders_with.set(
            {countries[code] for row in districts for code in row["borders_with"].split("|")}
        )
        successors_by_name[name] = municipality

    for row in rows:
        department = departments[row["department_iso3166_2"]]
        values = {
            "official_code": row["official_code"],
            "is_border": True,
            "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
            "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
        }
        if row["country_iso2"] == "SV":
            values["valid_until"] = SV_REFORM_LAST_DAY
            values["successor"] = successors_by_name[_reform_successor_name(row)]
        name = row["municipality_name"]
        municipality = upsert(
            Municipality,
            lookup={"department": department, "name": name},
            values=values,
            create_only={"slug": _municipality_slug(name, department)},
        )
        neighbours = [countries[code] for code in row["borders_with"].split("|")]
        municipality.borders_with.set(neighbours)
        if crossing := row["border_crossing"]:
            if len(neighbours) == 1:
                leads_to = neighbours[0]
            else:
                leads_to = countries[CROSSING_LEADS_TO[crossing]]
            upsert(
                BorderCrossing,
                lookup={"municipality": municipality, "name": crossing},
                values={"leads_to": leads_to},
            )


def programme_load() -> Programme:
    return upsert(
        Programme,
        lookup={"name": PROGRAMME["name"]},
        values={key: value for key, value in PROGRAMME.items() if key != "name"},
    )


def _municipality(country_code: str, name: str) -> Municipality:
    return Municipality.objects.select_related("department__country").get(
        department__country__code=country_code, name=name
    )


def institutions_load() -> None:
    countries = {c.code: c for c in Country.objects.all()}
    for data in INSTITUTIONS:
        upsert(
            Institution,
            save=lambda institution: institution_save(institution=institution, actor=SYSTEM),
            lookup={"name": data.name},
            values={
                "acronym": data.acronym,
                "sector": data.sector,
                "country": countries[data.country],
                "municipality": (
                    _municipality(data.country, data.municipality) if data.municipality else None
                ),
            },
        )


def people_load() -> None:
    institutions = {i.name: i for i in Institution.objects.all()}
    for data in PEOPLE:
        upsert(
            Person,
            save=lambda person: person_save(person=person, actor=SYSTEM),
            lookup={"email": data.email},
            values={
                "first_name": data.first_name,
                "last_name": data.last_name,
                "sex": data.sex,
                "phone": data.phone,
                "position": data.position,
                "institution": institutions[data.institution],
                "consent_date": data.consent_date,
                "consent_basis": data.consent_basis,
            },
        )


def networks_load(*, programme: Programme) -> None:
    people = {p.email: p for p in Person.objects.select_related("institution")}
    for data in NETWORKS:
        network = Network.objects.filter(name=data.name).first() or Network(name=data.name)
        fields = {
            "kind": data.kind,
            "status": NetworkStatus.ACTIVE,
            "founded_on": data.founded_on,
            "description": data.description,
            "programme": programme,
        }
        municipalities = [_municipality(code, name) for code, name in data.municipalities]
        unchanged = (
            network.pk
            and all(getattr(network, field) == value for field, value in fields.items())
            and set(network.municipalities.all()) == set(municipalities)
        )
        if not unchanged:
            for field, value in fields.items():
                setattr(network, field, value)
            network = network_save(network=network, municipalities=municipalities, actor=SYSTEM)
        for seat in data.seats:
            _seat_load(network=network, person=people[seat.email], seat=seat)


def _seat_load(*, network: Network, person: Person, seat: Seat) -> None:
    membership = Membership.objects.filter(
        person=person, network=network, start_date=seat.start
    ).first()
    if membership is None:
        membership = membership_start(
            person=person, network=network, start_date=seat.start, role=seat.role, actor=SYSTEM
        )
    if seat.end and membership.end_date is None:
        membership_end(membership=membership, end_date=seat.end, actor=SYSTEM)


def demo_staff_account_ensure() -> tuple[User, str | None]:
    """The demo's IOM staff account. Returns the password only when this call created it;
    an existing account (and its password) is left exactly as it is."""
    user = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    # Its password is printed on the terminal: the first sign-in asks for one of the owner's
    # own (accounts.middleware), and the admin then asks for an authenticator app.
    user = User.objects.create_superuser(
        email=STAFF_EMAIL,
        password=password,
        name="Personal OIM (demo)",
        must_change_password=True,
    )
    # Sign-in requires a verified address; this one is ours, not a visitor's.
    EmailAddress.objects.create(user=user, email=STAFF_EMAIL, verified=True, primary=True)
    return user, password


def demo_coordinators() -> list[tuple[str, str]]:
    """(network name, e-mail) of the person holding each demo network's open coordinator seat."""
    return [
        (data.name, seat.email)
        for data in NETWORKS
        for seat in data.seats
        if seat.role == _COORDINATOR and seat.end is None
    ]


def demo_coordinator_accounts_ensure() -> tuple[list[tuple[str, str]], str | None]:
    """An account for the coordinator of each demo network, linked to their person, so one
    can sign in as a coordinator and see the workspace. Returns the accounts and their one
    password, when this call created any (existing accounts are left as they are)."""
    password = secrets.token_urlsafe(12)
    hashed = None  # hashed once for all: the hasher is slow on purpose
    created = False
    accounts = []
    people = {
        p.email: p for p in Person.objects.filter(email__in=[e for _n, e in demo_coordinators()])
    }
    for network_name, email in demo_coordinators():
        person = people[email]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            hashed = hashed or make_password(password)
            user = User.objects.create(email=email, name=person.full_name, password=hashed)
            # An address of the demo's own, verified as sign-in requires.
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            created = True
        if person.user_id is None and not Person.objects.filter(user=user).exists():
            person.user = user
            person_save(person=person, actor=SYSTEM)
        accounts.append((network_name, user.email))
    return accounts, password if created else None
