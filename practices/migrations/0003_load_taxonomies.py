"""The themes, the 23 GCM objectives and the 10 GCM guiding principles, as editable data.

Titles of the objectives and principles are those of the Global Compact for Safe, Orderly
and Regular Migration (A/RES/73/195) in its English and Spanish official versions.
"""

from django.db import migrations

THEMES = [
    ("livelihoods", "Medios de vida e inclusión económica", "Livelihoods and economic inclusion"),
    ("health", "Acceso a la salud", "Access to health"),
    ("food-security", "Seguridad alimentaria", "Food security"),
    (
        "protection",
        "Protección de personas migrantes en situación de vulnerabilidad",
        "Protection of migrants in vulnerable situations",
    ),
    ("return-reintegration", "Retorno y reintegración", "Return and reintegration"),
    ("local-governance", "Gobernanza local y ordenanzas", "Local governance and ordinances"),
    (
        "social-cohesion",
        "Cohesión social y no discriminación",
        "Social cohesion and non-discrimination",
    ),
    ("information", "Información y orientación", "Information and orientation"),
    ("children", "Niñez y adolescencia", "Children and adolescents"),
    ("gender-based-violence", "Violencia basada en género", "Gender-based violence"),
    ("cross-border", "Coordinación transfronteriza", "Cross-border coordination"),
    ("capacity-building", "Fortalecimiento de capacidades", "Capacity building"),
    ("data-evidence", "Datos y evidencia", "Data and evidence"),
]

OBJECTIVES = [
    (
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
        "Recopilar y utilizar datos exactos y desglosados para formular políticas con base empírica",
    ),
    (
        "Minimize the adverse drivers and structural factors that compel people to leave their "
        "country of origin",
        "Minimizar los factores adversos y estructurales que obligan a las personas a abandonar "
        "su país de origen",
    ),
    (
        "Provide accurate and timely information at all stages of migration",
        "Proporcionar información exacta y oportuna en todas las etapas de la migración",
    ),
    (
        "Ensure that all migrants have proof of legal identity and adequate documentation",
        "Velar por que todos los migrantes tengan pruebas de su identidad jurídica y "
        "documentación adecuada",
    ),
    (
        "Enhance availability and flexibility of pathways for regular migration",
        "Aumentar la disponibilidad y flexibilidad de las vías de migración regular",
    ),
    (
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
        "Facilitar la contratación equitativa y ética y salvaguardar las condiciones que "
        "garantizan el trabajo decente",
    ),
    (
        "Address and reduce vulnerabilities in migration",
        "Abordar y reducir las vulnerabilidades en la migración",
    ),
    (
        "Save lives and establish coordinated international efforts on missing migrants",
        "Salvar vidas y emprender iniciativas internacionales coordinadas sobre los migrantes "
        "desaparecidos",
    ),
    (
        "Strengthen the transnational response to smuggling of migrants",
        "Reforzar la respuesta transnacional al tráfico ilícito de migrantes",
    ),
    (
        "Prevent, combat and eradicate trafficking in persons in the context of international "
        "migration",
        "Prevenir, combatir y erradicar la trata de personas en el contexto de la migración "
        "internacional",
    ),
    (
        "Manage borders in an integrated, secure and coordinated manner",
        "Gestionar las fronteras de manera integrada, segura y coordinada",
    ),
    (
        "Strengthen certainty and predictability in migration procedures for appropriate "
        "screening, assessment and referral",
        "Aumentar la certidumbre y previsibilidad de los procedimientos migratorios para la "
        "adecuada verificación de antecedentes, evaluación y derivación",
    ),
    (
        "Use migration detention only as a measure of last resort and work towards alternatives",
        "Utilizar la detención de migrantes solo como último recurso y buscar otras alternativas",
    ),
    (
        "Enhance consular protection, assistance and cooperation throughout the migration cycle",
        "Mejorar la protección, asistencia y cooperación consulares a lo largo de todo el ciclo "
        "migratorio",
    ),
    (
        "Provide access to basic services for migrants",
        "Proporcionar a los migrantes acceso a servicios básicos",
    ),
    (
        "Empower migrants and societies to realize full inclusion and social cohesion",
        "Empoderar a los migrantes y las sociedades para lograr la plena inclusión y la "
        "cohesión social",
    ),
    (
        "Eliminate all forms of discrimination and promote evidence-based public discourse to "
        "shape perceptions of migration",
        "Eliminar todas las formas de discriminación y promover un discurso público con base "
        "empírica para modificar las percepciones de la migración",
    ),
    (
        "Invest in skills development and facilitate mutual recognition of skills, "
        "qualifications and competences",
        "Invertir en el desarrollo de aptitudes y facilitar el reconocimiento mutuo de "
        "aptitudes, cualificaciones y competencias",
    ),
    (
        "Create conditions for migrants and diasporas to fully contribute to sustainable "
        "development in all countries",
        "Crear las condiciones necesarias para que los migrantes y las diásporas puedan "
        "contribuir plenamente al desarrollo sostenible en todos los países",
    ),
    (
        "Promote faster, safer and cheaper transfer of remittances and foster financial "
        "inclusion of migrants",
        "Promover transferencias de remesas más rápidas, seguras y económicas y fomentar la "
        "inclusión financiera de los migrantes",
    ),
    (
        "Cooperate in facilitating safe and dignified return and readmission, as well as "
        "sustainable reintegration",
        "Colaborar para facilitar el regreso y la readmisión en condiciones de seguridad y "
        "dignidad, así como la reintegración sostenible",
    ),
    (
        "Establish mechanisms for the portability of social security entitlements and earned "
        "benefits",
        "Establecer mecanismos para la portabilidad de la seguridad social y las prestaciones "
        "adquiridas",
    ),
    (
        "Strengthen international cooperation and global partnerships for safe, orderly and "
        "regular migration",
        "Fortalecer la cooperación internacional y las alianzas mundiales para la migración "
        "segura, ordenada y regular",
    ),
]

PRINCIPLES = [
    ("people-centred", "Centrado en las personas", "People-centred"),
    ("international-cooperation", "Cooperación internacional", "International cooperation"),
    ("national-sovereignty", "Soberanía nacional", "National sovereignty"),
    ("rule-of-law", "Estado de derecho y garantías procesales", "Rule of law and due process"),
    ("sustainable-development", "Desarrollo sostenible", "Sustainable development"),
    ("human-rights", "Derechos humanos", "Human rights"),
    ("gender-responsive", "Perspectiva de género", "Gender-responsive"),
    ("child-sensitive", "Perspectiva infantil", "Child-sensitive"),
    ("whole-of-government", "Enfoque pangubernamental", "Whole-of-government approach"),
    ("whole-of-society", "Enfoque pansocial", "Whole-of-society approach"),
]


def load(apps, schema_editor):
    Theme = apps.get_model("practices", "Theme")
    GCMObjective = apps.get_model("practices", "GCMObjective")
    GCMPrinciple = apps.get_model("practices", "GCMPrinciple")
    for position, (slug, name_es, name_en) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "position": position}
        )
    for number, (title_en, title_es) in enumerate(OBJECTIVES, start=1):
        GCMObjective.objects.update_or_create(
            number=number, defaults={"title_en": title_en, "title_es": title_es}
        )
    for position, (slug, name_es, name_en) in enumerate(PRINCIPLES, start=1):
        GCMPrinciple.objects.update_or_create(
            slug=slug, defaults={"name_es": name_es, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("practices", "0002_search_configuration")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
