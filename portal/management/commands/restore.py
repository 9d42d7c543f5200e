import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from portal import backups


class Command(BaseCommand):
    help = (
        "Restore an archive of manage.py backup into an empty database and media folder, "
        "then count every table and hash every file against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The portal-backup-....tar to restore.")
        parser.add_argument(
            "--database-url",
            help="The target database (postgres://...); the portal's own database otherwise.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--media-root", help="The target folder for the files; MEDIA_ROOT otherwise."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore although the target is not empty, replacing what the backup holds.",
        )

    def handle(self, *args, archive, database_url, database, media_root, force, **options):
        target = (
            environ.Env.db_url_config(database_url)
            if database_url
            else connections[database].settings_dict
        )
        manifest, result = backups.restore(
            archive, target, media_root or settings.MEDIA_ROOT, force=force
        )
        self.stdout.write(backups.manifest_summary(manifest))
        if result.problems:
            raise CommandError(
                "\n".join([_("The restored data does not match the backup:"), *result.problems])
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored and checked: %(tables)s tables with %(rows)s rows, "
                    "%(files)s files, all as in the backup."
                )
                % {"tables": result.tables, "rows": result.rows, "files": result.files}
            )
        )
        if backups.code_migration_heads() != manifest["migrations"]:
            self.stdout.write(
                _("The backup's migrations differ from this code's: run manage.py migrate.")
            )
