"""The staff admin of the registry, with spreadsheet import and export.

Changelists join or prefetch everything their columns show, so they run the same number of
queries whatever the number of rows. Querysets and permissions ask ``networks.access``;
every write of networks, people, institutions and memberships (forms, inlines, actions,
deletions, imports) goes through ``networks.services`` (see ``admin_access.ServiceAdmin``).
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.results import RowResult

from common.spreadsheets.files import EXPORT_FORMATS
from common.spreadsheets.reading import IMPORT_FORMATS, UnreadableSheet

from . import access, invitations, personal_data
from .admin_access import ServiceAdmin, describe
from .forms import MembershipAdminForm, NetworkAdminForm
from .models import (
    BorderCrossing,
    Country,
    Department,
    Institution,
    Invitation,
    InvitationStatus,
    Membership,
    Municipality,
    Network,
    Person,
    Programme,
)
from .resources import (
    InstitutionResource,
    MembershipResource,
    MunicipalityResource,
    NetworkResource,
    PersonResource,
)
from .services import (
    institution_delete,
    institution_save,
    membership_delete,
    membership_end,
    membership_save,
    network_delete,
    network_save,
    person_delete,
    person_erase,
    person_history_erase,
    person_save,
)


class ExportColumnsForm(SelectableFieldsExportForm):
    """The export page's column checkboxes named as the file will head the columns, in the
    page's language. The library shows the attribute title-cased instead ("First Name"),
    English whatever the language."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return resource.column_label(field) if field else field_name


class RegistryImportExportAdmin(ServiceAdmin, ImportExportModelAdmin):
    """Import and export in CSV and XLSX, for staff holding the explicit permissions.

    ``networks.access`` decides: ``import_<model>`` with add and change (an import does
    both), ``export_<model>`` with view. Checked on the buttons and on the views; the
    import's writes go through the services, naming the staff member.
    """

    export_form_class = ExportColumnsForm

    def has_import_permission(self, request):
        return access.allows(request.user, "import", self.model)

    def get_import_formats(self):
        # Uploads are read as spreadsheet programs save them: any CSV delimiter and
        # encoding, blank rows skipped, rows numbered as the spreadsheet shows them.
        return [file_format for file_format in IMPORT_FORMATS if file_format().can_import()]

    def add_data_read_fail_error_to_form(self, form, e):
        # The library's message names the exception; ours says what is wrong with the file.
        if isinstance(e, UnreadableSheet):
            message = str(e)
        else:
            message = gettext(
                "The file could not be read. Save it as CSV, XLSX or ODS and try again."
            )
        form.add_error("import_file", message)

    def get_export_filename(self, request, queryset, file_format):
        # "personas-2026-12-02.csv": the records' name in the reader's language, not the
        # model's class name.
        name = slugify(str(self.model._meta.verbose_name_plural)) or self.model._meta.model_name
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # As the library's, with numbers and dates as such in XLSX: the library recognises
        # its own format classes only, not ours.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=isinstance(file_format, XLSX), **kwargs
        )
        return file_format.export_data(data)

    def get_export_formats(self):
        # The files every download of the portal gives: CSV with a byte-order mark, XLSX
        # with a frozen header and sized columns (common/spreadsheets/files.py).
        return EXPORT_FORMATS

    def has_export_permission(self, request):
        return access.allows(request.user, "export", self.model)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "actor": request.user}

    def get_export_queryset(self, request):
        try:
            queryset = super().get_export_queryset(request)
        except IncorrectLookupParameters as error:
            # The export reads the changelist's filters from the query string; an unknown or
            # malformed one is the request's fault (the changelist itself redirects to ?e=1).
            raise BadRequest from error
        return access.scope(queryset, request.user, "export")

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        request = kwargs.get("request")
        if request is not None and not self.get_skip_admin_log():
            # The import logs its rows batch by batch, inside its transaction, so that its
            # result need not keep every record of the file for generate_log_entries().
            kwargs["log_saved"] = partial(self.log_imported, request.user.pk)
        return kwargs

    def log_imported(self, user_pk, saved):
        """Admin log entries for a batch of imported records, as the library writes them."""
        flags = {RowResult.IMPORT_TYPE_NEW: ADDITION, RowResult.IMPORT_TYPE_UPDATE: CHANGE}
        # Written in the importer's language (a history page shows a free-text message as
        # it was stored).
        notes = {
            RowResult.IMPORT_TYPE_NEW: gettext("Added by a spreadsheet import."),
            RowResult.IMPORT_TYPE_UPDATE: gettext("Changed by a spreadsheet import."),
        }
        for import_type, instances in saved.items():
            LogEntry.objects.log_actions(
                user_pk, instances, flags[import_type], change_message=notes[import_type]
            )

    def generate_log_entries(self, result, request):
        if getattr(result, "log_written", False):
            return
        super().generate_log_entries(result, request)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        omitted = getattr(result, "omitted_rows", 0)
        if omitted and not (result.has_errors() or result.has_validation_errors()):
            # The preview lists the first rows only; say so, and what the whole file does.
            messages.info(
                request,
                gettext(
                    "The preview lists the first %(shown)s of %(total)s rows. The whole file: "
                    "%(new)s new, %(update)s to update, %(skip)s unchanged."
                )
                % {
                    "shown": len(result.rows),
                    "total": result.total_rows,
                    "new": result.totals[RowResult.IMPORT_TYPE_NEW],
                    "update": result.totals[RowResult.IMPORT_TYPE_UPDATE],
                    "skip": result.totals[RowResult.IMPORT_TYPE_SKIP],
                },
            )
        return response

    def process_result(self, result, request):
        # The preview only offers to confirm a clean file, but the data may have changed
        # in between: then the import was rolled back and must not be reported as done.
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "Nothing was imported: some rows are no longer valid. "
                    "Upload the file again to see which."
                ),
            )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_result(result, request)


# Geography ---------------------------------------------------------------------------


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name_es", "name_en", "code"]
    search_fields = ["name_es", "name_en", "code"]
    ordering = ["name_es"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country"]
    list_filter = ["country"]
    list_select_related = ["country"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["country"]


class BorderCrossingInline(admin.TabularInline):
    model = BorderCrossing
    extra = 0
    autocomplete_fields = ["leads_to"]


class DistrictInline(admin.TabularInline):
    """Former municipalities that a reform made districts of this one (read only here)."""

    model = Municipality
    fk_name = "successor"
    verbose_name = _("district (former municipality)")
    verbose_name_plural = _("districts (former municipalities)")
    fields = ["name", "official_code", "department", "valid_until"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CurrentMunicipalityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", _("Current")), ("former", _("Merged by a reform"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "former":
            return queryset.filter(valid_until__isnull=False)
        return queryset


@admin.register(Municipality)
class MunicipalityAdmin(RegistryImportExportAdmin):
    resource_classes = [MunicipalityResource]
    list_display = [
        "name",
        "official_code",
        "department",
        "country_code",
        "is_border",
        "valid_until",
        "successor",
    ]
    list_filter = ["is_border", CurrentMunicipalityFilter, "department__country", "department"]
    list_select_related = ["department__country", "successor"]
    search_fields = ["name", "official_code", "slug", "department__name", "department__code"]
    autocomplete_fields = ["department", "successor", "borders_with"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BorderCrossingInline, DistrictInline]

    @admin.display(description=_("country"), ordering="department__country__code")
    def country_code(self, municipality):
        return municipality.department.country.code

    def get_inlines(self, request, obj):
        if obj is None or not obj.districts.exists():
            return [BorderCrossingInline]
        return self.inlines

    # Municipalities keep no audit trail (no ``history = audited()``): simple-history's page
    # would fail; Django's own page, of the admin's log, is their history.
    object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)


@admin.register(BorderCrossing)
class BorderCrossingAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "country_code", "leads_to"]
    list_filter = ["leads_to", "municipality__department__country"]
    list_select_related = ["municipality__department__country", "leads_to"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality", "leads_to"]

    @admin.display(description=_("country"), ordering="municipality__department__country__code")
    def country_code(self, crossing):
        return crossing.municipality.department.country.code


# Institutions and people -----------------------------------------------------------------


@admin.register(Institution)
class InstitutionAdmin(RegistryImportExportAdmin):
    resource_classes = [InstitutionResource]
    save_service, delete_service = institution_save, institution_delete
    list_display = ["name", "acronym", "sector", "country", "municipality"]
    list_filter = ["sector", "country"]
    list_select_related = ["country", "municipality"]
    search_fields = ["name", "acronym"]
    autocomplete_fields = ["country", "municipality"]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    extra = 0
    fields = ["network", "person", "institution", "role", "start_date", "end_date"]
    autocomplete_fields = ["network", "person", "institution"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "network", "institution")


class PersonMembershipInline(MembershipInline):
    fields = ["network", "institution", "role", "start_date", "end_date"]
    autocomplete_fields = ["network", "institution"]


class NetworkMembershipInline(MembershipInline):
    fields = ["person", "institution", "role", "start_date", "end_date"]
    autocomplete_fields = ["person", "institution"]


@admin.register(Person)
class PersonAdmin(RegistryImportExportAdmin):
    resource_classes = [PersonResource]
    save_service, delete_service = person_save, person_delete
    formset_services = {Membership: (membership_save, membership_delete)}
    list_display = ["full_name", "email", "phone", "institution", "open_memberships"]
    list_filter = ["sex", "institution__sector", "institution__country"]
    list_select_related = ["institution"]
    search_fields = ["first_name", "last_name", "email", "phone", "institution__name"]
    autocomplete_fields = ["institution", "user"]
    readonly_fields = ["created_at", "updated_at", "data_protection"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "sex", "email", "phone"]}),
        (_("Work"), {"fields": ["institution", "position"]}),
        (_("Consent"), {"fields": ["consent_date", "consent_basis", "data_protection"]}),
        (_("Account"), {"fields": ["user", "created_at", "updated_at"]}),
    ]
    inlines = [PersonMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_membership_count=Count(
                    "memberships",
                    filter=Q(memberships__end_date__isnull=True),
                    distinct=True,
                )
            )
        )

    actions = ["invite", "erase_history", "erase"]

    def has_invite_permission(self, request):
        return access.staff_may(request.user, "add", Invitation)

    @admin.action(description=_("Invite to the portal"), permissions=["invite"])
    def invite(self, request, queryset):
        invite_people(request, [(person, None) for person in queryset])

    @admin.action(
        description=_("Erase their personal data from the history"), permissions=["delete"]
    )
    def erase_history(self, request, queryset):
        """The right to erasure: past versions keep dates and actors, not the person's data."""
        for person in queryset:
            person_history_erase(person_id=person.pk, actor=request.user)
        messages.success(
            request,
            ngettext(
                "The history no longer holds the personal data of %(count)d person.",
                "The history no longer holds the personal data of %(count)d people.",
                len(queryset),
            )
            % {"count": len(queryset)},
        )

    @admin.action(description=_("Erase this person's personal data"), permissions=["delete"])
    def erase(self, request, queryset):
        """The right to erasure, everywhere (``person_erase``), after a confirmation page."""
        people = list(queryset)
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Erase personal data?"),
                "opts": self.model._meta,
                "people": people,
                "seated": {p.pk for p in people if p.open_membership_count},
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/networks/person/erase_confirm.html", context)
        erased = 0
        for person in people:
            name = str(person)
            try:
                person_erase(person=person, actor=request.user)
            except (PermissionDenied, ValidationError) as error:
                messages.error(
                    request,
                    gettext("“%(person)s” was not erased: %(reason)s")
                    % {"person": name, "reason": describe(error)},
                )
            else:
                erased += 1
        if erased:
            messages.success(
                request,
                ngettext(
                    "The personal data of %(count)d person were erased.",
                    "The personal data of %(count)d people were erased.",
                    erased,
                )
                % {"count": erased},
            )
        return None

    @admin.display(description=_("data protection"))
    def data_protection(self, person):
        """What staff must know before using the person's data: consent and purposes."""
        if person is None or person.pk is None or person.consent_date is None:
            consent = gettext("No consent recorded.")
        else:
            consent = gettext("Consent given on %(date)s: %(basis)s.") % {
                "date": formats.date_format(person.consent_date),
                "basis": person.get_consent_basis_display(),
            }
        purposes = format_html_join("", "<li>{}</li>", ((p,) for p in personal_data.PURPOSES))
        return format_html(
            "<p>{}</p><p>{}</p><ul>{}</ul>",
            consent,
            gettext("The registry holds these data for:"),
            purposes,
        )

    # The access request: everything held about one person --------------------------------

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name=f"{prefix}_personal_data",
            ),
            path(
                "<path:object_id>/personal-data/json/",
                self.admin_site.admin_view(self.personal_data_json_view),
                name=f"{prefix}_personal_data_json",
            ),
            *super().get_urls(),
        ]

    def _access_request_person(self, request, object_id):
        # Staff holding view_person only; anyone else is told nothing (404), as if the
        # person did not exist. Coordinators read their members in the workspace instead.
        if not access.staff_may(request.user, "view", Person):
            raise Http404
        self._valid_id_or_404(object_id)
        queryset = Person.objects.select_related("institution__country", "user")
        return access.get_or_404(request.user, queryset, pk=object_id)

    def personal_data_view(self, request, object_id):
        person = self._access_request_person(request, object_id)
        data = personal_data.person_personal_data(person)
        personal_data.access_request_record(person=person, actor=request.user, form="page")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Personal data held about %(person)s") % {"person": person},
            "opts": self.model._meta,
            "original": person,
            "data": data,
            "tables": personal_data.display_tables(data),
        }
        return TemplateResponse(request, "admin/networks/person/personal_data.html", context)

    def personal_data_json_view(self, request, object_id):
        person = self._access_request_person(request, object_id)
        data = personal_data.person_personal_data(person)
        personal_data.access_request_record(person=person, actor=request.user, form="json")
        response = JsonResponse(
            data,
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        filename = f"{slugify(gettext('personal data'))}-{person.pk}-{timezone.localdate()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, person):
        return f"{person.last_name}, {person.first_name}"

    @admin.display(description=_("open memberships"), ordering="open_membership_count")
    def open_memberships(self, person):
        return person.open_membership_count


# Programmes and networks -------------------------------------------------------------------


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "donor", "start_date", "end_date", "network_count"]
    search_fields = ["name", "donor"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(network_total=Count("networks"))

    @admin.display(description=_("networks"), ordering="network_total")
    def network_count(self, programme):
        return programme.network_total


@admin.register(Network)
class NetworkAdmin(RegistryImportExportAdmin):
    resource_classes = [NetworkResource]
    delete_service = network_delete
    formset_services = {Membership: (membership_save, membership_delete)}
    form = NetworkAdminForm
    list_display = ["name", "kind", "status", "country_codes", "programme", "open_members"]
    list_filter = ["kind", "status", "programme", "municipalities__department__country"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["municipalities", "programme"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .for_directory()
            .annotate(
                open_member_count=Count(
                    "memberships",
                    filter=Q(memberships__end_date__isnull=True),
                    distinct=True,
                )
            )
        )

    @admin.display(description=_("countries"))
    def country_codes(self, network):
        return ", ".join(country.code for country in network.countries())

    @admin.display(description=_("open memberships"), ordering="open_member_count")
    def open_members(self, network):
        return network.open_member_count

    def save_model(self, request, obj, form, change):
        if self.unchanged(form, change):
            return
        # The same write as every other path in; the form has already checked the rule.
        network_save(
            network=obj, municipalities=form.cleaned_data["municipalities"], actor=request.user
        )

    def save_related(self, request, form, formsets, change):
        # network_save() has set the municipalities: only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class OpenMembershipFilter(admin.SimpleListFilter):
    title = _("open or ended")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(end_date__isnull=False)
        return queryset


@admin.register(Membership)
class MembershipAdmin(RegistryImportExportAdmin):
    resource_classes = [MembershipResource]
    form = MembershipAdminForm
    save_service, delete_service = membership_save, membership_delete
    list_display = ["person", "network", "institution", "role", "start_date", "end_date"]
    list_filter = [OpenMembershipFilter, "role", "network__kind", "network"]
    list_select_related = ["person", "network", "institution"]
    search_fields = [
        "person__first_name",
        "person__last_name",
        "person__email",
        "network__name",
        "institution__name",
    ]
    autocomplete_fields = ["person", "network", "institution"]
    date_hierarchy = "start_date"
    actions = ["end_today", "invite"]

    def has_invite_permission(self, request):
        return access.staff_may(request.user, "add", Invitation)

    @admin.action(description=_("Invite to the portal"), permissions=["invite"])
    def invite(self, request, queryset):
        """Each person once, for the network of the first of their selected seats."""
        chosen = {}
        for membership in queryset.select_related("person", "network").order_by("pk"):
            chosen.setdefault(membership.person_id, (membership.person, membership.network))
        invite_people(request, list(chosen.values()))

    @admin.action(description=_("End selected memberships today"), permissions=["change"])
    def end_today(self, request, queryset):
        today = timezone.localdate()
        ended, refused = 0, []
        for membership in queryset.open().select_related("person", "network"):
            try:
                membership_end(membership=membership, end_date=today, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                refused.append(f"{membership}: {describe(error)}")
            else:
                ended += 1
        if ended:
            messages.success(
                request,
                ngettext(
                    "%(count)d membership ended today.",
                    "%(count)d memberships ended today.",
                    ended,
                )
                % {"count": ended},
            )
        for problem in refused:
            messages.error(request, gettext("Not ended: %(problem)s") % {"problem": problem})
        if not ended and not refused:
            messages.warning(request, gettext("The selected memberships had already ended."))


# Invitations to the portal -----------------------------------------------------------------


def invite_people(request, people) -> None:
    """Invite each ``(person, network)`` through the service and report what happened to whom:
    sent, linked to an existing account, no e-mail, already an account, refused."""
    outcomes = {"sent": [], "linked": [], invitations.NO_EMAIL: [], invitations.HAS_ACCOUNT: []}
    refused = []
    for person, network in people:
        try:
            invitation = invitations.invitation_send(
                person=person, network=network, actor=request.user
            )
        except ValidationError as error:
            if error.code in outcomes:
                outcomes[error.code].append(str(person))
            else:
                refused.append(describe(error))
        except PermissionDenied as error:
            refused.append(f"{person}: {describe(error)}")
        except OSError:  # the mail server refused or was unreachable: nothing was written
            refused.append(
                gettext("%(person)s: the e-mail could not be sent; try again later.")
                % {"person": person}
            )
        else:
            outcomes["linked" if invitation.linked_existing_account else "sent"].append(str(person))
    reports = [
        (messages.SUCCESS, "sent", gettext("Invitation sent to: %(people)s")),
        (
            messages.SUCCESS,
            "linked",
            gettext("Linked to their existing account (and told so): %(people)s"),
        ),
        (messages.WARNING, invitations.NO_EMAIL, gettext("No e-mail address: %(people)s")),
        (
            messages.INFO,
            invitations.HAS_ACCOUNT,
            gettext("Already have an account: %(people)s"),
        ),
    ]
    for level, key, text in reports:
        if outcomes[key]:
            messages.add_message(request, level, text % {"people": ", ".join(outcomes[key])})
    for problem in refused:
        messages.error(request, gettext("Not invited: %(problem)s") % {"problem": problem})


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        filters = {
            InvitationStatus.PENDING: Q(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            ),
            InvitationStatus.EXPIRED: Q(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
            ),
            InvitationStatus.ACCEPTED: Q(accepted_at__isnull=False, revoked_at__isnull=True),
            InvitationStatus.REVOKED: Q(revoked_at__isnull=False),
        }
        condition = filters.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    """Read only: invitations are made from a person or a membership ("Invite to the portal")
    and changed by the actions here, each through ``networks.invitations``."""

    list_display = [
        "person",
        "email",
        "network",
        "status_display",
        "expires_at",
        "sent_count",
        "created_by",
    ]
    list_filter = [InvitationStatusFilter, "network"]
    list_select_related = ["person", "network", "created_by"]
    search_fields = ["person__first_name", "person__last_name", "email"]
    date_hierarchy = "created_at"
    fields = [
        "person",
        "email",
        "network",
        "language",
        "status_display",
        "created_by",
        "created_at",
        "expires_at",
        "sent_at",
        "sent_count",
        "accepted_at",
        "accepted_user",
        "linked_existing_account",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["resend", "regenerate", "revoke"]

    @admin.display(description=_("status"))
    def status_display(self, invitation):
        return invitation.get_status_display()

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # The actions need the change permission; a record's own page only shows it.
        return obj is None and super().has_change_permission(request)

    def _each(self, request, queryset, service, done_message):
        done = []
        for invitation in queryset.select_related("person", "network"):
            try:
                done.append(service(invitation=invitation, actor=request.user))
            except (ValidationError, PermissionDenied) as error:
                messages.error(
                    request,
                    gettext("Not done: %(invitation)s: %(problem)s")
                    % {"invitation": invitation, "problem": describe(error)},
                )
            except OSError:
                messages.error(
                    request,
                    gettext("Not sent: %(invitation)s: the e-mail could not be sent.")
                    % {"invitation": invitation},
                )
        if done:
            messages.success(
                request, done_message % {"people": ", ".join(str(i.person) for i in done)}
            )
        return done

    @admin.action(description=_("Send again (new link, valid again)"), permissions=["change"])
    def resend(self, request, queryset):
        self._each(
            request, queryset, invitations.invitation_resend, gettext("Sent again to: %(people)s")
        )

    @admin.action(
        description=_("Make a new link to copy (no e-mail is sent)"), permissions=["change"]
    )
    def regenerate(self, request, queryset):
        done = self._each(
            request,
            queryset,
            invitations.invitation_regenerate,
            gettext("New links made for: %(people)s. The earlier links no longer work."),
        )
        for invitation in done:
            # The key is stored hashed: this message is the only place the link appears.
            messages.info(
                request,
                gettext(
                    "Link for %(person)s (%(email)s), valid until %(date)s, shown only now: "
                    "%(link)s"
                )
                % {
                    "person": invitation.person,
                    "email": invitation.email,
                    "date": formats.date_format(
                        timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"
                    ),
                    "link": invitation.link,
                },
            )

    @admin.action(description=_("Revoke (the link stops working)"), permissions=["change"])
    def revoke(self, request, queryset):
        self._each(request, queryset, invitations.invitation_revoke, gettext("Revoked: %(people)s"))
