"""manage.py backup [--dir DIR]: the database and the uploaded files in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from propserv.backup import BackupError, backup


class Command(BaseCommand):
    help = "Dump the database (pg_dump, custom format) and the uploaded files into one archive."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "backups"))

    def handle(self, *args, **options):
        try:
            archive = backup(Path(options["dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
