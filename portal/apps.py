from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

from common.caching import forget_public_pages

#: Apps whose records public pages show: a change to any of their models forgets the pages.
PUBLIC_APPS = frozenset({"networks", "practices", "conferences"})
#: Data kept from other records, rewritten with them: the change of the record they follow
#: decides (a draft's save refreshes the catalogue's kept totals without changing them).
DERIVED_MODELS = frozenset({"practices.facettotal"})


def never_published(instance) -> bool:
    """Whether ``instance`` is a practice that was never published, or a part of one (its
    attachments, links, review log, versions): no public page shows it or counts it.

    ``published_at`` records the first publication and is kept when a practice leaves the
    catalogue, so a practice without it has never been on a public page. Drafts are written
    all day in the workspace; without this, each autosave of one emptied the whole cache.
    """
    from practices.models import Practice

    if isinstance(instance, Practice) or instance._meta.model_name == "historicalpractice":
        return instance.pk is not None and instance.published_at is None
    practice_id = getattr(instance, "practice_id", None)
    if practice_id is None or instance._meta.app_label != "practices":
        return False
    return Practice.objects.filter(pk=practice_id, published_at__isnull=True).exists()


def forget_on_public_change(sender, instance=None, **kwargs) -> None:
    """Signal receiver: a model of a public app was saved, deleted or relinked."""
    if sender._meta.app_label not in PUBLIC_APPS or sender._meta.label_lower in DERIVED_MODELS:
        return
    if instance is not None and never_published(instance):
        return
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
