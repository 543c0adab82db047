"""Helpers of the complaint and callback tests: fixed Asia/Shanghai times, a graded or handled
complaint (the `make_complaint` fixture is in tests/tickets/conftest.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from propserv.models import Deadline
from tickets.models import Complaint
from tickets.services import complaints as services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(day: dt.date) -> dt.datetime:
    """How the deadline engine stores "the end of the day" (23:59:59 local time)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def clock(subject, kind: str) -> Deadline:
    """The current (not cancelled) deadline of `kind`."""
    return Deadline.objects.for_subject(subject).get(kind=kind, cancelled_at__isnull=True)


TUESDAY = at(2026, 11, 17, 10, 0)


def graded(make_complaint, staff, grade="minor", **kwargs) -> Complaint:
    complaint = make_complaint(TUESDAY, **kwargs)
    services.complaint_grade(
        complaint_id=complaint.pk,
        grade=grade,
        reason="定级",
        invalid_reason="developer" if grade == "invalid" else "",
        actor=staff["frontdesk"],
        at=TUESDAY,
    )
    return Complaint.objects.get(pk=complaint.pk)


def handled(make_complaint, staff, grade="important", **kwargs) -> Complaint:
    complaint = graded(make_complaint, staff, grade, **kwargs)
    services.complaint_reply(
        complaint_id=complaint.pk,
        channel="phone",
        text="已致歉",
        actor=staff["frontdesk"],
        at=TUESDAY + dt.timedelta(hours=1),
    )
    services.complaint_mark_handled(
        complaint_id=complaint.pk,
        outcome="已处理",
        actor=staff["supervisor"],
        at=TUESDAY + dt.timedelta(hours=2),
    )
    return Complaint.objects.get(pk=complaint.pk)
