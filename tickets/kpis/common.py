"""What the tickets KPI cards share: the period split into "now" and "before", the estates'
targets, rates, and drill-down links built with the list pages' query parameters
(docs/architecture.md, "Registry"; the definitions of on time / late are those of the lists).

Every figure is an aggregate in PostgreSQL (FILTER clauses, GROUP BY); no ticket row is loaded
into Python, so a card runs the same number of statements for a day and for a year.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from propserv.models import EstateSettings

CURRENT, PREVIOUS = "cur", "prev"


def rate(part, whole, scale: int = 100):
    """part/whole as a percentage (or ‰), one decimal; None when nothing was counted."""
    if not whole:
        return None
    return round(scale * part / whole, 1)


def fetch_dicts(sql: str, params) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def by_bucket(rows: list[dict]) -> tuple[dict, dict]:
    """The rows of a (bucket = cur/prev) aggregate: (current, previous), {} when empty."""
    found = {row["bucket"]: row for row in rows}
    return found.get(CURRENT, {}), found.get(PREVIOUS, {})


def bucket_sql(column: str) -> str:
    """The SQL that puts a row into the current or the previous period (params: start)."""
    return f"CASE WHEN {column} >= %(start)s THEN '{CURRENT}' ELSE '{PREVIOUS}' END"


def period_params(period, estate_ids: list[int], now: dt.datetime | None = None) -> dict:
    return {
        "estates": list(estate_ids),
        "start": period.start,
        "end": period.end,
        "prev_start": period.previous_start,
        "now": now or timezone.now(),
        "tz": settings.TIME_ZONE,
    }


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk  # cached by Django after the first read


def targets(estate_ids: list[int], higher=(), lower=()) -> dict:
    """The dashboard targets of the estates: one estate's own, or across several the strictest
    (the highest of an "at least" target, the lowest of an "at most" one). Estates without a
    settings row have the defaults. One statement."""
    fields = [*higher, *lower]
    found: dict[str, list] = {f: [] for f in fields}
    rows = EstateSettings.objects.filter(estate_id__in=estate_ids).values("estate_id", *fields)
    seen = set()
    for row in rows:
        seen.add(row["estate_id"])
        for f in fields:
            found[f].append(row[f])
    if len(seen) < len(set(estate_ids)):
        for f in fields:
            found[f].append(EstateSettings._meta.get_field(f).default)
    pick = {**dict.fromkeys(higher, max), **dict.fromkeys(lower, min)}
    return {f: (pick[f](v) if v else None) for f, v in found.items()}


def local_dates(period) -> tuple[dt.date, dt.date]:
    """The period as inclusive local dates (its end is exclusive midnight)."""
    start = timezone.localtime(period.start).date()
    end = timezone.localtime(period.end - dt.timedelta(microseconds=1)).date()
    return start, end


def list_url(url_name: str, estate_ids: list[int], **params) -> str:
    """A drill-down link: the list page filtered to the records behind a figure. One estate is
    named; across several the list shows all the reader's estates, as the figure does."""
    query: list[tuple[str, object]] = []
    if len(estate_ids) == 1:
        query.append(("estate", estate_ids[0]))
    for key, value in params.items():
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            query.extend((key, v) for v in value)
        else:
            query.append((key, value))
    return f"{reverse(url_name)}?{urlencode(query)}"


def received_range(period) -> dict:
    start, end = local_dates(period)
    return {"received_from": start.isoformat(), "received_to": end.isoformat()}


def due_range(period) -> dict:
    start, end = local_dates(period)
    return {"due_from": start.isoformat(), "due_to": end.isoformat()}


def period_params_now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
