from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworksConfig(AppConfig):
    name = "networks"
    verbose_name = _("Network registry")

    def ready(self):
        from .access import register_permissions

        register_permissions()
