"""/api/v1/renovations/ (+ patrols, passes, rectifications, releases): the same services,
scoped by estate; refusals through the shared handler."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import PatrolItem, Renovation
from tests.conftest import api_as
from tests.factories import make_staff
from tests.inspections.helpers import apply, approved, issue_pass

pytestmark = pytest.mark.django_db

BASE = "/api/v1/renovations/"


def test_apply_approve_and_read(unit, owner, person, staff):
    desk = api_as(staff["frontdesk"])
    data = {
        "unit": unit.pk,
        "owner": owner.pk,
        "responsible": person.pk,
        "scope": ["walls", "structural"],
        "planned_start": "2026-07-01",
        "planned_end": "2026-08-31",
        "deposit": "3000",
    }
    refused = desk.post(BASE, data, format="json")
    assert refused.status_code == 400 and "scope" in refused.json()["error"]["fields"]
    data["scope"] = ["walls"]
    created = desk.post(BASE, data, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert desk.post(f"{BASE}{pk}/approve/", {}, format="json").status_code == 403
    supervisor = api_as(staff["supervisor"])
    approved_ = supervisor.post(f"{BASE}{pk}/approve/", {"conditions": "白天施工"}, format="json")
    assert approved_.status_code == 200 and approved_.json()["permit_number"] == "ZX2026-0001"
    again = supervisor.post(f"{BASE}{pk}/reject/", {"reasons": "x"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_under_review"
    listing = desk.get(BASE).json()
    assert [r["id"] for r in listing["results"]] == [pk]


def test_another_estates_records_are_404(other_estate, unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    worker_pass = issue_pass(renovation, staff)
    far = api_as(make_staff("far", "supervisor", estates=[other_estate]))
    assert far.get(f"{BASE}{renovation.pk}/").status_code == 404
    assert far.post(f"{BASE}{renovation.pk}/approve/", {}, format="json").status_code == 404
    assert far.get(f"{BASE}passes/{worker_pass.pk}/").status_code == 404
    assert far.get(f"{BASE}passes/check/", {"n": worker_pass.number}).status_code == 404
    assert far.get(BASE).json()["results"] == []
    assert api_as(staff["technician"]).get(BASE).status_code == 403


def test_passes_gate_check_and_revoke(unit, owner, person, staff):
    today = timezone.localdate()
    renovation = approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=3),
        planned_end=today + dt.timedelta(days=30),
    )
    desk = api_as(staff["frontdesk"])
    issued = desk.post(
        f"{BASE}{renovation.pk}/passes/",
        {
            "name": "李师傅",
            "id_last4": "1234",
            "trade": "mason",
            "valid_until": str(today + dt.timedelta(days=40)),
        },
        format="json",
    )
    assert issued.status_code == 400 and "valid_until" in issued.json()["error"]["fields"]
    issued = desk.post(
        f"{BASE}{renovation.pk}/passes/",
        {
            "name": "李师傅",
            "id_last4": "1234",
            "trade": "mason",
            "valid_until": str(today + dt.timedelta(days=5)),
        },
        format="json",
    )
    assert issued.status_code == 201 and issued.json()["state"] == "valid"
    number, pk = issued.json()["number"], issued.json()["id"]
    patrol = api_as(staff["patrol"])
    assert patrol.get(f"{BASE}passes/check/", {"n": number}).json()["state"] == "valid"
    assert (
        desk.post(f"{BASE}passes/{pk}/revoke/", {"reason": "违规"}, format="json").status_code
        == 200
    )
    assert patrol.get(f"{BASE}passes/check/", {"n": number}).json()["state"] == "revoked"


def test_notice_and_reinspection(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    patrol = api_as(staff["patrol"])
    issued = patrol.post(
        f"{BASE}{renovation.pk}/notices/",
        {
            "items": ["hot_work"],
            "description": "无证电焊",
            "serious": True,
            "due_at": "2099-01-01T10:00:00+08:00",
        },
        format="json",
    )
    assert issued.status_code == 201
    assert Renovation.objects.get().status == "stopped"
    pk = issued.json()["id"]
    passed = patrol.post(f"{BASE}rectifications/{pk}/reinspect/", {"passed": True}, format="json")
    assert passed.status_code == 200 and passed.json()["status"] == "closed"
    closed = patrol.post(f"{BASE}rectifications/{pk}/reinspect/", {"passed": True}, format="json")
    assert closed.status_code == 409
    assert Renovation.objects.get().status == "approved"


def test_patrol_outside_hours_is_400_or_recorded(unit, owner, person, staff):
    renovation = apply(unit, owner, person, staff["frontdesk"])
    items = {code: "ok" for code in PatrolItem.values}
    response = api_as(staff["patrol"]).post(
        f"{BASE}{renovation.pk}/patrol/", {"items": items}, format="json"
    )
    assert response.status_code == 409  # not under way yet


def test_release_once(unit, staff):
    desk = api_as(staff["frontdesk"])
    created = desk.post(
        f"{BASE}releases/",
        {
            "unit": unit.pk,
            "carrier_kind": "resident",
            "carrier_name": "陈业主",
            "goods": "旧沙发",
            "quantity": 1,
            "valid_on": str(timezone.localdate()),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    gate = api_as(staff["patrol"])
    assert gate.post(f"{BASE}releases/{pk}/use/").status_code == 200
    assert gate.post(f"{BASE}releases/{pk}/use/").status_code == 409
