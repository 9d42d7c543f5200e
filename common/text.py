"""Text rules shared by search, spreadsheets and open data."""

import re
import unicodedata

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_WORD = re.compile(r"\w+")


def fold(text) -> str:
    """Case- and accent-insensitive form of a text: "Citalá" and " CITALA" both give "citala".

    Spreadsheets and visitors often drop accents; everything that matches names or words
    whatever their accents compares folded forms.
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def folded_words(text) -> str:
    """The words of :func:`fold` of ``text``, separated by single spaces, punctuation dropped
    ("¡Migración,  CAFÉ!" -> "migracion cafe")."""
    return " ".join(_WORD.findall(fold(text)))


def neutralise_formula(value):
    """Prefix a quote to text a spreadsheet would otherwise evaluate (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def restore_formula_guard(value):
    """Undo :func:`neutralise_formula`, so an exported file imports back unchanged."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value
