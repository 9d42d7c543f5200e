"""Permissions named in the reader's language, as the admin's user and group pages list them.

Django writes each permission's name into the database in English when it migrates ("Can
import person", from ``Meta.default_permissions``), so ``str(permission)`` stays English
whatever the language of the page. The label is built again on every request instead: the
app's and the model's verbose names (translated) and, for the default actions, a translated
pattern ("Puede importar persona"); a permission of ``Meta.permissions`` is its name, which
the model marks for translation ("Can view the donor figures").
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The patterns of ``Meta.default_permissions`` (Django's four and the portal's import and
#: export). No article before the model, so the label reads the same for any gender.
DEFAULT_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
    "import": _("Can import %(model)s"),
    "export": _("Can export %(model)s"),
}


def permission_name(permission: Permission) -> str:
    """The permission's name in the active language ("Puede agregar persona")."""
    model = permission.content_type.model_class()
    if model is None:  # a model that no longer exists: its stored English name
        return permission.name
    opts = model._meta
    action, _separator, model_name = permission.codename.partition("_")
    if (
        model_name == opts.model_name
        and action in opts.default_permissions
        and action in DEFAULT_ACTIONS
    ):
        return DEFAULT_ACTIONS[action] % {"model": opts.verbose_name}
    # Meta.permissions: the model's own string, lazy and translated where the model marks it,
    # else looked up in the catalogue as Django stored it.
    return gettext(str(dict(opts.permissions).get(permission.codename, permission.name)))


def permission_label(permission: Permission) -> str:
    """``app | model | name`` as Django shows a permission, every part in the active language.

    Reads ``permission.content_type``: select it with the permissions.
    """
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {permission_name(permission)}"
