"""Deadline arithmetic as pure functions: `now` passed in, nothing sleeps."""

import datetime as dt
from zoneinfo import ZoneInfo

from propserv.deadline_rules import compute_due, next_check, warn_moment

SH = ZoneInfo("Asia/Shanghai")


class FakeCalendar:
    """Monday–Friday working week, for rule tests that must not touch the database."""

    def add_working_days(self, start, n):
        date, counted = start, 0
        while counted < n:
            date += dt.timedelta(days=1)
            if date.weekday() < 5:
                counted += 1
        return date, False


def test_urgent_arrival_is_fifteen_minutes_from_received():
    received = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    assert compute_due({"unit": "minutes", "amount": 15}, received) == (
        received + dt.timedelta(minutes=15),
        False,
    )


def test_backdated_call_counts_from_when_it_was_received():
    received = dt.datetime(2026, 11, 20, 9, 40, tzinfo=SH)  # logged at 10:00, received 9:40
    due, _ = compute_due({"unit": "minutes", "amount": 15}, received)
    assert due == dt.datetime(2026, 11, 20, 9, 55, tzinfo=SH)


def test_clock_at_2359_crosses_midnight():
    received = dt.datetime(2026, 12, 31, 23, 59, tzinfo=SH)
    due, _ = compute_due({"unit": "minutes", "amount": 30}, received)
    assert due == dt.datetime(2027, 1, 1, 0, 29, tzinfo=SH)


def test_working_days_due_at_end_of_nth_working_day():
    friday_evening = dt.datetime(2026, 11, 20, 18, 0, tzinfo=SH)
    due, provisional = compute_due(
        {"unit": "working_days", "amount": 4}, friday_evening, FakeCalendar()
    )
    assert due == dt.datetime(2026, 11, 26, 23, 59, 59, tzinfo=SH)  # Mon..Thu
    assert provisional is False


def test_same_day_and_agreed_time():
    t = dt.datetime(2026, 11, 20, 8, 0, tzinfo=SH)
    assert compute_due({"unit": "same_day"}, t)[0] == dt.datetime(
        2026, 11, 20, 23, 59, 59, tzinfo=SH
    )
    agreed = dt.datetime(2026, 11, 21, 9, 0, tzinfo=SH)
    assert compute_due({"unit": "at", "due_at": agreed.isoformat()}, t)[0] == agreed


def test_warning_at_two_thirds_of_the_time():
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    due = start + dt.timedelta(minutes=30)
    assert warn_moment(start, due, 67) == start + dt.timedelta(minutes=20.1)
    assert warn_moment(start, start, 67) is None


def test_next_check_walks_warning_due_and_escalation_levels():
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    due, warn, step = (
        start + dt.timedelta(minutes=15),
        start + dt.timedelta(minutes=10),
        dt.timedelta(minutes=30),
    )
    common = {"now": start, "warn_at": warn, "due_at": due, "max_level": 2, "step": step}
    assert next_check(warned_at=None, breached_at=None, level=0, **common) == warn
    assert next_check(warned_at=warn, breached_at=None, level=0, **common) == due
    # Exactly on time is not yet a breach: the next look is at the due moment itself.
    assert next_check(warned_at=warn, breached_at=None, level=0, **{**common, "now": due}) == due
    assert next_check(warned_at=warn, breached_at=due, level=1, **common) == due + step
    assert next_check(warned_at=warn, breached_at=due, level=2, **common) is None
