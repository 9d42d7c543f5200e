from django.core.management.base import BaseCommand, CommandError

from networks.geography import PROGRAMME_COUNTRIES, geography_load


class Command(BaseCommand):
    help = "Load countries and departments from ISO 3166 (pycountry). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", default=list(PROGRAMME_COUNTRIES))

    def handle(self, *args, codes, **options):
        try:
            countries = geography_load(country_codes=codes)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for country in countries:
            self.stdout.write(f"{country.code} {country.name_es}: {country.departments.count()}")
