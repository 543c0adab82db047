"""Deadlines on every tickets list read the same way (issue 12, item 5): the time alone today,
with the date otherwise, and "overdue" in words — never a negative countdown."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Deadline
from tickets.models import Callback
from tickets.services import repairs as services
from tickets.templatetags.ticket_deadlines import deadline_when

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_date_is_shown_whenever_it_is_not_today():
    now = dt.datetime(2026, 12, 6, 9, 0, tzinfo=SHANGHAI)
    assert deadline_when(dt.datetime(2026, 12, 6, 15, 33, tzinfo=SHANGHAI), now) == "15:33"
    assert deadline_when(dt.datetime(2026, 12, 5, 15, 33, tzinfo=SHANGHAI), now) == "12-05 15:33"
    assert deadline_when(dt.datetime(2026, 12, 7, 8, 0, tzinfo=SHANGHAI), now) == "12-07 08:00"
    assert (
        deadline_when(dt.datetime(2025, 12, 5, 15, 33, tzinfo=SHANGHAI), now) == "2025-12-05 15:33"
    )


@pytest.fixture
def late_repair(estate, unit, categories, staff):
    """An arrival clock due the previous day, breached and still open."""
    repair = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["water"],
        description="昨日报修",
        actor=staff["frontdesk"],
    )
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    make_late(repair, "repair.arrival")
    return repair


def make_late(subject, kind: str) -> None:
    """Move `subject`'s open `kind` clock to the previous day and let the sweep breach it."""
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1, hours=1)
    Deadline.objects.for_subject(subject).filter(kind=kind).update(
        started_at=yesterday - dt.timedelta(minutes=15),
        due_at=yesterday,
        warn_at=yesterday,
        next_check_at=yesterday,
    )
    sweep(now=now)


def _cell(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</tr>" if "repair-" in testid else "</article>", start)]


@pytest.mark.django_db
def test_board_and_my_jobs_say_overdue_in_words_with_the_date(client, late_repair, staff):
    due = timezone.localtime(late_repair.deadlines.get(kind="repair.arrival").due_at)
    client.force_login(staff["frontdesk"])
    row = _cell(client.get(reverse("tickets:board")).content.decode(), f"repair-{late_repair.pk}")
    assert "已超时</strong>" in row and due.strftime("%m-%d %H:%M") in row
    assert "−" not in row and 'class="countdown"' not in row
    client.force_login(staff["technician"])
    job = _cell(client.get(reverse("tickets:my-jobs")).content.decode(), f"job-{late_repair.pk}")
    assert "已超时" in job and due.strftime("%m-%d %H:%M") in job


@pytest.mark.django_db
def test_a_deadline_later_today_shows_the_time_and_a_countdown(
    client, estate, unit, categories, staff
):
    now = timezone.localtime()
    if now.hour >= 23:
        pytest.skip("the 30-minute clock would end tomorrow")
    repair = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        description="下水道堵塞",
        actor=staff["frontdesk"],
    )
    due = timezone.localtime(repair.deadlines.get(kind="repair.arrival").due_at)
    client.force_login(staff["frontdesk"])
    row = _cell(client.get(reverse("tickets:board")).content.decode(), f"repair-{repair.pk}")
    assert f">{due:%H:%M}</time>" in row and 'class="countdown"' in row
    assert "已超时</strong>" not in row


@pytest.mark.django_db
def test_callback_queue_and_complaint_list_use_the_same_deadline(
    client, estate, unit, categories, staff, make_complaint
):
    repair = services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["drainage"],
        description="下水道堵塞",
        actor=staff["frontdesk"],
    )
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    services.repair_complete(
        repair_id=repair.pk, actor=staff["technician"], labour_minutes=10, signed_by="王"
    )
    make_late(repair, "repair.callback")
    Callback.objects.filter(repair=repair).update(due_at=timezone.now() - dt.timedelta(days=1))
    make_complaint()
    client.force_login(staff["frontdesk"])
    queue = client.get(reverse("tickets:callback-queue")).content.decode()
    assert 'data-testid="deadline-when"' in queue and "已超时</strong>" in queue
    complaints = client.get(reverse("tickets:complaint-list")).content.decode()
    assert 'data-testid="deadline-when"' in complaints
