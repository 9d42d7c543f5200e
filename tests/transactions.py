"""Database helpers shared by the property tests."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back():
    """Each hypothesis example writes its own records and leaves nothing for the next one
    (the test's own transaction spans every example)."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
