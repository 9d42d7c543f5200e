"""The staff admin over the one access rule and the write services.

Every ModelAdmin of the portal's records uses ``ServiceAdmin``: its querysets and permission
checks ask ``networks.access``, and it saves and deletes (the record, its inlines, bulk
deletion) through the services named on it, so the admin applies the same rules as every
other path in and the audit trail names the staff member.
"""

import re

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from . import access


class ServiceAdmin(SimpleHistoryAdmin):
    """Base of the admins of audited records: set ``save_service`` and ``delete_service``.

    Each record's History page lists its versions from the audit trail: who, when, why
    ("import", "system") and every field's value before and after (revert is disabled:
    a past version comes back only through the services).

    Services are called with the record under its model's name (``person=obj``,
    ``agenda_item=obj``) and
    ``actor=request.user``. ``formset_services`` maps an inline's model to its
    ``(save, delete)`` services.
    """

    save_service = None
    delete_service = None
    formset_services = {}

    # Reading ------------------------------------------------------------------------------

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, "view")

    def _may(self, request, action, obj=None):
        # The admin is the staff's tool: the model permission first (a public record, such
        # as a network, is no reason to open its admin pages), then the rule for the record.
        return access.staff_may(request.user, action, self.model) and (
            obj is None or access.allows(request.user, action, self.model, obj)
        )

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", obj)

    def has_add_permission(self, request, *args):
        return self._may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if self.delete_service is None:  # records that are never deleted
            return False
        return self._may(request, "delete", obj)

    # The audit trail's pages -------------------------------------------------------------

    def history_view_title(self, request, obj):
        return gettext("History of “%(record)s”") % {"record": obj}

    def history_view(self, request, object_id, extra_context=None):
        self._valid_id_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history shows a past version as an editable-looking change form; the
        # history list already shows every field before and after, so there is no such page.
        raise Http404

    def _valid_id_or_404(self, value, field=None):
        # django-simple-history would look up "abc" or "6/change" and fail with a 500.
        try:
            (field or self.model._meta.pk).to_python(unquote(value))
        except ValidationError as error:
            raise Http404 from error

    # Writing ------------------------------------------------------------------------------

    def _call(self, service, record, request):
        return service(**{argument_name(type(record)): record}, actor=request.user)

    @staticmethod
    def unchanged(form, change) -> bool:
        """Saving a form nobody changed writes nothing (and no empty version)."""
        return change and not form.has_changed()

    def save_model(self, request, obj, form, change):
        if self.unchanged(form, change):
            return
        if self.save_service is None:
            raise NotImplementedError(f"{type(self).__name__} names no save_service")
        self._call(type(self).save_service, obj, request)

    def delete_model(self, request, obj):
        if self.delete_service is None:
            raise NotImplementedError(f"{type(self).__name__} names no delete_service")
        self._call(type(self).delete_service, obj, request)

    def delete_queryset(self, request, queryset):
        refused = []
        for record in queryset:
            try:
                self.delete_model(request, record)
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"{record}: {describe(error)}")
        for problem in refused:
            messages.error(request, gettext("Not deleted: %(problem)s") % {"problem": problem})

    def save_formset(self, request, form, formset, change):
        services = self.formset_services.get(formset.model)
        if services is None:
            return super().save_formset(request, form, formset, change)
        save, delete = services
        formset.save(commit=False)
        for record in formset.deleted_objects:
            self._call(delete, record, request)
        for record in formset.new_objects:
            self._call(save, record, request)
        for record, _changed in formset.changed_objects:
            self._call(save, record, request)
        return None


def argument_name(model) -> str:
    """How services name a record of ``model``: ``agenda_item`` for AgendaItem."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def describe(error) -> str:
    """A refusal in words, for a message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or gettext("not allowed")
