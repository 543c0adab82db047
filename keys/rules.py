"""Pure rules of the key cabinet: no ORM, `now` passed in (docs/architecture.md, "The rooms of
every app"; the numbers: docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

# --- loans ------------------------------------------------------------------------------------


def end_of_day(moment: dt.datetime, days_later: int = 0) -> dt.datetime:
    """23:59:59 local time of the day `days_later` after `moment`'s local day."""
    local = timezone.localtime(moment)
    date = local.date() + dt.timedelta(days=days_later)
    return dt.datetime.combine(date, dt.time(23, 59, 59), tzinfo=local.tzinfo)


def default_due(lent_at: dt.datetime) -> dt.datetime:
    """A loan is due back the same day unless agreed otherwise."""
    return end_of_day(lent_at)


def latest_due_without_approval(lent_at: dt.datetime, max_days: int) -> dt.datetime:
    """Loans may run to the end of the `max_days`-th day after lending without approval."""
    return end_of_day(lent_at, max_days)


def loan_needs_approval(lent_at: dt.datetime, due_at: dt.datetime, max_days: int) -> bool:
    return due_at > latest_due_without_approval(lent_at, max_days)


# --- vacant units -----------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def vacant_report_due(month: dt.date, report_day: int) -> dt.date:
    """The status report of `month` is due by `report_day` of the following month."""
    return next_month(month).replace(day=report_day)


def spread_over(items: Sequence, days: Sequence[dt.date]) -> list[tuple[object, dt.date]]:
    """Spread `items` evenly over `days` (in order), for an inspection plan."""
    if not days:
        raise ValueError("no days to plan on")
    n = len(items)
    return [(item, days[(i * len(days)) // max(n, 1)]) for i, item in enumerate(items)]


# --- the ledger -------------------------------------------------------------------------------

# Event kinds that move a key; everything else (inspections, calls, consents) is a fact only.
REGISTERED = "registered"
ENTRUSTED = "entrusted"
HANDED_OVER = "handed_over"
MOVED = "moved"
LENT = "lent"
RETURNED = "returned"
RETURNED_TO_OWNER = "returned_to_owner"
ISSUED_TO_OWNER = "issued_to_owner"
REPORTED_LOST = "reported_lost"
RETIRED = "retired"
GONE = {"returned_to_owner", "lost", "retired"}


@dataclass
class Derived:
    state: str | None = None
    count: int = 0
    in_cabinet_count: int = 0
    slot: str = ""
    out_loan_id: int | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "count": self.count,
            "in_cabinet_count": self.in_cabinet_count,
            "slot": self.slot,
            "out_loan_id": self.out_loan_id,
        }


def derive(events: Iterable) -> Derived:
    """Replay a key's events (objects with kind, count, slot, loan_id, in order) into its state.

    Any movement that was impossible at that point (lending a key not in the cabinet, returning
    more than was out, anything after the key is gone) is listed in `problems`.
    """
    d = Derived()
    for i, ev in enumerate(events):
        kind = ev.kind
        where = _("event %(number)s (%(kind)s)") % {"number": i + 1, "kind": kind}
        if d.state is None and kind not in (REGISTERED, ENTRUSTED):
            d.problems.append(
                _("%(where)s: the first event must register or entrust the key") % {"where": where}
            )
        if d.state in GONE and kind in (
            REGISTERED,
            ENTRUSTED,
            HANDED_OVER,
            LENT,
            RETURNED,
            RETURNED_TO_OWNER,
            ISSUED_TO_OWNER,
        ):
            d.problems.append(
                _("%(where)s: the key was already %(state)s") % {"where": where, "state": d.state}
            )
        if kind == REGISTERED:
            d.state, d.count, d.in_cabinet_count, d.slot = "in_cabinet", ev.count, ev.count, ev.slot
        elif kind == ENTRUSTED:
            d.state, d.count, d.in_cabinet_count, d.slot = "at_desk", ev.count, 0, ""
        elif kind == HANDED_OVER:
            if d.state != "at_desk":
                d.problems.append(
                    _("%(where)s: the key was not at the front desk") % {"where": where}
                )
            d.state, d.in_cabinet_count, d.slot = "in_cabinet", d.count, ev.slot
        elif kind == MOVED:
            d.slot = ev.slot
        elif kind == LENT:
            if d.state != "in_cabinet" or ev.count > d.in_cabinet_count or ev.count <= 0:
                d.problems.append(
                    _("%(where)s: %(lent)s lent but %(in_cabinet)s in cabinet")
                    % {"where": where, "lent": ev.count, "in_cabinet": d.in_cabinet_count}
                )
            d.in_cabinet_count -= ev.count
            d.state, d.out_loan_id = "on_loan", ev.loan_id
        elif kind == RETURNED:
            if d.state != "on_loan" or ev.loan_id != d.out_loan_id:
                d.problems.append(
                    _("%(where)s: the key was not out on this loan") % {"where": where}
                )
            d.in_cabinet_count += ev.count
            if d.in_cabinet_count > d.count:
                d.problems.append(
                    _("%(where)s: more keys returned than the bunch holds") % {"where": where}
                )
            if d.in_cabinet_count == d.count:
                d.state, d.out_loan_id = "in_cabinet", None
        elif kind in (RETURNED_TO_OWNER, ISSUED_TO_OWNER):
            if d.state not in ("in_cabinet", "at_desk"):
                d.problems.append(_("%(where)s: the key was not in the cabinet") % {"where": where})
            d.state, d.in_cabinet_count, d.out_loan_id = "returned_to_owner", 0, None
        elif kind == REPORTED_LOST:
            d.state, d.in_cabinet_count, d.out_loan_id = "lost", 0, None
        elif kind == RETIRED:
            d.state, d.in_cabinet_count, d.out_loan_id = "retired", 0, None
        if d.in_cabinet_count < 0:
            d.problems.append(_("%(where)s: the cabinet count went negative") % {"where": where})
    return d


def compare(stored: dict, derived: Derived) -> list[str]:
    """Differences between what a key row says and what its events say."""
    diffs = [
        _("%(field)s: stored %(stored)s, events say %(derived)s")
        % {"field": name, "stored": repr(stored[name]), "derived": repr(value)}
        for name, value in derived.as_dict().items()
        if name in stored and stored[name] != value
    ]
    return diffs + derived.problems
