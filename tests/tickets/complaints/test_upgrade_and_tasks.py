"""The one-month upgrade to major, and the beat tasks (upgrade, monthly summary) on a real
Celery worker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Notification
from propserv.tasks import HEARTBEAT_KEY
from tests.tickets.complaints.conftest import at, clock, end_of
from tickets.models import Complaint, MonthlyComplaintReport
from tickets.rules import complaints as crules
from tickets.services import complaints as services

T0 = at(2026, 10, 12, 9, 0)  # a Monday


def graded(make_complaint, staff, grade: str, **kwargs) -> Complaint:
    complaint = make_complaint(T0, **kwargs)
    services.complaint_grade(
        complaint_id=complaint.pk, grade=grade, reason="定级", actor=staff["frontdesk"], at=T0
    )
    return complaint


@pytest.mark.django_db
def test_effective_complaint_open_a_month_becomes_major_and_escalates_as_major(
    make_complaint, staff
):
    complaint = graded(make_complaint, staff, "minor", category="other")
    month = T0 + dt.timedelta(days=30)
    assert services.complaints_auto_upgrade(now=month - dt.timedelta(minutes=1)) == 0
    assert services.complaints_auto_upgrade(now=month) == 1
    complaint.refresh_from_db()
    assert complaint.grade == "major"
    assert complaint.upgraded_at == month
    assert complaint.graded_by is None
    event = complaint.events.get(action="auto_upgraded")
    assert event.data == {"from_grade": "minor", "to_grade": "major", "days": 30}
    assert event.note == ""  # the reason is rendered from `days` in the reader's language
    assert event.actor is None
    # Now on the major ladder: quality dept + GM told, report-up today, answer within 2 days.
    told = Notification.objects.filter(
        dedupe_key=f"complaint:{complaint.pk}:graded:major"
    ).values_list("recipient__username", flat=True)
    assert set(told) == {"quality", "gm"}
    # The clocks keep running from receipt under the major rule: long overdue, so the sweep
    # breaches them and the breach goes up the major ladder (quality dept + GM).
    assert clock(complaint, crules.REPORT).due_at == end_of(T0.date())
    assert clock(complaint, crules.HANDLE).due_at == T0 + dt.timedelta(days=2)
    sweep(now=month)
    handle = clock(complaint, crules.HANDLE)
    assert handle.breached_at == month
    told = Notification.objects.filter(dedupe_key=f"deadline:{handle.pk}:1").values_list(
        "recipient__username", flat=True
    )
    assert {"quality", "gm"} <= set(told)
    # Running again changes nothing.
    assert services.complaints_auto_upgrade(now=month + dt.timedelta(hours=1)) == 0
    assert complaint.events.filter(action="auto_upgraded").count() == 1


@pytest.mark.django_db
def test_the_upgrade_leaves_resolved_invalid_and_ungraded_complaints_alone(
    make_complaint, staff, estate
):
    handled = graded(make_complaint, staff, "important", category="staff")
    services.complaint_reply(
        complaint_id=handled.pk, channel="phone", text="已致歉", actor=staff["frontdesk"], at=T0
    )
    services.complaint_mark_handled(
        complaint_id=handled.pk, outcome="已整改", actor=staff["frontdesk"], at=T0
    )
    invalid = make_complaint(T0, category="developer")
    services.complaint_grade(
        complaint_id=invalid.pk,
        grade="invalid",
        invalid_reason="outside",
        actor=staff["frontdesk"],
        at=T0,
    )
    ungraded = make_complaint(T0, category="neighbour")
    assert services.complaints_auto_upgrade(now=T0 + dt.timedelta(days=45)) == 0
    for c in (handled, invalid, ungraded):
        c.refresh_from_db()
    assert (handled.grade, invalid.grade, ungraded.grade) == ("important", "invalid", "")


@pytest.mark.django_db
def test_upgrade_days_follow_the_estate_setting(make_complaint, staff, estate):
    settings_row = estate.service_settings
    settings_row.complaint_upgrade_days = 10
    settings_row.save()
    complaint = graded(make_complaint, staff, "important", category="staff")
    assert services.complaints_auto_upgrade(now=T0 + dt.timedelta(days=10)) == 1
    complaint.refresh_from_db()
    assert complaint.grade == "major"


def test_both_beat_tasks_are_scheduled():
    from propserv.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"tickets.upgrade_complaints", "tickets.complaint_reports"} <= scheduled


def _wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_tasks_run_on_a_real_worker(celery_worker_real, estate, unit, staff):
    now = timezone.now()
    old = services.complaint_create(
        estate=estate,
        unit=unit,
        description="垃圾清运不及时",
        category="efficiency",
        actor=staff["frontdesk"],
        received_at=now - dt.timedelta(days=31),
        now=now - dt.timedelta(days=31),
    )
    services.complaint_grade(
        complaint_id=old.pk,
        grade="important",
        actor=staff["frontdesk"],
        at=now - dt.timedelta(days=31),
    )
    settings_row = estate.service_settings
    settings_row.monthly_report_day = 1  # today is on or after the 1st: the summary is due
    settings_row.save()
    cache.delete(HEARTBEAT_KEY)
    celery_worker_real.send_task("tickets.upgrade_complaints")
    celery_worker_real.send_task("tickets.complaint_reports")
    celery_worker_real.send_task("tickets.complaint_reports")  # a second beat: harmless
    celery_worker_real.send_task("propserv.heartbeat")  # queued last: marks the others done
    assert _wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None)
    assert Complaint.objects.get(pk=old.pk).grade == "major"
    assert MonthlyComplaintReport.objects.filter(estate=estate).count() == 1
    month = timezone.localdate().replace(day=1)
    assert MonthlyComplaintReport.objects.get(estate=estate).month == month
