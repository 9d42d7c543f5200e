"""What practices do when the registry tells them something changed beneath them."""

from django.dispatch import receiver

from networks.signals import texts_erased

from .models import Practice
from .search import practice_index


@receiver(texts_erased, dispatch_uid="practices-reindex-erased-texts")
def reindex_erased_texts(sender, changed, **kwargs):
    """A person's name scrubbed from a practice's text leaves its search data too (the
    vectors keep the words of the text as it was until they are rebuilt)."""
    practice_index(changed.get(Practice, ()))
