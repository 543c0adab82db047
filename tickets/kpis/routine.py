"""The routine-callbacks card: the callback rate per person against the targets of their role
(docs/domain.md, Callbacks: administrators ≥ `routine_callback_admin_target_percent`, supervisors
≥ `routine_callback_target_percent`). The definitions are those of `tickets.selectors.routine`
(done / decided among the routine callbacks falling due in the period). A fixed number of
statements: the figures per person for each half of the period, the names, the targets.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propserv.exports import Column, Table
from propserv.registry import Kpi, KpiCard
from tickets.kpis import common
from tickets.selectors.routine import person_rates, rate

TARGET_FIELDS = ["routine_callback_admin_target_percent", "routine_callback_target_percent"]


def _overall(rows: list[dict], admin: bool | None = None):
    picked = [r for r in rows if admin is None or r["is_admin"] == admin]
    return rate(sum(r["done"] for r in picked), sum(r["decided"] for r in picked))


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    now = now or timezone.now()
    goal = common.targets(estate_ids, higher=TARGET_FIELDS)
    targets = {
        "admin": goal["routine_callback_admin_target_percent"],
        "supervisor": goal["routine_callback_target_percent"],
    }
    cur = person_rates(estate_ids, period.start, period.end, now, targets)
    prev = person_rates(estate_ids, period.previous_start, period.start, now, targets)
    kpis = (
        Kpi(
            "routine_rate",
            _("Routine callbacks done"),
            _overall(cur),
            _overall(prev),
            target=targets["supervisor"],
            unit="%",
        ),
        Kpi(
            "routine_admin_rate",
            _("Routine callbacks done: administrators"),
            _overall(cur, admin=True),
            _overall(prev, admin=True),
            target=targets["admin"],
            unit="%",
        ),
        Kpi(
            "routine_missed",
            _("Routine callbacks missed"),
            sum(r["missed"] for r in cur),
            sum(r["missed"] for r in prev),
            target=0,
            better="lower",
        ),
    )
    table = Table(
        _("Routine callbacks per person"),
        [
            Column("name", _("Who calls"), width=20),
            Column("done", _("Done")),
            Column("missed", _("Missed")),
            Column("open", _("Not yet due")),
            Column("rate", _("Rate (%)")),
            Column("target", _("Target (%)")),
        ],
        cur,
    )
    return [KpiCard("routine", _("Routine callbacks"), kpis=kpis, tables=(table,), order=25)]
