from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from portal import backups


class Command(BaseCommand):
    help = (
        "Write one archive, portal-backup-<UTC time>.tar: the PostgreSQL database (pg_dump), "
        "the uploaded files and a manifest of every table's rows and every file's checksum. "
        "Restore it with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default="backups", help="Folder for the archive.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, directory, database, **options):
        local = backups.media_is_local()
        path, manifest = backups.backup(
            connections[database].settings_dict,
            directory,
            settings.MEDIA_ROOT,
            include_media=local,
        )
        self.stdout.write(backups.manifest_summary(manifest))
        if not local:
            # The bucket is not copied: its own versioning or replication keeps the files.
            self.stdout.write(
                _("Media are in a bucket and not in this archive: keep them with its versions.")
            )
        self.stdout.write(self.style.SUCCESS(_("Written %(path)s") % {"path": path}))
