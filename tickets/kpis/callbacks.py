"""The callbacks card: done within the deadline, reached on the first attempt, satisfaction.

A callback belongs to the period in which it falls due (the callback list's `due_from`/`due_to`).
On time = done by its due time; late = done after it; overdue = still to call past it. Reached on
the first attempt = done with no unanswered or wrong-number attempt before it was done (index
`callback_attempt_failed`: only those attempts are looked up) — the callback list's "first attempt
reached" for every callback recorded through the services, where reaching the resident is the
last attempt. The definitions
are those of the callback list (`tickets.selectors.timeliness`). Satisfied = a score
of 3 (acceptable) or more (docs/domain.md, "Callbacks"). One statement.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.registry import Kpi, KpiCard
from tickets.kpis import common
from tickets.kpis.repairs import SATISFIED_FROM

SQL = f"""
SELECT
    {common.bucket_sql("c.due_at")} AS bucket,
    count(*) FILTER (WHERE c.status <> 'cancelled') AS due,
    count(*) FILTER (WHERE c.status = 'done' AND c.completed_at <= c.due_at) AS on_time,
    count(*) FILTER (WHERE c.status = 'done' AND c.completed_at > c.due_at) AS late,
    count(*) FILTER (WHERE c.status = 'pending' AND c.due_at < %(now)s) AS overdue,
    count(*) FILTER (WHERE c.repair_id IS NOT NULL AND c.status = 'done'
                     AND c.completed_at <= c.due_at) AS repair_on_time,
    count(*) FILTER (WHERE c.repair_id IS NOT NULL AND (c.status = 'done'
                     OR (c.status = 'pending' AND c.due_at < %(now)s))) AS repair_decided,
    count(*) FILTER (WHERE c.complaint_id IS NOT NULL AND c.status = 'done'
                     AND c.completed_at <= c.due_at) AS complaint_on_time,
    count(*) FILTER (WHERE c.complaint_id IS NOT NULL AND (c.status = 'done'
                     OR (c.status = 'pending' AND c.due_at < %(now)s))) AS complaint_decided,
    count(*) FILTER (WHERE c.status = 'done') AS done,
    count(*) FILTER (WHERE c.status = 'done' AND NOT EXISTS (
        SELECT 1 FROM tickets_callbackattempt a
        WHERE a.callback_id = c.id AND a.outcome <> 'reached' AND a.at <= c.completed_at
    )) AS first_attempt,
    count(*) FILTER (WHERE c.status = 'done' AND c.satisfaction >= {SATISFIED_FROM}) AS satisfied
FROM tickets_callback c
WHERE c.estate_id = ANY(%(estates)s) AND c.due_at >= %(prev_start)s AND c.due_at < %(end)s
  AND c.kind = 'problem'  -- routine callbacks have their own card (tickets.kpis.routine)
GROUP BY 1
"""  # noqa: S608  # nosec B608 — only module constants are formatted in; values are parameters


def aggregate(estate_ids: list[int], period, now=None) -> tuple[dict, dict]:
    return common.by_bucket(common.fetch_dicts(SQL, common.period_params(period, estate_ids, now)))


def _within(row: dict):
    return common.rate(
        row.get("on_time", 0), row.get("on_time", 0) + row.get("late", 0) + row.get("overdue", 0)
    )


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    cur, prev = aggregate(estate_ids, period, now)
    goal = common.targets(
        estate_ids,
        higher=[
            "repair_callback_target_percent",
            "complaint_callback_target_percent",
            "satisfaction_target_percent",
        ],
    )
    due = common.due_range(period)

    def url(kind="problem", **params):
        return common.list_url("tickets:callback-list", estate_ids, **due, kind=kind, **params)

    kpis = (
        Kpi("due", _("Callbacks due"), cur.get("due", 0), prev.get("due", 0), url=url()),
        Kpi(
            "within_deadline",
            _("Called back within the deadline"),
            _within(cur),
            _within(prev),
            target=max(
                goal["repair_callback_target_percent"], goal["complaint_callback_target_percent"]
            ),
            unit="%",
            url=url(timeliness="late"),
        ),
        Kpi(
            "repair_within",
            _("Repairs called back within 48 hours"),
            common.rate(cur.get("repair_on_time", 0), cur.get("repair_decided", 0)),
            common.rate(prev.get("repair_on_time", 0), prev.get("repair_decided", 0)),
            target=goal["repair_callback_target_percent"],
            unit="%",
            url=url(kind="repair", timeliness="late"),
        ),
        Kpi(
            "complaint_within",
            _("Complaints called back within the deadline"),
            common.rate(cur.get("complaint_on_time", 0), cur.get("complaint_decided", 0)),
            common.rate(prev.get("complaint_on_time", 0), prev.get("complaint_decided", 0)),
            target=goal["complaint_callback_target_percent"],
            unit="%",
            url=url(kind="complaint", timeliness="late"),
        ),
        Kpi(
            "overdue",
            _("Still to call, past the deadline"),
            cur.get("overdue", 0),
            prev.get("overdue", 0),
            target=0,
            better="lower",
            url=url(timeliness="overdue"),
        ),
        Kpi(
            "first_attempt",
            _("Reached on the first attempt"),
            common.rate(cur.get("first_attempt", 0), cur.get("done", 0)),
            common.rate(prev.get("first_attempt", 0), prev.get("done", 0)),
            unit="%",
            url=url(first_attempt=1),
        ),
        Kpi(
            "satisfaction",
            _("Satisfied residents"),
            common.rate(cur.get("satisfied", 0), cur.get("done", 0)),
            common.rate(prev.get("satisfied", 0), prev.get("done", 0)),
            target=goal["satisfaction_target_percent"],
            unit="%",
            url=url(satisfied=0),
        ),
    )
    return [KpiCard("callbacks", _("Callbacks"), kpis=kpis, order=20)]
