"""The portal's two languages: Spanish (the default, always filled in) and English."""

from django.utils.translation import get_language


def is_english() -> bool:
    """Whether the active language is English (``en``, ``en-gb``…); Spanish otherwise."""
    return (get_language() or "es").startswith("en")


def localized(spanish, english):
    """``english`` when the active language is English and it is filled in; else ``spanish``.

    Records are written in Spanish first; the English text may come later or never.
    """
    return english if english and is_english() else spanish
