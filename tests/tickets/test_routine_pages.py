"""Routine callbacks on the screens and through the API: the overview with the rate per person,
planning visits twice (nothing doubled), the daily tally page and its export, the register of key
households with a household's service history, a routine callback worked from the queue, and the
API writes scoped to the caller's estates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from propserv.roles import Role
from tests.conftest import api_as
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, make_staff
from tickets.models import AdministratorArea, Callback, KeyHousehold

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(estate, staff):
    building = BuildingFactory(estate=estate, code="8")
    units = [UnitFactory(building=building, code=f"8-1-{n}") for n in (801, 802, 803)]
    ResidentFactory(unit=units[0], name="业主张")
    row = AdministratorArea.objects.create(
        estate=estate, name="八栋", administrator=staff["area_admin"]
    )
    row.buildings.add(building)
    return units


def page(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_overview_plans_the_quarter_once_and_shows_the_rates(client, estate, staff, area):
    client.force_login(staff["supervisor"])
    url = reverse("tickets:routine-generate")
    for _ in range(2):
        response = client.post(url, {"estate": estate.code, "kind": "admin_visit"}, follow=True)
        assert response.status_code == 200
    assert Callback.objects.filter(kind="admin_visit").count() == 3
    text = response.content.decode()
    assert "0 visits planned" in text or "已安排 0 次" in text
    response = page(client, staff["supervisor"], "tickets:routine", estate=estate.code)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="routine-rates"' in body and "area_admin" in body
    assert body.count("8-1-80") >= 3  # the households still to call
    # the queue holds them too, beside the problem callbacks
    queue = page(client, staff["area_admin"], "tickets:callback-queue", estate=estate.code)
    assert queue.status_code == 200 and "8-1-801" in queue.content.decode()
    # the front desk may not plan visits: nothing added
    client.force_login(staff["frontdesk"])
    assert client.post(url, {"estate": estate.code, "kind": "head_visit"}).status_code == 403
    assert not Callback.objects.filter(kind="head_visit").exists()


def test_routine_callback_worked_on_its_page(client, estate, staff, area):
    client.force_login(staff["supervisor"])
    client.post(reverse("tickets:routine-generate"), {"estate": estate.code, "kind": "admin_visit"})
    cb = Callback.objects.get(unit=area[0])
    client.force_login(staff["area_admin"])
    detail = client.get(cb.get_absolute_url())
    assert detail.status_code == 200 and "业主张" in detail.content.decode()
    client.post(
        reverse("tickets:callback-action", args=[cb.pk, "attempt"]), {"outcome": "no_answer"}
    )
    response = client.post(
        reverse("tickets:callback-action", args=[cb.pk, "complete"]),
        {"satisfaction": "4", "comment": "一切正常", "confirmed_by_resident": "on"},
    )
    assert response.status_code == 302
    cb.refresh_from_db()
    assert cb.status == "done" and cb.satisfaction == 4
    assert list(cb.attempts.values_list("outcome", flat=True)) == ["no_answer", "reached"]


def test_plan_a_paid_service_callback_and_a_refusal_keeps_nothing(client, estate, staff, area):
    client.force_login(staff["frontdesk"])
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        reverse("tickets:routine-plan"),
        {
            "estate": estate.code,
            "kind": "paid_midway",
            "unit": "8-1-802",
            "topic": "家电清洗",
            "due_on_date": day.isoformat(),
        },
    )
    cb = Callback.objects.get(kind="paid_midway")
    assert response.status_code == 302 and response["Location"] == cb.get_absolute_url()
    assert cb.assigned_to == staff["area_admin"]  # the unit's area administrator
    client.post(
        reverse("tickets:routine-plan"),
        {
            "estate": estate.code,
            "kind": "paid_end",
            "unit": "9-9-999",
            "topic": "家电清洗",
            "due_on_date": day.isoformat(),
        },
    )
    assert not Callback.objects.filter(kind="paid_end").exists()


def test_daily_tally_page_and_export(client, estate, staff, area):
    Callback.objects.create(
        estate=estate,
        kind="emergency",
        unit=area[1],
        topic="抢修",
        due_at=timezone.now() + dt.timedelta(minutes=5),
        assigned_to=staff["area_admin"],
    )
    response = page(client, staff["supervisor"], "tickets:routine-tally", estate=estate.code)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="tally-total"' in body
    xlsx = page(
        client, staff["supervisor"], "tickets:routine-tally", estate=estate.code, format="xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[1] == "area_admin" and row[3] == 1 and row[4] == 1 for row in values if row)
    csv = page(
        client, staff["supervisor"], "tickets:routine-tally", estate=estate.code, format="csv"
    )
    assert csv.status_code == 200 and "area_admin" in csv.content.decode("utf-8-sig")
    # the technician does not read the office's tally
    assert page(client, staff["technician"], "tickets:routine-tally").status_code == 403


def test_key_households_register_and_history_pages(client, estate, staff, area):
    client.force_login(staff["frontdesk"])
    client.post(
        reverse("tickets:key-household-add"),
        {"estate": estate.code, "unit": "8-1-801", "reason": "空巢老人"},
    )
    row = KeyHousehold.objects.get()
    client.post(  # twice: refused, one row
        reverse("tickets:key-household-add"),
        {"estate": estate.code, "unit": "8-1-801", "reason": "空巢老人"},
    )
    assert KeyHousehold.objects.count() == 1
    history = page(
        client, staff["frontdesk"], "tickets:key-households", estate=estate.code, unit="8-1-801"
    )
    assert history.status_code == 200 and 'data-testid="history"' in history.content.decode()
    assert (
        page(
            client, staff["frontdesk"], "tickets:key-households", estate=estate.code, unit="nope"
        ).status_code
        == 404
    )
    client.force_login(staff["supervisor"])
    client.post(
        reverse("tickets:key-household-remove"),
        {"estate": estate.code, "key_household": row.pk, "reason": "已搬离"},
    )
    row.refresh_from_db()
    assert row.removed_at is not None


def test_api_generate_plan_and_register(estate, other_estate, staff, area):
    sup = api_as(staff["supervisor"])
    url = "/api/v1/routine-callbacks/generate/"
    first = sup.post(url, {"estate": estate.code, "kind": "admin_visit"}, format="json")
    again = sup.post(url, {"estate": estate.code, "kind": "admin_visit"}, format="json")
    assert (first.json()["created"], again.json()["created"]) == (3, 0)
    listed = sup.get("/api/v1/callbacks/", {"kind": "admin_visit"}).json()["results"]
    assert {r["unit"] for r in listed} == {"8-1-801", "8-1-802", "8-1-803"}
    assert {r["kind"] for r in listed} == {"admin_visit"} and listed[0]["ticket"] is None
    desk = api_as(staff["frontdesk"])
    planned = desk.post(
        "/api/v1/routine-callbacks/",
        {"estate": estate.code, "kind": "emergency", "unit": "8-1-803", "topic": "夜间停电"},
        format="json",
    )
    assert planned.status_code == 201 and planned.json()["kind"] == "emergency"
    bad = desk.post(
        "/api/v1/routine-callbacks/",
        {"estate": estate.code, "kind": "emergency", "unit": "8-1-803", "topic": ""},
        format="json",
    )
    assert bad.status_code == 400
    done = api_as(staff["area_admin"]).post(
        f"/api/v1/callbacks/{planned.json()['id']}/complete/",
        {"satisfaction": 5, "confirmed_by_resident": True},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    added = desk.post(
        "/api/v1/key-households/",
        {"estate": estate.code, "unit": "8-1-801", "reason": "残疾住户"},
        format="json",
    )
    assert added.status_code == 201
    assert desk.get("/api/v1/key-households/").json()["results"][0]["unit"] == "8-1-801"
    # another estate's staff: the estate is unknown to them, nothing written
    stranger = api_as(make_staff("stranger", Role.SUPERVISOR.value, estates=[other_estate]))
    before = Callback.objects.count()
    refused = stranger.post(url, {"estate": estate.code, "kind": "head_visit"}, format="json")
    assert refused.status_code == 400 and Callback.objects.count() == before
    gone = stranger.post(
        "/api/v1/key-households/remove/", {"id": added.json()["id"], "reason": "x"}, format="json"
    )
    assert gone.status_code == 404
    assert stranger.get("/api/v1/key-households/").json()["results"] == []


def test_the_list_of_all_callbacks_shows_routine_ones(client, estate, staff, area):
    client.force_login(staff["supervisor"])
    client.post(reverse("tickets:routine-generate"), {"estate": estate.code, "kind": "admin_visit"})
    response = page(client, staff["supervisor"], "tickets:callback-list", estate=estate.code)
    body = response.content.decode()
    assert response.status_code == 200 and "8-1-801" in body and "业主张" in body
