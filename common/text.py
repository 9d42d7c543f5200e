"""Text rules shared by search, spreadsheets and open data."""

import re
import unicodedata

# A cell starting with one of these is run as a formula by spreadsheet programs (the
# full-width signs too: an East Asian input method turns them into formulas).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_WORD = re.compile(r"\w+")


def fold(text) -> str:
    """Case- and accent-insensitive form of a text: "Citalá" and " CITALA" both give "citala".

    Spreadsheets and visitors often drop accents; everything that matches names or words
    whatever their accents compares folded forms.
    """
    # Decomposed before case folding too: "𝐇" or "ℌ" only become "H" once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", str(text)).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def folded_words(text) -> str:
    """The words of :func:`fold` of ``text``, separated by single spaces, punctuation dropped
    ("¡Migración,  CAFÉ!" -> "migracion cafe")."""
    return " ".join(_WORD.findall(fold(text)))


def _looks_like_formula(text: str) -> bool:
    # Spreadsheet programs skip leading spaces before "=": "  =HYPERLINK(...)" runs too.
    return text.lstrip(" \u00a0").startswith(FORMULA_PREFIXES)


def neutralise_formula(value):
    """Prefix a quote to text a spreadsheet would otherwise evaluate (CSV/formula injection),
    also after leading spaces, which the quote keeps: the import gives back the exact text."""
    if isinstance(value, str) and _looks_like_formula(value):
        return f"'{value}"
    return value


def restore_formula_guard(value):
    """Undo :func:`neutralise_formula`, so an exported file imports back unchanged."""
    if isinstance(value, str) and value[:1] == "'" and _looks_like_formula(value[1:]):
        return value[1:]
    return value
