"""The portal's admin site: Django's, with every add page's prefill checked.

Django's add page fills its form from the query string (``?network=3`` chooses the network),
and its widgets then look the values up: ``?network=abc`` or a 25-digit id reached the
database and answered 500, ``?start=abc`` broke the date widget. Every ModelAdmin registered
on this site, the portal's and the packages' (allauth's), drops a prefill value that does not
fit its field, as if it had not been given; a value that fits is kept.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models

# Date and time fields prefilled from text, parsed as their form fields would.
_TEMPORAL_FORM_FIELDS = (
    (models.DateTimeField, forms.DateTimeField),
    (models.DateField, forms.DateField),
    (models.TimeField, forms.TimeField),
)


def fitting_prefill(field, value):
    """``value`` as ``field``'s form may show it; ValidationError (or ValueError) if it cannot."""
    if field.is_relation and field.related_model is not None:
        target = field.target_field
        internal_type = target.get_internal_type()
        for item in value if isinstance(value, list) else [value]:
            parsed = target.to_python(item)
            if internal_type in connection.ops.integer_field_ranges:
                low, high = connection.ops.integer_field_range(internal_type)
                if not (low is None or low <= parsed) or not (high is None or parsed <= high):
                    raise ValidationError("out of range")
        return value
    for model_field, form_field in _TEMPORAL_FORM_FIELDS:
        if isinstance(field, model_field):
            return form_field().to_python(value)
    return value


class PrefillChecked:
    """Mixed into every ModelAdmin of :class:`PortalAdminSite`."""

    def get_changeform_initial_data(self, request):
        checked = {}
        for name, value in super().get_changeform_initial_data(request).items():
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                checked[name] = value  # not a field: the form ignores it
                continue
            try:
                checked[name] = fitting_prefill(field, value)
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
        return checked


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PrefillChecked):
            admin_class = type(
                admin_class.__name__,
                (PrefillChecked, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`PortalAdminSite` as ``admin.site``."""

    default_site = "common.admin_site.PortalAdminSite"
