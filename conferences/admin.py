"""The staff admin of conferences, sessions, attendance, minutes and agreements.

Every write with a rule of its own goes through ``conferences.services``: saving a session
(slug, calendar sequence), registering people (affiliation snapshot), attendance, agreements
and the minutes workflow. Changelists join or prefetch what their columns show, so they run
the same number of queries whatever the number of rows.

Attendance sheets have two pages of their own under a session:
``<id>/attendance/export/?format=xlsx|csv`` and ``<id>/attendance/import/`` (upload, preview
with every bad row named, then confirm), linked from the session's page.
"""

import os
import tempfile

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import XLSX
from import_export.results import RowResult

from networks.models import Network

from .enums import MinutesStatus
from .forms import (
    UPLOAD_PREFIX,
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
from .permissions import can_export_attendance, can_import_attendance
from .resources import (
    attendance_csv,
    attendance_filename,
    attendance_import,
    attendance_xlsx,
    read_attendance_sheet,
)
from .services import (
    agreement_create,
    agreement_update,
    minutes_approve,
    minutes_circulate,
    minutes_publish_summary,
    minutes_save,
    participation_register,
    participation_set_attendance,
    pending_agreements_before,
    session_cancel,
    session_save,
)


def _reason(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _apply_to_each(request, queryset, service, done_message, **kwargs):
    """Run ``service`` on each selected row and say what happened to each one."""
    for item in queryset:
        try:
            service(**kwargs, **{queryset.model._meta.model_name: item})
        except ValidationError as error:
            messages.error(
                request,
                gettext("“%(item)s” was not changed: %(reason)s")
                % {"item": item, "reason": _reason(error)},
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


def _frozen_minutes_fields(status):
    """Approved text is final; so is a published summary (see ``minutes_save``)."""
    if status == MinutesStatus.PUBLISHED:
        return ["text", "summary"]
    if status == MinutesStatus.APPROVED:
        return ["text"]
    return []


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
        return [*MINUTES_RECORD_FIELDS, *_frozen_minutes_fields(status)]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("approved_by")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    form = SessionAdminForm
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
        session_save(
            session=obj,
            networks=form.cleaned_data["networks"],
            practices=form.cleaned_data.get("practices"),
        )

    def save_related(self, request, form, formsets, change):
        # session_save() has set the networks and practices: only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        savers = {
            Participation: self._save_participations,
            Agreement: self._save_agreements,
            Minutes: self._save_minutes,
        }
        saver = savers.get(formset.model)
        if saver is None:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for item in formset.deleted_objects:
            item.delete()
        saver(form.instance, formset)
        return None

    def _save_participations(self, session, formset):
        registered = []
        for participation in formset.new_objects:
            saved = participation_register(
                session=session, person=participation.person, role=participation.role
            )
            if not participation.registered:
                saved.registered = False
                saved.full_clean()
                saved.save(update_fields=["registered"])
            if participation.attended:
                participation_set_attendance(participation=saved, attended=True)
            registered.append(saved)
        formset.new_objects = registered
        for participation, _changed in formset.changed_objects:
            participation.full_clean()  # refuses attendance at a cancelled session
            participation.save()

    def _save_agreements(self, session, formset):
        created = [
            agreement_create(
                session=session,
                text=agreement.text,
                responsible_institution=agreement.responsible_institution,
                responsible_person=agreement.responsible_person,
                due_date=agreement.due_date,
            )
            for agreement in formset.new_objects
        ]
        for new, agreement in zip(formset.new_objects, created, strict=True):
            if new.status != agreement.status:
                agreement_update(agreement=agreement, status=new.status)
        formset.new_objects = created
        for agreement, _changed in formset.changed_objects:
            agreement_update(agreement=agreement, status=agreement.status)

    def _save_minutes(self, session, formset):
        for minutes in formset.new_objects:
            minutes_save(minutes=minutes)
        for minutes, _changed in formset.changed_objects:
            minutes_save(minutes=minutes)

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
        return self.has_view_or_change_permission(request, session) and can_export_attendance(
            request.user
        )

    def _may_import(self, request, session):
        return self.has_view_or_change_permission(request, session) and can_import_attendance(
            request.user
        )

    def _session_or_404(self, request, object_id):
        session = Session.objects.filter(pk=_int_or_none(unquote(object_id))).first()
        if session is None:
            raise Http404
        return session

    def attendance_export_view(self, request, object_id):
        session = self._session_or_404(request, object_id)
        if not self._may_export(request, session):
            raise PermissionDenied
        file_format = request.GET.get("format", "xlsx")
        if file_format == "csv":
            response = StreamingHttpResponse(
                attendance_csv(session), content_type="text/csv; charset=utf-8"
            )
            filename = attendance_filename(session, "csv")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        if file_format == "xlsx":
            return FileResponse(
                attendance_xlsx(session),
                as_attachment=True,
                filename=attendance_filename(session, "xlsx"),
                content_type=XLSX.CONTENT_TYPE,
            )
        raise Http404

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
            content = sheet.read()
            try:
                dataset = read_attendance_sheet(content, form.file_format)
            except ValueError as error:
                form.add_error("sheet", str(error))
            else:
                result = attendance_import(session=session, dataset=dataset, dry_run=True)
                context.update(_preview(result, dataset))
                if context["is_clean"]:
                    context["confirm_form"] = AttendanceConfirmForm(
                        initial={
                            "stored_name": _store_upload(content),
                            "file_format": form.file_format,
                            "original_name": sheet.name,
                        }
                    )
        return TemplateResponse(
            request, "admin/conferences/session/attendance_import.html", context
        )

    def _attendance_confirm(self, request, session):
        import_url = reverse("admin:conferences_session_attendance_import", args=[session.pk])
        confirm_form = AttendanceConfirmForm(request.POST)
        content = _take_upload(confirm_form.cleaned_data) if confirm_form.is_valid() else None
        if content is None:
            messages.error(request, gettext("The uploaded file has expired. Upload it again."))
            return redirect(import_url)
        dataset = read_attendance_sheet(content, confirm_form.cleaned_data["file_format"])
        result = attendance_import(session=session, dataset=dataset, dry_run=False)
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
        totals = result.totals
        messages.success(
            request,
            gettext(
                "Attendance sheet imported: %(new)d registered, %(updated)d updated, "
                "%(skipped)d unchanged."
            )
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skipped": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )
        return redirect(reverse("admin:conferences_session_change", args=[session.pk]))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _store_upload(content: bytes) -> str:
    """Keep an upload between the preview and the confirmation; returns its bare name."""
    with tempfile.NamedTemporaryFile(prefix=UPLOAD_PREFIX, delete=False) as stored:
        stored.write(content)
    return os.path.basename(stored.name)


def _take_upload(cleaned_data):
    """The stored upload's content, removing the file; ``None`` if it is gone."""
    stored = os.path.join(tempfile.gettempdir(), cleaned_data["stored_name"])
    try:
        with open(stored, "rb") as handle:
            content = handle.read()
    except OSError:
        return None
    os.remove(stored)
    return content


OUTCOMES = {
    RowResult.IMPORT_TYPE_NEW: _("registered"),
    RowResult.IMPORT_TYPE_UPDATE: _("updated"),
    RowResult.IMPORT_TYPE_SKIP: _("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: _("refused"),
    RowResult.IMPORT_TYPE_ERROR: _("refused"),
}


def _preview(result, dataset):
    """What the preview page lists: every row with its outcome, and every problem."""
    problems = {row.number: _row_messages(row.error_dict) for row in result.invalid_rows}
    for number, errors in result.row_errors():
        problems.setdefault(number, []).extend(str(error.error) for error in errors)
    headers = list(dataset.headers or [])
    email_column = headers.index("email") if "email" in headers else None
    rows = []
    for number, row_result in enumerate(result.rows, 1):
        values = dataset[number - 1] if number <= len(dataset) else ()
        rows.append(
            {
                "number": number,
                "email": values[email_column] if email_column is not None else "",
                "outcome": OUTCOMES.get(row_result.import_type, row_result.import_type),
                "problems": problems.get(number, []),
            }
        )
    base_errors = [str(error.error) for error in result.base_errors]
    return {
        "rows": rows,
        "base_errors": base_errors,
        "bad_rows": [(number, problems[number]) for number in sorted(problems)],
        "is_clean": not (base_errors or problems),
        "totals": {
            "new": result.totals[RowResult.IMPORT_TYPE_NEW],
            "updated": result.totals[RowResult.IMPORT_TYPE_UPDATE],
            "skipped": result.totals[RowResult.IMPORT_TYPE_SKIP],
        },
    }


def _row_messages(error_dict):
    return [
        message if column == "__all__" else f"{column}: {message}"
        for column, messages_of_column in error_dict.items()
        for message in messages_of_column
    ]


# Minutes --------------------------------------------------------------------------------------


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
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
        frozen = _frozen_minutes_fields(obj.status if obj else None)
        if obj is not None:
            frozen = ["session", *frozen]
        return [*MINUTES_RECORD_FIELDS, *frozen]

    def save_model(self, request, obj, form, change):
        minutes_save(minutes=obj)

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
            user=request.user,
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
class AgreementAdmin(admin.ModelAdmin):
    form = AgreementAdminForm
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
        note = form.cleaned_data.get("follow_up_note", "")
        if change:
            agreement_update(agreement=obj, status=obj.status, follow_up_note=note)
            return
        created = agreement_create(
            session=obj.session,
            text=obj.text,
            responsible_institution=obj.responsible_institution,
            responsible_person=obj.responsible_person,
            due_date=obj.due_date,
        )
        if note or obj.status != created.status:
            agreement_update(agreement=created, status=obj.status, follow_up_note=note)
        # The admin goes on with ``obj`` (messages, redirect): make it the saved row.
        obj.pk, obj.follow_up, obj.updated_at = created.pk, created.follow_up, created.updated_at


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    """Challenges across tables, by theme, so staff see which ones recur."""

    list_display = ["short_text", "theme", "session"]
    list_filter = ["theme", "session__networks"]
    list_select_related = ["theme", "session"]
    search_fields = ["text", "session__title"]
    autocomplete_fields = ["session", "theme"]

    @admin.display(description=_("challenge"), ordering="text")
    def short_text(self, challenge):
        return str(challenge)
