"""Billing runs: what a period would bill (preview) and issuing it (docs/domain.md, "Fees").

Issuing is idempotent per (unit, item, period): each unit is billed in its own short transaction
under its account lock, skipping what already exists (a unique constraint stands behind it), so
a run killed halfway and started again, or a run from beat and one by hand at once, bill each
charge once. The run row counts the units done for the progress bar.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fees import rules
from fees.models import (
    Account,
    BillingRun,
    Charge,
    ChargeItem,
    ClosedPeriod,
    LedgerEntry,
    Payment,
    Subscription,
    Tariff,
)
from fees.services.common import NOT_ALLOWED
from fees.services.payments import apply_credit
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Estate, Unit
from propserv.roles import FEE_FINANCE, FEE_VIEWERS

# Units billed per transaction: a killed run loses at most one chunk's work (rolled back).
CHUNK = 200
# Units billed: sold (billed per contract even before moving in), lived in, being renovated.
BILLED_STATUSES = (Unit.Status.SOLD, Unit.Status.OCCUPIED, Unit.Status.RENOVATING)


@dataclass(frozen=True)
class Line:
    unit_id: int
    unit_code: str
    item: ChargeItem
    tariff: Tariff
    amount: Decimal


def cycle_of(estate) -> int:
    """Months one bill covers: 1, or 6 for an estate billed twice a year (EstateSettings)."""
    return estate.service_settings.billing_cycle_months


def _valid_on(period: dt.date):
    return Q(valid_from__lte=period) & (Q(valid_to__isnull=True) | Q(valid_to__gt=period))


def lines_for(estate, period: dt.date, unit_ids=None) -> list[Line]:
    """Every line the period bills (pure reads): area items by unit use, fixed items per
    subscription, apportioned items split over their building's billed units by floor area.
    Each line is the month's amount at the rates in force on the period's first day, times the
    months the estate's bill covers (6 for a half-year)."""
    lines = _monthly_lines(estate, period, unit_ids)
    cycle = cycle_of(estate)
    if cycle == 1:
        return lines
    return [
        Line(x.unit_id, x.unit_code, x.item, x.tariff, rules.cents(x.amount * cycle)) for x in lines
    ]


def _monthly_lines(estate, period: dt.date, unit_ids=None) -> list[Line]:
    units = Unit.objects.filter(estate=estate, status__in=BILLED_STATUSES).order_by("pk")
    units = list(units.only("pk", "code", "area_m2", "use", "building_id"))
    tariffs = list(
        Tariff.objects.filter(_valid_on(period), estate=estate, item__active=True).select_related(
            "item"
        )
    )
    lines: list[Line] = []
    area = {(t.item_id, t.use): t for t in tariffs if t.item.kind == ChargeItem.Kind.AREA}
    for item_id in {t.item_id for t in area.values()}:
        for unit in units:
            tariff = area.get((item_id, unit.use)) or area.get((item_id, ""))
            if tariff is not None and tariff.rate > 0:
                lines.append(
                    Line(
                        unit.pk,
                        unit.code,
                        tariff.item,
                        tariff,
                        rules.area_amount(unit.area_m2, tariff.rate),
                    )
                )
    fixed = {t.item_id: t for t in tariffs if t.item.kind == ChargeItem.Kind.FIXED}
    by_pk = {u.pk: u for u in units}
    subs = Subscription.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=period),
        estate=estate,
        starts_on__lte=period,
        item_id__in=list(fixed),
    )
    quantity: dict[tuple[int, int], int] = defaultdict(int)
    for sub in subs:
        if sub.unit_id in by_pk:
            quantity[(sub.unit_id, sub.item_id)] += sub.quantity
    for (unit_id, item_id), count in sorted(quantity.items()):
        tariff = fixed[item_id]
        amount = rules.cents(tariff.rate * count)
        if amount > 0:
            lines.append(Line(unit_id, by_pk[unit_id].code, tariff.item, tariff, amount))
    for tariff in tariffs:
        if tariff.item.kind != ChargeItem.Kind.APPORTIONED or tariff.building_id is None:
            continue
        weights = {u.pk: u.area_m2 for u in units if u.building_id == tariff.building_id}
        for unit_id, amount in sorted(rules.apportion(rules.cents(tariff.rate), weights).items()):
            if amount > 0:
                lines.append(Line(unit_id, by_pk[unit_id].code, tariff.item, tariff, amount))
    if unit_ids is not None:
        lines = [line for line in lines if line.unit_id in unit_ids]
    return lines


def _check_period(estate, period: dt.date) -> dt.date:
    """The estate's billing period holding `period`: its month, or its half-year."""
    return rules.cycle_start(period, cycle_of(estate))


def billing_preview(*, estate, period: dt.date, actor) -> dict:
    """{"items": [{item, units, total}], "units": n, "total": ¥, "already": n issued,
    "closed": whether the period is closed to billing}."""
    check_actor(actor, estate=estate, roles=FEE_VIEWERS, message=NOT_ALLOWED)
    period = _check_period(estate, period)
    lines = lines_for(estate, period)
    issued = set(
        Charge.objects.filter(estate=estate, period=period, run__isnull=False).values_list(
            "unit_id", "item_id"
        )
    )
    per_item: dict[int, dict] = {}
    for line in lines:
        row = per_item.setdefault(
            line.item.pk, {"item": line.item, "units": 0, "total": Decimal("0.00"), "issued": 0}
        )
        row["units"] += 1
        row["total"] += line.amount
        row["issued"] += (line.unit_id, line.item.pk) in issued
    cycle = cycle_of(estate)
    return {
        "period": period,
        "months": cycle,
        "period_last": rules.add_months(period, cycle - 1),
        "items": list(per_item.values()),
        "units": len({line.unit_id for line in lines}),
        "total": sum((line.amount for line in lines), Decimal("0.00")),
        "already": sum(row["issued"] for row in per_item.values()),
        # A closed period is not offered for issuing (billing_start refuses it).
        "closed": ClosedPeriod.objects.filter(estate=estate, period=period).exists(),
    }


def billing_start(*, estate, period: dt.date, actor) -> BillingRun:
    """The period's run (a run still going is reused); refuses a closed period."""
    check_actor(actor, estate=estate, roles=FEE_FINANCE, message=NOT_ALLOWED)
    return start_run(estate, _check_period(estate, period), actor)


def _refuse_closed(estate, period: dt.date) -> None:
    if ClosedPeriod.objects.filter(estate=estate, period=period).exists():
        raise InvalidTransition(
            _("The period %(period)s is closed: it cannot be billed again.")
            % {"period": period.strftime("%Y-%m")},
            code="period_closed",
        )


def _lock_period(estate, period: dt.date) -> None:
    """The lock that starting a run and closing the period both take, so neither decides on
    what the other is changing (held until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"fees.billing-period:{estate.pk}:{period.isoformat()}"],
        )


def start_run(estate, period: dt.date, actor=None) -> BillingRun:
    """The run of (estate, period), created when none is going (the system's entry: beat)."""
    with transaction.atomic():
        _lock_period(estate, period)
        _refuse_closed(estate, period)
        run = (
            BillingRun.objects.select_for_update()
            .filter(estate=estate, period=period, status=BillingRun.Status.RUNNING)
            .first()
        )
        if run is None:
            run = BillingRun.objects.create(estate=estate, period=period, started_by=actor)
    return run


def billing_issue(*, run: BillingRun, actor) -> BillingRun:
    """Bill every unit of the run's period that is not billed yet; safe to repeat or to run
    twice at once. Call from the task (long runs) or directly (tests, small estates)."""
    check_actor(actor, estate=run.estate, roles=FEE_FINANCE, message=NOT_ALLOWED)
    return issue_run(run)


def issue_run(run: BillingRun) -> BillingRun:
    """The work of billing_issue, for the system (beat) too: CHUNK units per transaction."""
    estate = run.estate
    with transaction.atomic():
        # Under the period's lock: a closed period is refused, and the run is marked going
        # again (a redelivered run too), so the period cannot be closed under it.
        _lock_period(estate, run.period)
        _refuse_closed(estate, run.period)
        BillingRun.objects.filter(pk=run.pk).update(status=BillingRun.Status.RUNNING)
    by_unit: dict[int, list[Line]] = defaultdict(list)
    for line in lines_for(estate, run.period):
        by_unit[line.unit_id].append(line)
    BillingRun.objects.filter(pk=run.pk).update(units_total=len(by_unit), units_done=0)
    due = rules.due_on(run.period, estate.service_settings.fee_due_day)
    unit_ids = sorted(by_unit)
    for first in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[first : first + CHUNK]
        issued = bill_chunk(run, estate.pk, {u: by_unit[u] for u in chunk}, due, cycle_of(estate))
        BillingRun.objects.filter(pk=run.pk).update(
            units_done=F("units_done") + len(chunk), charges_issued=F("charges_issued") + issued
        )
    BillingRun.objects.filter(pk=run.pk).update(
        status=BillingRun.Status.DONE, finished_at=timezone.now(), units_done=len(by_unit)
    )
    run.refresh_from_db()
    return run


def bill_chunk(
    run: BillingRun, estate_id: int, lines: dict[int, list[Line]], due: dt.date, months: int = 1
) -> int:
    """Some units' charges of the period, in one transaction under their account locks (taken
    in unit order, so two runs at once queue instead of deadlocking): only the charges they
    have not got yet. Held credit is applied to the new charges."""
    unit_ids = sorted(lines)
    with transaction.atomic():
        Account.objects.bulk_create(
            [Account(unit_id=u, estate_id=estate_id) for u in unit_ids], ignore_conflicts=True
        )
        list(
            Account.objects.select_for_update()
            .filter(pk__in=unit_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        have = set(
            Charge.objects.filter(
                unit_id__in=unit_ids, period=run.period, run__isnull=False
            ).values_list("unit_id", "item_id")
        )
        new = [
            Charge(
                estate_id=estate_id,
                unit_id=unit_id,
                item=line.item,
                period=run.period,
                due_on=due,
                amount=line.amount,
                tariff=line.tariff,
                run=run,
                months=months,
            )
            for unit_id in unit_ids
            for line in lines[unit_id]
            if (unit_id, line.item.pk) not in have
        ]
        Charge.objects.bulk_create(new)
        now = timezone.now()
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    estate_id=estate_id,
                    unit_id=c.unit_id,
                    kind=LedgerEntry.Kind.CHARGE,
                    amount=c.amount,
                    charge=c,
                    at=now,
                )
                for c in new
            ]
        )
        with_credit = Payment.objects.filter(
            unit_id__in={c.unit_id for c in new}, reversed_at__isnull=True, unapplied__gt=0
        ).values("unit_id")
        for unit in Unit.objects.filter(pk__in=with_credit).order_by("pk"):
            apply_credit(unit)
        return len(new)


def period_close(*, estate, period: dt.date, actor) -> ClosedPeriod:
    """Close a billed period to further runs. Refused while a run of the period is going (it
    would go on billing a closed period): let it finish, or start it again to finish it."""
    check_actor(actor, estate=estate, roles=FEE_FINANCE, message=NOT_ALLOWED)
    period = _check_period(estate, period)
    with transaction.atomic():
        _lock_period(estate, period)
        if BillingRun.objects.filter(
            estate=estate, period=period, status=BillingRun.Status.RUNNING
        ).exists():
            raise InvalidTransition(
                _(
                    "A billing run for %(period)s is still going: let it finish before closing "
                    "the period."
                )
                % {"period": period.strftime("%Y-%m")},
                code="run_going",
            )
        closed, _created = ClosedPeriod.objects.get_or_create(
            estate=estate, period=period, defaults={"closed_by": actor}
        )
    return closed


def bill_due_periods(today: dt.date | None = None) -> int:
    """Beat's billing: every estate with a rate in force gets the run of its current period (its
    month, or its half-year), once it is not closed (idempotent: a run already done bills
    nothing more). Returns the charges issued."""
    today = today or timezone.localdate()
    issued = 0
    half = rules.cycle_start(today, 6)
    month = rules.period_of(today)
    with_rates = set(
        Tariff.objects.filter(_valid_on(half) | _valid_on(month)).values_list(
            "estate_id", flat=True
        )
    )
    for estate in Estate.objects.filter(pk__in=with_rates).order_by("pk"):
        period = _check_period(estate, today)
        finished = BillingRun.objects.filter(
            estate=estate, period=period, status=BillingRun.Status.DONE
        ).exists()
        closed = ClosedPeriod.objects.filter(estate=estate, period=period).exists()
        if (
            finished
            or closed
            or not Tariff.objects.filter(_valid_on(period), estate=estate).exists()
        ):
            continue
        run = start_run(estate, period)
        issued += issue_run(run).charges_issued
    return issued
