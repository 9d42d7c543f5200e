from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Sessions and conferences")

    def ready(self):
        from .erasure import register

        register()  # a session taken part in counts in the registry's retention review
