from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from propserv.imports import ImportFailed, import_rows, read_table


class Command(BaseCommand):
    help = "Import units or residents from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--kind", choices=["units", "residents"], default="units")

    def handle(self, path, kind, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        try:
            with file.open("rb") as fh:
                count = import_rows(kind=kind, rows=read_table(fh, file.name))
        except ImportFailed as failed:
            for row, message in failed.errors:
                self.stderr.write(_("row %(row)s: %(message)s") % {"row": row, "message": message})
            raise CommandError(
                _("nothing imported: %(count)s rows have errors") % {"count": len(failed.errors)}
            ) from None
        self.stdout.write(self.style.SUCCESS(_("%(count)s rows imported.") % {"count": count}))
