"""The staff admin of the good-practice repository: content, taxonomies and review.

Every write goes through ``practices.services``: saving a practice (``practice_save``, which
also refreshes its search data), adding or removing attachments, and every status change
(the review actions and the review screen).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localdate, localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from networks import access
from networks.admin_access import ServiceAdmin
from networks.models import Institution, Municipality

from .enums import ReviewStatus
from .forms import AttachmentInlineForm, PracticeAdminForm, RequestChangesForm, ReviewForm
from .models import (
    Attachment,
    GCMObjective,
    GCMPrinciple,
    LegalEvidence,
    Practice,
    Replication,
    ReviewLogEntry,
    Theme,
)
from .page import practice_page
from .permissions import is_reviewer, may_make
from .search import practice_index
from .services import (
    attachment_add,
    attachment_delete,
    attachment_update,
    legal_evidence_delete,
    legal_evidence_save,
    practice_archive,
    practice_delete,
    practice_publish,
    practice_request_changes,
    practice_save,
    practice_transition,
    replication_delete,
    replication_save,
)
from .workflow import transitions_from

# Taxonomies -----------------------------------------------------------------------------


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name_es", "name_en", "slug", "position"]
    list_editable = ["name_en", "position"]
    search_fields = ["name_es", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_es"]}
    ordering = ["position", "name_es"]


@admin.register(GCMObjective)
class GCMObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title_es", "title_en"]
    list_display_links = ["number", "title_es"]
    search_fields = ["title_es", "title_en", "=number"]
    ordering = ["number"]


@admin.register(GCMPrinciple)
class GCMPrincipleAdmin(admin.ModelAdmin):
    list_display = ["name_es", "name_en", "slug", "position"]
    list_editable = ["name_en", "position"]
    search_fields = ["name_es", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_es"]}
    ordering = ["position"]


# Practices ------------------------------------------------------------------------------


class PracticePartInline:
    """Legal evidence, replications and files are parts of a practice, not records of their
    own: whoever may add or change the practice may edit them on its form."""

    def _may_edit_practice(self, request, obj):
        codename = "add_practice" if obj is None else "change_practice"
        return request.user.has_perm(f"practices.{codename}")

    def has_add_permission(self, request, obj):
        return self._may_edit_practice(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_practice(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_practice(request, obj)

    def has_view_permission(self, request, obj=None):
        return self._may_edit_practice(request, obj) or request.user.has_perm(
            "practices.view_practice"
        )


class LegalEvidenceInline(PracticePartInline, admin.StackedInline):
    model = LegalEvidence
    extra = 0
    max_num = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ReplicationInline(PracticePartInline, admin.TabularInline):
    model = Replication
    extra = 0
    autocomplete_fields = ["municipality"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")


class AttachmentInline(PracticePartInline, admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    extra = 0
    fields = ["title", "kind", "file", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]

    # Storing and removing files goes through the services, which want a reviewer.
    def has_add_permission(self, request, obj):
        return is_reviewer(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_reviewer(request.user)


class PracticeChangeList(ChangeList):
    """The list of practices reads only the narrow columns it shows, not the long texts."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*LONG_TEXT_FIELDS)


LONG_TEXT_FIELDS = (
    "summary",
    "body",
    "results",
    "lessons_learned",
    "challenges",
    "replication_requirements",
    "search_text",
    "search_vector",
    "rank_vector",
)


@admin.register(Practice)
class PracticeAdmin(ServiceAdmin, admin.ModelAdmin):
    form = PracticeAdminForm
    # Narrow columns only (the publication date without its time), so that every column fits
    # 1 280 px beside the filters.
    list_display = ["title", "practice_type", "status", "network", "published_on"]
    list_filter = [
        "status",
        "practice_type",
        "themes",
        "network",
        ("municipalities__department__country", admin.RelatedFieldListFilter),
    ]
    list_select_related = ["network"]
    search_fields = ["title", "summary", "slug", "network__name", "lead_institution__name"]
    # Newest records first through the primary key's index; no date hierarchy and no count of
    # the whole table: both read every row on each visit (see bench/results/).
    ordering = ["-pk"]
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = [
        "network",
        "lead_institution",
        "partner_institutions",
        "municipalities",
        "submitted_by",
    ]
    filter_horizontal = ["themes", "gcm_objectives", "gcm_principles"]
    readonly_fields = ["status", "published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "practice_type", "language"]}),
        (
            _("Description (Markdown)"),
            {
                "fields": [
                    "body",
                    "results",
                    "lessons_learned",
                    "challenges",
                    "replication_requirements",
                ]
            },
        ),
        (
            _("Where and who"),
            {
                "fields": [
                    "network",
                    "lead_institution",
                    "partner_institutions",
                    "municipalities",
                    "year_started",
                    "implementation_status",
                ]
            },
        ),
        (_("Classification"), {"fields": ["themes", "gcm_objectives", "gcm_principles"]}),
        (
            _("Review"),
            {"fields": ["status", "submitted_by", "published_at", "created_at", "updated_at"]},
        ),
    ]
    inlines = [LegalEvidenceInline, ReplicationInline, AttachmentInline]
    actions = ["publish_selected", "request_changes_selected", "archive_selected"]

    def get_changelist(self, request, **kwargs):
        return PracticeChangeList

    @admin.display(description=_("published"), ordering="published_at")
    def published_on(self, practice):
        return (
            date_format(localtime(practice.published_at), "SHORT_DATE_FORMAT")
            if practice.published_at
            else "—"
        )

    # Saving: one write path -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if self.unchanged(form, change):
            return
        data = form.cleaned_data
        practice_save(
            practice=obj,
            actor=request.user,
            **{
                name: data[name]
                for name in (
                    "themes",
                    "gcm_objectives",
                    "gcm_principles",
                    "municipalities",
                    "partner_institutions",
                )
                if name in data
            },
        )

    def save_related(self, request, form, formsets, change):
        # practice_save has set the many-to-many relations already: only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        if any(formset.has_changed() for formset in formsets):
            # Legal evidence and replications may be part of what search looks at.
            practice_index([form.instance.pk])

    delete_service = practice_delete
    formset_services = {
        LegalEvidence: (legal_evidence_save, legal_evidence_delete),
        Replication: (replication_save, replication_delete),
    }

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for attachment in formset.deleted_objects:
            attachment_delete(attachment=attachment, actor=request.user)
        for attachment, _changed in formset.changed_objects:
            attachment_update(attachment=attachment, actor=request.user)
        added = []
        for inline_form in formset.extra_forms:
            if inline_form.instance not in formset.new_objects:
                continue
            added.append(
                attachment_add(
                    practice=form.instance,
                    uploaded_file=inline_form.cleaned_data["file"],
                    title=inline_form.instance.title,
                    kind=inline_form.instance.kind,
                    actor=request.user,
                )
            )
        formset.new_objects = added
        return None

    # Review: actions --------------------------------------------------------------------

    def _apply(self, request, queryset, service, done_message, **kwargs):
        """Run ``service`` on each selected practice; say what happened to each one."""
        for practice in queryset:
            try:
                service(practice=practice, actor=request.user, **kwargs)
            except (ValidationError, PermissionDenied) as error:
                reason = (
                    " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                )
                messages.error(
                    request,
                    gettext("“%(title)s” was not changed: %(reason)s")
                    % {"title": practice.title, "reason": reason},
                )
            else:
                messages.success(request, done_message % {"title": practice.title})

    @admin.action(description=_("Publish selected practices"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, practice_publish, gettext("“%(title)s” is published."))

    @admin.action(description=_("Archive selected practices"), permissions=["change"])
    def archive_selected(self, request, queryset):
        self._apply(request, queryset, practice_archive, gettext("“%(title)s” is archived."))

    @admin.action(description=_("Request changes to selected practices"), permissions=["change"])
    def request_changes_selected(self, request, queryset):
        """Asks for the comment on an intermediate page, then applies it to each practice."""
        form = RequestChangesForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                queryset,
                practice_request_changes,
                gettext("Changes requested for “%(title)s”."),
                comment=form.cleaned_data["comment"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Request changes"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/practices/practice/request_changes.html", context)

    # Review: the review screen ------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{opts.app_label}_{opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        # The admin's own lookup answers None to a malformed id ("abc") as to an unknown one.
        found = self.get_object(request, unquote(object_id))
        if found is None:
            raise Http404
        practice = access.get_or_404(request.user, _practices_for_review(), pk=found.pk)
        if not self.has_change_permission(request, practice):
            raise PermissionDenied
        decisions = [
            transition
            for transition in transitions_from(practice.status)
            if may_make(request.user, practice, transition)
        ]
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            chosen = request.POST.get("decision")
            transition = next((t for t in decisions if t.target == chosen), None)
            if transition is None:
                messages.error(request, gettext("Choose one of the decisions offered."))
            elif transition.target in CONFIRMED_DECISIONS and request.POST.get("confirm") != "yes":
                # Taking a practice off the public site is asked twice: a second page, no script.
                return self._review_confirm(request, practice, transition, form)
            else:
                try:
                    practice_transition(
                        practice=practice,
                        to_status=transition.target,
                        actor=request.user,
                        comment=form.cleaned_data["comment"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    reason = (
                        " ".join(error.messages)
                        if isinstance(error, ValidationError)
                        else str(error)
                    )
                    messages.error(request, reason)
                else:
                    messages.success(
                        request,
                        gettext("“%(title)s” is now “%(status)s”.")
                        % {"title": practice.title, "status": practice.get_status_display()},
                    )
                    return redirect(reverse("admin:practices_practice_review", args=[practice.pk]))
        context = {
            **self._review_context(request, practice),
            "title": gettext("Review: %(title)s") % {"title": practice.title},
            "review_log": practice.review_log.all(),
            "decisions": decisions,
            "confirmed_decisions": CONFIRMED_DECISIONS,
            "form": form,
            # What templates/practices/includes/practice_sections.html reads, as the public
            # page's view gives it (practices.views.PracticeDetailView).
            "page": practice_page(practice),
            # The citation names the address the practice has, or will have, once published.
            "absolute_url": request.build_absolute_uri(practice.get_absolute_url()),
            "accessed_on": localdate(),
            "public_url": (
                practice.get_absolute_url() if practice.status == ReviewStatus.PUBLISHED else ""
            ),
        }
        return TemplateResponse(request, "admin/practices/practice/review.html", context)

    def _review_context(self, request, practice):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": practice,
            "practice": practice,
        }

    def _review_confirm(self, request, practice, transition, form):
        context = {
            **self._review_context(request, practice),
            "title": gettext("%(decision)s “%(title)s”?")
            % {"decision": transition.label, "title": practice.title},
            "decision": transition,
            "comment": form.cleaned_data["comment"],
        }
        return TemplateResponse(request, "admin/practices/practice/review_confirm.html", context)


# Withdrawing or archiving takes a practice off the public site: the review screen asks first.
CONFIRMED_DECISIONS = frozenset({ReviewStatus.WITHDRAWN, ReviewStatus.ARCHIVED})


def _practices_for_review():
    """Practices with what the review screen shows: the log and the public page's content."""
    return Practice.objects.select_related(
        "network", "submitted_by", "lead_institution__country", "legal_evidence"
    ).prefetch_related(
        Prefetch("review_log", queryset=ReviewLogEntry.objects.select_related("actor")),
        Prefetch("themes", queryset=Theme.objects.order_by("position", "name_es")),
        Prefetch("gcm_objectives", queryset=GCMObjective.objects.order_by("number")),
        "gcm_principles",
        Prefetch("municipalities", queryset=Municipality.objects.with_geography().order_by("name")),
        Prefetch(
            "partner_institutions",
            queryset=Institution.objects.select_related("country").order_by("name"),
        ),
        Prefetch(
            "replications",
            queryset=Replication.objects.select_related("municipality__department__country"),
        ),
        "attachments",
    )
