"""Vacant units: the monthly plan, the inspections, the report page and its export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keys import services
from keys.models import VacantInspection
from keys.selectors import vacant_report
from propserv.models import Unit
from tests.factories import UnitFactory
from tests.keys.helpers import at, make_key, page

pytestmark = pytest.mark.django_db


def test_vacant_plan_covers_unoccupied_units_whose_keys_we_hold(estate, staff):
    vacant = UnitFactory(building__estate=estate, code="1-1-101", status=Unit.Status.VACANT)
    sold = UnitFactory(building=vacant.building, code="1-1-102", status=Unit.Status.SOLD)
    occupied = UnitFactory(building=vacant.building, code="1-1-103", status=Unit.Status.OCCUPIED)
    no_key = UnitFactory(building=vacant.building, code="1-1-104", status=Unit.Status.VACANT)
    for u in (vacant, sold, occupied):
        make_key(estate, staff["frontdesk"], u)
    month = dt.date(2026, 3, 1)
    assert services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"]) == 2
    assert services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"]) == 0
    planned = VacantInspection.objects.filter(month=month)
    assert set(planned.values_list("unit__code", flat=True)) == {"1-1-101", "1-1-102"}
    assert all(i.planned_on.month == 3 and i.planned_on.weekday() < 5 for i in planned)
    assert no_key.code not in planned.values_list("unit__code", flat=True)

    first, second = planned.order_by("unit__code")
    with pytest.raises(ValidationError):  # a problem needs a description and a department
        services.vacant_inspection_record(
            inspection=first, clean=False, facilities_ok=True, actor=staff["patrol"]
        )
    services.vacant_inspection_record(
        inspection=first,
        clean=False,
        facilities_ok=True,
        problem="窗户未关，地面积水",
        referred_to="工程部",
        actor=staff["patrol"],
        at=at(12, 10),
    )
    services.vacant_inspection_record(
        inspection=second, clean=True, facilities_ok=True, actor=staff["patrol"], at=at(12, 11)
    )
    report = vacant_report(estate, month)
    assert report["due_on"] == dt.date(2026, 4, 5)
    assert (report["planned"], report["done"], report["problems"], report["open_problems"]) == (
        2,
        2,
        1,
        1,
    )
    counts = {value: n for value, _label, n in report["status_counts"]}
    assert counts == {"vacant": 1, "sold": 1, "occupied": 1, "renovating": 0}
    services.vacant_problem_resolve(inspection=first, actor=staff["patrol"])
    assert vacant_report(estate, month)["open_problems"] == 0


def test_vacant_page_and_csv(desk, estate, staff):
    unit = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().strftime("%Y-%m")
    desk.post(
        reverse("keys:vacant") + f"?estate={estate.code}&month={month}", {"estate": estate.code}
    )
    body = page(desk, reverse("keys:vacant"), estate=estate.code, month=month)
    assert "2-1-301" in body
    csv_body = desk.get(
        reverse("keys:vacant-csv"), {"estate": estate.code, "month": month}
    ).content.decode("utf-8-sig")
    assert "2-1-301" in csv_body and month in csv_body


def test_vacant_csv_quotes_cells_a_spreadsheet_would_run(desk, estate, staff):
    unit = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().replace(day=1)
    services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"])
    inspection = unit.vacant_inspections.get()
    services.vacant_inspection_record(
        inspection=inspection,
        clean=False,
        facilities_ok=True,
        problem='=HYPERLINK("http://evil","点我")',
        referred_to="@SUM(1+1)",
        actor=staff["patrol"],
    )
    body = desk.get(
        reverse("keys:vacant-csv"), {"estate": estate.code, "month": f"{month:%Y-%m}"}
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@SUM(1+1)" in body
    assert ",=HYPERLINK" not in body and ",@SUM" not in body
    assert "2-1-301" in body  # ordinary cells untouched


def test_the_vacant_report_as_a_workbook_keeps_numbers_and_dates_typed(desk, estate, staff):
    unit = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().replace(day=1)
    services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"])
    response = desk.get(
        reverse("keys:vacant-csv"),
        {"estate": estate.code, "month": f"{month:%Y-%m}", "format": "xlsx"},
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(BytesIO(response.content))
    summary, plan = book.worksheets
    counts = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert 1 in counts.values()  # the planned count is a number, not text
    rows = list(plan.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "2-1-301" and isinstance(rows[0][2], dt.datetime | dt.date)
