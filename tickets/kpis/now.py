"""The "right now" card: the open clocks of repairs, complaints and callbacks that are at risk
(past their warning time) or breached, grouped by the person who must act — who needs a nudge.

Who must act: the technician for a repair's arrival and completion, the caller for a callback,
the owner for a complaint's clocks, the area administrator for a second handling; nobody named
yet (a repair not dispatched, a complaint without an owner) is shown as such. The period does not
apply: this is the state of the moment. One statement (the open-deadline partial index).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from propserv.exports import Column, Table
from propserv.registry import Kpi, KpiCard, registry
from tickets.kpis import common
from tickets.models import Complaint, Repair, SecondHandling
from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules
from tickets.rules import repairs as rules

KINDS = [*rules.KINDS, *crules.KINDS, *cbrules.KINDS]
CALLBACK_KINDS = [rules.CALLBACK, crules.CALLBACK]

SQL = """
SELECT d.kind,
       CASE WHEN d.kind = ANY(%(callback_kinds)s) THEN COALESCE(rcb.assigned_to_id,
                                                                  ccb.assigned_to_id)
            WHEN d.content_type_id = %(ct_repair)s THEN r.technician_id
            WHEN d.content_type_id = %(ct_complaint)s THEN c.owner_id
            ELSE sh.area_admin_id END AS person_id,
       count(*) FILTER (WHERE d.due_at < %(now)s) AS breached,
       count(*) FILTER (WHERE d.due_at >= %(now)s) AS at_risk
FROM propserv_deadline d
LEFT JOIN tickets_repair r ON d.content_type_id = %(ct_repair)s AND r.id = d.object_id
LEFT JOIN tickets_complaint c ON d.content_type_id = %(ct_complaint)s AND c.id = d.object_id
LEFT JOIN tickets_secondhandling sh ON d.content_type_id = %(ct_second)s AND sh.id = d.object_id
LEFT JOIN tickets_callback rcb ON d.kind = ANY(%(callback_kinds)s) AND rcb.status = 'pending'
     AND rcb.repair_id = r.id
LEFT JOIN tickets_callback ccb ON d.kind = ANY(%(callback_kinds)s) AND ccb.status = 'pending'
     AND ccb.complaint_id = c.id
WHERE d.estate_id = ANY(%(estates)s) AND d.met_at IS NULL AND d.cancelled_at IS NULL
  AND d.kind = ANY(%(kinds)s)
  AND (d.due_at < %(now)s OR d.warn_at <= %(now)s OR d.warned_at IS NOT NULL)
GROUP BY 1, 2
"""

NAMES_SQL = """
SELECT id, COALESCE(NULLIF(TRIM(first_name || ' ' || last_name), ''), username) AS name
FROM auth_user WHERE id = ANY(%(ids)s)
"""


def aggregate(estate_ids: list[int], now=None) -> list[dict]:
    params = {
        "estates": list(estate_ids),
        "now": common.period_params_now(now),
        "kinds": KINDS,
        "callback_kinds": CALLBACK_KINDS,
        "ct_repair": common.content_type_id(Repair),
        "ct_complaint": common.content_type_id(Complaint),
        "ct_second": common.content_type_id(SecondHandling),
    }
    rows = common.fetch_dicts(SQL, params)
    names = {
        r["id"]: r["name"]
        for r in common.fetch_dicts(NAMES_SQL, {"ids": [r["person_id"] for r in rows]})
    }
    for row in rows:
        row["name"] = names.get(row["person_id"]) or str(_("Nobody named yet"))
        policy = registry.deadline_policies.get(row["kind"])
        row["label"] = str(policy.label) if policy is not None and policy.label else row["kind"]
    return sorted(rows, key=lambda r: (-r["breached"], -r["at_risk"], r["name"], r["label"]))


def _url(row: dict, estate_ids) -> str:
    kind, person, breached = row["kind"], row["person_id"], row["breached"]
    if kind in CALLBACK_KINDS:
        return common.list_url(
            "tickets:callback-list",
            estate_ids,
            kind=kind.split(".")[0],
            status="pending",
            timeliness="overdue" if breached else "",
        )
    if kind in (rules.ARRIVAL, rules.COMPLETION):
        which = "arrival" if kind == rules.ARRIVAL else "completion"
        return common.list_url(
            "tickets:repair-list",
            estate_ids,
            technician=person or "",
            **({which: "late"} if breached else {}),
        )
    if kind == crules.REPLY:
        return common.list_url(
            "tickets:complaint-list", estate_ids, reply="overdue" if breached else ""
        )
    return ""


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    rows = aggregate(estate_ids, now)
    for row in rows:
        row["url"] = _url(row, estate_ids)
    kpis = (
        Kpi(
            "breached",
            _("Clocks breached now"),
            sum(r["breached"] for r in rows),
            target=0,
            better="lower",
        ),
        Kpi("at_risk", _("Clocks at risk now"), sum(r["at_risk"] for r in rows)),
    )
    table = Table(
        _("Who needs a nudge"),
        [
            Column("name", _("Who must act"), width=20),
            Column("label", _("Clock"), width=24),
            Column("breached", _("Breached")),
            Column("at_risk", _("At risk")),
        ],
        rows,
    )
    return [KpiCard("now", _("Right now"), kpis=kpis, tables=(table,), order=5)]
