"""Composite reads of the key cabinet: search, the overdue list, the ledger check, reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from keys import rules
from keys.models import Key, KeyEvent, KeyLoan, VacantInspection
from propserv.models import Unit


def open_loans_prefetch():
    return Prefetch(
        "loans",
        queryset=KeyLoan.objects.filter(closed_at__isnull=True),
        to_attr="open_loans",
    )


def cabinet(user, q: str = "", state: str = ""):
    """Keys the user may see, matching a search: unit code, tag code, common area, slot,
    owner or borrower name."""
    keys = (
        Key.objects.for_user(user)
        .select_related("estate", "unit", "owner")
        .prefetch_related(open_loans_prefetch())
    )
    q = (q or "").strip()
    if q:
        keys = keys.filter(
            Q(unit__code__iexact=q)
            | Q(unit__code__istartswith=q)
            | Q(tag_code__iexact=q)
            | Q(tag_code__icontains=q)
            | Q(area__icontains=q)
            | Q(slot__iexact=q)
            | Q(owner__name__icontains=q)
            | Q(loans__closed_at__isnull=True, loans__borrower_name__icontains=q)
        ).distinct()
    elif not state:
        keys = keys.filter(state__in=Key.HELD_STATES)
    if state:
        keys = keys.filter(state=state)
    return keys.order_by("slot", "tag_code")  # the order of the cabinet itself


def exact_tag(user, q: str) -> Key | None:
    q = (q or "").strip().upper()
    if not q:
        return None
    return Key.objects.for_user(user).filter(tag_code=q).first()


def overdue_loans(user, now: dt.datetime):
    """Loans out past their due time, oldest first: the front-desk board's overdue list."""
    return (
        KeyLoan.objects.for_user(user)
        .overdue(now)
        .select_related("key", "key__unit", "estate")
        .order_by("due_at")
    )


def cabinet_counts(user, now: dt.datetime) -> dict:
    by_state = Counter(Key.objects.for_user(user).values_list("state", flat=True).order_by())
    loans = KeyLoan.objects.for_user(user).open()
    return {
        "in_cabinet": by_state.get(Key.State.IN_CABINET, 0),
        "on_loan": by_state.get(Key.State.ON_LOAN, 0),
        "at_desk": by_state.get(Key.State.AT_DESK, 0),
        "overdue": loans.overdue(now).count(),
        "awaiting_inspection": loans.filter(
            status__in=[KeyLoan.Status.AWAITING_INSPECTION, KeyLoan.Status.RECTIFYING]
        ).count(),
    }


# --- the ledger check -------------------------------------------------------------------------


@dataclass
class _Ev:
    kind: str
    count: int
    slot: str
    loan_id: int | None


def key_ledger_check(key: Key) -> list[str]:
    """Re-derive `key`'s state from its events and list every difference from the stored row
    (empty: the ledger and the cabinet agree)."""
    events = [
        _Ev(e.kind, e.count, e.slot, e.loan_id)
        # Replayed in the order they were written: that is the order the state changed in.
        for e in KeyEvent.objects.filter(key=key).order_by("pk")
    ]
    derived = rules.derive(events)
    key = Key.objects.get(pk=key.pk)
    out_loan = key.loans.filter(status=KeyLoan.Status.OUT).values_list("pk", flat=True).first()
    stored = {
        "state": key.state,
        "count": key.count,
        "in_cabinet_count": key.in_cabinet_count,
        "slot": key.slot,
        "out_loan_id": out_loan,
    }
    return rules.compare(stored, derived)


def ledger_check_all(keys) -> dict[str, list[str]]:
    """{tag code: differences} for every key whose ledger disagrees with its row."""
    report = {}
    for key in keys:
        diffs = key_ledger_check(key)
        if diffs:
            report[key.tag_code] = diffs
    return report


# --- vacant units -----------------------------------------------------------------------------


def vacant_report(estate, month: dt.date) -> dict:
    """The monthly status report of units whose keys we hold (DOMAIN.md §5), due by the
    estate's `vacant_report_day` of the next month."""
    month = rules.first_of_month(month)
    inspections = list(
        VacantInspection.objects.filter(estate=estate, month=month).select_related(
            "unit", "inspected_by"
        )
    )
    units = (
        Unit.objects.filter(estate=estate, keys__kind=Key.Kind.DEVELOPER)
        .distinct()
        .order_by("code")
    )
    status = Counter(units.values_list("status", flat=True))
    held = Unit.objects.filter(estate=estate, keys__state__in=Key.HELD_STATES).distinct().count()
    return {
        "month": month,
        "due_on": rules.vacant_report_due(month, estate.service_settings.vacant_report_day),
        "status_counts": [
            (value, label, status.get(value, 0)) for value, label in Unit.Status.choices
        ],
        "units_with_developer_keys": sum(status.values()),
        "units_with_keys_held": held,
        "planned": len(inspections),
        "done": sum(1 for i in inspections if i.inspected_at),
        "problems": sum(1 for i in inspections if i.problem),
        "open_problems": sum(1 for i in inspections if i.problem and not i.resolved_at),
        "inspections": inspections,
    }
