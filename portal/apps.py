from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

from common.caching import forget_public_pages

#: Apps whose records public pages show: a change to any of their models forgets the pages.
PUBLIC_APPS = frozenset({"networks", "practices", "conferences"})


def forget_on_public_change(sender, **kwargs) -> None:
    """Signal receiver: a model of a public app was saved, deleted or relinked."""
    if sender._meta.app_label in PUBLIC_APPS:
        forget_public_pages()


class PortalConfig(AppConfig):
    """Site-wide wiring: the public page cache forgets pages when public records change."""

    name = "portal"

    def ready(self):
        from import_export.signals import post_import

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(forget_on_public_change, dispatch_uid=f"portal-pages-{signal!r}")
        # Imports may write in bulk, which sends no model signals.
        post_import.connect(
            lambda model, **kwargs: forget_on_public_change(model),
            weak=False,
            dispatch_uid="portal-pages-import",
        )
