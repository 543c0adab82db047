from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate and load the demo data once: what `make run` does before starting the servers."

    def handle(self, *args, **options):
        # One process for both steps: Django starts once, which keeps the warm start short.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
