"""Fees' card on the managers' dashboard (docs/domain.md, "Fees"): arrears by age bucket (amount
and units, with a bar chart), money collected in the period against the period before, units on
the arrears notice and large debts. Three statements whatever the period — the arrears as one
aggregate over the per-unit ageing (fees.selectors), the collections as two filtered sums over
the ledger, the estates' thresholds — registered in `FeesConfig.ready`.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fees import selectors
from fees.models import LedgerEntry
from propserv.models import EstateSettings
from propserv.registry import Chart, Kpi, KpiCard, KpiProvider
from propserv.roles import FEE_FINANCE, MANAGERS

OVERDUE = (
    ("d1_30", _("Owing 1–30 days"), _("Units owing 1–30 days")),
    ("d31_90", _("Owing 31–90 days"), _("Units owing 31–90 days")),
    ("d91_180", _("Owing 91–180 days"), _("Units owing 91–180 days")),
    ("d181", _("Owing 181 days and more"), _("Units owing 181 days and more")),
)
ZERO = Decimal("0.00")


def arrears_figures(estate_ids: list[int], today) -> dict:
    """One statement: per bucket the amount owed and the units owing something in it, the units
    at or past their estate's notice months and large-debt amount, and what those owe."""
    inner, params = (
        selectors.ageing(estate_ids, today)
        .filter(total__gt=0)
        .values("estate_id", "total", "months", *(key for key, *_labels in OVERDUE))
        .order_by()
        .query.sql_with_params()
    )
    sums = ", ".join(
        f"COALESCE(SUM(a.{key}), 0), COUNT(*) FILTER (WHERE a.{key} > 0)"
        for key, *_labels in OVERDUE
    )
    # Only constants and Django's own compiled query go into the text; values are parameters.
    sql = (
        f"SELECT {sums}, "  # noqa: S608  # nosec B608 - constants and Django's compiled SQL only; values are parameters
        "COUNT(*) FILTER (WHERE a.months >= s.arrears_notice_months), "
        "COUNT(*) FILTER (WHERE a.total >= s.large_debt_amount), "
        "COALESCE(SUM(a.total) FILTER (WHERE a.total >= s.large_debt_amount), 0) "
        f"FROM ({inner}) a JOIN {EstateSettings._meta.db_table} s ON s.estate_id = a.estate_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    out: dict = {}
    for i, (key, *_labels) in enumerate(OVERDUE):
        out[key] = values[2 * i]
        out[f"{key}_units"] = values[2 * i + 1]
    n = 2 * len(OVERDUE)
    out["notice_units"], out["large_units"], out["large_total"] = values[n : n + 3]
    return out


def collected(estate_ids: list[int], period) -> dict:
    """One statement: money taken less payments reversed, in the period and the one before
    (each on the day it happened, as the cash desk counts them)."""
    kinds = (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.PAYMENT_REVERSED)

    def within(start, end):
        return Q(at__gte=start, at__lt=end)

    row = LedgerEntry.objects.filter(
        estate_id__in=estate_ids,
        kind__in=kinds,
        at__gte=min(period.previous_start, period.start),
        at__lt=max(period.previous_end, period.end),
    ).aggregate(
        now=Sum("amount", filter=within(period.start, period.end)),
        before=Sum("amount", filter=within(period.previous_start, period.previous_end)),
    )
    # Payments are credits (negative) on the ledger, reversals debits: collected = −sum.
    return {key: -(value or ZERO) + ZERO for key, value in row.items()}


def _url(name: str, estate_code: str, **query) -> str:
    params = {"estate": estate_code, **query} if estate_code else query
    return reverse(name) + ("?" + urlencode(params) if params else "")


def compute(user, estate_ids: list[int], period, today=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    today = today or timezone.localdate()
    f = arrears_figures(estate_ids, today)
    money = collected(estate_ids, period)
    thresholds = list(
        EstateSettings.objects.filter(estate_id__in=estate_ids)
        .order_by("estate_id")
        .values_list("estate__code", "arrears_notice_months", "large_debt_amount")
    )
    # The drill-downs open the arrears list of one estate: the only one, else the first.
    code, notice_months, large_amount = thresholds[0] if thresholds else ("", 6, ZERO)
    code = code if len(estate_ids) == 1 else ""
    kpis = []
    for key, amount_label, units_label in OVERDUE:
        url = _url("fees:arrears", code, in_bucket=key)
        kpis.append(Kpi(f"arrears_{key}", amount_label, f[key], better="lower", unit="¥", url=url))
        kpis.append(Kpi(f"arrears_{key}_units", units_label, f[f"{key}_units"], url=url))
    kpis += [
        Kpi(
            "collected",
            _("Fees collected"),
            money["now"],
            money["before"],
            unit="¥",
            url=_url("fees:days", code),
        ),
        Kpi(
            "notice_units",
            _("Units on the arrears notice"),
            f["notice_units"],
            target=0,
            better="lower",
            url=_url("fees:arrears", code, min_months=notice_months),
        ),
        Kpi(
            "large_debts",
            _("Large debts (units)"),
            f["large_units"],
            better="lower",
            url=_url("fees:arrears", code, min_amount=large_amount),
        ),
        Kpi(
            "large_debts_total",
            _("Large debts (¥)"),
            f["large_total"],
            better="lower",
            unit="¥",
            url=_url("fees:arrears", code, min_amount=large_amount),
        ),
    ]
    labels = tuple(str(label) for _key, label, _units in OVERDUE)
    charts = (
        Chart(
            "arrears_amounts",
            _("Arrears by age (¥)"),
            "bar",
            labels=labels,
            series=((str(_("Owing (¥)")), tuple(f[key] for key, *_labels in OVERDUE)),),
            unit="¥",
        ),
        Chart(
            "arrears_units",
            _("Units in arrears by age"),
            "bar",
            labels=labels,
            series=(
                (
                    str(pgettext_lazy("fees", "Units")),
                    tuple(f[f"{key}_units"] for key, *_labels in OVERDUE),
                ),
            ),
        ),
    )
    return [KpiCard("fees", _("Fees and arrears"), kpis=tuple(kpis), charts=charts, order=40)]


PROVIDER = KpiProvider("fees", compute, roles=MANAGERS | FEE_FINANCE, order=40)
