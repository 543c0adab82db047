"""Downloads of the drill-down lists (issue 15, item 4): the same filters as the page, numbers and
dates as typed cells (read back with openpyxl), headings in the reader's language, formulas
neutralised; and the complaints monthly summary opening on the period that holds today."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UnitFactory
from tests.tickets.test_timeliness import attempt, callback, clock, complaint, repair
from tickets.reports import summary
from tickets.rules import complaints as crules
from tickets.rules import repairs as rrules

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def pm(client, staff):
    client.force_login(staff["project_manager"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # English headings unless a test asks
    return client


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def jobs(estate, other_estate, categories, staff, unit):
    now = timezone.now()
    late = repair(
        estate,
        categories["water"],
        unit=unit,
        urgent=True,
        reporter_name='=HYPERLINK("http://x")',
        received=now - 2 * H,
        arrived_at=now - 2 * H + 47 * M,
        reopen_count=2,
        technician=staff["technician"],
    )
    clock(late, rrules.ARRIVAL, due=now - 2 * H + 15 * M, met=now - 2 * H + 47 * M)
    fine = repair(estate, categories["water"], unit=unit, received=now - 3 * H)
    clock(fine, rrules.ARRIVAL, due=now - 2 * H, met=now - 3 * H + 10 * M)
    stranger = repair(
        other_estate,
        type(categories["water"]).objects.create(estate=other_estate, code="w", name="水"),
        received=now - H,
    )
    clock(stranger, rrules.ARRIVAL, due=now - 2 * H, met=now)
    return {"late": late, "fine": fine, "stranger": stranger}


@pytest.mark.django_db
def test_repair_list_xlsx_has_the_filtered_rows_with_typed_cells(pm, jobs):
    url = reverse("tickets:repair-list")
    rows = sheet_rows(pm.get(url, {"arrival": "late", "format": "xlsx"}))
    headings, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(headings, body[0], strict=True))
    assert row["Repair"] == jobs["late"].number
    assert isinstance(row["Received at"], dt.datetime)
    assert row["Minutes to arrival"] == 47 and isinstance(row["Minutes to arrival"], int)
    assert row["Times reopened"] == 2 and isinstance(row["Times reopened"], int)
    assert row["Urgent"] == 1
    assert row["Arrival"] == "Late"
    assert row["Reported by"].startswith("'=")  # a formula stays text
    # Without the filter: both of this estate's repairs, never the other estate's.
    body = sheet_rows(pm.get(url, {"format": "xlsx"}))[1:]
    assert sorted(r[0] for r in body) == sorted([jobs["late"].number, jobs["fine"].number])


@pytest.mark.django_db
def test_repair_list_csv_in_chinese_with_the_same_filters(pm, jobs):
    response = pm.get(
        reverse("tickets:repair-list"),
        {"arrival": "on_time", "format": "csv"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][0] == "报修" and "到场" in rows[0]
    assert [r[0] for r in rows[1:]] == [jobs["fine"].number]
    assert rows[1][rows[0].index("到场")] == "未超时"


@pytest.mark.django_db
def test_complaint_and_callback_downloads(pm, estate, unit, categories):
    now = timezone.now()
    late = complaint(estate, unit=unit, received=now - 9 * 24 * H, repeat_count=3)
    clock(late, crules.REPLY, due=now - 5 * 24 * H, met=now - 4 * 24 * H)
    on_time = complaint(estate, received=now - 2 * H)
    clock(on_time, crules.REPLY, due=now + H, met=now - H)
    rows = sheet_rows(
        pm.get(reverse("tickets:complaint-list"), {"reply": "late", "format": "xlsx"})
    )
    assert [r[0] for r in rows[1:]] == [late.number]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Times complained about"] == 3
    assert isinstance(row["Received at"], dt.datetime)

    job = repair(estate, categories["water"], unit=unit)
    done = callback(estate, repair_=job, due=now - H, completed=now - 2 * H, satisfaction=4)
    attempt(done, now - 3 * H, "reached")
    callback(estate, complaint_=late, due=now - H)  # overdue
    rows = sheet_rows(
        pm.get(reverse("tickets:callback-list"), {"timeliness": "on_time", "format": "xlsx"})
    )
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Ticket"] == job.number
    assert row["Satisfaction (1–5)"] == 4 and isinstance(row["Satisfaction (1–5)"], int)
    assert row["Reached on the first attempt"] == 1
    assert isinstance(row["Due"], dt.datetime)
    rows = csv_rows(
        pm.get(reverse("tickets:callback-list"), {"format": "csv", "kind": "complaint"})
    )
    assert [r[0] for r in rows[1:]] == [late.number]


@pytest.mark.django_db
def test_a_technician_gets_no_download(client, staff, jobs):
    client.force_login(staff["technician"])
    assert client.get(reverse("tickets:repair-list"), {"format": "xlsx"}).status_code == 403


# --- the complaints monthly summary -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (dt.date(2026, 11, 24), dt.date(2026, 11, 1)),  # before the report day: this month's
        (dt.date(2026, 11, 25), dt.date(2026, 12, 1)),  # from the report day: next month's
        (dt.date(2026, 12, 31), dt.date(2027, 1, 1)),  # across the year
        (dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_the_report_month_whose_period_holds_a_day(today, month):
    assert summary.month_containing(today, 25) == month
    start, end = summary.report_period(month, 25)
    assert start.date() <= today < end.date()


@pytest.mark.django_db
def test_the_summary_opens_on_the_period_holding_today_with_numbers_as_numbers(
    pm, estate, unit, staff
):
    UnitFactory(building=unit.building, code="3-2-1503", status="occupied")
    now = timezone.now()
    received = [complaint(estate, unit=unit, received=now - i * M) for i in range(3)]
    clock(received[0], crules.REPLY, due=now + H, met=now)
    url = reverse("tickets:complaint-report")
    page = pm.get(url)
    assert page.status_code == 200
    data = page.context["data"]
    start = dt.datetime.fromisoformat(data["period_start"])
    end = dt.datetime.fromisoformat(data["period_end"])
    assert start <= now < end
    assert data["received"] == 3  # today's complaints are in it
    book = load_workbook(io.BytesIO(pm.get(url, {"format": "xlsx"}).content))
    values = {
        row[0]: row[1]
        for row in book[book.sheetnames[0]].iter_rows(values_only=True)
        if row and row[0] and len(row) > 1
    }
    assert values["Complaints received"] == 3
    assert isinstance(values["Complaints received"], int)
    assert values["Replied within 4 working days"] == 1.0  # a fraction formatted as a percent
    matrix = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    total = next(r for r in matrix if r and r[0] == "Total")
    assert total[-1] == 3 and isinstance(total[-1], int)
