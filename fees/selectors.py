"""Composite reads of fees: arrears ageing (one SQL aggregate over the open charges, served by
the partial index `fees_charge_open`), a unit's statement, the notice list, the unit panel and
lookup (docs/domain.md, "Fees")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Least
from django.urls import reverse
from django.utils import timezone

from fees import rules
from fees.models import (
    Allocation,
    Charge,
    DayClose,
    LedgerEntry,
    Method,
    Payment,
    Reminder,
)
from propserv.access import works_for
from propserv.models import Building, Unit
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
    """Per unit with open charges: unit_id, estate_id, unit__code, total, one column per
    bucket, months (periods billed by runs, past due and not fully paid). A values() queryset.

    The aggregate reads the open charges alone — an index-only scan of `fees_charge_open` in
    (estate, unit, period) order, grouped without a sort — and the unit's codes are looked up
    per result row afterwards (docs/domain.md, "Fees"; bench/README.md, "fees")."""
    today = today or timezone.localdate()
    qs = Charge.objects.open().filter(estate_id__in=list(estate_ids))
    if building:
        qs = qs.filter(unit__building__code=building)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    buckets = {
        key: Coalesce(Sum(OPEN, filter=cond), ZERO) for key, cond in _bucket_filters(today).items()
    }
    unit = Unit.objects.filter(pk=OuterRef("unit_id")).order_by()
    return (
        qs.values("unit_id", "estate_id")
        .annotate(total=Sum(OPEN), months=months_behind(today), **buckets)
        .annotate(unit__code=Subquery(unit.values("code")))
        .order_by("unit__code")
    )


def with_building(rows):
    """The ageing rows with their unit's building code (unit__building__code): the building by
    its primary key from the unit's building_id, a lookup per row."""
    building_id = Unit.objects.filter(pk=OuterRef(OuterRef("unit_id"))).order_by()
    building = Building.objects.filter(pk=Subquery(building_id.values("building_id")))
    return rows.annotate(unit__building__code=Subquery(building.order_by().values("code")))


def months_behind(today: dt.date):
    """Months behind, an aggregate over a unit's open charges: each monthly period past due and
    not fully paid counts 1; half-year bills (months = 6) count 6 each but the latest, which
    counts the months of it gone by so far (a half-year bill due in January is 2 months behind
    in February, 6 from June on)."""
    past_due = Q(due_on__lt=today, run__isnull=False)  # billed by a run: a recurring item
    monthly = Count("period", distinct=True, filter=past_due & Q(months=1))
    halves = Count("period", distinct=True, filter=past_due & Q(months=6))
    latest = Max("period", filter=past_due & Q(months=6))
    gone_by = Least(
        Value(6),
        (Value(today.year) - ExtractYear(latest)) * 12
        + Value(today.month)
        - ExtractMonth(latest)
        + 1,
    )
    return ExpressionWrapper(
        monthly + Coalesce((halves - 1) * 6 + gone_by, Value(0)), output_field=IntegerField()
    )


def arrears(
    estate_ids,
    today=None,
    *,
    building="",
    bucket="",
    in_bucket="",
    min_amount=None,
    min_months=None,
):
    """The arrears list with its filters: building code, oldest bucket reached (something owed
    in that bucket or an older one: "overdue at least"), something owed in exactly one bucket
    (`in_bucket`: the dashboard's drill-down), amount, months."""
    rows = with_building(ageing(estate_ids, today, building=building or None)).filter(total__gt=0)
    keys = [key for key, *_ in rules.BUCKETS]
    if in_bucket in keys:
        rows = rows.filter(**{f"{in_bucket}__gt": 0})
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


def large_debts(estate, today=None, *, building="", min_amount=None, min_months=None) -> list:
    """Units owing the estate's `large_debt_amount` or more (a higher `min_amount` narrows it):
    the list for legal follow-up, largest first, each with its last logged reminder."""
    threshold = estate.service_settings.large_debt_amount
    floor = max(threshold, min_amount) if min_amount is not None else threshold
    rows = list(
        arrears(
            [estate.pk], today, building=building, min_amount=floor, min_months=min_months
        ).order_by("-total", "unit__code")
    )
    last = dict(
        Reminder.objects.filter(unit_id__in=[r["unit_id"] for r in rows])
        .values("unit_id")
        .annotate(last=Max("at"))
        .values_list("unit_id", "last")
        .order_by()
    )
    for r in rows:
        r["last_reminder"] = (
            timezone.localtime(last[r["unit_id"]]).date() if r["unit_id"] in last else None
        )
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
    """The day's takings per cashier: payments taken that day by method (a payment reversed
    later stays on the day it was taken), less the reversals made that day (in the takings of
    whoever made them, by the payment's method) and the cash refunds paid out; the cash expected
    in the drawer; finance's close when made. So a closed day's figures never change."""
    start, end = _day_range(day)
    rows: dict[int, dict] = {}

    def row_of(user_id):
        return rows.setdefault(
            user_id, {"by_method": {}, "reversed": Decimal("0.00"), "refunds": Decimal("0.00")}
        )

    payments = (
        Payment.objects.filter(estate=estate, taken_at__gte=start, taken_at__lt=end)
        .values("taken_by", "method")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for p in payments:
        by_method = row_of(p["taken_by"])["by_method"]
        by_method[p["method"]] = by_method.get(p["method"], Decimal("0.00")) + p["total"]
    out_kinds = (LedgerEntry.Kind.PAYMENT_REVERSED, LedgerEntry.Kind.REFUND)
    outgoing = (
        LedgerEntry.objects.filter(estate=estate, kind__in=out_kinds, at__gte=start, at__lt=end)
        .values("actor", "kind", "method", "payment__method")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for r in outgoing:
        row = row_of(r["actor"])
        if r["kind"] == LedgerEntry.Kind.PAYMENT_REVERSED:
            method = r["payment__method"]
            row["by_method"][method] = row["by_method"].get(method, Decimal("0.00")) - r["total"]
            row["reversed"] += r["total"]
        elif r["method"] == Method.CASH:
            row["refunds"] += r["total"]
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
                "reversed": row["reversed"],
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
