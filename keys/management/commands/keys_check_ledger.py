"""Re-derive every key's state from its ledger and report any key whose record disagrees."""

from django.core.management.base import BaseCommand, CommandError

from keys.models import Key
from keys.selectors import ledger_check_all


class Command(BaseCommand):
    help = "Check that every key's stored state matches the state derived from its events."

    def add_arguments(self, parser):
        parser.add_argument("--estate", help="Estate code (default: all estates)")

    def handle(self, *args, estate=None, **options):
        keys = Key.objects.select_related("estate").order_by("estate__code", "tag_code")
        if estate:
            keys = keys.filter(estate__code=estate)
        report = ledger_check_all(keys.iterator())
        for tag, diffs in report.items():
            for diff in diffs:
                self.stdout.write(f"{tag}: {diff}")
        if report:
            raise CommandError(f"{len(report)} keys disagree with their ledger")
        self.stdout.write(
            self.style.SUCCESS(f"{keys.count()} keys checked: ledger and cabinet agree")
        )
