"""Every tickets KPI against the hand-built month of tests/tickets/kpi_dataset.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propserv.dashboard.period import days_period, month_period
from tests.tickets import kpi_dataset as data
from tickets.kpis import callbacks, complaints, now, repairs
from tickets.models import Callback, Complaint, Repair
from tickets.selectors import timeliness

NOVEMBER = month_period(dt.date(2026, 11, 1))


@pytest.fixture
def dataset(estate, unit, staff, categories):
    return data.build(estate, unit, staff, categories)


def kpis_of(card):
    return {k.key: k for k in card.kpis}


@pytest.mark.django_db
def test_repair_figures(estate, staff, dataset):
    (card,) = repairs.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    k = kpis_of(card)
    assert (k["received"].value, k["received"].previous) == (6, 1)  # 23:58 on 31 Oct: October's
    assert (k["urgent_arrival"].value, k["urgent_arrival"].previous) == (50.0, None)
    assert k["urgent_arrival"].target == 99 and k["urgent_arrival"].misses_target
    assert (k["normal_arrival"].value, k["normal_arrival"].previous) == (50.0, 100.0)
    assert (k["median_arrival"].value, k["median_arrival"].previous) == (20.0, 12.0)
    assert k["p90_arrival"].value == 24.0  # 10, 20, 25 minutes
    assert k["completion"].value == 50.0  # on time R1 R2; late R4 (its rework), R5
    assert (k["reopened"].value, k["reopened"].previous) == (1, 0)
    assert not k["received"].misses_target
    assert "urgent=1" in k["urgent_arrival"].url and "arrival=late" in k["urgent_arrival"].url
    assert "received_from=2026-11-01" in k["urgent_arrival"].url
    assert "received_to=2026-11-30" in k["urgent_arrival"].url


@pytest.mark.django_db
def test_repair_tables_and_charts(estate, staff, dataset):
    (card,) = repairs.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    by_category, by_technician = card.tables
    cats = {row["name"]: row for row in by_category.rows}
    assert cats["水管爆裂/漏水"]["received"] == 2 and cats["水管爆裂/漏水"]["late"] == 1
    assert cats["门窗"]["received"] == 2 and cats["停电/电路故障"]["received"] == 2
    techs = {row["name"]: row for row in by_technician.rows}
    a = techs[dataset["tech_a"].username]
    assert (a["jobs"], a["arrival"], a["late"], a["satisfaction"]) == (3, 50.0, 1, 50.0)
    b = techs["李 师傅"]
    assert (b["jobs"], b["arrival"], b["satisfaction"]) == (1, 100.0, None)
    charts = {c.key: c for c in card.charts}
    daily = charts["repairs_received_daily"]
    assert daily.labels == ("11-02", "11-03", "11-05", "11-06", "11-19", "11-20")
    assert daily.series[0][1] == (1, 1, 1, 1, 1, 1)
    histogram = charts["arrival_minutes"]
    assert histogram.series[0][1][:6] == (0, 0, 1, 0, 1, 1)  # 10, 20, 25 minutes
    assert [x for x, _label in histogram.marks] == [3.0, 6.0]


@pytest.mark.django_db
def test_callback_figures(estate, staff, dataset):
    (card,) = callbacks.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    k = kpis_of(card)
    assert k["due"].value == 4
    assert k["within_deadline"].value == 33.3  # on time C1; late C2; overdue C3
    assert k["repair_within"].value == 50.0 and k["complaint_within"].value == 0.0
    assert k["overdue"].value == 1 and k["overdue"].misses_target
    assert k["first_attempt"].value == 50.0  # C2 took three attempts
    assert k["satisfaction"].value == 50.0 and k["satisfaction"].misses_target
    assert "timeliness=late" in k["within_deadline"].url


@pytest.mark.django_db
def test_complaint_figures(estate, staff, dataset):
    (card,) = complaints.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    k = kpis_of(card)
    assert (k["received"].value, k["received"].previous) == (4, 1)
    assert k["replied"].value == 33.3 and k["replied"].previous == 100.0
    assert k["overdue_now"].value == 1
    # effective: K1 (regraded to important) and K2 of 250 occupied households (+ the fixture's)
    households = data.HOUSEHOLDS + 1
    assert k["effective_rate"].value == round(2000 / households, 1)
    assert k["effective_rate"].previous == round(1000 / households, 1)
    assert k["effective_rate"].target == 10 and not k["effective_rate"].misses_target
    assert k["repeats"].value == 1
    (matrix,) = card.tables
    management = matrix.rows[0]  # the categories in their order: management first
    assert (management["important"], management["invalid"], management["total"]) == (1, 1, 2)
    assert sum(row["total"] for row in matrix.rows) == 4
    assert sum(row["ungraded"] for row in matrix.rows) == 1


@pytest.mark.django_db
def test_right_now_groups_by_who_must_act(estate, staff, dataset):
    (card,) = now.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    k = kpis_of(card)
    assert (k["breached"].value, k["at_risk"].value) == (4, 1)
    (table,) = card.tables
    by_person = {}
    for row in table.rows:
        by_person.setdefault(row["person_id"], [0, 0])
        by_person[row["person_id"]][0] += row["breached"]
        by_person[row["person_id"]][1] += row["at_risk"]
    assert by_person == {
        None: [3, 0],  # R5's two clocks, K3's reply: nobody named yet
        dataset["tech_b"].pk: [1, 0],  # R4's rework completion
        dataset["tech_a"].pk: [0, 1],  # R7's arrival, past its warning time
    }


@pytest.mark.django_db
def test_other_estates_are_not_counted(estate, other_estate, staff, dataset):
    (card,) = repairs.compute(staff["project_manager"], [other_estate.pk], NOVEMBER, now=data.NOW)
    assert kpis_of(card)["received"].value == 0
    assert kpis_of(card)["urgent_arrival"].value is None  # no data: a dash, never 0 %


@pytest.mark.django_db
def test_statement_count_is_the_same_for_a_month_and_a_year(estate, staff, dataset):
    year = days_period(dt.date(2025, 12, 1), dt.date(2026, 11, 30))

    def statements(period):
        with CaptureQueriesContext(connection) as ctx:
            for provider in (now, repairs, callbacks, complaints):
                provider.compute(staff["project_manager"], [estate.pk], period, now=data.NOW)
        return len(ctx.captured_queries)

    statements(NOVEMBER)  # content types cached
    assert statements(NOVEMBER) == statements(year)
    (card,) = repairs.compute(staff["project_manager"], [estate.pk], year, now=data.NOW)
    assert kpis_of(card)["received"].value == 7


@pytest.mark.django_db
def test_figures_agree_with_the_lists_filters(estate, staff, dataset):
    """The counts behind each figure equal the drill-down lists' own filters."""
    (card,) = repairs.compute(staff["project_manager"], [estate.pk], NOVEMBER, now=data.NOW)
    cur = repairs.aggregate([estate.pk], NOVEMBER, now=data.NOW)["cur"]
    november = Repair.objects.filter(
        estate=estate, received_at__gte=NOVEMBER.start, received_at__lt=NOVEMBER.end
    )
    for prefix, flt in (("urgent", {"urgent": True}), ("normal", {"urgent": False})):
        for verdict in ("on_time", "late"):
            listed = november.filter(timeliness.repair_arrival_q(verdict, data.NOW), **flt)
            assert listed.count() == cur[f"{prefix}_{verdict}"], (prefix, verdict)
    for verdict in ("on_time", "late"):
        listed = november.filter(timeliness.repair_completion_q(verdict, data.NOW))
        assert listed.count() == cur[f"completion_{verdict}"], verdict
    replies = complaints.aggregate([estate.pk], NOVEMBER, now=data.NOW)["cur"]
    november_complaints = Complaint.objects.filter(
        estate=estate, received_at__gte=NOVEMBER.start, received_at__lt=NOVEMBER.end
    )
    for verdict in ("on_time", "late", "overdue"):
        listed = november_complaints.filter(timeliness.complaint_reply_q(verdict, data.NOW))
        assert listed.count() == replies[f"reply_{verdict}"], verdict
    due = callbacks.aggregate([estate.pk], NOVEMBER, now=data.NOW)[0]
    november_callbacks = Callback.objects.filter(
        estate=estate, due_at__gte=NOVEMBER.start, due_at__lt=NOVEMBER.end
    )
    for verdict in ("on_time", "late", "overdue"):
        assert (
            november_callbacks.filter(timeliness.callback_q(verdict, data.NOW)).count()
            == (due[verdict])
        )
    first = november_callbacks.filter(status="done").filter(timeliness.callback_first_attempt_q())
    assert first.count() == due["first_attempt"] == 1
