"""Composite reads of the key cabinet: search, the overdue list, the board and unit panels, the
lookup, the ledger check, reports (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keys import rules
from keys.models import (
    ContractorPerson,
    Entrustment,
    Key,
    KeyEvent,
    KeyIncident,
    KeyLoan,
    VacantInspection,
)
from propserv.access import may, staff_of
from propserv.models import Deadline, Estate, Unit
from propserv.registry import LookupHit
from propserv.roles import KEY_INSPECTORS, KEY_VIEWERS, Role


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
    """The monthly status report of units whose keys we hold (docs/domain.md, Keys), due by the
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


def vacant_units_with_keys(estate):
    """Unoccupied units (vacant or sold, not moved in) whose keys the office holds."""
    return (
        Unit.objects.filter(
            estate=estate,
            status__in=[Unit.Status.VACANT, Unit.Status.SOLD],
            keys__state__in=Key.HELD_STATES,
        )
        .distinct()
        .order_by("code")
    )


# --- pages ------------------------------------------------------------------------------------


def visible_keys(user):
    return Key.objects.for_user(user).select_related("estate", "unit", "owner")


def visible_loans(user):
    return KeyLoan.objects.for_user(user).select_related(
        "key",
        "key__unit",
        "estate",
        "lent_by",
        "received_by",
        "approved_by",
        "borrower_person__contractor",
        "borrower_staff",
    )


def key_page(key: Key) -> dict:
    """What the key's page shows besides the key itself."""
    return {
        "loan": key.open_loan(),
        "entrustment": Entrustment.objects.filter(key=key)
        .select_related(
            "owner", "received_by", "handed_by", "handed_to", "released_by", "release_call"
        )
        .first(),
        "incident": key.incidents.exclude(status=KeyIncident.Status.CLOSED).first(),
        "incidents": key.incidents.all(),
        "events": key.events.select_related("actor", "loan").order_by("-at", "-pk"),
        "loans": key.loans.select_related("lent_by", "received_by").order_by("-lent_at")[:50],
        "ledger_diffs": key_ledger_check(key),
        "calls": key.owner_calls.select_related("called_by")[:10],
    }


AWAITING = (KeyLoan.Status.AWAITING_INSPECTION, KeyLoan.Status.RECTIFYING)


def awaiting_inspection(user):
    """Contractors' loans back in the cabinet whose unit is still to pass its inspection: the
    patrol guard's list of units to inspect, oldest return first."""
    return (
        KeyLoan.objects.for_user(user)
        .filter(status__in=AWAITING)
        .select_related("key", "key__unit")
        .order_by("returned_at", "pk")
    )


def inspectors_of(estate) -> list:
    """Who inspects a unit after a contractor's loan: the estate's patrol guards (told when the
    key comes back), or, when it has none, the others who may record the inspection."""
    return list(staff_of(estate, Role.PATROL)) or list(staff_of(estate, KEY_INSPECTORS))


def loan_page(loan: KeyLoan) -> dict:
    waiting = loan.is_contractor and loan.status in AWAITING
    return {
        "inspectors": inspectors_of(loan.estate) if waiting else [],
        "inspections": loan.inspections.select_related("inspector"),
        "rectifications": loan.rectifications.select_related("raised_by", "cleared_by"),
        "events": loan.events.select_related("actor").order_by("at", "pk"),
        "deadlines": Deadline.objects.for_subject(loan).prefetch_related("escalations"),
    }


def unit_file(unit: Unit) -> dict:
    """The unit's key file: every key, entrustment, receipt, loan and lost-key record."""
    return {
        "keys": unit.keys.select_related("owner", "replaces").order_by("registered_at"),
        "entrustments": Entrustment.objects.filter(key__unit=unit).select_related(
            "key", "owner", "handed_to", "handed_by"
        ),
        "receipts": unit.key_receipts.select_related("owner", "issued_by"),
        "incidents": KeyIncident.objects.filter(key__unit=unit).select_related("key", "new_key"),
        "loans": KeyLoan.objects.filter(key__unit=unit).select_related("key")[:50],
    }


def active_persons(estate):
    """Responsible persons who may borrow in `estate` now."""
    return ContractorPerson.objects.filter(
        contractor__estate=estate, active=True, contractor__active=True
    ).select_related("contractor")


def staff_of_estate(estate, user_id):
    """An active staff member of `estate` by id, or None (another estate's reads as unknown)."""
    return (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, staff__estates=estate)
        .distinct()
        .first()
    )


def borrower_staff_loans(viewer, user_id):
    """(the staff member, their loans the viewer may see), or None when the viewer shares no
    estate with them and sees none of their loans."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    loans = (
        KeyLoan.objects.for_user(viewer)
        .filter(borrower_staff=user)
        .select_related("key", "key__unit")
    )
    shares = (
        get_user_model()
        .objects.filter(pk=user_id, staff__estates__in=Estate.objects.for_user(viewer))
        .exists()
    )
    if not loans.exists() and not shares:
        return None
    return user, loans


# --- the registry: the front-desk board, the unit page, the lookup ----------------------------


def overdue_board(request, obj=None) -> dict | None:
    """The overdue keys card on the front-desk board (Panel "desk-board")."""
    user = getattr(request, "user", None)
    now = timezone.now()
    loans = overdue_loans(user, now)
    return {"show": True, "loans": list(loans[:10]), "total": loans.count(), "now": now}


def unit_panel(request, unit) -> dict | None:
    """The unit's keys and where they are (Panel "unit"); None when the viewer may not see them."""
    user = getattr(request, "user", None)
    if unit is None or not may(user, unit.estate_id, KEY_VIEWERS):
        return None
    keys = list(
        Key.objects.for_user(user)
        .filter(unit=unit)
        .prefetch_related(open_loans_prefetch())
        .order_by("tag_code")[:10]
    )
    return {"unit": unit, "keys": keys, "now": timezone.now()}


def lookup(user, estate_ids: list[int], query: str):
    """Keys found by a typed tag code (exact) or unit code, within `estate_ids`."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    keys = Key.objects.filter(estate_id__in=estate_ids).select_related("unit")
    found = keys.filter(tag_code=query.upper())
    if not found.exists():
        found = keys.filter(unit__code__iexact=query, state__in=Key.HELD_STATES)
    return [
        LookupHit(
            kind=_("Key"),
            title=f"{key.tag_code} · {key.opens}",
            url=reverse("keys:key", args=[key.pk]),
            detail=str(key.get_state_display()) + (f" · {key.slot}" if key.slot else ""),
        )
        for key in found.order_by("tag_code")[:10]
    ]
