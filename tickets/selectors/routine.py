"""Composite reads of routine callbacks (docs/domain.md, Callbacks): the callback rate per person,
the daily afternoon tally (每天下午统计) and a key household's service history. Nothing here writes.

Rate per person: the routine callbacks assigned to a person that fell due in the period (not
cancelled), counted once decided — done (whenever), or still to call past their due time
(missed). Rate = done / (done + missed); a callback not yet due and not done is not counted yet.
Targets: administrators `routine_callback_admin_target_percent` (90 %), supervisors and the
others `routine_callback_target_percent` (95 %).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from propserv.roles import Role
from tickets.models import Callback, Complaint, KeyHousehold, Repair

RATES_SQL = """
SELECT
    c.assigned_to_id AS person,
    count(*) FILTER (WHERE c.status = 'done') AS done,
    count(*) FILTER (WHERE c.status = 'pending' AND c.due_at < %(now)s) AS missed,
    count(*) FILTER (WHERE c.status = 'pending' AND c.due_at >= %(now)s) AS open,
    EXISTS (
        SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = c.assigned_to_id AND g.name = %(admin_role)s
    ) AS is_admin
FROM tickets_callback c
WHERE c.estate_id = ANY(%(estates)s) AND c.kind <> 'problem' AND c.status <> 'cancelled'
  AND c.due_at >= %(start)s AND c.due_at < %(end)s
GROUP BY c.assigned_to_id
ORDER BY c.assigned_to_id NULLS LAST
"""


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def person_rates(
    estate_ids: list[int], start: dt.datetime, end: dt.datetime, now: dt.datetime, targets: dict
) -> list[dict]:
    """One row per person: done, missed, still open, rate and the target of their role. Two
    statements (the figures, then the names)."""
    with connection.cursor() as cur:
        cur.execute(
            RATES_SQL,
            {
                "estates": list(estate_ids),
                "start": start,
                "end": end,
                "now": now,
                "admin_role": Role.AREA_ADMIN.value,
            },
        )
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=[r["person"] for r in rows if r["person"]])
    }
    for row in rows:
        user = users.get(row["person"])
        row["name"] = (user.get_full_name() or user.username) if user else "—"
        row["decided"] = row["done"] + row["missed"]
        row["rate"] = rate(row["done"], row["decided"])
        row["target"] = targets["admin"] if row["is_admin"] else targets["supervisor"]
        row["meets"] = row["rate"] is None or row["rate"] >= row["target"]
    return rows


def estate_targets(settings_row) -> dict:
    return {
        "admin": settings_row.routine_callback_admin_target_percent,
        "supervisor": settings_row.routine_callback_target_percent,
    }


# --- the daily afternoon tally -------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    return str(dict(Callback.Kind.choices).get(kind, kind))


def daily_tally(estate, day: dt.date, now: dt.datetime) -> dict:
    """Callbacks of every kind, per kind and per person: done today, due today (done or not),
    still to call of those, and overdue from before today. The office's afternoon count."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    qs = Callback.objects.filter(estate=estate).exclude(status=Callback.Status.CANCELLED)
    rows: dict[tuple, dict] = {}

    def row_for(kind, person):
        return rows.setdefault(
            (kind, person),
            {"kind": kind, "person": person, "done": 0, "due": 0, "open": 0, "overdue": 0},
        )

    def kind_of(cb):
        return (
            cb["kind"] if cb["kind"] != "problem" else ("repair" if cb["repair"] else "complaint")
        )

    fields = ("kind", "repair", "assigned_to", "status", "due_at")
    for cb in qs.filter(completed_at__gte=start, completed_at__lt=end).values(*fields):
        row_for(kind_of(cb), cb["assigned_to"])["done"] += 1
    for cb in qs.filter(due_at__gte=start, due_at__lt=end).values(*fields):
        row = row_for(kind_of(cb), cb["assigned_to"])
        row["due"] += 1
        if cb["status"] == Callback.Status.PENDING:
            row["open"] += 1
    for cb in qs.filter(status=Callback.Status.PENDING, due_at__lt=start).values(*fields):
        row_for(kind_of(cb), cb["assigned_to"])["overdue"] += 1
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in=[p for _k, p in rows if p is not None])
    }
    labels = {
        "repair": str(Repair._meta.verbose_name),
        "complaint": str(Complaint._meta.verbose_name),
    }
    out = sorted(rows.values(), key=lambda r: (r["kind"], r["person"] or 0))
    for row in out:
        user = users.get(row["person"])
        row["who"] = (user.get_full_name() or user.username) if user else "—"
        row["label"] = labels.get(row["kind"]) or kind_label(row["kind"])
    totals = {k: sum(r[k] for r in out) for k in ("done", "due", "open", "overdue")}
    return {"day": day, "rows": out, "totals": totals, "at": now}


# --- key households ----------------------------------------------------------------------------------


def key_households(user, estate, *, include_removed: bool = False):
    qs = KeyHousehold.objects.for_user(user).filter(estate=estate)
    if not include_removed:
        qs = qs.filter(removed_at__isnull=True)
    return qs.select_related("unit", "resident", "added_by").order_by("unit__code", "-added_at")


def service_history(unit, *, limit: int = 50) -> dict:
    """What the office did for a household: its repairs, complaints and every callback (problem
    callbacks through their ticket, routine ones through the unit), newest first."""
    repairs = Repair.objects.filter(unit=unit).select_related("category").order_by("-received_at")
    complaints = Complaint.objects.filter(unit=unit).order_by("-received_at")
    callbacks = (
        Callback.objects.filter(Q(unit=unit) | Q(repair__unit=unit) | Q(complaint__unit=unit))
        .select_related("repair", "complaint", "assigned_to", "completed_by")
        .order_by("-due_at")
    )
    return {
        "repairs": list(repairs[:limit]),
        "complaints": list(complaints[:limit]),
        "callbacks": list(callbacks[:limit]),
    }


def routine_rows(user, estate, *, kind: str = "", status: str = "pending", limit: int = 300):
    """The routine callbacks of `estate` (a kind, a status), earliest due first."""
    qs = Callback.objects.for_user(user).filter(estate=estate).routine()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return list(
        qs.select_related("unit", "contact", "assigned_to").order_by("due_at", "pk")[:limit]
    )
