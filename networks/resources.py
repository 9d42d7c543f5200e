"""Spreadsheet import and export (django-import-export) for the registry.

Files name other records by natural keys only (ISO codes, official codes, names, e-mails,
slugs; see ``networks/widgets.py``), never by database ids. Column headers are the stable
snake_case names listed in each resource's docstring; an export imports back unchanged.

Rules every import keeps:

- A file with any bad row writes nothing; the preview lists every bad row with its number
  (1 = the first row under the headers) and the reason.
- Rows are validated with the model's ``full_clean()`` (constraints included) and the
  shared rules of ``networks.models`` (``validate_network_municipalities``).
- Exported text that a spreadsheet would run as a formula gets a leading quote; importing
  removes that quote again.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field

from .enums import ConsentBasis, MembershipRole, NetworkKind, NetworkStatus, Sector, Sex
from .models import (
    Institution,
    Membership,
    Municipality,
    Network,
    Person,
    validate_network_municipalities,
)
from .services import unique_slug
from .widgets import (
    ChoicesWidget,
    CountryListWidget,
    CountryWidget,
    DepartmentWidget,
    FlexibleDateWidget,
    InstitutionWidget,
    MunicipalityListWidget,
    MunicipalityWidget,
    NetworkWidget,
    PersonWidget,
    ProgrammeWidget,
    TextWidget,
    YesNoWidget,
    neutralise_formula,
    restore_formula_guard,
)

# Cells these widgets write are numbers, dates or booleans, never formulas: left as they are.
NATIVE_VALUE_WIDGETS = (
    widgets.NumberWidget,
    widgets.DateWidget,
    widgets.DateTimeWidget,
    widgets.TimeWidget,
    widgets.DurationWidget,
    widgets.BooleanWidget,
)


def column(name, widget=None, **kwargs):
    """A resource field whose column header is its attribute name."""
    kwargs.setdefault("attribute", name)
    return Field(column_name=name, widget=widget or TextWidget(), **kwargs)


class RegistryResource(resources.ModelResource):
    """Shared behaviour of every registry resource (see the module docstring)."""

    #: Django lookups that find the existing record for a row, by import id field name.
    #: Fields not listed are compared exactly.
    import_id_lookups = {}

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing, whoever calls: one bad row rolls back the whole file.
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def before_import_row(self, row, **kwargs):
        for column_name, value in row.items():
            if isinstance(value, str):
                row[column_name] = restore_formula_guard(value.strip(" \u00a0"))

    def get_instance(self, instance_loader, row):
        """The existing record the row's natural key names, or ``None`` for a new one.

        A key that does not resolve (unknown person, empty e-mail) means a new record; the
        same problem is then reported as an error of that column by ``import_instance``.
        """
        lookup = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                value = field.clean(row)
            except ValueError:
                return None
            if value in (None, ""):
                return None
            lookup[self.import_id_lookups.get(name, field.attribute)] = value
        return self._meta.model.objects.filter(**lookup).order_by("pk").first()

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, NATIVE_VALUE_WIDGETS):
            return value
        return neutralise_formula(value)

    def filter_export(self, queryset, **kwargs):
        return self.with_related(queryset)

    def with_related(self, queryset):
        """Join what the export columns show, so an export runs a fixed number of queries."""
        return queryset


def _errors_of(error, errors=None):
    return error.update_error_dict(errors if errors is not None else {})


class MunicipalityResource(RegistryResource):
    """Municipalities, including those merged away by a reform.

    Columns: ``country`` (ISO 3166-1 code, export only), ``department`` (ISO 3166-2 code,
    e.g. SV-SA), ``name``, ``official_code``, ``slug`` (made from the name when empty),
    ``is_border`` (1/0, yes/no), ``borders_with`` (ISO codes separated by semicolons),
    ``latitude``, ``longitude``, ``valid_from``, ``valid_until`` (dates, 2024-04-30 or
    30/04/2024), ``successor`` (the municipality it is now a district of, "SV:Name [code]").
    A row is matched to an existing municipality by department and name (any case).
    """

    country = column("country", attribute="department__country__code", readonly=True)
    department = column("department", DepartmentWidget())
    name = column("name")
    official_code = column("official_code")
    slug = column("slug")
    is_border = column("is_border", YesNoWidget())
    borders_with = column("borders_with", CountryListWidget())
    latitude = column("latitude", widgets.DecimalWidget())
    longitude = column("longitude", widgets.DecimalWidget())
    valid_from = column("valid_from", FlexibleDateWidget())
    valid_until = column("valid_until", FlexibleDateWidget())
    successor = column("successor", MunicipalityWidget())

    import_id_lookups = {"name": "name__iexact"}

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
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = _errors_of(error)
        if not instance.slug:
            instance.slug = previous_slug or self._new_slug(instance)
        if errors:
            raise ValidationError(errors)

    def _new_slug(self, instance):
        if not (instance.name and instance.department_id):
            return ""
        return unique_slug(
            Municipality, instance.name, suffix=instance.department.country.code.lower()
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

    import_id_lookups = {"name": "name__iexact"}

    class Meta(RegistryResource.Meta):
        model = Institution
        name = "institutions"
        fields = ("name", "acronym", "sector", "country", "municipality", "website")
        import_id_fields = ("name",)

    def with_related(self, queryset):
        return queryset.select_related("country", "municipality__department__country")


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

    import_id_lookups = {"email": "email__iexact"}

    class Meta(RegistryResource.Meta):
        model = Person
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

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = _errors_of(error)
        instance.email = instance.email.strip().lower()
        if not instance.email and "email" not in errors:
            errors["email"] = [
                _("An e-mail address is required: it is how an import recognises a person.")
            ]
        if errors:
            raise ValidationError(errors)


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
        return queryset.for_directory()

    def import_instance(self, instance, row, **kwargs):
        previous_slug = instance.slug
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = _errors_of(error)
        if not instance.slug:
            instance.slug = previous_slug or (
                unique_slug(Network, instance.name) if instance.name else ""
            )
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
            if "kind" not in errors:
                # The rule the admin form and network_save() apply too.
                try:
                    validate_network_municipalities(instance.kind, municipalities)
                except ValidationError as error:
                    errors = _errors_of(error, errors)
        if errors:
            raise ValidationError(errors)


class MembershipResource(RegistryResource):
    """Memberships: who sits in which network, since when and until when.

    Columns: ``person`` (e-mail), ``network`` (slug), ``institution`` (name of the institution
    represented; empty on a new membership means the person's current institution),
    ``role`` (stored value or label; empty means member), ``start_date``, ``end_date``
    (empty while the membership is open). A row is matched to an existing membership by
    person, network and start date. A person has one open membership per network at most,
    and periods of the same person in a network do not overlap.
    """

    person = column("person", PersonWidget())
    network = column("network", NetworkWidget())
    institution = column("institution", InstitutionWidget())
    role = column(
        "role", ChoicesWidget(MembershipRole, allow_blank=True), default=MembershipRole.MEMBER
    )
    start_date = column("start_date", FlexibleDateWidget())
    end_date = column("end_date", FlexibleDateWidget())

    class Meta(RegistryResource.Meta):
        model = Membership
        name = "memberships"
        fields = ("person", "network", "institution", "role", "start_date", "end_date")
        import_id_fields = ("person", "network", "start_date")

    def with_related(self, queryset):
        return queryset.select_related("person", "network", "institution")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = _errors_of(error)
        # As membership_start(): a new seat represents the person's current institution.
        if instance.pk is None and instance.institution_id is None and instance.person_id:
            instance.institution = instance.person.institution
        if errors:
            raise ValidationError(errors)
