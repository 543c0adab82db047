"""manage.py restore FILE: the database and the uploaded files from a `backup` archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from propserv.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with those of a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            counts = restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(counts.values())
        self.stdout.write(f"restored {len(counts)} tables, {rows} rows, as in the backup")
