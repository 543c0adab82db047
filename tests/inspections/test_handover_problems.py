"""Pre-hand-over inspection (内部验房): bulk entry, fix with evidence and re-check, the problem
lists (page, print, XLSX), the summary, the unit page's story and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from inspections import services
from inspections.models import Problem
from inspections.selectors import handover as sel
from propserv.errors import InvalidTransition, NotAllowed
from tests.conftest import api_as
from tests.factories import make_staff
from tests.inspections.conftest import login
from tests.inspections.handover_helpers import DAY, taxonomy, units_with_owners
from tests.inspections.helpers import at
from visits.models import Defect

pytestmark = pytest.mark.django_db


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def site(estate, staff):
    homes = units_with_owners(estate, 3)
    return homes, taxonomy(estate, staff["supervisor"])


def test_bulk_entry_writes_all_rows_or_none(estate, staff, site):
    homes, types = site
    round_ = services.round_open(
        building=homes[0][0].building, name="第一轮", started_on=DAY, actor=staff["patrol"]
    )
    rows = [
        services.NewProblem(homes[0][0], "客厅", types["墙面"], "minor", "裂缝", photo=jpeg()),
        services.NewProblem(homes[1][0], "主卧", types["门窗"], "major"),
        services.NewProblem(homes[1][0], "", types["门窗"], "major"),  # no location
    ]
    with pytest.raises(ValidationError) as exc:
        services.problems_add(estate=estate, rows=rows, round=round_, actor=staff["patrol"])
    assert "3" in exc.value.messages[0]
    assert not Problem.objects.exists()
    created = services.problems_add(
        estate=estate, rows=rows[:2], round=round_, actor=staff["patrol"], at=at(7, 1)
    )
    assert [p.location for p in created] == ["客厅", "主卧"]
    assert created[0].photo.name.endswith(".jpg") and not created[1].photo
    with pytest.raises(NotAllowed):
        services.problems_add(estate=estate, rows=rows[:1], actor=staff["finance"])


def test_a_problem_is_closed_with_evidence_and_a_recheck(estate, staff, site):
    homes, types = site
    (problem,) = services.problems_add(
        estate=estate,
        rows=[services.NewProblem(homes[0][0], "厨房", types["水电"], "blocking")],
        actor=staff["patrol"],
        at=at(7, 1),
    )
    with pytest.raises(InvalidTransition):
        services.problem_recheck(problem=problem, passed=True, actor=staff["patrol"])
    with pytest.raises(ValidationError):
        services.problem_fix(problem=problem, evidence=" ", actor=staff["patrol"])
    services.problem_fix(problem=problem, evidence="已修", actor=staff["patrol"], at=at(7, 2))
    services.problem_recheck(problem=problem, passed=False, actor=staff["quality"])
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN and problem.recheck_failures == 1
    services.problem_fix(problem=problem, evidence="重新修好", photo=jpeg(), actor=staff["patrol"])
    services.problem_recheck(problem=problem, passed=True, actor=staff["quality"], at=at(7, 9))
    problem.refresh_from_db()
    assert problem.status == Problem.Status.CLOSED and problem.evidence_photo
    summary = sel.inspection_summary(staff["supervisor"], estate, today=dt.date(2026, 7, 13))
    assert summary["total"] == 1 and summary["closed"] == 1 and summary["rate"] == 1.0
    assert summary["by_type"][0]["defect_type__name"] == "水电"
    assert summary["trend"][-1]["rate"] == 1.0 and summary["trend"][-2]["closed"] == 0


def test_the_lists_print_and_export(client, estate, staff, site):
    homes, types = site
    services.problems_add(
        estate=estate,
        rows=[
            services.NewProblem(homes[0][0], "客厅", types["墙面"], "minor"),
            services.NewProblem(homes[2][0], "=HYPERLINK()", types["门窗"], "major"),
        ],
        actor=staff["patrol"],
    )
    login(client, "supervisor")
    url = reverse("inspections:problems")
    body = client.get(url, {"estate": estate.code, "building": "8"}).content.decode()
    assert homes[0][0].code in body and homes[2][0].code in body
    body = client.get(url, {"estate": estate.code, "unit": homes[0][0].code}).content.decode()
    assert homes[2][0].code not in body
    printed = client.get(url, {"estate": estate.code, "format": "print"})
    assert printed.status_code == 200 and "客厅" in printed.content.decode()
    xlsx = client.get(url, {"estate": estate.code, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert homes[2][0].code in values and "=HYPERLINK()" not in values
    pdf = client.get(url, {"estate": estate.code, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert (
        client.get(reverse("inspections:problems-summary"), {"estate": estate.code}).status_code
        == 200
    )


def test_the_phone_entry_form_saves_several_problems(client, estate, staff, site):
    homes, types = site
    login(client, "patrol")
    url = reverse("inspections:problems-new")
    assert client.get(url, {"estate": estate.code}).status_code == 200
    data = {
        "estate": estate.code,
        "form-TOTAL_FORMS": "5",
        "form-INITIAL_FORMS": "0",
        "form-0-unit": homes[0][0].code,
        "form-0-location": "客厅",
        "form-0-defect_type": types["墙面"].pk,
        "form-0-severity": "minor",
        "form-1-unit": homes[1][0].code,
        "form-1-location": "卫生间",
        "form-1-defect_type": types["水电"].pk,
        "form-1-severity": "blocking",
        **{f"form-{i}-severity": "minor" for i in (2, 3, 4)},
    }
    response = client.post(url, data)
    assert response.status_code == 302 and homes[1][0].code in response["Location"]
    assert Problem.objects.count() == 2
    data["form-1-unit"] = "9-9-999"
    response = client.post(url, data)
    assert response.status_code == 400 and "9-9-999" in response.content.decode()
    assert Problem.objects.count() == 2


def test_the_unit_page_tells_the_story_with_after_sales_defects(client, estate, staff, site):
    homes, types = site
    unit, owner, _k = homes[0]
    services.problems_add(
        estate=estate,
        rows=[services.NewProblem(unit, "客厅", types["墙面"], "minor", "开裂")],
        actor=staff["patrol"],
    )
    appt = services.appointment_book(unit=unit, owner=owner, day=DAY, actor=staff["frontdesk"])
    services.appointment_accept(appointment=appt, actor=staff["frontdesk"])
    Defect.objects.create(
        estate=estate,
        unit=unit,
        location="外墙",
        description="渗水",
        created_at=at(8, 1),
        created_by=staff["frontdesk"],
    )
    rows = sel.unit_problem_rows(unit, open_only=True)
    assert {r.location for r in rows} == {"客厅", "外墙"}
    login(client, "frontdesk")
    body = client.get(
        reverse("visits:lookup"), {"q": unit.code, "estate": estate.code}
    ).content.decode()
    assert 'data-panel="inspections.handover-story"' in body
    assert "外墙" in body and "客厅" in body


def test_the_api_adds_problems_and_accepts(estate, other_estate, staff, site):
    homes, types = site
    client = api_as(staff["frontdesk"])
    url = "/api/v1/handover/problems/"
    rows = [{"unit": homes[0][0].pk, "location": "客厅", "defect_type": types["墙面"].pk}]
    response = client.post(url, {"rows": rows}, format="json")
    assert response.status_code == 201 and response.json()[0]["unit_code"] == homes[0][0].code
    bad = [{**rows[0], "location": ""}]
    assert client.post(url, {"rows": bad}, format="json").status_code == 400
    response = client.post(
        "/api/v1/handover/appointments/",
        {"unit": homes[0][0].pk, "owner": homes[0][1].pk, "day": DAY.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    appt = response.json()["id"]
    response = client.post(
        f"/api/v1/handover/appointments/{appt}/refuse/", {"reasons": ""}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["fields"]
    response = client.post(f"/api/v1/handover/appointments/{appt}/accept/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    outsider = make_staff("outsider", "frontdesk", estates=[other_estate])
    stranger = api_as(outsider)
    assert stranger.get(f"/api/v1/handover/appointments/{appt}/").status_code == 404
    assert stranger.post(f"/api/v1/handover/appointments/{appt}/arrive/").status_code == 404
