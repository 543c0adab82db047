"""The quality pages and API: nav, a check recorded from the page, bad input kept on the form
with nothing written, the defect closure record's forms, the findings report (print, XLSX), the
per-person summary, the dashboard card, the API's writes, scoping and errors."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections.kpis import quality as kpis_quality
from inspections.models import CheckKind, Defect, FaultTransfer, QualityCheck, WeatherWarning
from inspections.services import quality
from inspections.services.quality import Finding
from propserv.dashboard.period import month_period
from propserv.models import Department
from propserv.registry import registry
from tests.conftest import PASSWORD, api_as
from tests.factories import make_staff
from tests.inspections.helpers import at
from tests.inspections.test_quality import (
    DAILY_ITEMS,
    MONTHLY_ITEMS,
    NIGHT_ITEMS,
    monthly_check,
    night_check,
    template,
)

pytestmark = pytest.mark.django_db


def as_user(client, name):
    """Logged in as `name`, reading English (the assertions look for English messages)."""
    client.login(username=name, password=PASSWORD)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def api_en(user):
    client = api_as(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_nav_entry_for_quality_and_managers_only(staff):
    keys = {role: {e.key for e in registry.nav_for(user)} for role, user in staff.items()}
    for role in ("quality", "supervisor", "project_manager", "gm"):
        assert "inspections.quality" in keys[role]
    for role in ("frontdesk", "technician", "patrol", "finance"):
        assert "inspections.quality" not in keys[role]


def test_home_and_a_scored_check_from_the_page(client, estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    as_user(client, "quality")
    home = client.get(reverse("inspections:quality"))
    assert home.status_code == 200 and tpl.name in home.content.decode()
    url = reverse("inspections:quality-check-new", args=[tpl.pk])
    form = {"r_i1": "25", "r_i2": "20", "r_i3": "40", "f1_description": "大堂地面污渍"}
    form["f1_specialty"] = Department.CLEANING
    form["f2_specialty"] = form["f3_specialty"] = Department.OTHER
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "must be between 0 and 20" in refused.content.decode()
    assert "大堂地面污渍" in refused.content.decode()  # the input is kept
    assert not QualityCheck.objects.exists() and not Defect.objects.exists()
    form["r_i1"] = "19"
    done = client.post(url, form)
    check = QualityCheck.objects.get()
    assert done.status_code == 302 and done["Location"] == check.get_absolute_url()
    assert check.score == 79 and check.defects.get().specialty == Department.CLEANING
    assert client.get(check.get_absolute_url()).status_code == 200


def test_defect_page_refuses_a_fix_without_cause_then_records_and_transfers(client, estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    check = monthly_check(tpl, staff, at(7, 10), findings=[Finding("水泵故障"), Finding("灯不亮")])
    pump, lamp = check.defects.order_by("pk")
    as_user(client, "supervisor")
    url = reverse("inspections:quality-defect", args=[lamp.pk])
    refused = client.post(url, {"action": "fix", "fix-cause": "", "fix-fix": "换灯"})
    assert refused.status_code == 400 and "Record the cause" in refused.content.decode()
    lamp.refresh_from_db()
    assert lamp.status == Defect.Status.OPEN
    assert (
        client.post(url, {"action": "fix", "fix-cause": "老化", "fix-fix": "换灯"}).status_code
        == 302
    )
    lamp.refresh_from_db()
    assert lamp.status == Defect.Status.FIXED
    url = reverse("inspections:quality-defect", args=[pump.pk])
    moved = client.post(
        url,
        {"action": "transfer", "transfer-department": "engineering", "transfer-reason": "需外修"},
    )
    assert moved.status_code == 302 and FaultTransfer.objects.get().defect == pump
    form = client.get(reverse("inspections:quality-transfer", args=[pump.pk]))
    assert form.status_code == 200 and "需外修" in form.content.decode()
    # The verify form is the quality department's only.
    assert client.post(url, {"action": "verify", "verify-passed": "1"}).status_code == 403


def test_findings_report_and_staff_summary(client, estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    monthly_check(
        tpl,
        staff,
        at(7, 10),
        findings=[
            Finding("地面污渍", Department.CLEANING, responsible=staff["area_admin"]),
            Finding("灯不亮", Department.ENGINEERING, responsible=staff["area_admin"]),
        ],
    )
    daily = template(estate, staff, CheckKind.SUPERVISOR, DAILY_ITEMS)
    quality.quality_check_record(
        template=daily,
        results={"i1": "fail"},
        findings=[
            Finding(
                "脱岗", Department.SECURITY, duty_failure="left_post", responsible=staff["patrol"]
            ),
        ],
        actor=staff["supervisor"],
        at=at(7, 11),
    )
    as_user(client, "project_manager")
    base = reverse("inspections:quality-findings") + "?month=2026-07"
    html = client.get(base).content.decode()
    assert "地面污渍" in html and "灯不亮" in html
    xlsx = client.get(base + "&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    security = next((r for r in values if r and r[0] == "Security"), values)
    assert security[1:4] == [1, 0, 1]  # one logged, none exempt, one failure of duty
    assert client.get(base + "&format=pdf")["Content-Type"] == "application/pdf"
    summary = client.get(reverse("inspections:quality-staff") + "?month=2026-07&format=csv")
    text = summary.content.decode("utf-8-sig")
    lines = {line.split(",")[0]: line.split(",") for line in text.splitlines() if line}
    assert lines["area_admin"][5] == "2"  # two defects to answer for
    assert lines["patrol"][4] == "1"  # one failure of duty
    assert lines["quality"][1] == "1" and lines["supervisor"][1] == "1"  # checks done
    as_user(client, "frontdesk")
    assert client.get(base).status_code == 403


def test_dashboard_card(estate, staff):
    night = template(estate, staff, CheckKind.NIGHT, NIGHT_ITEMS)
    monthly = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    night_check(night, staff, at(7, 3, 23))
    monthly_check(monthly, staff, at(7, 10), findings=[Finding("灯不亮")])
    cards = kpis_quality.compute(
        staff["gm"], [estate.pk], month_period(at(7, 1).date()), now=at(7, 20)
    )
    figures = {k.key: k for k in cards[0].kpis}
    assert figures["checks"].value == 2
    assert figures["night_checks"].value == 1 and figures["night_checks"].target == 4
    assert figures["night_checks"].misses_target
    assert figures["defects_open"].value == 1 and figures["defects_overdue"].value == 1


def test_api_check_and_defect_closure(estate, staff, other_estate):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    api = api_en(staff["quality"])
    body = {
        "template": tpl.pk,
        "results": {"i1": 30, "i2": 25, "i3": 40},
        "findings": [{"description": "灯不亮", "specialty": "engineering"}],
    }
    refused = api.post("/api/v1/quality/checks/", body, format="json")
    assert refused.status_code == 400
    assert "between 0 and 20" in refused.json()["error"]["fields"]["results"][0]
    assert not QualityCheck.objects.exists()
    body["results"]["i1"] = 20
    created = api.post("/api/v1/quality/checks/", body, format="json")
    assert created.status_code == 201 and created.json()["score"] == 85
    defect_id = created.json()["defects"][0]["id"]
    office = api_en(staff["supervisor"])
    url = f"/api/v1/quality/defects/{defect_id}/"
    assert office.post(url + "fix/", {"cause": "", "fix": ""}, format="json").status_code == 400
    assert Defect.objects.get().status == Defect.Status.OPEN
    fixed = office.post(url + "fix/", {"cause": "老化", "fix": "更换"}, format="json")
    assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
    assert api.post(url + "verify/", {"passed": True}, format="json").status_code == 409
    warned = office.post(
        "/api/v1/quality/warnings/",
        {"estate": estate.code, "kind": "rainstorm", "starts_at": at(7, 5, 18).isoformat()},
        format="json",
    )
    assert warned.status_code == 201 and WeatherWarning.objects.count() == 1
    stranger = api_as(make_staff("elsewhere", "quality", estates=[other_estate]))
    assert stranger.get(url).status_code == 404
    assert stranger.post(url + "fix/", {"cause": "a", "fix": "b"}, format="json").status_code == 404


def test_another_estates_user_gets_404_and_writes_nothing(client, estate, staff, other_estate):
    tpl = template(estate, staff, CheckKind.SUPERVISOR, DAILY_ITEMS)
    check = quality.quality_check_record(
        template=tpl,
        results={"i1": "fail"},
        findings=[Finding("脱岗", duty_failure="left_post", responsible=staff["patrol"])],
        actor=staff["supervisor"],
        at=at(7, 2, 9),
    )
    monthly = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    defect = monthly_check(monthly, staff, at(7, 10), findings=[Finding("灯不亮")]).defects.get()
    for role in ("quality", "supervisor"):
        make_staff(f"far-{role}", role, estates=[other_estate])
    client.login(username="far-supervisor", password=PASSWORD)
    nc = check.nonconformities.get()
    assert client.get(check.get_absolute_url()).status_code == 404
    assert client.get(defect.get_absolute_url()).status_code == 404
    fix = {"action": "fix", "fix-cause": "a", "fix-fix": "b"}
    assert client.post(defect.get_absolute_url(), fix).status_code == 404
    close = reverse("inspections:quality-nc-close", args=[nc.pk])
    assert client.post(close, {"closure": "x"}).status_code == 404
    client.login(username="far-quality", password=PASSWORD)
    new = reverse("inspections:quality-check-new", args=[tpl.pk])
    assert client.post(new, {"r_i1": "ok"}).status_code == 404
    nc.refresh_from_db()
    defect.refresh_from_db()
    assert nc.closed_at is None and defect.status == Defect.Status.OPEN
    assert QualityCheck.objects.count() == 2
