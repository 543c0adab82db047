"""The renovation pages on the real clock: the supervisor's 17:00 view (patrols and notices
past due), the printable notice and release slip, the slip at the gate, the acceptance form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import GoodsRelease, Patrol, PatrolItem, Renovation
from tests.inspections.conftest import login
from tests.inspections.helpers import approved

pytestmark = pytest.mark.django_db


def under_way(unit, owner, person, staff):
    today = timezone.localdate()
    return approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=30),
    )


def test_board_lists_notices_past_due_and_the_notice_prints(
    client, estate, unit, owner, person, staff
):
    renovation = under_way(unit, owner, person, staff)
    now = timezone.now()
    notice = services.notice_issue(
        renovation=renovation,
        items=["corridors"],
        description="消防通道堆放材料",
        due_at=now - dt.timedelta(days=1),
        actor=staff["patrol"],
        at=now - dt.timedelta(days=2),
    )
    login(client, "supervisor")
    board = client.get(reverse("inspections:board"), {"estate": estate.code}).content.decode()
    assert 'data-testid="past-due"' in board and notice.number in board
    page = client.get(notice.get_absolute_url()).content.decode()
    assert notice.number in page and "reinspect" in page
    pdf = client.get(reverse("inspections:notice-print", args=[notice.pk]), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    response = client.post(
        reverse("inspections:notice-reinspect", args=[notice.pk]),
        {"passed": "1", "notes": "已清理"},
    )
    assert response.status_code == 302
    again = client.post(reverse("inspections:notice-reinspect", args=[notice.pk]), {"passed": "1"})
    assert again.status_code == 400  # closed: the refusal is shown on the same page


def test_release_slip_through_the_pages(client, estate, unit, staff):
    login(client, "frontdesk")
    data = {
        "estate": estate.code,
        "unit": unit.pk,
        "carrier_kind": "contractor",
        "carrier_name": "黄建国",
        "goods": "废旧门窗",
        "quantity": 4,
        "vehicle": "粤B12345",
        "valid_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("inspections:releases"), data)
    slip = GoodsRelease.objects.get()
    assert response.status_code == 302 and response["Location"] == slip.get_absolute_url()
    pdf = client.get(reverse("inspections:release-print", args=[slip.pk]), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    login(client, "patrol")
    assert 'data-state="valid"' in client.get(slip.get_absolute_url()).content.decode()
    client.post(reverse("inspections:release-use", args=[slip.pk]))
    assert 'data-state="used"' in client.get(slip.get_absolute_url()).content.decode()


def test_acceptance_through_the_pages(client, unit, owner, person, staff):
    renovation = under_way(unit, owner, person, staff)
    login(client, "frontdesk")
    client.post(reverse("inspections:acceptance-request", args=[renovation.pk]))
    renovation.refresh_from_db()
    assert renovation.status == Renovation.Status.ACCEPTANCE
    login(client, "supervisor")
    data = {f"item_{code}": "ok" for code in PatrolItem.values}
    data["deductions"] = "电梯轿厢划痕，200"
    response = client.post(reverse("inspections:acceptance", args=[renovation.pk]), data)
    assert response.status_code == 302
    renovation.refresh_from_db()
    assert renovation.status == Renovation.Status.COMPLETED
    assert str(renovation.refund_amount) == "2800.00"
    assert "2800.00" in client.get(renovation.get_absolute_url()).content.decode()


def test_patrol_record_prints(client, unit, owner, person, staff):
    renovation = under_way(unit, owner, person, staff)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for slot in services.patrols.day_slots(unit.estate, yesterday):
        services.patrol_record(
            renovation=renovation,
            items={c: "ok" for c in PatrolItem.values},
            actor=staff["patrol"],
            at=slot.start + dt.timedelta(hours=1),
        )
    login(client, "supervisor")
    url = reverse("inspections:patrol-print", args=[renovation.pk])
    html = client.get(url).content.decode()
    assert html.count("✓") >= 2 * len(PatrolItem.values)
    assert client.get(url, {"format": "pdf"}).content.startswith(b"%PDF")


def test_board_shows_todays_slots_before_the_daily_task_ran(
    client, estate, unit, owner, person, staff
):
    renovation = under_way(unit, owner, person, staff)
    Patrol.objects.filter(renovation=renovation).delete()
    rows = selectors.patrol_board(staff["supervisor"], estate, timezone.now())
    assert [r["renovation"] for r in rows] == [renovation]
    states = {p.slot: state for p, state in rows[0]["slots"]}
    assert set(states) == {"am", "pm"}
    assert set(states.values()) <= {"due", "missed", "upcoming"}


def test_board_title_is_text_and_patrol_link_only_for_patrollers(
    client, estate, unit, owner, person, staff
):
    renovation = under_way(unit, owner, person, staff)
    patrol_url = reverse("inspections:patrol", args=[renovation.pk])
    login(client, "supervisor")
    page = client.get(reverse("inspections:board"), {"estate": estate.code}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title
    assert page.count("<h2>") == 1  # "notices past due", once (not also in the <title>)
    assert patrol_url in page
    login(client, "project_manager")  # follows renovations, does not patrol (the view is a 403)
    assert client.get(patrol_url).status_code == 403
    page = client.get(reverse("inspections:board"), {"estate": estate.code}).content.decode()
    assert 'data-testid="board-row"' in page and patrol_url not in page


def test_release_use_is_offered_only_on_its_day(estate, unit, staff):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slip = services.release_issue(
        unit=unit,
        carrier_kind="resident",
        carrier_name="陈业主",
        goods="旧沙发",
        quantity=1,
        valid_on=tomorrow,
        actor=staff["frontdesk"],
    )
    assert "use" not in services.allowed_actions(slip, staff["patrol"])
    slip.valid_on = timezone.localdate()
    assert "use" in services.allowed_actions(slip, staff["patrol"])
