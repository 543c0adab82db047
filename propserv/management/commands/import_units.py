from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from propserv.imports import ImportFailed, import_rows, read_table


class Command(BaseCommand):
    help = "Import units or residents from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--kind", choices=["units", "residents"], default="units")

    def handle(self, path, kind, **options):
        file = Path(path)
        if not file.exists():
            raise CommandError(f"{path}: no such file")
        try:
            with file.open("rb") as fh:
                count = import_rows(kind=kind, rows=read_table(fh, file.name))
        except ImportFailed as failed:
            for row, message in failed.errors:
                self.stderr.write(f"row {row}: {message}")
            raise CommandError(f"nothing imported: {len(failed.errors)} rows have errors") from None
        self.stdout.write(self.style.SUCCESS(f"{count} {kind} imported"))
