"""Spreadsheet import and export (django-import-export) for the registry.

Files name other records by natural keys only (ISO codes, official codes, names, e-mails,
slugs; see ``networks/widgets.py``), never by database ids. Columns are known in code by
the snake_case names listed in each resource's docstring; files head them with their names
in the reader's language and write choices and yes/no in it too, and an import reads them
headed and written in Spanish, in English or as those names: an export imports back
unchanged.

Every resource keeps the rules of ``common/spreadsheets/resources.py`` (a file with any bad
row writes nothing, every bad row named with its number, each record named once, set-based,
formula cells quoted), validates rows with the model's ``full_clean()`` and the shared rules
of ``networks.models`` (``validate_network_municipalities``), and writes people and
institutions in batches, so a file of 10 000 members takes seconds.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.slugs import municipality_slug
from common.spreadsheets.reading import read_sheet
from common.spreadsheets.resources import RegistryResource, _errors_of, column
from common.spreadsheets.widgets import (
    ChoicesWidget,
    DecimalCellWidget,
    FlexibleDateWidget,
    YesNoWidget,
    cell_text,
)

from .enums import ConsentBasis, MembershipRole, NetworkKind, NetworkStatus, Sector, Sex
from .models import (
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    validate_network_municipalities,
)
from .services import (
    membership_defaults,
    membership_save,
    network_defaults,
    network_save,
    person_find_or_create,
    records_save_many,
)
from .widgets import (
    CountryListWidget,
    CountryWidget,
    DepartmentWidget,
    InstitutionWidget,
    MunicipalityListWidget,
    MunicipalityWidget,
    NetworkWidget,
    PersonWidget,
    ProgrammeWidget,
)


class MunicipalityResource(RegistryResource):
    """Municipalities, including those merged away by a reform.

    Columns: ``country`` (ISO 3166-1 code, export only), ``department`` (ISO 3166-2 code,
    e.g. SV-SA), ``name``, ``official_code``, ``slug`` (made from the name when empty),
    ``is_border`` (1/0, yes/no), ``borders_with`` (ISO codes separated by semicolons),
    ``latitude``, ``longitude``, ``valid_from``, ``valid_until`` (dates, 2024-04-30 or
    30/04/2024), ``successor`` (the municipality it is now a district of, "SV:Name [code]").
    A row is matched to an existing municipality by department and name (any case).
    """

    country = column(
        "country",
        attribute="department__country__code",
        readonly=True,
        label=gettext_lazy("country"),
    )
    department = column("department", DepartmentWidget())
    name = column("name")
    official_code = column("official_code")
    slug = column("slug")
    is_border = column("is_border", YesNoWidget())
    borders_with = column("borders_with", CountryListWidget())
    latitude = column("latitude", DecimalCellWidget())
    longitude = column("longitude", DecimalCellWidget())
    valid_from = column("valid_from", FlexibleDateWidget())
    valid_until = column("valid_until", FlexibleDateWidget())
    successor = column("successor", MunicipalityWidget())

    case_insensitive_ids = frozenset({"name"})
    # A row may name as successor a municipality an earlier row of the file creates.
    creates_named_records = True

    class Meta(RegistryResource.Meta):
        model = Municipality
        name = "municipalities"
        fields = (
            "country",
            "department",
            "name",
            "official_code",
            "slug",
            "is_border",
            "borders_with",
            "latitude",
            "longitude",
            "valid_from",
            "valid_until",
            "successor",
        )
        import_id_fields = ("department", "name")

    def with_related(self, queryset):
        return queryset.select_related(
            "department__country", "successor__department__country"
        ).prefetch_related("borders_with")

    def import_instance(self, instance, row, **kwargs):
        previous_slug = instance.slug
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if not instance.slug:
                instance.slug = previous_slug or self._new_slug(instance)

    def _new_slug(self, instance):
        if not (instance.name and instance.department_id):
            return ""
        return municipality_slug(
            Municipality,
            name=instance.name,
            department=instance.department.name,
            country_code=instance.department.country.code,
        )


class InstitutionResource(RegistryResource):
    """Institutions.

    Columns: ``name`` (matches an existing institution, any case), ``acronym``, ``sector``
    (stored value or label in Spanish or English), ``country`` (ISO 3166-1 code),
    ``municipality`` ("SV:Metapán", "SV:0404" or "SV:Citalá [0404]"), ``website``.
    """

    name = column("name")
    acronym = column("acronym")
    sector = column("sector", ChoicesWidget(Sector))
    country = column("country", CountryWidget())
    municipality = column("municipality", MunicipalityWidget())
    website = column("website")

    case_insensitive_ids = frozenset({"name"})
    import_key_constraint = "institution_name_ci_unique"

    class Meta(RegistryResource.Meta):
        model = Institution
        use_bulk = True
        name = "institutions"
        fields = ("name", "acronym", "sector", "country", "municipality", "website")
        import_id_fields = ("name",)

    def with_related(self, queryset):
        return queryset.select_related("country", "municipality__department__country")

    def save_many(self, **batch):
        records_save_many(model=Institution, actor=self.actor, **batch)


class PersonResource(RegistryResource):
    """People (personal data: staff with the export permission only).

    Columns: ``first_name``, ``last_name``, ``sex`` (female/male/not_stated or their
    labels), ``email`` (required: it identifies the person, any case), ``phone``,
    ``position``, ``institution`` (the institution's name), ``consent_date``,
    ``consent_basis`` (stored value or label).
    """

    first_name = column("first_name")
    last_name = column("last_name")
    sex = column("sex", ChoicesWidget(Sex))
    email = column("email")
    phone = column("phone")
    position = column("position")
    institution = column("institution", InstitutionWidget())
    consent_date = column("consent_date", FlexibleDateWidget())
    consent_basis = column("consent_basis", ChoicesWidget(ConsentBasis, allow_blank=True))

    case_insensitive_ids = frozenset({"email"})
    import_key_constraint = "person_email_ci_unique"

    class Meta(RegistryResource.Meta):
        model = Person
        use_bulk = True
        name = "people"
        fields = (
            "first_name",
            "last_name",
            "sex",
            "email",
            "phone",
            "position",
            "institution",
            "consent_date",
            "consent_basis",
        )
        import_id_fields = ("email",)

    def with_related(self, queryset):
        return queryset.select_related("institution")

    def save_many(self, **batch):
        records_save_many(model=Person, actor=self.actor, **batch)

    def complete_instance(self, instance, row, errors):
        instance.email = instance.email.strip().lower()
        if not instance.email and "email" not in errors:
            errors["email"] = [
                _("An e-mail address is required: it is how an import recognises a person.")
            ]


class NetworkResource(RegistryResource):
    """Networks and cross-border technical tables.

    Columns: ``name``, ``slug`` (matches an existing network; made from the name when
    empty), ``kind`` (local_network/cross_border_table or their labels), ``status``
    (empty means active), ``municipalities`` ("SV:Metapán; HN:Ocotepeque"),
    ``description`` (public), ``founded_on``, ``programme`` (the programme's name).
    A cross-border table must list municipalities of two countries at least.
    """

    name = column("name")
    slug = column("slug")
    kind = column("kind", ChoicesWidget(NetworkKind))
    status = column(
        "status", ChoicesWidget(NetworkStatus, allow_blank=True), default=NetworkStatus.ACTIVE
    )
    municipalities = column("municipalities", MunicipalityListWidget())
    description = column("description")
    founded_on = column("founded_on", FlexibleDateWidget())
    programme = column("programme", ProgrammeWidget())

    class Meta(RegistryResource.Meta):
        model = Network
        name = "networks"
        fields = (
            "name",
            "slug",
            "kind",
            "status",
            "municipalities",
            "description",
            "founded_on",
            "programme",
        )
        import_id_fields = ("slug",)

    def with_related(self, queryset):
        # The resource's prefetches replace the queryset's: the admin's export starts from
        # NetworkAdmin.get_queryset(), which already prefetches the municipalities with
        # for_directory(), and Django refuses a second Prefetch of the same lookup
        # ("'municipalities' lookup was already seen with a different queryset").
        return queryset.prefetch_related(None).for_directory()

    def import_instance(self, instance, row, **kwargs):
        previous_slug = instance.slug
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if not instance.slug:
                instance.slug = previous_slug
                network_defaults(instance)

    def save_record(self, instance, is_create):
        network_save(network=instance, municipalities=self._municipalities, actor=self.actor)

    def save_m2m(self, instance, row, **kwargs):
        """network_save() has set the municipalities."""

    def complete_instance(self, instance, row, errors):
        self._municipalities = []
        field = self.fields["municipalities"]
        try:
            if field.column_name in row:
                municipalities = field.clean(row)
            elif instance.pk:
                municipalities = list(instance.municipalities.with_geography())
            else:
                municipalities = []
        except ValueError as error:
            errors["municipalities"] = [str(error)]
        else:
            self._municipalities = municipalities
            if "kind" not in errors:
                # The rule the admin form and network_save() apply too.
                try:
                    validate_network_municipalities(instance.kind, municipalities)
                except ValidationError as error:
                    _errors_of(error, errors)


class MembershipResource(RegistryResource):
    """Memberships: who sits in which network, since when and until when.

    Columns: ``person`` (e-mail), ``network`` (slug), ``institution`` (name of the institution
    represented; empty on a new membership means the person's current institution),
    ``role`` (stored value or label; empty means member), ``start_date``, ``end_date``
    (empty while the membership is open). A row is matched to an existing membership by
    person, network and start date. A person has one open membership per network at most,
    and periods of the same person in a network do not overlap.
    """

    person = column("person", PersonWidget(), label=gettext_lazy("e-mail of the person"))
    network = column("network", NetworkWidget(), label=gettext_lazy("network (identifier)"))
    institution = column("institution", InstitutionWidget())
    role = column(
        "role", ChoicesWidget(MembershipRole, allow_blank=True), default=MembershipRole.MEMBER
    )
    start_date = column("start_date", FlexibleDateWidget())
    end_date = column("end_date", FlexibleDateWidget())

    class Meta(RegistryResource.Meta):
        model = Membership
        # Saved row by row: Membership.clean() checks overlaps against the memberships in
        # the database, earlier rows of the file included.
        name = "memberships"
        fields = ("person", "network", "institution", "role", "start_date", "end_date")
        import_id_fields = ("person", "network", "start_date")

    def with_related(self, queryset):
        return queryset.select_related("person", "network", "institution")

    def complete_instance(self, instance, row, errors):
        # Before validation, as membership_save() does: a new seat represents the person's
        # current institution unless the row names another.
        membership_defaults(instance)

    def save_record(self, instance, is_create):
        membership_save(membership=instance, actor=self.actor)


# The members spreadsheet of one network (the coordinators' workspace) -------------------------


class MemberWidget(PersonWidget):
    """The person of a members row, by e-mail (any case); ``None`` for an address the
    registry does not have yet: the row then adds the person (``NetworkMembersResource``)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            return None


#: The person's columns a row uses when it adds someone new to the registry.
NEW_PERSON_COLUMNS = ("first_name", "last_name", "sex", "phone", "position")


class NetworkMembersResource(MembershipResource):
    """The members of one network, one row per seat, as a coordinator reads and writes them.

    The seats' columns and rules are those of ``MembershipResource`` (the staff import: a
    row is matched to a seat by person, network and start date; one open seat per person;
    periods that do not overlap; ``membership_save`` for each row, in the importer's name,
    with the last-coordinator rule), plus:

    - ``network`` may be left out or empty (this network); a row naming another network is
      an error of that row, and the file writes nothing;
    - ``email`` finds the person in any case. A person the registry does not have is added
      from the row's ``first_name``, ``last_name``, ``sex``, ``phone`` and ``position`` (and
      ``institution`` as their current one); people already in the registry keep their data
      as it is (whoever uploads may not even see it: they may sit in other networks only).
    - Columns are headed, as in every file, by their names in the reader's language (a file
      read back may head them in Spanish, English or by the stable names above).
    """

    first_name = column("first_name", attribute="person__first_name", readonly=True)
    last_name = column("last_name", attribute="person__last_name", readonly=True)
    sex = column("sex", ChoicesWidget(Sex), attribute="person__sex", readonly=True)
    email = column(
        "email",
        MemberWidget(),
        attribute="person",
        label=Person._meta.get_field("email").verbose_name,
    )
    phone = column("phone", attribute="person__phone", readonly=True)
    position = column("position", attribute="person__position", readonly=True)

    class Meta(MembershipResource.Meta):
        name = "members"
        fields = (
            "first_name",
            "last_name",
            "sex",
            "email",
            "phone",
            "position",
            "institution",
            "role",
            "start_date",
            "end_date",
            "network",
        )
        import_id_fields = ("email", "network", "start_date")

    def __init__(self, *, network: Network, **kwargs):
        super().__init__(**kwargs)
        self.network = network
        #: Row numbers of the rows that add a person to the registry (for the preview).
        self.new_person_rows = set()
        self._new_people = {}

    def get_queryset(self):
        return Membership.objects.filter(network=self.network)

    def init_instance(self, row=None):
        return Membership(network=self.network)

    # Export -------------------------------------------------------------------------------

    def rows(self, queryset):
        """The header, then one row per seat of ``queryset``, read in chunks."""
        yield self.get_export_headers()
        for membership in self.iter_queryset(self.filter_export(queryset)):
            yield self.export_resource(membership)

    # Import -------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.new_person_rows = set()
        self._new_people = {}
        self._fill_network(dataset)
        super().before_import(dataset, **kwargs)

    def _fill_network(self, dataset):
        # An empty or missing network is this one (before the keys are read).
        if "network" in dataset.headers:
            values = [
                value if cell_text(value) else self.network.slug for value in dataset["network"]
            ]
            del dataset["network"]
        else:
            values = [self.network.slug] * len(dataset)
        if len(dataset):
            dataset.append_col(values, header="network")
        else:
            dataset.headers = [*dataset.headers, "network"]

    def complete_instance(self, instance, row, errors):
        if "network" not in errors and instance.network_id != self.network.pk:
            errors["network"] = [
                _("This file is for “%(network)s” only: a row cannot name another network.")
                % {"network": self.network}
            ]
        if instance.person_id is None and "person" not in errors:
            self._add_person(instance, row, errors)
        super().complete_instance(instance, row, errors)

    def _add_person(self, instance, row, errors):
        email = cell_text(row.get("email")).lower()
        if not email:
            errors["email"] = [_("Every row needs the person's e-mail address.")]
            return
        if email in self._new_people:  # added by an earlier row of this file
            instance.person = self._new_people[email]
            return
        data = {name: cell_text(row.get(name)) for name in NEW_PERSON_COLUMNS}
        try:
            data["sex"] = self.fields["sex"].widget.clean(row.get("sex"))
        except ValueError as error:
            errors["sex"] = [str(error)]
            data["sex"] = ""
        person = Person(email=email, institution=instance.institution, **data)
        try:
            person.full_clean(
                exclude=[name for name in errors if name in NEW_PERSON_COLUMNS],
                validate_unique=False,  # the e-mail is new: the widget found nobody
                validate_constraints=False,
            )
        except ValidationError as error:
            _errors_of(error, errors)
        if errors:
            return
        person, _created = person_find_or_create(
            email=email, defaults={**data, "institution": instance.institution}, actor=self.actor
        )
        self._new_people[email] = instance.person = person
        self.new_person_rows.add(self._row_number)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if errors and instance.person_id is None:
            # No person could be added: the row's errors say why, not "cannot be null".
            errors.setdefault("person", [])
        # Errors of the seat's person are the e-mail column's.
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as error:
            renamed = {}
            for key, messages in error.update_error_dict({}).items():
                target = renamed.setdefault("email" if key == "person" else key, [])
                target.extend(message for message in messages if message not in target)
            raise ValidationError(renamed) from None


def read_members_sheet(content: bytes, file_format: str, encoding: str = ""):
    """A ``tablib.Dataset`` from an uploaded members file; ``ValueError`` if unreadable.

    CSV with any delimiter and encoding a spreadsheet program saves (or ``encoding``), XLSX
    or ODS; blank rows skipped, rows numbered as the spreadsheet shows them
    (``common.spreadsheets.reading``)."""
    return read_sheet(content, file_format, encoding)


def members_import(*, network: Network, dataset, dry_run: bool, actor):
    """Import a members file into ``network``: all rows or none (``NetworkMembersResource``).

    Returns ``(resource, result)``; the resource tells which rows add a person."""
    resource = NetworkMembersResource(network=network, actor=actor)
    return resource, resource.import_data(dataset, dry_run=dry_run)
