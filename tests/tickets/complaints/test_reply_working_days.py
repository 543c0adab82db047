"""The 4-working-day reply clock on the national calendar: holidays, 调休 Saturdays, a year the
calendar package does not cover yet (provisional), and recomputation when the calendar changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from propserv.models import CalendarYear
from propserv.workdays import calendar_confirm_year, calendar_set_day
from tests.conftest import api_as
from tests.tickets.complaints.conftest import TUESDAY, at, clock, end_of, graded
from tickets.models import (
    ComplaintReply,
)
from tickets.rules import complaints as crules
from tickets.services import complaints as services


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "due_day"),
    [
        # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked.
        (at(2025, 9, 30, 16, 0), dt.date(2025, 10, 13)),  # 9, 10, Sat 11 (调休), Mon 13
        (at(2025, 9, 26, 9, 0), dt.date(2025, 10, 9)),  # Sun 28 (调休), 29, 30, 9
        (at(2025, 10, 3, 11, 0), dt.date(2025, 10, 13)),  # received on a holiday
        (at(2025, 10, 10, 20, 0), dt.date(2025, 10, 15)),  # Sat 11 (调休), 13, 14, 15
        # Spring Festival 2026: 15–23 February off; Saturdays 14 and 28 February worked.
        (at(2026, 2, 13, 10, 0), dt.date(2026, 2, 26)),  # Sat 14 (调休), 24, 25, 26
        (at(2026, 2, 16, 10, 0), dt.date(2026, 2, 27)),  # 24, 25, 26, 27
        (at(2026, 2, 25, 10, 0), dt.date(2026, 3, 2)),  # 26, 27, Sat 28 (调休), Mon 2 March
    ],
)
def test_reply_due_at_the_end_of_the_fourth_working_day(make_complaint, received, due_day):
    complaint = make_complaint(received)
    deadline = clock(complaint, crules.REPLY)
    assert deadline.due_at == end_of(due_day)
    assert deadline.provisional is False


@pytest.mark.django_db
def test_reply_working_days_follow_the_estate_setting(make_complaint, estate):
    settings_row = estate.service_settings
    settings_row.complaint_reply_working_days = 2
    settings_row.save()
    complaint = make_complaint(at(2025, 9, 30, 16, 0))
    assert clock(complaint, crules.REPLY).due_at == end_of(dt.date(2025, 10, 10))


@pytest.mark.django_db
def test_late_december_complaint_counts_into_a_provisional_year(
    make_complaint, admin_user, staff, client, django_capture_on_commit_callbacks
):
    # Monday 28 December 2026: 29, 30, 31, then 2027 (New Year's Day off, per the rules only).
    complaint = make_complaint(at(2026, 12, 28, 9, 30))
    deadline = clock(complaint, crules.REPLY)
    assert deadline.due_at == end_of(dt.date(2027, 1, 4))
    assert deadline.provisional is True
    assert CalendarYear.objects.get(year=2027).provisional is True

    # The API and the screens say so.
    body = api_as(staff["frontdesk"]).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["provisional"] is True
    reply = next(d for d in body["deadlines"] if d["kind"] == crules.REPLY)
    assert reply["provisional"] is True
    client.force_login(staff["frontdesk"])
    page = client.get(reverse("tickets:complaint-detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="deadline-complaint.reply"' in page
    assert "暂定" in page  # "provisional"

    # The State Council notice moves Monday 4 January 2027 off (an edit of the calendar):
    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_day(date=dt.date(2027, 1, 4), kind="holiday", name="元旦", actor=admin_user)
    deadline.refresh_from_db()
    assert deadline.due_at == end_of(dt.date(2027, 1, 5))
    assert deadline.provisional is True

    # An admin confirms 2027: no longer provisional.
    with django_capture_on_commit_callbacks(execute=True):
        calendar_confirm_year(year=2027, actor=admin_user)
    deadline.refresh_from_db()
    assert deadline.due_at == end_of(dt.date(2027, 1, 5))
    assert deadline.provisional is False
    body = api_as(staff["frontdesk"]).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert body["provisional"] is False


@pytest.mark.django_db
def test_making_a_weekend_day_a_working_day_brings_the_reply_forward(
    make_complaint, admin_user, django_capture_on_commit_callbacks
):
    complaint = make_complaint(at(2026, 11, 19, 10, 0))  # Thu: Fri 20, Mon 23, Tue 24, Wed 25
    assert clock(complaint, crules.REPLY).due_at == end_of(dt.date(2026, 11, 25))
    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_day(date=dt.date(2026, 11, 21), kind="workday", name="调休", actor=admin_user)
    assert clock(complaint, crules.REPLY).due_at == end_of(dt.date(2026, 11, 24))


# --- a double-submitted reply ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_double_submitted_reply_is_recorded_once(make_complaint, staff):
    complaint = graded(make_complaint, staff, "minor", category="other")
    first = services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复",
        actor=staff["frontdesk"],
        at=TUESDAY,
    )
    again = services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复 ",
        actor=staff["frontdesk"],
        at=TUESDAY + dt.timedelta(seconds=30),
    )
    assert again.pk == first.pk
    assert ComplaintReply.objects.filter(complaint=complaint).count() == 1
    assert complaint.events.filter(action="replied").count() == 1
    # Later, or by someone else, it is a new reply.
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复",
        actor=staff["frontdesk"],
        at=TUESDAY + dt.timedelta(minutes=3),
    )
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已答复",
        actor=staff["supervisor"],
        at=TUESDAY + dt.timedelta(minutes=3),
    )
    assert ComplaintReply.objects.filter(complaint=complaint).count() == 3
