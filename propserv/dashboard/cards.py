"""Reading the registered KPI cards for a user, estates and a period, and turning them into
plain data (the template, the API and the exports all start here)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from propserv.charts import svg
from propserv.exports import Column, Table
from propserv.models import Estate, estate_ids_of
from propserv.registry import KpiCard, registry
from propserv.roles import MANAGERS, has_role


def may_view(user) -> bool:
    return has_role(user, MANAGERS)


def scope(user, requested: str | None) -> tuple[list[int], Estate | None, list[Estate]]:
    """(the estate ids the figures cover, the one estate chosen or None for all, the user's
    estates). An estate the user does not cover is ignored: all of theirs are shown."""
    estates = list(
        (
            Estate.objects.all()
            if user.is_superuser
            else Estate.objects.filter(pk__in=estate_ids_of(user))
        ).order_by("name")
    )
    chosen = None
    if requested and str(requested).isdigit():
        chosen = next((e for e in estates if e.pk == int(requested)), None)
    ids = [chosen.pk] if chosen else [e.pk for e in estates]
    return ids, chosen, estates


def cards_for(user, estate_ids: list[int], period) -> list[KpiCard]:
    cards: list[KpiCard] = []
    if not estate_ids:
        return cards
    for provider in registry.kpis_for(user):
        cards.extend(provider.compute(user, estate_ids, period))
    return sorted(cards, key=lambda c: (c.order, c.key))


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def kpi_data(kpi) -> dict:
    return {
        "key": kpi.key,
        "label": str(kpi.label),
        "value": _number(kpi.value),
        "previous": _number(kpi.previous),
        "target": _number(kpi.target),
        "better": kpi.better,
        "unit": kpi.unit,
        "misses_target": kpi.misses_target,
        "url": kpi.url,
    }


def table_data(table: Table) -> dict:
    return {
        "title": str(table.title),
        "columns": [{"key": c.key, "heading": str(c.heading)} for c in table.columns],
        "rows": [
            {c.key: _number(row.get(c.key)) for c in table.columns} | {"url": row.get("url", "")}
            for row in table.rows
        ],
    }


def chart_data(chart) -> dict:
    return {
        "key": chart.key,
        "title": str(chart.title),
        "kind": chart.kind,
        "unit": chart.unit,
        "labels": [str(label) for label in chart.labels],
        "series": [
            {"name": str(name), "values": [_number(v) for v in values]}
            for name, values in chart.series
        ],
        "marks": [{"x": x, "label": str(label)} for x, label in chart.marks],
    }


def card_data(card: KpiCard) -> dict:
    return {
        "key": card.key,
        "title": str(card.title),
        "kpis": [kpi_data(k) for k in card.kpis],
        "tables": [table_data(t) for t in card.tables],
        "charts": [chart_data(c) for c in card.charts],
    }


def card_view(card: KpiCard) -> dict:
    """What the template shows: the card's data with each table's cells in column order and
    each chart drawn as SVG."""
    data = card_data(card)
    for table in data["tables"]:
        keys = [c["key"] for c in table["columns"]]
        table["cells"] = [
            {"url": row.get("url", ""), "values": [row.get(k) for k in keys]}
            for row in table["rows"]
        ]
    for kpi in data["kpis"]:
        kpi["value_text"] = shown(kpi["value"], kpi["unit"])
        kpi["previous_text"] = shown(kpi["previous"], kpi["unit"])
        if kpi["target"] is not None:
            sign = "≤" if kpi["better"] == "lower" else "≥"
            kpi["target_text"] = f"{sign} {shown(kpi['target'], kpi['unit'])}"
    data["svgs"] = [svg(c) for c in card.charts]
    return data


def shown(value: Any, unit: str) -> str:
    """A figure as the page prints it: a dash for no data, the unit after the number."""
    if value is None:
        return "–"
    if isinstance(value, float):
        value = int(value) if value.is_integer() else f"{value:.1f}"
    if unit in ("%", "‰"):
        return f"{value}{unit}"
    if unit == "min":
        return _("%(minutes)s min") % {"minutes": value}
    return f"{unit}{value}" if unit == "¥" else str(value)


def export_tables(cards: list[KpiCard], preamble: list[str]) -> list[Table]:
    """The dashboard as spreadsheet sections: a table of every figure, then each card's tables."""
    rows = [
        {
            "card": str(card.title),
            "label": str(k.label),
            "value": _number(k.value),
            "previous": _number(k.previous),
            "target": _number(k.target),
            "unit": k.unit,
            "status": _("Below target") if k.misses_target else "",
        }
        for card in cards
        for k in card.kpis
    ]
    figures = Table(
        _("Figures"),
        [
            Column("card", _("Card"), width=16),
            Column("label", _("Figure"), width=40),
            Column("value", _("Value")),
            Column("previous", _("Previous period")),
            Column("target", _("Target")),
            Column("unit", _("Unit of measure"), width=8),
            Column("status", _("Against the target"), width=16),
        ],
        rows,
        preamble,
    )
    return [figures, *(table for card in cards for table in card.tables)]
