from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.templatetags.static import static
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .forms import AdminGroupForm, AdminUserChangeForm, AdminUserCreationForm
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]


# Django's group admin, with the permissions named in the page's language (AdminGroupForm).
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    form = AdminGroupForm


# Names Django's admin shows in English, or in the language the server started in ---------


def name_in_the_admin(model, verbose_name, verbose_name_plural, fields):
    """Give translatable names to a third-party model that names itself and some fields only
    by their attributes ("user session", "created at"), which no catalogue translates.

    Migrations read the names written in the model's code (``Options.original_attrs``,
    ``Field._verbose_name``), so these make none.
    """
    model._meta.verbose_name = verbose_name
    model._meta.verbose_name_plural = verbose_name_plural
    for name, field_verbose_name in fields.items():
        model._meta.get_field(name).verbose_name = field_verbose_name


# allauth's models in the admin: staff end a lost phone's sessions and second factor there.
name_in_the_admin(
    UserSession,
    _("user session"),
    _("user sessions"),
    {
        "user": _("user"),
        "created_at": _("created"),
        "ip": _("IP address"),
        "last_seen_at": _("Last seen"),
        "user_agent": _("Browser"),
        "data": _("Data"),
    },
)
name_in_the_admin(
    Authenticator,
    _("authenticator"),
    _("authenticators"),
    {
        "user": _("user"),
        "type": _("type"),
        "data": _("Data"),
        "created_at": _("created"),
        "last_used_at": _("last used"),
    },
)


def _relationship_name(pattern, through):
    """A many-to-many link's name in the page's language ("relaciones conferencia-red")."""
    from_model, to_model = (field.related_model for field in through._meta.fields[1:3])

    def name():
        return gettext(pattern) % {
            "from": from_model._meta.verbose_name,
            "to": to_model._meta.verbose_name,
        }

    return lazy(name, str)()


# Django names the link tables of many-to-many fields (listed on delete pages: "Relaciones
# user-group: 1") once, when the models load: in the language active then, around the models'
# English class names. Named again here, lazily, from the verbose names.
for through in apps.get_models(include_auto_created=True):
    if through._meta.auto_created:
        through._meta.verbose_name = _relationship_name(
            gettext_noop("%(from)s-%(to)s relationship"), through
        )
        through._meta.verbose_name_plural = _relationship_name(
            gettext_noop("%(from)s-%(to)s relationships"), through
        )


def _boolean_icon(value):
    """Django's yes/no icon (django.contrib.admin.templatetags.admin_list), whose text for
    screen readers says "True", "False" or "None" in English whatever the language."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


# Django's admin looks the function up in this module each time it draws an icon.
admin_list._boolean_icon = _boolean_icon
