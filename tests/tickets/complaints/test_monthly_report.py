"""The monthly complaint summary against a hand-built month (figures worked out by hand below),
its filing (once per estate and month), the page and the XLSX/CSV downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from propserv.deadlines import deadline_cancel, sweep
from propserv.models import Notification, Unit
from tests.factories import UnitFactory
from tests.tickets.complaints.conftest import at, clock, graded
from tickets.models import (
    Callback,
    MonthlyComplaintReport,
)
from tickets.reports import exports, filing, summary
from tickets.rules import complaints as crules
from tickets.services import complaints as services
from tickets.services import queue as cb_queue
from tickets.services import repairs as repair_services

MONTH = dt.date(2026, 11, 1)  # period 2026-10-25 00:00 to 2026-11-25 00:00
AS_OF = at(2026, 11, 25, 1, 0)


def complaint(make_complaint, staff, received, *, grade="", reply=None, handled=None, **kw):
    c = make_complaint(received, **kw)
    if grade:
        services.complaint_grade(
            complaint_id=c.pk,
            grade=grade,
            reason="定级",
            invalid_reason="developer" if grade == "invalid" else "",
            actor=staff["supervisor"],
            at=received,
        )
    if reply:
        services.complaint_reply(
            complaint_id=c.pk, channel="phone", text="答复", actor=staff["frontdesk"], at=reply
        )
    if handled:
        services.complaint_mark_handled(
            complaint_id=c.pk, outcome="已处理", actor=staff["supervisor"], at=handled
        )
    return c


def call_back(ticket, staff, at_, score):
    callback = Callback.objects.get(status="pending", **{ticket._meta.model_name: ticket})
    cb_queue.callback_complete(
        callback_id=callback.pk, satisfaction=score, actor=staff["area_admin"], at=at_
    )


def repair(estate, unit, category, staff, received, completed=None):
    r = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=category,
        description="下水道堵塞",
        actor=staff["frontdesk"],
        received_at=received,
        now=received,
    )
    if completed:
        tech = staff["technician"]
        repair_services.repair_dispatch(
            repair_id=r.pk, technician=tech, actor=staff["frontdesk"], at=received
        )
        repair_services.repair_mark_arrived(repair_id=r.pk, actor=tech, at=received)
        repair_services.repair_start(repair_id=r.pk, actor=tech, at=received)
        repair_services.repair_complete(
            repair_id=r.pk, actor=tech, labour_minutes=30, signed_by="住户", at=completed
        )
    return r


@pytest.fixture
def november(estate, unit, staff, categories, make_complaint):
    """The hand-built month. 200 occupied households (the `unit` + 199), 10 vacant units."""
    UnitFactory.create_batch(199, building=unit.building, estate=estate)
    UnitFactory.create_batch(10, building=unit.building, estate=estate, status=Unit.Status.VACANT)
    other_unit, pipes_unit = UnitFactory.create_batch(2, building=unit.building, estate=estate)
    other_unit.status = pipes_unit.status = Unit.Status.VACANT
    other_unit.save()
    pipes_unit.save()
    # A: management/important. Replied and handled on time; called back on time, 5.
    a = complaint(
        make_complaint,
        staff,
        at(2026, 11, 2, 9, 0),
        category="management",
        grade="important",
        reply=at(2026, 11, 3, 9, 0),
        handled=at(2026, 11, 4, 9, 0),
    )
    call_back(a, staff, at(2026, 11, 5, 10, 0), 5)
    # B: management/minor, same unit, category and department as A: a repeat (2nd time).
    # Reply due end of Mon 16th, given 17th: late. Handling due 12th 10:00, done 13th: late.
    # Callback due 16th 10:00, done 20th: late, and dissatisfied (2).
    b = complaint(
        make_complaint,
        staff,
        at(2026, 11, 10, 10, 0),
        category="management",
        grade="minor",
        reply=at(2026, 11, 17, 9, 0),
        handled=at(2026, 11, 13, 10, 0),
    )
    call_back(b, staff, at(2026, 11, 20, 10, 0), 2)
    # C: staff/major, on time; its callback (due 22nd 09:00) not made: overdue.
    complaint(
        make_complaint,
        staff,
        at(2026, 11, 18, 9, 0),
        category="staff",
        grade="major",
        reply=at(2026, 11, 18, 15, 0),
        handled=at(2026, 11, 19, 9, 0),
    )
    # D: developer/invalid, nothing done: reply due end of 26th (not yet due), handling due
    # 23rd 09:00 (overdue).
    complaint(make_complaint, staff, at(2026, 11, 20, 9, 0), category="developer", grade="invalid")
    # E: neighbour, never graded, never answered: reply due end of 30 October, overdue.
    complaint(make_complaint, staff, at(2026, 10, 26, 10, 0), category="neighbour")
    # Outside the period: before its start and at its (exclusive) end.
    complaint(make_complaint, staff, at(2026, 10, 24, 23, 0), category="other", unit=other_unit)
    complaint(make_complaint, staff, at(2026, 11, 25, 0, 0), category="other", unit=other_unit)
    # Repairs: the same unit and category three times (a repeat); two called back.
    drainage = categories["drainage"]
    r1 = repair(estate, pipes_unit, drainage, staff, at(2026, 11, 3, 9, 0), at(2026, 11, 3, 10, 0))
    call_back(r1, staff, at(2026, 11, 4, 10, 0), 4)  # due 5th 10:00: on time
    r2 = repair(
        estate, pipes_unit, drainage, staff, at(2026, 11, 10, 9, 0), at(2026, 11, 10, 10, 0)
    )
    call_back(r2, staff, at(2026, 11, 13, 10, 0), 3)  # due 12th 10:00: late
    repair(estate, pipes_unit, drainage, staff, at(2026, 11, 20, 9, 0))
    repair(estate, pipes_unit, categories["lighting"], staff, at(2026, 11, 21, 9, 0))
    return {"a": a, "b": b}


@pytest.mark.django_db
def test_the_figures_of_the_hand_built_month(estate, november):
    data = summary.build_summary(estate, MONTH, AS_OF)
    assert data["period_start"] == at(2026, 10, 25).isoformat()
    assert data["period_end"] == at(2026, 11, 25).isoformat()
    assert data["households"] == 200
    assert data["received"] == 5
    assert data["effective"] == 3
    by_category = {row["category"]: row for row in data["by_category"]}
    assert by_category["management"] == {
        "category": "management",
        "major": 0,
        "important": 1,
        "minor": 1,
        "invalid": 0,
        "ungraded": 0,
        "total": 2,
    }
    assert by_category["staff"]["major"] == 1
    assert by_category["developer"]["invalid"] == 1
    assert by_category["neighbour"]["ungraded"] == 1
    assert by_category["other"]["total"] == 0
    assert data["totals"] == {
        "major": 1,
        "important": 1,
        "minor": 1,
        "invalid": 1,
        "ungraded": 1,
        "total": 5,
    }
    assert data["reply"] == {"on_time": 2, "late": 1, "overdue": 1, "pending": 1, "decided": 4}
    assert data["handling"] == {"on_time": 2, "late": 1, "overdue": 1, "pending": 0, "decided": 4}
    assert data["complaint_callbacks"] == {
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "pending": 0,
        "decided": 3,
    }
    assert data["repair_callbacks"] == {
        "on_time": 1,
        "late": 1,
        "overdue": 0,
        "pending": 0,
        "decided": 2,
    }
    assert data["satisfaction"] == {
        "complaint": {"answered": 2, "satisfied": 1},
        "repair": {"answered": 2, "satisfied": 2},
        "all": {"answered": 4, "satisfied": 3},
    }
    assert [(r["number"], r["first"], r["count"]) for r in data["repeat_complaints"]] == [
        (november["b"].number, november["a"].number, 2)
    ]
    assert [(r["category"], r["count"]) for r in data["repeat_repairs"]] == [("下水道堵塞", 3)]

    with translation.override("en"):
        indicators = {label: value for label, value, _detail in summary.indicator_rows(data)}
    assert indicators["Effective-complaint rate (of households)"] == "1.50%"
    assert indicators["Replied within 4 working days"] == "50.0%"
    assert indicators["Handled within deadline"] == "50.0%"
    assert indicators["Complaint callback rate"] == "33.3%"
    assert indicators["Repair callback rate"] == "50.0%"
    assert indicators["Satisfaction rate"] == "75.0%"


@pytest.mark.django_db
def test_downloads_have_chinese_headings_and_the_same_figures(estate, november):
    data = summary.build_summary(estate, MONTH, AS_OF)
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    assert workbook.sheetnames == ["汇总", "分类与等级", "重复投诉", "重复报修"]
    # Numbers are numbers: counts as integers, rates as fractions shown with a percent format.
    cells = {row[0].value: row[1] for row in workbook["汇总"].iter_rows(min_row=5)}
    assert cells["4个工作日内回复率"].value == 0.5
    assert cells["4个工作日内回复率"].number_format == "0.0%"
    assert cells["有效投诉率（占户数）"].value == 0.015
    assert cells["有效投诉率（占户数）"].number_format == "0.00%"
    assert cells["满意率"].value == 0.75
    assert cells["受理投诉数"].value == 5
    matrix = list(workbook["分类与等级"].iter_rows(min_row=4, values_only=True))
    assert matrix[0] == ("投诉类别", "重大", "重要", "轻微", "无效", "未定级", "合计")
    assert matrix[1] == ("管理责任类", 0, 1, 1, 0, 0, 2)
    assert matrix[-1] == ("合计", 1, 1, 1, 1, 1, 5)

    text = exports.to_csv(data)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["投诉情况月汇总表 2026-11 – 翠湖花园"]
    assert ["管理责任类", "0", "1", "1", "0", "0", "2"] in rows
    assert ["4个工作日内回复率", "50.0%", "按时 2，超时 1，逾期未办 1，未到期 1"] in rows


@pytest.mark.django_db
def test_filed_once_per_estate_and_month_by_the_report_day(estate, november, staff):
    assert filing.file_due_reports(now=at(2026, 11, 24, 23, 0)) == 0
    assert filing.file_due_reports(now=AS_OF) == 1
    assert filing.file_due_reports(now=AS_OF) == 0
    assert filing.file_due_reports(now=at(2026, 11, 28, 9, 0)) == 0
    report = MonthlyComplaintReport.objects.get(estate=estate)
    assert report.month == MONTH
    assert report.data["received"] == 5
    assert (
        Notification.objects.filter(
            recipient=staff["project_manager"], dedupe_key=f"complaint-report:{estate.pk}:2026-11"
        ).count()
        == 1
    )
    # Later events do not change the filed figures.
    report2, created = filing.file_report(estate, MONTH, now=at(2026, 11, 30))
    assert (report2.pk, created) == (report.pk, False)


@pytest.mark.django_db
def test_the_page_and_downloads_for_the_project_manager(client, estate, november, staff):
    url = reverse("tickets:complaint-report")
    client.force_login(staff["frontdesk"])
    assert client.get(url, {"month": "2026-11"}).status_code == 403
    client.force_login(staff["project_manager"])
    page = client.get(url, {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "投诉情况月汇总表 2026-11" in html
    assert "1.50%" in html
    assert november["b"].number in html
    xlsx = client.get(url, {"month": "2026-11", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="complaints-CUIHU-2026-11.xlsx"' in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"
    csv_response = client.get(url, {"month": "2026-11", "format": "csv"})
    assert "管理责任类" in csv_response.content.decode("utf-8-sig")
    # A month whose period has not ended cannot be filed: no button, and a POST is refused.
    running = summary.month_start(timezone.localdate() + dt.timedelta(days=40))
    page = client.get(url, {"month": f"{running:%Y-%m}"}).content.decode()
    assert 'data-testid="not-fileable"' in page
    assert "立即归档本月汇总" not in page
    refused = client.post(url, {"month": f"{running:%Y-%m}"}, follow=True).content.decode()
    assert "之后才能归档" in refused
    assert not MonthlyComplaintReport.objects.filter(estate=estate).exists()
    # An ended period is filed on demand, once.
    client.post(url, {"month": "2026-10"})
    client.post(url, {"month": "2026-10"})
    assert MonthlyComplaintReport.objects.filter(estate=estate).count() == 1
    assert 'data-testid="filed"' in client.get(url, {"month": "2026-10"}).content.decode()


@pytest.mark.django_db
def test_a_description_that_looks_like_a_formula_stays_text_in_the_downloads(
    estate, make_complaint, staff
):
    """A complainant's text goes through propserv.exports: "=…" must never become a formula."""
    formula = '=HYPERLINK("http://evil.example","点我")'
    first = make_complaint(at(2026, 11, 2, 9, 0), description=formula)
    for day in (3, 4):
        make_complaint(at(2026, 11, day, 9, 0), description=formula, same_matter_as=first)
    data = summary.build_summary(estate, MONTH, AS_OF)
    assert data["repeat_complaints"] and data["repeat_complaints"][0]["summary"] == formula
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(data)))["重复投诉"]
    cells = [c for row in sheet.iter_rows(min_row=5) for c in row if c.value]
    texts = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert texts and all(t.startswith("'=") for t in texts)
    assert all(c.data_type != "f" for c in cells)
    rows = list(csv.reader(io.StringIO(exports.to_csv(data).lstrip("\ufeff"))))
    found = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert found and all(cell.startswith("'=") for cell in found)


# --- a breached clock counts as late; a running month is not filed -----------------------------------
@pytest.mark.django_db
def test_the_summary_counts_a_cancelled_breached_clock_as_late(make_complaint, staff, estate):
    complaint = graded(make_complaint, staff, "minor", category="other")
    handle = clock(complaint, crules.HANDLE)
    sweep(now=handle.due_at + dt.timedelta(seconds=1))
    deadline_cancel(subject=complaint, kind=crules.HANDLE, at=handle.due_at + dt.timedelta(hours=1))
    data = summary.build_summary(estate, dt.date(2026, 11, 1), at(2026, 11, 25, 1, 0))
    assert data["handling"]["late"] == 1
    assert data["handling"]["decided"] == 1


@pytest.mark.django_db
def test_a_month_is_filed_only_after_its_period_ends(estate):
    month = dt.date(2026, 11, 1)  # period ends 2026-11-25 00:00
    with pytest.raises(ValidationError):
        filing.file_report(estate, month, now=at(2026, 11, 24, 23, 59))
    assert not MonthlyComplaintReport.objects.exists()
    report, created = filing.file_report(estate, month, now=at(2026, 11, 25, 0, 0))
    assert created and report.month == month
