"""Slugs: the stable, readable part of public URLs (``/networks/<slug>/``)."""

from django.utils.text import slugify


def unique_slug(model, text: str, *, suffix: str = "", reserved=frozenset()) -> str:
    """A slug for ``text`` unused by ``model`` and not ``reserved``, adding -2, -3… if needed."""
    base = slugify(f"{text} {suffix}".strip())[:200] or "item"
    slug, counter = base, 2
    while slug in reserved or model.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def municipality_slug(model, *, name: str, department: str, country_code: str) -> str:
    """The slug of a new municipality: ``citala-sv``, its name and country.

    When another municipality of ``model`` holds that (a country may have two "San José"), the
    department's name goes in as well, ``san-jose-la-union-sv``, then -2, -3….
    Every path that creates municipalities (the demo's reference file, spreadsheet imports)
    uses this one form, so a municipality gets the same address whichever way it came in.
    """
    country_code = country_code.lower()
    slug = slugify(f"{name} {country_code}")[:200]
    if slug and not model.objects.filter(slug=slug).exists():
        return slug
    return unique_slug(model, f"{name} {department}", suffix=country_code)
