"""Spanish first, English when asked for and written (common/languages.py)."""

import pytest
from django.utils.translation import override

from common.languages import is_english, localized


@pytest.mark.parametrize(("language", "english"), [("es", False), ("en", True), ("en-gb", True)])
def test_is_english_follows_the_active_language(language, english):
    with override(language):
        assert is_english() is english


def test_is_english_without_an_active_language_is_spanish():
    with override(None):
        assert is_english() is False


def test_localized_gives_english_only_when_written():
    with override("en"):
        assert localized("Migración", "Migration") == "Migration"
        assert localized("Migración", "") == "Migración"
    with override("es"):
        assert localized("Migración", "Migration") == "Migración"
