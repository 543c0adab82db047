"""Composite reads of fees: arrears ageing (one SQL aggregate over the open charges, served by
the partial index `fees_charge_open`), a unit's statement, the notice list, the unit panel and
lookup (docs/domain.md, "Fees")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from fees import rules
from fees.models import Allocation, Charge, ChargeItem, DayClose, LedgerEntry, Method, Payment
from propserv.access import works_for
from propserv.roles import CASHIERS, has_role

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
OPEN = ExpressionWrapper(
    F("amount") - F("paid"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


def _bucket_filters(today: dt.date) -> dict[str, Q]:
    """Bucket → condition on due_on (days overdue = today − due_on)."""
    filters = {}
    for key, low, high in rules.BUCKETS:
        cond = Q()
        if low is not None:
            cond &= Q(due_on__lte=today - dt.timedelta(days=low))
        if high is not None:
            cond &= Q(due_on__gte=today - dt.timedelta(days=high))
        filters[key] = cond
    return filters


def ageing(estate_ids, today: dt.date | None = None, *, building=None, unit_ids=None):
    """Per unit with open charges: unit_id, unit_code, building, total, one column per bucket,
    months (periods of recurring charges past due and not fully paid). A values() queryset."""
    today = today or timezone.localdate()
    qs = Charge.objects.open().filter(estate_id__in=list(estate_ids))
    if building:
        qs = qs.filter(unit__building__code=building)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    buckets = {
        key: Coalesce(Sum(OPEN, filter=cond), ZERO) for key, cond in _bucket_filters(today).items()
    }
    return (
        qs.values("unit_id", "unit__code", "unit__building__code", "estate_id")
        .annotate(
            total=Sum(OPEN),
            months=Count(
                "period",
                distinct=True,
                filter=Q(due_on__lt=today, item__kind__in=ChargeItem.RECURRING),
            ),
            **buckets,
        )
        .order_by("unit__code")
    )


def arrears(estate_ids, today=None, *, building="", bucket="", min_amount=None, min_months=None):
    """The arrears list with its filters: building code, oldest bucket reached (something owed
    in that bucket or an older one: "overdue at least"), amount, months."""
    rows = ageing(estate_ids, today, building=building or None).filter(total__gt=0)
    keys = [key for key, *_ in rules.BUCKETS]
    if bucket in keys:
        reached = Q()
        for key in keys[keys.index(bucket) :]:
            reached |= Q(**{f"{key}__gt": 0})
        rows = rows.filter(reached)
    if min_amount is not None:
        rows = rows.filter(total__gte=min_amount)
    if min_months is not None:
        rows = rows.filter(months__gte=min_months)
    return rows


def notice_lines(estate, today=None) -> list[dict]:
    """Units `arrears_notice_months` or more behind: unit code, months and amount only."""
    months = estate.service_settings.arrears_notice_months
    return [
        {"unit": row["unit__code"], "months": row["months"], "amount": str(row["total"])}
        for row in arrears([estate.pk], today, min_months=months)
    ]


def balance(unit) -> Decimal:
    """What the unit owes (negative: credit held): the sum of its ledger."""
    total = LedgerEntry.objects.filter(unit=unit).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def account_summary(unit, today=None) -> dict:
    row = ageing([unit.estate_id], today, unit_ids=[unit.pk]).first() or {}
    return {
        "unit": unit,
        "balance": balance(unit),
        "ageing": {key: row.get(key, Decimal("0.00")) for key, *_ in rules.BUCKETS},
        "months": row.get("months", 0),
        "open_total": row.get("total") or Decimal("0.00"),
    }


def open_charges(unit):
    return Charge.objects.open().filter(unit=unit).select_related("item").order_by("due_on", "id")


def statement(unit, today=None) -> dict:
    """The unit's account: every ledger row with the running balance, and the summary."""
    entries = list(
        LedgerEntry.objects.filter(unit=unit)
        .select_related("charge__item", "payment__estate")
        .order_by("at", "id")
    )
    running = Decimal("0.00")
    for entry in entries:
        running += entry.amount
        entry.running = running
    return {
        **account_summary(unit, today),
        "entries": entries,
        "open_charges": list(open_charges(unit)),
        "payments": list(Payment.objects.filter(unit=unit).select_related("estate")[:20]),
    }


def unit_panel(request, unit):
    """The fees box on the unit / lookup page (registered in FeesConfig.ready)."""
    if unit is None or not works_for(request.user, unit.estate_id):
        return None
    return {
        **account_summary(unit),
        "can_take": has_role(request.user, CASHIERS),
        "desk_url": reverse("fees:desk") + f"?unit={unit.pk}",
        "statement_url": reverse("fees:statement", args=[unit.pk]),
    }


def _day_range(day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def takings(estate, day: dt.date) -> list[dict]:
    """The day's takings per cashier: live payments by method, cash refunds paid out, the cash
    expected in the drawer, and finance's close when made."""
    start, end = _day_range(day)
    rows: dict[int, dict] = {}
    payments = (
        Payment.objects.filter(
            estate=estate, taken_at__gte=start, taken_at__lt=end, reversed_at__isnull=True
        )
        .values("taken_by", "method")
        .annotate(total=Sum("amount"))
    )
    for p in payments:
        row = rows.setdefault(p["taken_by"], {"by_method": {}, "refunds": Decimal("0.00")})
        row["by_method"][p["method"]] = p["total"]
    refunds = (
        LedgerEntry.objects.filter(
            estate=estate,
            kind=LedgerEntry.Kind.REFUND,
            method=Method.CASH,
            at__gte=start,
            at__lt=end,
        )
        .values("actor")
        .annotate(total=Sum("amount"))
    )
    for r in refunds:
        rows.setdefault(r["actor"], {"by_method": {}, "refunds": Decimal("0.00")})["refunds"] = r[
            "total"
        ]
    users = get_user_model().objects.in_bulk(list(rows))
    closes = {c.cashier_id: c for c in DayClose.objects.filter(estate=estate, day=day)}
    out = []
    for user_id, row in sorted(rows.items()):
        by_method = {m: row["by_method"].get(m, Decimal("0.00")) for m in Method.values}
        out.append(
            {
                "cashier": users[user_id],
                "by_method": by_method,
                "methods": [(label, by_method[value]) for value, label in Method.choices],
                "total": sum(by_method.values(), Decimal("0.00")),
                "refunds": row["refunds"],
                "expected_cash": by_method[Method.CASH] - row["refunds"],
                "closed": closes.get(user_id),
            }
        )
    return out


def income(estate_ids, start: dt.date, end: dt.date) -> list[dict]:
    """Income by charge item over [start, end): what live payments taken then paid, per item
    (for the owners' disclosure). Credit not yet used on a charge is shown apart."""
    begin, _ = _day_range(start)
    finish, _ = _day_range(end)
    rows = list(
        Allocation.objects.filter(
            payment__estate_id__in=list(estate_ids),
            payment__reversed_at__isnull=True,
            payment__taken_at__gte=begin,
            payment__taken_at__lt=finish,
        )
        .values("charge__item__code", "charge__item__name")
        .annotate(total=Sum("amount"))
        .order_by("charge__item__code")
    )
    return [
        {"item": r["charge__item__name"], "code": r["charge__item__code"], "total": r["total"]}
        for r in rows
    ]
