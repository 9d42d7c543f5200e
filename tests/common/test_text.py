"""Accent folding and the spreadsheet formula guard (common/text.py)."""

import pytest

from common.spreadsheets.widgets import clean_cell
from common.text import (
    FORMULA_PREFIXES,
    fold,
    folded_words,
    neutralise_formula,
    restore_formula_guard,
)


def test_fold_drops_accents_case_and_outer_spaces_only():
    assert fold(" Citalá ") == fold("CITALA") == "citala"
    assert fold("Ñandú, S.A.") == "nandu, s.a."


def test_folded_words_drop_accents_case_and_punctuation():
    assert folded_words("¡Migración, Ñandú y  CAFÉ!") == "migracion nandu y cafe"


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_cells_get_a_quote_that_an_import_removes(prefix):
    cell = f'{prefix}HYPERLINK("http://example.org")'

    guarded = neutralise_formula(cell)

    assert guarded == f"'{cell}"
    assert restore_formula_guard(guarded) == cell


@pytest.mark.parametrize("cell", ['  =HYPERLINK("http://x.example")', "\u00a0+1", " - list item"])
def test_formulas_after_leading_spaces_are_quoted_and_come_back_with_their_spaces(cell):
    guarded = neutralise_formula(cell)

    assert guarded == f"'{cell}"
    assert clean_cell(guarded) == cell  # what the import reads: the spaces stay


@pytest.mark.parametrize("value", ["Citalá", "'quoted by hand", "", None, 42, -3])
def test_other_values_pass_unchanged(value):
    assert neutralise_formula(value) == value
    assert restore_formula_guard(value) == value
