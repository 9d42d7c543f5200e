"""The staff admin of conferences, sessions, attendance, minutes and agreements.

Every write with a rule of its own goes through ``conferences.services``: saving a session
(slug, calendar sequence), registering people (affiliation snapshot), attendance, agreements
and the minutes workflow. Changelists join or prefetch what their columns show, so they run
the same number of queries whatever the number of rows.

Attendance sheets have two pages of their own under a session:
``<id>/attendance/export/?format=xlsx|csv`` and ``<id>/attendance/import/`` (upload, preview
with every bad row named, then confirm), linked from the session's page.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.spreadsheets.kept import UploadExpired, result_totals
from networks import access
from networks.admin_access import ServiceAdmin, argument_name, describe
from networks.models import Network

from .attendance import may_export_attendance, may_import_attendance, sheet_import, sheet_preview
from .forms import (
    AgreementAdminForm,
    AttendanceConfirmForm,
    AttendanceImportForm,
    SessionAdminForm,
)
from .models import (
    AgendaItem,
    Agreement,
    Challenge,
    Conference,
    Minutes,
    Participation,
    Session,
)
from .resources import attendance_download
from .services import (
    agenda_item_delete,
    agenda_item_save,
    agreement_delete,
    agreement_save,
    challenge_delete,
    challenge_save,
    minutes_approve,
    minutes_circulate,
    minutes_publish_summary,
    minutes_save,
    participation_delete,
    participation_save,
    pending_agreements_before,
    session_cancel,
    session_delete,
    session_save,
)


def _apply_to_each(request, queryset, service, done_message, **kwargs):
    """Run ``service`` on each selected row and say what happened to each one."""
    for item in queryset:
        try:
            service(**kwargs, **{argument_name(queryset.model): item}, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(
                request,
                gettext("“%(item)s” was not changed: %(reason)s")
                % {"item": item, "reason": describe(error)},
            )
        else:
            messages.success(request, done_message % {"item": item})


# Conferences ----------------------------------------------------------------------------------


class ConferenceSessionInline(admin.TabularInline):
    """The conference's sessions, read only here: each links to its own page."""

    model = Session
    fields = ["title", "start", "modality", "status", "is_public"]
    readonly_fields = fields
    ordering = ["start"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["title", "start_date", "end_date", "programme", "is_public", "session_count"]
    list_filter = ["is_public", "programme", "networks"]
    list_select_related = ["programme"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organisers", "networks", "programme"]
    date_hierarchy = "start_date"
    inlines = [ConferenceSessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, conference):
        return conference.session_total


# Sessions -------------------------------------------------------------------------------------


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "duration_minutes", "presenter_institution", "presenter"]
    autocomplete_fields = ["presenter_institution", "presenter"]
    ordering = ["position", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("presenter_institution", "presenter")


class ParticipationInline(admin.TabularInline):
    """Registrations; the affiliation columns are the snapshot taken on registering."""

    model = Participation
    extra = 0
    fields = [
        "person",
        "role",
        "registered",
        "attended",
        "institution",
        "sector",
        "country",
        "municipality",
    ]
    readonly_fields = ["institution", "sector", "country", "municipality"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("person", "institution", "country", "municipality")
        )


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ["text", "responsible_institution", "responsible_person", "due_date", "status"]
    autocomplete_fields = ["responsible_institution", "responsible_person"]
    show_change_link = True  # follow-up notes are added on the agreement's own page

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("responsible_institution", "responsible_person")
        )


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0
    fields = ["text", "theme"]
    autocomplete_fields = ["theme"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme")


MINUTES_RECORD_FIELDS = ["status", "circulated_at", "approved_by", "approved_at", "published_at"]


class MinutesInline(admin.StackedInline):
    model = Minutes
    fields = ["text", "summary", *MINUTES_RECORD_FIELDS]
    max_num = 1
    extra = 0
    can_delete = False
    show_change_link = True  # circulating, approving and publishing happen there

    def get_readonly_fields(self, request, obj=None):
        status = (
            Minutes.objects.filter(session=obj).values_list("status", flat=True).first()
            if obj is not None
            else None
        )
        return [*MINUTES_RECORD_FIELDS, *Minutes.frozen_fields(status)]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approved_by")


@admin.register(Session)
class SessionAdmin(ServiceAdmin, admin.ModelAdmin):
    form = SessionAdminForm
    delete_service = session_delete
    formset_services = {
        AgendaItem: (agenda_item_save, agenda_item_delete),
        Participation: (participation_save, participation_delete),
        Agreement: (agreement_save, agreement_delete),
        Challenge: (challenge_save, challenge_delete),
        Minutes: (minutes_save, None),  # minutes are never deleted
    }
    list_display = [
        "title",
        "start",
        "conference",
        "network_names",
        "modality",
        "status",
        "is_public",
        "registered_count",
        "attended_count",
    ]
    list_filter = ["status", "modality", "is_public", "networks", "conference"]
    list_select_related = ["conference"]
    search_fields = ["title", "slug", "venue", "conference__title", "networks__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["conference", "networks", "municipality", "practices"]
    readonly_fields = ["sequence", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "conference", "networks", "description", "is_public"]}),
        (
            _("When and where"),
            {
                "fields": [
                    "start",
                    "end",
                    "modality",
                    "venue",
                    "municipality",
                    "meeting_link",
                    "capacity",
                    "status",
                ]
            },
        ),
        (_("Practices presented"), {"fields": ["practices"]}),
        (_("Record"), {"fields": ["sequence", "created_at", "updated_at"]}),
    ]
    inlines = [
        AgendaItemInline,
        ParticipationInline,
        AgreementInline,
        ChallengeInline,
        MinutesInline,
    ]
    actions = ["cancel_selected"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("networks", queryset=Network.objects.only("pk", "name")))
            .annotate(
                registered_total=Count("participations", distinct=True),
                attended_total=Count(
                    "participations",
                    filter=Q(participations__attended=True),
                    distinct=True,
                ),
            )
        )

    def get_inlines(self, request, obj):
        # People, agreements and minutes come once the session exists (its networks decide
        # the affiliation snapshot, its date the earliest due date).
        if obj is None:
            return [AgendaItemInline]
        return self.inlines

    @admin.display(description=_("networks"))
    def network_names(self, session):
        return ", ".join(network.name for network in session.networks.all())

    @admin.display(description=_("registered"), ordering="registered_total")
    def registered_count(self, session):
        return session.registered_total

    @admin.display(description=_("attended"), ordering="attended_total")
    def attended_count(self, session):
        return session.attended_total

    # Saving: one write path ------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if self.unchanged(form, change):
            return
        session_save(
            session=obj,
            networks=form.cleaned_data["networks"],
            practices=form.cleaned_data.get("practices"),
            actor=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # session_save() has set the networks and practices: only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # The session page: pending agreements and the attendance sheet ----------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["pending_agreements"] = list(pending_agreements_before(obj))
            context["may_export_attendance"] = self._may_export(request, obj)
            context["may_import_attendance"] = self._may_import(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description=_("Cancel selected sessions"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        _apply_to_each(request, queryset, session_cancel, gettext("“%(item)s” is cancelled."))

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/attendance/export/",
                self.admin_site.admin_view(self.attendance_export_view),
                name=f"{prefix}_attendance_export",
            ),
            path(
                "<path:object_id>/attendance/import/",
                self.admin_site.admin_view(self.attendance_import_view),
                name=f"{prefix}_attendance_import",
            ),
            *super().get_urls(),
        ]

    def _may_export(self, request, session):
        return may_export_attendance(request.user, session)

    def _may_import(self, request, session):
        return may_import_attendance(request.user, session)

    def _session_or_404(self, request, object_id):
        return access.get_or_404(request.user, Session, pk=_int_or_none(unquote(object_id)))

    def attendance_export_view(self, request, object_id):
        session = self._session_or_404(request, object_id)
        if not self._may_export(request, session):
            raise PermissionDenied
        return attendance_download(session, request.GET.get("format", "xlsx"))

    def attendance_import_view(self, request, object_id):
        session = self._session_or_404(request, object_id)
        if not self._may_import(request, session):
            raise PermissionDenied
        if request.method == "POST" and "confirm" in request.POST:
            return self._attendance_confirm(request, session)
        form = AttendanceImportForm(
            request.POST or None, request.FILES or None, prefix="attendance"
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import attendance sheet: %(session)s") % {"session": session},
            "opts": self.model._meta,
            "original": session,
            "session": session,
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            sheet = form.cleaned_data["sheet"]
            try:
                preview = sheet_preview(
                    session=session,
                    content=form.content,
                    file_format=form.file_format,
                    encoding=form.cleaned_data["encoding"],
                    actor=request.user,
                )
            except ValueError as error:
                form.add_error("sheet", str(error))
            else:
                context.update(preview)
                if preview["stored_name"]:
                    context["confirm_form"] = AttendanceConfirmForm(
                        initial={
                            "stored_name": preview["stored_name"],
                            "file_format": form.file_format,
                            # The confirmation reads the file as the preview did.
                            "encoding": form.cleaned_data["encoding"],
                            "original_name": sheet.name,
                        }
                    )
        return TemplateResponse(
            request, "admin/conferences/session/attendance_import.html", context
        )

    def _attendance_confirm(self, request, session):
        import_url = reverse("admin:conferences_session_attendance_import", args=[session.pk])
        confirm_form = AttendanceConfirmForm(request.POST)
        try:
            if not confirm_form.is_valid():
                raise UploadExpired
            result = sheet_import(
                session=session,
                stored_name=confirm_form.cleaned_data["stored_name"],
                file_format=confirm_form.cleaned_data["file_format"],
                encoding=confirm_form.cleaned_data["encoding"],
                actor=request.user,
            )
        except UploadExpired:
            messages.error(request, gettext("The uploaded file has expired. Upload it again."))
            return redirect(import_url)
        if result.has_errors() or result.has_validation_errors():
            # Clean at the preview, but the data changed in between: nothing was written.
            messages.error(
                request,
                gettext(
                    "Nothing was imported: some rows are no longer valid. "
                    "Upload the file again to see which."
                ),
            )
            return redirect(import_url)
        messages.success(
            request,
            gettext(
                "Attendance sheet imported: %(new)d registered, %(updated)d updated, "
                "%(skipped)d unchanged."
            )
            % result_totals(result),
        )
        return redirect(reverse("admin:conferences_session_change", args=[session.pk]))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Minutes --------------------------------------------------------------------------------------


@admin.register(Minutes)
class MinutesAdmin(ServiceAdmin, admin.ModelAdmin):
    """Minutes and their workflow: draft -> circulated -> approved -> summary published."""

    list_display = [
        "session",
        "status",
        "circulated_at",
        "approved_by",
        "approved_at",
        "published_at",
    ]
    list_filter = ["status", "session__networks"]
    list_select_related = ["session", "approved_by"]
    search_fields = ["session__title", "text", "summary"]
    autocomplete_fields = ["session"]
    actions = ["circulate_selected", "approve_selected", "publish_summary_selected"]

    def get_fields(self, request, obj=None):
        return ["session", "text", "summary", *MINUTES_RECORD_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        frozen = Minutes.frozen_fields(obj.status if obj else None)
        if obj is not None:
            frozen = ["session", *frozen]
        return [*MINUTES_RECORD_FIELDS, *frozen]

    def save_model(self, request, obj, form, change):
        if not self.unchanged(form, change):
            minutes_save(minutes=obj, actor=request.user)

    @admin.action(description=_("Circulate to participants"), permissions=["change"])
    def circulate_selected(self, request, queryset):
        _apply_to_each(
            request,
            queryset.select_related("session"),
            minutes_circulate,
            gettext("The minutes of “%(item)s” are circulated."),
        )

    @admin.action(description=_("Approve"), permissions=["change"])
    def approve_selected(self, request, queryset):
        _apply_to_each(
            request,
            queryset.select_related("session"),
            minutes_approve,
            gettext("The minutes of “%(item)s” are approved."),
        )

    @admin.action(description=_("Publish summary"), permissions=["change"])
    def publish_summary_selected(self, request, queryset):
        _apply_to_each(
            request,
            queryset.select_related("session"),
            minutes_publish_summary,
            gettext("The summary of “%(item)s” is published."),
        )


# Agreements and challenges --------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=Agreement.objects.overdue().values("pk"))
        return queryset


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin, admin.ModelAdmin):
    form = AgreementAdminForm
    delete_service = agreement_delete
    list_display = [
        "short_text",
        "session",
        "responsible_institution",
        "due_date",
        "status",
        "overdue",
    ]
    list_filter = ["status", OverdueFilter, "session__networks"]
    list_select_related = ["session", "responsible_institution"]
    search_fields = ["text", "follow_up", "responsible_institution__name", "session__title"]
    autocomplete_fields = ["session", "responsible_institution", "responsible_person"]
    readonly_fields = ["follow_up", "updated_at"]
    date_hierarchy = "due_date"
    fields = [
        "session",
        "text",
        "responsible_institution",
        "responsible_person",
        "due_date",
        "status",
        "follow_up",
        "follow_up_note",
        "updated_at",
    ]

    @admin.display(description=_("agreement"), ordering="text")
    def short_text(self, agreement):
        return str(agreement)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, agreement):
        return agreement.is_overdue

    def save_model(self, request, obj, form, change):
        if self.unchanged(form, change):
            return
        agreement_save(
            agreement=obj,
            follow_up_note=form.cleaned_data.get("follow_up_note", ""),
            actor=request.user,
        )


@admin.register(Challenge)
class ChallengeAdmin(ServiceAdmin, admin.ModelAdmin):
    """Challenges across tables, by theme, so staff see which ones recur."""

    save_service, delete_service = challenge_save, challenge_delete

    list_display = ["short_text", "theme", "session"]
    list_filter = ["theme", "session__networks"]
    list_select_related = ["theme", "session"]
    search_fields = ["text", "session__title"]
    autocomplete_fields = ["session", "theme"]

    @admin.display(description=_("challenge"), ordering="text")
    def short_text(self, challenge):
        return str(challenge)
