"""Export → import of every spreadsheet changes nothing, in either language and format.

Staff export a sheet, edit it in Excel or LibreOffice and import it back; a colleague reading
the portal in the other language may import it. The files are written as the admin and the
workspace write them (``common.spreadsheets.files``) and read as an upload is read
(``common.spreadsheets.reading``): localised headers, choice labels, yes/no words, decimal
commas, dates and formula-guarded text (leading spaces included) must all come back as they
were, so every row is "unchanged" and no record moves.
"""

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.utils.translation import override

from common.spreadsheets.files import ExportCSV, ExportXLSX
from common.spreadsheets.reading import read_sheet
from conferences.enums import ParticipationRole
from conferences.models import Participation
from conferences.resources import AttendanceResource
from networks.access import SYSTEM
from networks.enums import ConsentBasis, MembershipRole, NetworkKind, Sector, Sex
from networks.models import Institution, Membership, Municipality, Network, Person
from networks.resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkMembersResource,
    NetworkResource,
    PersonResource,
)
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    ParticipationFactory,
    PersonFactory,
    ProgrammeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

FORMULA = '  =HYPERLINK("http://evil.example","Ver")'


@pytest.fixture
def registry(border_municipalities, countries):
    metapan, ocotepeque = border_municipalities["SV"], border_municipalities["HN"]
    metapan.latitude, metapan.longitude = Decimal("14.33"), Decimal("-89.44")
    metapan.is_border = True
    metapan.valid_from = datetime.date(1920, 1, 1)
    metapan.save()
    metapan.borders_with.set([countries["GT"], countries["HN"]])
    alcaldia = InstitutionFactory(
        name="Alcaldía Municipal de Metapán",
        acronym="AMM",
        sector=Sector.MUNICIPAL_GOVERNMENT,
        country=countries["SV"],
        municipality=metapan,
        website="https://metapan.example",
    )
    pastoral = InstitutionFactory(
        name="Pastoral de Movilidad Humana", sector=Sector.FAITH_BASED, country=countries["HN"]
    )
    ana = PersonFactory(
        first_name="Ana María",
        last_name="Núñez",
        sex=Sex.FEMALE,
        email="ana@example.org",
        phone="+503 7000 0000",
        position=FORMULA,
        institution=alcaldia,
        consent_date=datetime.date(2024, 1, 5),
        consent_basis=ConsentBasis.WRITTEN,
    )
    luis = PersonFactory(
        first_name="Luis",
        last_name="Peña",
        sex=Sex.NOT_STATED,
        email="luis@example.org",
        institution=pastoral,
    )
    network = NetworkFactory(
        name="Mesa Trifinio",
        slug="mesa-trifinio",
        kind=NetworkKind.CROSS_BORDER_TABLE,
        municipalities=[metapan, ocotepeque],
        description="Mesa técnica transfronteriza.\nSesiona cada mes.",
        founded_on=datetime.date(2014, 3, 1),
        programme=ProgrammeFactory(),
    )
    MembershipFactory(
        person=ana,
        network=network,
        institution=alcaldia,
        role=MembershipRole.COORDINATOR,
        start_date=datetime.date(2020, 2, 1),
    )
    MembershipFactory(
        person=luis,
        network=network,
        institution=pastoral,
        role=MembershipRole.OBSERVER,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 6, 30),
    )
    session = SessionFactory(networks=[network])
    ParticipationFactory(session=session, person=ana, role=ParticipationRole.SPEAKER, attended=True)
    ParticipationFactory(session=session, person=luis, attended=False)
    return {"network": network, "session": session}


def records():
    """Everything the files hold, as plain values (to compare before and after)."""
    return {
        model.__name__: sorted(
            repr(sorted(model_to_dict(record).items(), key=str)) for record in model.objects.all()
        )
        for model in (Municipality, Institution, Person, Network, Membership, Participation)
    }


def resources(registry):
    """Each resource with the rows it exports (a factory: an import needs a fresh one)."""
    network, session = registry["network"], registry["session"]
    return {
        "municipalities": lambda: MunicipalityResource(actor=SYSTEM),
        "institutions": lambda: InstitutionResource(actor=SYSTEM),
        "people": lambda: PersonResource(actor=SYSTEM),
        "networks": lambda: NetworkResource(actor=SYSTEM),
        "memberships": lambda: MembershipResource(actor=SYSTEM),
        "members": lambda: NetworkMembersResource(network=network, actor=SYSTEM),
        "attendance": lambda: AttendanceResource(session=session, actor=SYSTEM),
    }


def export_file(resource, file_format):
    """The file as the admin sends it (numbers and dates native in XLSX, as the admin does)."""
    if isinstance(resource, AttendanceResource):
        dataset = resource.export(queryset=Participation.objects.all())
    else:
        dataset = resource.export(force_native_type=file_format == "xlsx")
    writer = ExportCSV() if file_format == "csv" else ExportXLSX()
    return writer.export_data(dataset)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("exported_in", "imported_in"), [("es", "es"), ("es", "en"), ("en", "es")])
@pytest.mark.parametrize(
    "name",
    [
        "municipalities",
        "institutions",
        "people",
        "networks",
        "memberships",
        "members",
        "attendance",
    ],
)
def test_an_exported_file_imports_back_unchanged(
    registry, name, file_format, exported_in, imported_in
):
    make = resources(registry)[name]
    before = records()
    with override(exported_in):
        content = export_file(make(), file_format)

    with override(imported_in):
        dataset = read_sheet(content, file_format)
        result = make().import_data(dataset, dry_run=False)

    assert not result.has_validation_errors(), [tuple(p) for p in result.problems()]
    assert not result.has_errors(), [str(e.error) for e in result.base_errors]
    assert {row.import_type for row in result.rows} == {"skip"}
    assert len(result.rows) == len(dataset) > 0
    assert records() == before


def test_the_spanish_file_is_written_in_words_people_read(registry):
    with override("es"):
        content = export_file(PersonResource(actor=SYSTEM), "csv").decode("utf-8-sig")

    header, *lines = content.splitlines()
    assert header.startswith("Nombres,Apellidos,Sexo,Correo electrónico")
    ana = next(line for line in lines if "ana@example.org" in line)
    assert ",Mujer," in ana and "female" not in ana
    assert "'  =HYPERLINK" in ana  # quoted: a spreadsheet shows it, never runs it
