"""Helpers of the complaint and callback tests: fixed Asia/Shanghai times, a complaint maker."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from propserv.models import Deadline
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


@pytest.fixture
def make_complaint(estate, unit, staff):
    def make(received_at: dt.datetime | None = None, actor=None, **kwargs):
        received_at = received_at or timezone.now()
        kwargs.setdefault("description", "楼上装修噪音，物业劝阻不力")
        kwargs.setdefault("category", "management")
        kwargs.setdefault("unit", unit)
        kwargs.setdefault("complainant_name", "王女士")
        kwargs.setdefault("complainant_phone", "13800001111")
        now = kwargs.pop("now", received_at)
        return services.complaint_create(
            estate=estate,
            actor=actor or staff["frontdesk"],
            received_at=received_at,
            now=now,
            **kwargs,
        )

    return make
