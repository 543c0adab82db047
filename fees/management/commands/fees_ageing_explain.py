"""Print the arrears-ageing SQL of an estate and PostgreSQL's plan for it (EXPLAIN ANALYZE), to
show the query is served by the partial index `fees_charge_open` (docs/domain.md, "Fees")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from fees import selectors
from propserv.models import Estate


class Command(BaseCommand):
    help = "Show the arrears ageing query of an estate with its EXPLAIN ANALYZE plan."

    def add_arguments(self, parser):
        parser.add_argument("estate", help="estate code")

    def handle(self, *args, **options):
        estate = Estate.objects.filter(code=options["estate"]).first()
        if estate is None:
            raise CommandError(f"no estate {options['estate']!r}")
        sql, params = selectors.ageing([estate.pk]).query.sql_with_params()
        with connection.cursor() as cursor:
            self.stdout.write(cursor.mogrify(sql, params).decode())
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                self.stdout.write(line)
