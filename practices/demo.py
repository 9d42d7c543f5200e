"""Demo good practices for ``manage.py load_demo``, loaded after the demo registry.

Every record is illustrative. The municipalities, networks and public bodies are those of the
demo registry (networks.demo); the ordinances, their numbers, dates, gazette references and all
figures are invented and say so. The livelihood ordinances recreate the kind of local rules that
border municipalities of El Salvador, Guatemala and Honduras shared at the IOM–SICA virtual
exchanges of September 2020 as an alternative to irregular migration; none is a real ordinance.

The content is plain data below. Loading goes through the same services as the admin
(practice_save, attachment_add, practice_submit, practice_publish), so validation, search data
and the review log are real. It is idempotent: a practice whose slug exists is left exactly as
it is (content, status and files), so a second run writes nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from common.upsert import upsert
from networks.models import Institution, Municipality, Network

from .enums import AttachmentKind, ContentLanguage, ImplementationStatus, PracticeType, ReviewStatus
from .models import GCMObjective, GCMPrinciple, LegalEvidence, Practice, Replication, Theme
from .services import (
    attachment_add,
    legal_evidence_save,
    practice_publish,
    practice_save,
    practice_submit,
    replication_save,
)

# Content stored in the database, not interface text: it stays in the language it is written in.
DEMO_NOTE = {
    ContentLanguage.SPANISH: (
        "*Registro ilustrativo con datos de demostración: instituciones y municipios son los del "
        "registro de prueba; números de normas, fechas y cifras son ficticios.*"
    ),
    ContentLanguage.ENGLISH: (
        "*Illustrative record with demo data: institutions and municipalities are those of the "
        "test registry; legal numbers, dates and figures are fictitious.*"
    ),
}
SUBMIT_COMMENT = "Enviada para revisión al cargar los datos de demostración."
PUBLISH_COMMENT = "Revisada y publicada al cargar los datos de demostración."

TRIFINIO = "mesa-tecnica-transfronteriza-del-trifinio"
AMATILLO = "mesa-tecnica-transfronteriza-el-amatillo-goascoran"
JUTIAPA = "red-local-de-movilidad-humana-de-jutiapa"

IOM = "Organización Internacional para las Migraciones"
SICA = "Sistema de la Integración Centroamericana"
DGME = "Dirección General de Migración y Extranjería"
IGM = "Instituto Guatemalteco de Migración"
INM = "Instituto Nacional de Migración"


@dataclass(frozen=True)
class LegalData:
    number: str
    approval_date: datetime.date
    gazette_reference: str


@dataclass(frozen=True)
class ReplicationData:
    municipality: str  # slug
    year: int
    notes: str


@dataclass(frozen=True)
class AttachmentData:
    """A one-page PDF generated at load time with these lines of text."""

    title: str
    kind: str
    file_name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PracticeData:
    slug: str
    title: str
    summary: str
    body: str
    practice_type: str
    themes: tuple[str, ...]  # Theme slugs
    gcm_objectives: tuple[int, ...]
    gcm_principles: tuple[str, ...]  # GCMPrinciple slugs
    municipalities: tuple[str, ...]  # Municipality slugs
    network: str  # Network slug
    lead_institution: str  # Institution name
    partners: tuple[str, ...]  # Institution names
    year_started: int
    implementation_status: str
    results: str
    lessons_learned: str
    challenges: str
    replication_requirements: str
    language: str = ContentLanguage.SPANISH
    status: str = ReviewStatus.PUBLISHED
    legal: LegalData | None = None
    replications: tuple[ReplicationData, ...] = ()
    attachments: tuple[AttachmentData, ...] = ()


_ORDINANCE = PracticeType.MUNICIPAL_ORDINANCE
_ONGOING = ImplementationStatus.ONGOING
_COMPLETED = ImplementationStatus.COMPLETED
_d = datetime.date

_EXCHANGE_ES = (
    "Ordenanzas de este tipo fueron presentadas por municipios fronterizos de El Salvador, "
    "Guatemala y Honduras en los intercambios virtuales que la OIM y el SICA organizaron en "
    "septiembre de 2020 sobre medios de vida como alternativa a la migración irregular. Este "
    "registro recrea una de ellas como ejemplo: no reproduce una norma real."
)


def _legal_pdf_lines(title: str, legal: LegalData, municipality: str) -> tuple[str, ...]:
    return (
        "DOCUMENTO FICTICIO - DATOS DE DEMOSTRACIÓN - NO ES UN TEXTO OFICIAL",
        "",
        title,
        legal.number,
        f"Municipio: {municipality}",
        f"Aprobación: {legal.approval_date:%d/%m/%Y}",
        f"Publicación: {legal.gazette_reference}",
        "",
        "Este archivo acompaña un registro ilustrativo del portal de buenas prácticas.",
    )


# The practices, in the order the catalogue shows them (the first is published last, so newest).

_CITALA_LEGAL = LegalData(
    number="Ordenanza municipal 03-2019 (ficticia, datos de demostración)",
    approval_date=_d(2019, 7, 18),
    gazette_reference="Diario Oficial, tomo 000, n.º 000 (ejemplo)",
)
_OCOTEPEQUE_LEGAL = LegalData(
    number="Ordenanza municipal 07-2020 (ficticia, datos de demostración)",
    approval_date=_d(2020, 2, 27),
    gazette_reference="La Gaceta, n.º 00.000 (ejemplo)",
)
_ESQUIPULAS_LEGAL = LegalData(
    number="Acuerdo municipal 12-2018 (ficticio, datos de demostración)",
    approval_date=_d(2018, 9, 13),
    gazette_reference="Diario de Centro América, publicación n.º 000 (ejemplo)",
)

PRACTICES = [
    PracticeData(
        slug="ordenanza-fondo-municipal-empleo-emprendimiento-citala",
        title="Ordenanza del Fondo Municipal de Empleo y Emprendimiento de Citalá",
        summary=(
            "Ordenanza con la que el concejo municipal de Citalá crea un fondo permanente para "
            "el empleo local y el emprendimiento, con capital semilla, microcréditos sin interés "
            "y acompañamiento técnico, que da prioridad a jóvenes, mujeres y personas retornadas "
            "como alternativa a la migración irregular. Registro ilustrativo: el número de la "
            "ordenanza, las fechas y las cifras son datos de demostración."
        ),
        body=(
            "Citalá es un municipio fronterizo de Chalatenango, junto al paso de El Poy hacia "
            "Ocotepeque (Honduras). La falta de empleo, sobre todo para la juventud, es uno de "
            "los motivos por los que muchas familias ven en la migración irregular su única "
            "salida.\n\n"
            "En 2019 el concejo municipal aprobó una ordenanza que convierte el apoyo al empleo "
            "y al emprendimiento en una política municipal con presupuesto propio, en lugar de "
            "depender de proyectos de corta duración. " + _EXCHANGE_ES + "\n\n"
            "La ordenanza:\n\n"
            "- crea el Fondo Municipal de Empleo y Emprendimiento, con una partida anual del "
            "presupuesto municipal y aportes de la cooperación;\n"
            "- entrega capital semilla y microcréditos sin interés a emprendimientos locales;\n"
            "- reserva al menos la mitad de los cupos para jóvenes de 18 a 29 años, mujeres y "
            "personas retornadas;\n"
            "- crea un comité de seguimiento con participación de la asociación comunitaria, que "
            "rinde cuentas en un cabildo abierto cada año;\n"
            "- encarga a la unidad municipal de desarrollo económico la asesoría técnica durante "
            "el primer año de cada negocio."
        ),
        practice_type=_ORDINANCE,
        themes=("livelihoods", "local-governance", "return-reintegration"),
        gcm_objectives=(2, 18, 20),
        gcm_principles=("people-centred", "sustainable-development", "gender-responsive"),
        municipalities=("citala-sv",),
        network=TRIFINIO,
        lead_institution="Alcaldía Municipal de Citalá",
        partners=(IOM, SICA, "Asociación Comunitaria Frontera Viva (ficticia)"),
        year_started=2019,
        implementation_status=_ONGOING,
        results=(
            "- 64 emprendimientos apoyados entre 2019 y 2022, el 58 % dirigidos por mujeres.\n"
            "- 21 personas retornadas abrieron un negocio con apoyo del fondo.\n"
            "- La partida del fondo se mantuvo en el presupuesto después del cambio de concejo."
        ),
        lessons_learned=(
            "Una norma municipal da continuidad a lo que antes dependía de un proyecto. La "
            "participación de la comunidad en el comité de seguimiento genera confianza en la "
            "selección, y el acompañamiento técnico pesa tanto como el capital: los negocios "
            "con asesoría sobreviven más."
        ),
        challenges=(
            "El fondo es pequeño frente a la demanda. Formalizar los negocios exige trámites "
            "lejos del municipio. Con la reforma territorial de 2024 Citalá pasó a ser distrito "
            "de Chalatenango Norte, y la continuidad del fondo depende del nuevo concejo."
        ),
        replication_requirements=(
            "- Acuerdo del concejo municipal y una partida presupuestaria, aunque sea modesta.\n"
            "- Una unidad o persona responsable del desarrollo económico local.\n"
            "- Un reglamento con criterios de selección públicos.\n"
            "- Alianzas con la cooperación y el sector privado para la asistencia técnica."
        ),
        legal=_CITALA_LEGAL,
        replications=(
            ReplicationData(
                "san-ignacio-sv",
                2021,
                "El concejo de San Ignacio adaptó el texto con un fondo menor, orientado a la "
                "agricultura de altura y al turismo rural (ejemplo).",
            ),
        ),
        attachments=(
            AttachmentData(
                title="Texto de la ordenanza 03-2019 (ejemplo)",
                kind=AttachmentKind.LEGAL_TEXT,
                file_name="ordenanza-03-2019-citala-ejemplo.pdf",
                lines=_legal_pdf_lines(
                    "Ordenanza del Fondo Municipal de Empleo y Emprendimiento",
                    _CITALA_LEGAL,
                    "Citalá, Chalatenango, El Salvador",
                ),
            ),
        ),
    ),
    PracticeData(
        slug="ordenanza-capital-semilla-emprendimiento-juvenil-ocotepeque",
        title="Ordenanza de capital semilla para el emprendimiento juvenil en Ocotepeque",
        summary=(
            "La corporación municipal de Ocotepeque aprueba una ordenanza que financia cada año "
            "una escuela de emprendimiento y capital semilla en especie para jóvenes, con cupos "
            "reservados para mujeres jóvenes y jóvenes retornados, como alternativa a la "
            "migración irregular. Registro ilustrativo con datos de demostración."
        ),
        body=(
            "Ocotepeque limita con El Salvador y está a pocos kilómetros de Guatemala. Por su "
            "ubicación en el Trifinio, muchos jóvenes conocen de cerca las rutas de la "
            "migración irregular y sus riesgos.\n\n"
            "La ordenanza, aprobada por la corporación municipal en 2020, establece un programa "
            "permanente de emprendimiento juvenil. " + _EXCHANGE_ES + "\n\n"
            "Cómo funciona:\n\n"
            "1. Dos convocatorias al año para jóvenes de 16 a 30 años del municipio.\n"
            "2. Una escuela de emprendimiento de ocho semanas, en horario compatible con el "
            "estudio y el trabajo agrícola.\n"
            "3. Capital semilla en especie (equipo e insumos) para los planes de negocio mejor "
            "valorados por un jurado mixto.\n"
            "4. Mentoría de comerciantes locales durante seis meses.\n\n"
            "El 40 % de los cupos se reserva para mujeres jóvenes y se da puntaje adicional a "
            "jóvenes retornados."
        ),
        practice_type=_ORDINANCE,
        themes=("livelihoods", "local-governance", "capacity-building"),
        gcm_objectives=(2, 6, 18),
        gcm_principles=("people-centred", "gender-responsive", "whole-of-government"),
        municipalities=("ocotepeque-hn",),
        network=TRIFINIO,
        lead_institution="Alcaldía Municipal de Ocotepeque",
        partners=(IOM, SICA, "Fundación Mujeres de la Frontera (ficticia)"),
        year_started=2020,
        implementation_status=_ONGOING,
        results=(
            "- Cinco promociones de la escuela de emprendimiento, con 148 jóvenes formados.\n"
            "- 52 negocios con capital semilla; 39 seguían abiertos al año.\n"
            "- La mitad de los negocios están dirigidos por mujeres jóvenes."
        ),
        lessons_learned=(
            "El capital en especie reduce el riesgo de desvío de fondos y facilita la rendición "
            "de cuentas. La mentoría de comerciantes locales crea redes que los jóvenes no "
            "tenían. Tener la norma aprobada ayudó a atraer aportes de la cooperación."
        ),
        challenges=(
            "La pandemia obligó a pasar la primera escuela a la modalidad virtual, con poca "
            "conectividad en las aldeas. Algunos jóvenes migraron igualmente tras recibir la "
            "formación."
        ),
        replication_requirements=(
            "- Una ordenanza o acuerdo de la corporación municipal con presupuesto anual.\n"
            "- Personal municipal de juventud o de desarrollo económico.\n"
            "- Comerciantes o cooperativas dispuestas a ser mentores."
        ),
        legal=_OCOTEPEQUE_LEGAL,
        replications=(
            ReplicationData(
                "sinuapa-hn",
                2022,
                "Sinuapa adoptó el modelo y comparte con Ocotepeque la escuela de "
                "emprendimiento; cada municipio financia su capital semilla (ejemplo).",
            ),
        ),
        attachments=(
            AttachmentData(
                title="Texto de la ordenanza 07-2020 (ejemplo)",
                kind=AttachmentKind.LEGAL_TEXT,
                file_name="ordenanza-07-2020-ocotepeque-ejemplo.pdf",
                lines=_legal_pdf_lines(
                    "Ordenanza de capital semilla para el emprendimiento juvenil",
                    _OCOTEPEQUE_LEGAL,
                    "Ocotepeque, Ocotepeque, Honduras",
                ),
            ),
        ),
    ),
    PracticeData(
        slug="oficina-municipal-atencion-personas-retornadas-esquipulas",
        title="Oficina Municipal de Atención a Personas Migrantes Retornadas de Esquipulas",
        summary=(
            "Por acuerdo del concejo municipal, Esquipulas crea una oficina que recibe a las "
            "personas retornadas, las orienta sobre documentos, salud y empleo, y las vincula "
            "con la bolsa de empleo y los programas productivos del municipio. Registro "
            "ilustrativo con datos de demostración."
        ),
        body=(
            "Esquipulas, en Chiquimula, es un municipio de paso y de origen de migración hacia "
            "el norte. Las personas retornadas llegan a menudo sin documentos, con deudas y sin "
            "saber a qué servicios acudir.\n\n"
            "En 2018 el concejo municipal aprobó un acuerdo que crea la Oficina Municipal de "
            "Atención a Personas Migrantes Retornadas dentro de la Oficina Municipal de "
            "Desarrollo Económico Local. " + _EXCHANGE_ES + "\n\n"
            "La oficina:\n\n"
            "- hace una entrevista inicial y un plan de reintegración con cada persona;\n"
            "- orienta sobre la recuperación de documentos de identidad y la inscripción de "
            "hijas e hijos nacidos fuera del país;\n"
            "- deriva a salud, apoyo psicosocial y a la pastoral de movilidad humana;\n"
            "- inscribe a las personas en la bolsa de empleo y en los cursos técnicos del "
            "municipio."
        ),
        practice_type=_ORDINANCE,
        themes=("return-reintegration", "local-governance", "livelihoods"),
        gcm_objectives=(4, 15, 21),
        gcm_principles=("people-centred", "human-rights", "whole-of-government"),
        municipalities=("esquipulas-gt",),
        network=TRIFINIO,
        lead_institution="Municipalidad de Esquipulas",
        partners=(IOM, IGM, "Pastoral de Movilidad Humana del Trifinio (ficticia)"),
        year_started=2018,
        implementation_status=_ONGOING,
        results=(
            "- 610 personas retornadas atendidas entre 2018 y 2022.\n"
            "- 230 personas con un plan de reintegración y 95 colocadas en un empleo.\n"
            "- Un protocolo de derivación firmado con los servicios de salud locales."
        ),
        lessons_learned=(
            "Ubicar la oficina dentro del área de desarrollo económico evita tratar la "
            "reintegración solo como asistencia. Un registro sencillo de cada caso permite "
            "mostrar resultados al concejo y sostener el presupuesto."
        ),
        challenges=(
            "La oficina depende de una sola persona técnica. Muchas personas retornadas no "
            "llegan a la oficina porque no saben que existe."
        ),
        replication_requirements=(
            "- Acuerdo del concejo municipal y un espacio físico accesible.\n"
            "- Al menos una persona técnica formada en atención a personas retornadas.\n"
            "- Acuerdos de derivación con salud, registro civil y organizaciones locales."
        ),
        legal=_ESQUIPULAS_LEGAL,
        replications=(
            ReplicationData(
                "concepcion-las-minas-gt",
                2021,
                "Concepción Las Minas abrió una ventanilla con el mismo modelo, atendida dos "
                "días por semana (ejemplo).",
            ),
        ),
        attachments=(
            AttachmentData(
                title="Texto del acuerdo municipal 12-2018 (ejemplo)",
                kind=AttachmentKind.LEGAL_TEXT,
                file_name="acuerdo-12-2018-esquipulas-ejemplo.pdf",
                lines=_legal_pdf_lines(
                    "Acuerdo de creación de la Oficina de Atención a Personas Retornadas",
                    _ESQUIPULAS_LEGAL,
                    "Esquipulas, Chiquimula, Guatemala",
                ),
            ),
        ),
    ),
    PracticeData(
        slug="protocolo-coordinacion-transfronteriza-mesa-el-amatillo-goascoran",
        title="Protocolo de coordinación transfronteriza de la Mesa Técnica El Amatillo – "
        "Goascorán",
        summary=(
            "Las alcaldías de Pasaquina y Goascorán, las autoridades migratorias y las "
            "organizaciones de la mesa técnica acuerdan un protocolo que define quién hace qué "
            "cuando llegan personas migrantes en situación de vulnerabilidad al paso de "
            "El Amatillo. Registro ilustrativo con datos de demostración."
        ),
        body=(
            "El Amatillo, sobre el río Goascorán, es uno de los pasos fronterizos con más "
            "tránsito entre El Salvador y Honduras. Antes del protocolo, cada institución "
            "respondía por su cuenta y las personas repetían su historia en cada ventanilla.\n\n"
            "El protocolo de la mesa técnica establece:\n\n"
            "- un directorio compartido de puntos focales de ambos lados, actualizado cada "
            "trimestre;\n"
            "- un canal de comunicación de guardia para avisos urgentes;\n"
            "- criterios comunes para identificar necesidades de protección y derivar casos;\n"
            "- reuniones mensuales que se alternan entre Pasaquina y Goascorán;\n"
            "- un plan de respuesta conjunta ante llegadas numerosas de personas en tránsito."
        ),
        practice_type=PracticeType.COORDINATION_MECHANISM,
        themes=("cross-border", "protection", "local-governance"),
        gcm_objectives=(7, 11, 23),
        gcm_principles=("international-cooperation", "national-sovereignty", "human-rights"),
        municipalities=("pasaquina-sv", "goascoran-hn"),
        network=AMATILLO,
        lead_institution="Alcaldía Municipal de Pasaquina",
        partners=(
            "Alcaldía Municipal de Goascorán",
            IOM,
            DGME,
            INM,
            "Casa de Acogida Buen Samaritano (ficticia)",
        ),
        year_started=2018,
        implementation_status=_ONGOING,
        results=(
            "- 40 reuniones binacionales entre 2018 y 2022.\n"
            "- Tiempo de respuesta a un aviso urgente reducido de un día a menos de tres horas.\n"
            "- Dos simulacros conjuntos de respuesta a llegadas numerosas."
        ),
        lessons_learned=(
            "Un documento corto y firmado por todas las partes sobrevive a los cambios de "
            "personal. Alternar la sede de las reuniones reparte el esfuerzo y construye "
            "confianza entre ambos lados."
        ),
        challenges=(
            "La rotación de funcionarios obliga a presentar el protocolo una y otra vez. Los "
            "cambios de autoridades en El Salvador en 2024 exigieron actualizar el directorio."
        ),
        replication_requirements=(
            "- Una mesa o red que ya reúna a ambos lados de la frontera.\n"
            "- Puntos focales designados por escrito en cada institución.\n"
            "- Acompañamiento de una organización que lleve la secretaría técnica."
        ),
    ),
    PracticeData(
        slug="ventanilla-municipal-informacion-personas-migrantes-asuncion-mita",
        title="Ventanilla municipal de información y orientación para personas migrantes en "
        "Asunción Mita",
        summary=(
            "Un punto de atención en la municipalidad de Asunción Mita donde personas "
            "migrantes, retornadas y sus familias reciben información fiable sobre trámites, "
            "derechos, riesgos de la migración irregular y servicios locales. Registro "
            "ilustrativo con datos de demostración."
        ),
        body=(
            "Las familias de Asunción Mita recibían información sobre migración sobre todo de "
            "intermediarios y de redes sociales, a menudo falsa. La municipalidad abrió en 2020 "
            "una ventanilla única, atendida por personal formado, con horario ampliado los días "
            "de mercado.\n\n"
            "Servicios de la ventanilla:\n\n"
            "- información sobre documentos de identidad, pasaportes y vías regulares de "
            "migración laboral;\n"
            "- orientación a personas retornadas y derivación a empleo, salud y educación;\n"
            "- información sobre los riesgos de la migración irregular, la trata y el tráfico "
            "de personas;\n"
            "- un directorio impreso de servicios locales, actualizado con la red."
        ),
        practice_type=PracticeType.PUBLIC_SERVICE,
        themes=("information", "return-reintegration", "local-governance"),
        gcm_objectives=(3, 15, 21),
        gcm_principles=("people-centred", "human-rights", "whole-of-government"),
        municipalities=("asuncion-mita-gt",),
        network=JUTIAPA,
        lead_institution="Municipalidad de Asunción Mita",
        partners=(IGM, IOM, "Colectivo Juventud sin Fronteras (ficticio)"),
        year_started=2020,
        implementation_status=_ONGOING,
        results=(
            "- 2 300 consultas atendidas entre 2020 y 2023.\n"
            "- 410 personas retornadas derivadas a servicios locales.\n"
            "- Dos municipios vecinos abrieron su propia ventanilla."
        ),
        lessons_learned=(
            "Atender los días de mercado multiplicó las consultas. Las personas confían más en "
            "la información cuando la da alguien de la propia municipalidad que conocen."
        ),
        challenges=(
            "Mantener al día la información sobre trámites nacionales, que cambian con "
            "frecuencia. Conseguir que las personas que piensan migrar se acerquen sin temor."
        ),
        replication_requirements=(
            "- Un espacio visible en la municipalidad y una persona a cargo.\n"
            "- Formación inicial en información migratoria y en derivación de casos.\n"
            "- Un directorio de servicios actualizado con la red local."
        ),
        replications=(
            ReplicationData(
                "moyuta-gt",
                2022,
                "Moyuta abrió una ventanilla en la oficina de desarrollo económico local "
                "(ejemplo).",
            ),
            ReplicationData(
                "atescatempa-gt",
                2023,
                "Atescatempa la integró en la oficina municipal de juventud (ejemplo).",
            ),
        ),
    ),
    PracticeData(
        slug="escuela-liderazgo-comunitario-movilidad-humana-trifinio",
        title="Escuela de liderazgo comunitario en movilidad humana del Trifinio",
        summary=(
            "Formación de lideresas y líderes comunitarios de los tres países del Trifinio para "
            "orientar a personas migrantes y retornadas, detectar situaciones de riesgo y "
            "derivarlas a los servicios adecuados. Registro ilustrativo con datos de "
            "demostración."
        ),
        body=(
            "En las aldeas fronterizas, la primera persona a la que acude alguien en "
            "dificultad suele ser una lideresa comunitaria, un catequista o un maestro, no una "
            "institución. La escuela prepara a esas personas para orientar bien.\n\n"
            "Cada promoción sigue seis módulos presenciales, uno por mes, que rotan entre "
            "Metapán, Citalá, Esquipulas y Ocotepeque:\n\n"
            "1. Derechos de las personas migrantes y retornadas.\n"
            "2. Riesgos de la migración irregular, trata y tráfico de personas.\n"
            "3. Primeros auxilios psicológicos.\n"
            "4. Rutas de derivación y servicios de cada país.\n"
            "5. Prevención de la violencia basada en género.\n"
            "6. Proyecto comunitario de cierre."
        ),
        practice_type=PracticeType.TRAINING,
        themes=("capacity-building", "protection", "social-cohesion"),
        gcm_objectives=(3, 7, 16),
        gcm_principles=("whole-of-society", "human-rights", "gender-responsive"),
        municipalities=("metapan-sv", "citala-sv", "esquipulas-gt", "ocotepeque-hn"),
        network=TRIFINIO,
        lead_institution=IOM,
        partners=(
            "Pastoral de Movilidad Humana del Trifinio (ficticia)",
            "Asociación Comunitaria Frontera Viva (ficticia)",
            "Fundación Mujeres de la Frontera (ficticia)",
        ),
        year_started=2017,
        implementation_status=_COMPLETED,
        results=(
            "- Tres promociones entre 2017 y 2021, con 96 personas formadas (62 mujeres).\n"
            "- 18 proyectos comunitarios de cierre, como murales informativos y ferias.\n"
            "- Un grupo de mensajería entre egresados que sigue activo."
        ),
        lessons_learned=(
            "Rotar la sede entre los tres países hizo que los participantes conocieran los "
            "servicios del otro lado. Los módulos prácticos, con casos reales, funcionaron "
            "mejor que las charlas."
        ),
        challenges=(
            "Costos de transporte de las aldeas más alejadas. Algunas personas no pudieron "
            "cruzar la frontera por falta de documentos."
        ),
        replication_requirements=(
            "- Una organización que coordine y lleve la logística.\n"
            "- Facilitadores de las instituciones de cada país.\n"
            "- Presupuesto para transporte y alimentación de los participantes."
        ),
    ),
    PracticeData(
        slug="campana-somos-vecinos-contra-discriminacion",
        title="Campaña «Somos vecinos» contra la discriminación de personas migrantes y retornadas",
        summary=(
            "Campaña de radio, redes sociales y actividades en escuelas en ambos lados de "
            "El Amatillo para reducir el rechazo hacia personas migrantes en tránsito y "
            "retornadas, con historias contadas por sus protagonistas. Registro ilustrativo "
            "con datos de demostración."
        ),
        body=(
            "Tras la llegada de grupos numerosos de personas en tránsito, en Goascorán, Alianza "
            "y Pasaquina aumentaron los comentarios hostiles y los rumores. La mesa técnica "
            "decidió responder con información y con historias cercanas.\n\n"
            "La campaña combinó:\n\n"
            "- doce cuñas de radio comunitaria con testimonios de personas retornadas y de "
            "vecinos que las acogieron;\n"
            "- una serie de publicaciones con datos verificados para desmentir rumores;\n"
            "- charlas y un concurso de dibujo en escuelas de los cuatro municipios;\n"
            "- un partido de fútbol binacional como cierre."
        ),
        practice_type=PracticeType.AWARENESS_CAMPAIGN,
        themes=("social-cohesion", "information"),
        gcm_objectives=(16, 17),
        gcm_principles=("human-rights", "whole-of-society"),
        municipalities=("goascoran-hn", "alianza-hn", "pasaquina-sv", "nueva-esparta-sv"),
        network=AMATILLO,
        lead_institution="Centro de Derechos Humanos del Oriente (ficticio)",
        partners=(
            "Alcaldía Municipal de Goascorán",
            "Alcaldía Municipal de Alianza",
            "Asociación de Desarrollo Comunal El Amatillo (ficticia)",
            IOM,
        ),
        year_started=2021,
        implementation_status=_COMPLETED,
        results=(
            "- Las cuñas se emitieron durante seis meses en tres radios comunitarias.\n"
            "- 1 900 estudiantes participaron en charlas y en el concurso.\n"
            "- En una encuesta sencilla, las respuestas de rechazo bajaron del 41 % al 27 %."
        ),
        lessons_learned=(
            "Los testimonios de vecinos convencen más que los mensajes institucionales. "
            "Desmentir un rumor funciona mejor el mismo día en que circula."
        ),
        challenges=(
            "Medir el cambio de actitudes con pocos recursos. Evitar exponer a las personas "
            "que dieron su testimonio."
        ),
        replication_requirements=(
            "- Radios comunitarias o medios locales dispuestos a colaborar.\n"
            "- Consentimiento informado de quienes dan su testimonio.\n"
            "- Una persona que verifique datos antes de publicarlos."
        ),
    ),
    PracticeData(
        slug="huertos-familiares-bancos-semillas-familias-retornadas-jutiapa",
        title="Huertos familiares y bancos comunitarios de semillas con familias retornadas",
        summary=(
            "Programa de seguridad alimentaria en municipios de Jutiapa del Corredor Seco: "
            "familias retornadas y de acogida instalan huertos con riego por goteo y gestionan "
            "bancos comunitarios de semillas criollas. Registro ilustrativo con datos de "
            "demostración."
        ),
        body=(
            "Las sequías repetidas del Corredor Seco destruyen cosechas y empujan a muchas "
            "familias a migrar. Las familias retornadas vuelven a menudo sin tierra ni "
            "semillas.\n\n"
            "El programa, coordinado por la municipalidad de Moyuta con la red local, "
            "trabajó en tres líneas:\n\n"
            "- huertos familiares con riego por goteo y cosecha de agua de lluvia;\n"
            "- bancos comunitarios de semillas criollas resistentes a la sequía, gestionados "
            "por comités de mujeres;\n"
            "- ferias locales para vender los excedentes.\n\n"
            "Cada familia retornada trabajó junto a una familia de acogida de la misma aldea."
        ),
        practice_type=PracticeType.PROGRAMME_OR_PROJECT,
        themes=("food-security", "return-reintegration", "livelihoods"),
        gcm_objectives=(2, 16, 21),
        gcm_principles=("sustainable-development", "gender-responsive", "whole-of-society"),
        municipalities=("moyuta-gt", "jalpatagua-gt", "conguaco-gt"),
        network=JUTIAPA,
        lead_institution="Municipalidad de Moyuta",
        partners=(
            "Consejo Comunitario de Desarrollo Valle Nuevo (ficticio)",
            "Cámara Empresarial de Jutiapa (ficticia)",
            IOM,
        ),
        year_started=2021,
        implementation_status=_COMPLETED,
        results=(
            "- 180 huertos familiares, 70 de ellos de familias retornadas.\n"
            "- Seis bancos de semillas con 14 variedades criollas.\n"
            "- Las familias participantes redujeron a la mitad los meses de escasez de "
            "alimentos."
        ),
        lessons_learned=(
            "Emparejar familias retornadas con familias de acogida facilitó su aceptación en "
            "la comunidad. Los comités de mujeres dieron continuidad a los bancos de semillas "
            "después del programa."
        ),
        challenges=(
            "El acceso al agua en la estación seca. Algunas familias no tenían un terreno "
            "propio para el huerto."
        ),
        replication_requirements=(
            "- Acompañamiento técnico agrícola durante al menos dos ciclos de cultivo.\n"
            "- Organización comunitaria, como un consejo comunitario de desarrollo.\n"
            "- Materiales de riego y semillas para el arranque."
        ),
    ),
    PracticeData(
        slug="ruta-derivacion-ninez-no-acompanada-el-amatillo",
        title="Ruta de derivación para niñas, niños y adolescentes migrantes no acompañados en "
        "El Amatillo",
        summary=(
            "Una ruta acordada por las instituciones de ambos lados de El Amatillo para que "
            "cada niña, niño o adolescente no acompañado sea identificado, protegido y derivado "
            "sin demora a las autoridades de protección de la niñez. Registro ilustrativo con "
            "datos de demostración."
        ),
        body=(
            "Niñas, niños y adolescentes que viajan solos cruzan por El Amatillo expuestos a "
            "redes de trata y tráfico. Antes de la ruta, no había un procedimiento común entre "
            "los dos países ni un lugar seguro donde esperar.\n\n"
            "La ruta define:\n\n"
            "1. Identificación en el paso fronterizo por las autoridades migratorias.\n"
            "2. Entrevista inicial en un espacio amigable, con enfoque de niñez.\n"
            "3. Aviso inmediato a las autoridades nacionales de protección de la niñez.\n"
            "4. Acogida temporal segura mientras se localiza a la familia.\n"
            "5. Seguimiento del caso entre instituciones de ambos países cuando hay retorno.\n\n"
            "Un cartel con la ruta y los teléfonos de guardia está en cada oficina del paso."
        ),
        practice_type=PracticeType.COORDINATION_MECHANISM,
        themes=("children", "protection", "cross-border"),
        gcm_objectives=(7, 10, 12),
        gcm_principles=("child-sensitive", "human-rights", "rule-of-law"),
        municipalities=("pasaquina-sv", "goascoran-hn"),
        network=AMATILLO,
        lead_institution="Alcaldía Municipal de Goascorán",
        partners=(
            INM,
            DGME,
            "Casa de Acogida Buen Samaritano (ficticia)",
            "Centro de Derechos Humanos del Oriente (ficticio)",
            IOM,
        ),
        year_started=2019,
        implementation_status=_ONGOING,
        results=(
            "- 135 niñas, niños y adolescentes atendidos según la ruta entre 2019 y 2023.\n"
            "- Tiempo medio hasta el aviso a protección de la niñez: menos de dos horas.\n"
            "- 40 funcionarias y funcionarios formados en entrevista con enfoque de niñez."
        ),
        lessons_learned=(
            "Un procedimiento simple y visible en cada oficina se aplica más que un manual "
            "extenso. Las reuniones de revisión de casos mejoraron la confianza entre las "
            "instituciones de ambos países."
        ),
        challenges=(
            "Los espacios de acogida temporal son pocos. El seguimiento después del retorno "
            "depende de la buena voluntad de cada institución."
        ),
        replication_requirements=(
            "- Acuerdo entre las autoridades migratorias y de protección de la niñez.\n"
            "- Un espacio amigable en el paso fronterizo.\n"
            "- Formación del personal en entrevista con enfoque de niñez."
        ),
    ),
    PracticeData(
        slug="observatorio-municipal-movilidad-humana-pasaquina",
        title="Observatorio municipal de movilidad humana de Pasaquina",
        summary=(
            "La alcaldía de Pasaquina y un instituto de investigación reúnen cada trimestre "
            "datos locales sobre migración, retorno y tránsito para planificar servicios y "
            "responder a rumores con evidencia. Registro ilustrativo con datos de "
            "demostración."
        ),
        body=(
            "Las decisiones municipales sobre migración se tomaban sin datos locales: las "
            "cifras nacionales no muestran lo que pasa en un municipio fronterizo como "
            "Pasaquina, donde está el paso de El Amatillo.\n\n"
            "El observatorio:\n\n"
            "- recoge datos anónimos de las ventanillas municipales, las organizaciones y los "
            "centros escolares;\n"
            "- hace una encuesta anual de hogares sobre migración y remesas;\n"
            "- publica un boletín trimestral con datos desglosados por sexo y edad;\n"
            "- presenta sus hallazgos al concejo y a la mesa técnica antes de planificar el "
            "presupuesto.\n\n"
            "Los datos personales nunca salen de la institución que los recoge: el "
            "observatorio solo recibe cifras agregadas."
        ),
        practice_type=PracticeType.PROGRAMME_OR_PROJECT,
        themes=("data-evidence", "local-governance"),
        gcm_objectives=(1, 17, 23),
        gcm_principles=("whole-of-government", "human-rights", "people-centred"),
        municipalities=("pasaquina-sv",),
        network=AMATILLO,
        lead_institution="Alcaldía Municipal de Pasaquina",
        partners=(
            "Instituto de Investigación sobre Movilidad Humana de Oriente (ficticio)",
            IOM,
            DGME,
        ),
        year_started=2021,
        implementation_status=_ONGOING,
        results=(
            "- Diez boletines trimestrales publicados.\n"
            "- La encuesta de hogares mostró que uno de cada cuatro hogares recibe remesas.\n"
            "- El concejo reorientó parte del presupuesto de juventud según los datos."
        ),
        lessons_learned=(
            "Pocos indicadores bien recogidos valen más que muchos incompletos. Acordar desde "
            "el inicio cómo se protegen los datos personales facilitó que las organizaciones "
            "compartieran información."
        ),
        challenges=(
            "Sostener la encuesta anual sin financiamiento externo. Con la reforma territorial "
            "de 2024, comparar series de datos de distritos y municipios nuevos."
        ),
        replication_requirements=(
            "- Una alianza con una universidad o centro de investigación.\n"
            "- Acuerdos de intercambio de datos agregados con las instituciones locales.\n"
            "- Una persona en la alcaldía que use los datos en la planificación."
        ),
        attachments=(
            AttachmentData(
                title="Boletín trimestral del observatorio (ejemplo)",
                kind=AttachmentKind.REPORT,
                file_name="boletin-observatorio-pasaquina-ejemplo.pdf",
                lines=(
                    "DOCUMENTO FICTICIO - DATOS DE DEMOSTRACIÓN",
                    "",
                    "Observatorio municipal de movilidad humana de Pasaquina",
                    "Boletín trimestral n.º 1 (ejemplo)",
                    "",
                    "Consultas en la ventanilla municipal: 212 (ficticio)",
                    "Personas retornadas registradas: 37 (ficticio)",
                    "Hogares que reciben remesas: 1 de cada 4 (ficticio)",
                ),
            ),
        ),
    ),
    PracticeData(
        slug="convenio-atencion-salud-paso-fronterizo-el-poy",
        title="Convenio de atención en salud para personas en movilidad en el paso fronterizo "
        "de El Poy",
        summary=(
            "Las alcaldías de Citalá y Ocotepeque acuerdan con los servicios de salud locales "
            "un punto de atención básica y una ruta de referencia para personas migrantes y "
            "retornadas que cruzan por El Poy. Registro ilustrativo con datos de demostración."
        ),
        body=(
            "Las personas que cruzan por El Poy llegan a veces deshidratadas, con heridas o con "
            "enfermedades crónicas sin tratar, y no saben dónde atenderse del otro lado.\n\n"
            "El convenio establece:\n\n"
            "- un punto de atención básica en el paso, con turnos de personal de salud;\n"
            "- una ruta de referencia a la unidad de salud más cercana de cada lado;\n"
            "- atención sin costo para personas en situación de vulnerabilidad;\n"
            "- un registro común de atenciones, sin datos personales, para planificar "
            "insumos."
        ),
        practice_type=PracticeType.COORDINATION_MECHANISM,
        themes=("health", "cross-border", "protection"),
        gcm_objectives=(7, 11, 15),
        gcm_principles=("people-centred", "international-cooperation", "human-rights"),
        municipalities=("citala-sv", "ocotepeque-hn"),
        network=TRIFINIO,
        lead_institution="Alcaldía Municipal de Citalá",
        partners=("Alcaldía Municipal de Ocotepeque", IOM, DGME, INM),
        year_started=2022,
        implementation_status=_ONGOING,
        results=(
            "- 1 150 atenciones en el punto del paso durante el primer año.\n"
            "- 85 personas referidas a unidades de salud de uno u otro lado."
        ),
        lessons_learned=(
            "Acordar la ruta de referencia antes de abrir el punto de atención evitó que las "
            "personas quedaran sin seguimiento."
        ),
        challenges=(
            "Asegurar medicamentos durante todo el año. Los turnos de personal dependen de la "
            "disponibilidad de las unidades de salud."
        ),
        replication_requirements=(
            "- Acuerdo entre alcaldías y servicios de salud de ambos lados.\n"
            "- Un espacio en el paso fronterizo y un botiquín básico.\n"
            "- Un registro de atenciones sin datos personales."
        ),
        status=ReviewStatus.SUBMITTED,
    ),
    PracticeData(
        slug="feria-transfronteriza-empleo-el-amatillo",
        title="Feria transfronteriza de empleo y emprendimiento de El Amatillo",
        summary=(
            "Borrador: una feria anual en la que empresas y emprendimientos de ambos lados de "
            "El Amatillo ofrecen empleo y compran a productores locales. Registro ilustrativo "
            "con datos de demostración."
        ),
        body=(
            "La mesa técnica organizó en 2023 la primera feria de empleo en la frontera, con "
            "puestos de empresas, cooperativas y emprendimientos de los municipios de la "
            "mesa.\n\n"
            "Aún por completar:\n\n"
            "- el número de puestos de trabajo ofrecidos y cubiertos;\n"
            "- la opinión de las empresas participantes."
        ),
        practice_type=PracticeType.PROGRAMME_OR_PROJECT,
        themes=("livelihoods", "cross-border"),
        gcm_objectives=(2, 6, 18),
        gcm_principles=("whole-of-society", "sustainable-development"),
        municipalities=("goascoran-hn", "pasaquina-sv"),
        network=AMATILLO,
        lead_institution="Alcaldía Municipal de Goascorán",
        partners=("Alcaldía Municipal de Pasaquina", IOM),
        year_started=2023,
        implementation_status=_ONGOING,
        results="Por documentar después de la segunda edición.",
        lessons_learned="Por documentar.",
        challenges="Conseguir empresas del lado salvadoreño para la segunda edición.",
        replication_requirements="- Una mesa o red con empresas locales dispuestas a participar.",
        status=ReviewStatus.DRAFT,
    ),
    # English-language records: the English versions of two of the Spanish ones above.
    PracticeData(
        slug="citala-municipal-employment-entrepreneurship-fund",
        title="Citalá municipal employment and entrepreneurship fund",
        summary=(
            "By municipal ordinance, the council of Citalá created a standing fund for local "
            "jobs and small businesses, with seed capital, interest-free microcredit and "
            "technical support, giving priority to young people, women and returnees as an "
            "alternative to irregular migration. Illustrative record: the ordinance number, "
            "dates and figures are demo data."
        ),
        body=(
            "Citalá is a border municipality in Chalatenango, El Salvador, at the El Poy "
            "crossing into Ocotepeque, Honduras. Lack of jobs, above all for young people, "
            "makes many families see irregular migration as their only way out.\n\n"
            "Border municipalities of El Salvador, Guatemala and Honduras presented ordinances "
            "of this kind at the virtual exchanges on livelihoods that IOM and SICA held in "
            "September 2020. This record recreates one as an example; it is not a real legal "
            "text.\n\n"
            "The ordinance:\n\n"
            "- creates the fund, with a yearly line in the municipal budget and contributions "
            "from cooperation partners;\n"
            "- grants seed capital and interest-free microcredit to local businesses;\n"
            "- reserves at least half of the places for people aged 18 to 29, women and "
            "returnees;\n"
            "- sets up a monitoring committee with the community association, which reports "
            "at an open town meeting every year."
        ),
        practice_type=_ORDINANCE,
        themes=("livelihoods", "local-governance", "return-reintegration"),
        gcm_objectives=(2, 18, 20),
        gcm_principles=("people-centred", "sustainable-development", "gender-responsive"),
        municipalities=("citala-sv",),
        network=TRIFINIO,
        lead_institution="Alcaldía Municipal de Citalá",
        partners=(IOM, SICA, "Asociación Comunitaria Frontera Viva (ficticia)"),
        year_started=2019,
        implementation_status=_ONGOING,
        results=(
            "- 64 businesses supported between 2019 and 2022, 58% of them run by women.\n"
            "- 21 returnees opened a business with support from the fund."
        ),
        lessons_learned=(
            "A municipal rule gives continuity to what used to depend on a project. Technical "
            "follow-up matters as much as the money."
        ),
        challenges=(
            "The fund is small compared with demand. Since the 2024 territorial reform, Citalá "
            "is a district of Chalatenango Norte and the fund depends on the new council."
        ),
        replication_requirements=(
            "- A council decision and a budget line, however modest.\n"
            "- Someone in charge of local economic development.\n"
            "- Public selection criteria."
        ),
        language=ContentLanguage.ENGLISH,
        legal=LegalData(
            number="Municipal ordinance 03-2019 (fictitious, demo data)",
            approval_date=_CITALA_LEGAL.approval_date,
            gazette_reference="Diario Oficial, volume 000, no. 000 (example)",
        ),
    ),
    PracticeData(
        slug="pasaquina-municipal-human-mobility-observatory",
        title="Pasaquina municipal human mobility observatory",
        summary=(
            "The municipality of Pasaquina and a research institute gather local data on "
            "migration, return and transit every quarter, to plan services and answer rumours "
            "with evidence. Illustrative record with demo data."
        ),
        body=(
            "Municipal decisions on migration used to be taken without local data: national "
            "figures do not show what happens in a border municipality such as Pasaquina, "
            "home of the El Amatillo crossing.\n\n"
            "The observatory:\n\n"
            "- collects anonymous figures from municipal help desks, organisations and "
            "schools;\n"
            "- runs a yearly household survey on migration and remittances;\n"
            "- publishes a quarterly bulletin with data broken down by sex and age;\n"
            "- presents its findings to the council and the cross-border table before the "
            "budget is planned.\n\n"
            "Personal data never leave the institution that collects them: the observatory "
            "only receives aggregate figures."
        ),
        practice_type=PracticeType.PROGRAMME_OR_PROJECT,
        themes=("data-evidence", "local-governance"),
        gcm_objectives=(1, 17, 23),
        gcm_principles=("whole-of-government", "human-rights", "people-centred"),
        municipalities=("pasaquina-sv",),
        network=AMATILLO,
        lead_institution="Alcaldía Municipal de Pasaquina",
        partners=(
            "Instituto de Investigación sobre Movilidad Humana de Oriente (ficticio)",
            IOM,
            DGME,
        ),
        year_started=2021,
        implementation_status=_ONGOING,
        results=(
            "- Ten quarterly bulletins published.\n"
            "- The household survey found that one household in four receives remittances."
        ),
        lessons_learned=(
            "A few indicators collected well are worth more than many incomplete ones. "
            "Agreeing from the start how personal data are protected made organisations "
            "willing to share."
        ),
        challenges="Keeping the yearly survey going without outside funding.",
        replication_requirements=(
            "- A partnership with a university or research centre.\n"
            "- Agreements to exchange aggregate data with local institutions."
        ),
        language=ContentLanguage.ENGLISH,
    ),
]


# Loading --------------------------------------------------------------------------------------


@dataclass
class PracticesDemoResult:
    created: int  # practices created by this run
    total: int
    published: int


@transaction.atomic
def practices_demo_load(*, staff_user) -> PracticesDemoResult:
    """Create the demo practices that do not exist yet, as ``staff_user`` (submitter and
    reviewer). Needs the demo registry (networks.demo.demo_load) and the taxonomies."""
    lookups = _Lookups()
    existing = set(
        Practice.objects.filter(slug__in=[data.slug for data in PRACTICES]).values_list(
            "slug", flat=True
        )
    )
    created = 0
    # Published in reverse, so the catalogue (newest first) shows them in the order above.
    for data in reversed(PRACTICES):
        if data.slug not in existing:
            _practice_load(data, staff_user=staff_user, lookups=lookups)
            created += 1
    return PracticesDemoResult(
        created=created,
        total=Practice.objects.count(),
        published=Practice.objects.published().count(),
    )


class _Lookups:
    """The rows the data names, fetched once; a name that is missing fails loudly."""

    def __init__(self):
        self.themes = Theme.objects.in_bulk(field_name="slug")
        self.objectives = GCMObjective.objects.in_bulk(field_name="number")
        self.principles = GCMPrinciple.objects.in_bulk(field_name="slug")
        self.municipalities = Municipality.objects.in_bulk(field_name="slug")
        self.networks = Network.objects.in_bulk(field_name="slug")
        self.institutions = {
            institution.name: institution for institution in Institution.objects.all()
        }

    @staticmethod
    def pick(rows: dict, keys, what: str) -> list:
        missing = [key for key in keys if key not in rows]
        if missing:
            raise LookupError(
                f"Demo practices name unknown {what}: {missing}. Run demo_load first."
            )
        return [rows[key] for key in keys]


def _practice_load(data: PracticeData, *, staff_user, lookups: _Lookups) -> Practice:
    (network,) = lookups.pick(lookups.networks, [data.network], "networks")
    (lead,) = lookups.pick(lookups.institutions, [data.lead_institution], "institutions")
    practice = Practice(
        slug=data.slug,
        title=data.title,
        summary=data.summary,
        body=f"{data.body}\n\n{DEMO_NOTE[data.language]}",
        practice_type=data.practice_type,
        network=network,
        lead_institution=lead,
        year_started=data.year_started,
        implementation_status=data.implementation_status,
        results=data.results,
        lessons_learned=data.lessons_learned,
        challenges=data.challenges,
        replication_requirements=data.replication_requirements,
        language=data.language,
    )
    practice = practice_save(
        practice=practice,
        actor=staff_user,
        themes=lookups.pick(lookups.themes, data.themes, "themes"),
        gcm_objectives=lookups.pick(lookups.objectives, data.gcm_objectives, "GCM objectives"),
        gcm_principles=lookups.pick(lookups.principles, data.gcm_principles, "GCM principles"),
        municipalities=lookups.pick(lookups.municipalities, data.municipalities, "municipalities"),
        partner_institutions=lookups.pick(lookups.institutions, data.partners, "institutions"),
    )
    if data.legal:
        upsert(
            LegalEvidence,
            save=lambda legal: legal_evidence_save(legal_evidence=legal, actor=staff_user),
            lookup={"practice": practice},
            values={
                "number": data.legal.number,
                "approval_date": data.legal.approval_date,
                "gazette_reference": data.legal.gazette_reference,
            },
        )
    for replication in data.replications:
        (municipality,) = lookups.pick(
            lookups.municipalities, [replication.municipality], "municipalities"
        )
        upsert(
            Replication,
            save=lambda replication: replication_save(replication=replication, actor=staff_user),
            lookup={"practice": practice, "municipality": municipality},
            values={"year": replication.year, "notes": replication.notes},
        )
    for attachment in data.attachments:
        attachment_add(
            practice=practice,
            uploaded_file=ContentFile(pdf_document(attachment.lines), name=attachment.file_name),
            title=attachment.title,
            kind=attachment.kind,
            actor=staff_user,
        )
    # The workflow a coordinator and a reviewer would follow, so the review log is real.
    if data.status in (ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED):
        practice_submit(practice=practice, actor=staff_user, comment=SUBMIT_COMMENT)
    if data.status == ReviewStatus.PUBLISHED:
        practice_publish(practice=practice, actor=staff_user, comment=PUBLISH_COMMENT)
    return practice


# A minimal PDF --------------------------------------------------------------------------------


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")  # WinAnsiEncoding, so Spanish accents print


def pdf_document(lines) -> bytes:
    """A valid one-page A4 PDF showing ``lines`` in Helvetica, with a correct xref table.

    Small enough to write by hand, so the demo needs neither a PDF library nor binary files.
    """
    text = b"BT /F1 11 Tf 15 TL 56 780 Td\n"
    text += b"".join(b"(" + _pdf_text(line) + b") Tj T*\n" for line in lines)
    text += b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
    ]
    document = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_offset = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_offset,
    )
    return bytes(document)
