"""Countries and departments come from ISO 3166 via pycountry, never typed by hand."""

import gettext

import pycountry
from django.db import transaction

from common.upsert import upsert

from .models import Country, Department

# The three countries of the programme's northern triangle; others of the
# Mesoamerica-Caribbean region load the same way (``manage.py load_geography NI CR``).
PROGRAMME_COUNTRIES = ("SV", "GT", "HN")


def _spanish(domain):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["es"], fallback=True)


@transaction.atomic
def geography_load(*, country_codes=PROGRAMME_COUNTRIES) -> list[Country]:
    """Create or update countries and their first-level subdivisions. Idempotent."""
    countries_es, subdivisions_es = _spanish("iso3166-1"), _spanish("iso3166-2")
    loaded = []
    for code in country_codes:
        record = pycountry.countries.get(alpha_2=code.upper())
        if record is None:
            raise ValueError(f"Unknown ISO 3166-1 code: {code!r}")
        country = upsert(
            Country,
            lookup={"code": record.alpha_2},
            values={
                "name_es": countries_es.gettext(record.name),
                "name_en": getattr(record, "common_name", record.name),
            },
        )
        for subdivision in pycountry.subdivisions.get(country_code=record.alpha_2) or []:
            if subdivision.parent_code:  # first level only
                continue
            upsert(
                Department,
                lookup={"code": subdivision.code},
                values={"country": country, "name": subdivisions_es.gettext(subdivision.name)},
            )
        loaded.append(country)
    return loaded
