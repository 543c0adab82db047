"""Pure rules: the grade proposal, the deadlines of each grade, calling hours."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.tickets.complaints.conftest import at
from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules

DEFAULTS = SimpleNamespace(
    complaint_reply_working_days=4,
    important_report_minutes=60,
    major_handle_days=2,
    important_handle_days=3,
    minor_handle_days=2,
    invalid_reply_days=3,
    complaint_callback_days=3,
    calling_hours_start=dt.time(8, 0),
    calling_hours_end=dt.time(21, 0),
    quiet_start=dt.time(12, 0),
    quiet_end=dt.time(14, 0),
)


def propose(households=1, injury=False, broken=False, category="management"):
    return crules.propose_grade(
        households=households, injury_or_loss=injury, promise_broken=broken, category=category
    )


@pytest.mark.parametrize(
    ("kwargs", "grade", "reasons"),
    [
        ({"households": 3}, "major", ("collective",)),
        ({"households": 2}, "important", ("service_failure",)),
        ({"injury": True}, "major", ("injury_or_loss",)),
        ({"broken": True}, "major", ("promise_broken",)),
        (
            {"households": 5, "injury": True, "broken": True},
            "major",
            ("collective", "injury_or_loss", "promise_broken"),
        ),
        ({"category": "developer"}, "invalid", ("developer",)),
        ({"category": "developer", "households": 4}, "major", ("collective",)),
        ({"category": "staff"}, "important", ("service_failure",)),
        ({"category": "efficiency"}, "important", ("service_failure",)),
        ({"category": "neighbour"}, "minor", ("slight",)),
        ({"category": "other"}, "minor", ("slight",)),
    ],
)
def test_the_system_proposes_a_grade_with_its_reasons(kwargs, grade, reasons):
    proposal = propose(**kwargs)
    assert proposal.grade == grade
    assert proposal.reasons == reasons


def test_each_grade_has_its_report_up_and_handling_rule():
    assert crules.report_rule(grade="major", settings=DEFAULTS) == {"unit": "same_day"}
    assert crules.report_rule(grade="important", settings=DEFAULTS) == {
        "unit": "minutes",
        "amount": 60,
    }
    assert crules.report_rule(grade="minor", settings=DEFAULTS) == {"unit": "same_day"}
    assert crules.report_rule(grade="invalid", settings=DEFAULTS) == {"unit": "same_day"}
    assert crules.handle_rule(grade="major", settings=DEFAULTS) == {"unit": "days", "amount": 2}
    assert crules.handle_rule(grade="important", settings=DEFAULTS) == {
        "unit": "days",
        "amount": 3,
    }
    assert crules.handle_rule(grade="minor", settings=DEFAULTS) == {"unit": "days", "amount": 2}
    asked = at(2026, 11, 30, 17, 0)
    assert crules.handle_rule(grade="minor", settings=DEFAULTS, requested_at=asked) == {
        "unit": "at",
        "due_at": asked.isoformat(),
    }
    assert crules.handle_rule(grade="invalid", settings=DEFAULTS) == {"unit": "days", "amount": 3}
    assert crules.reply_rule(settings=DEFAULTS) == {"unit": "working_days", "amount": 4}


def test_report_up_needs_everyone_the_grade_names():
    assert not crules.report_up_done("major", {"quality"})
    assert not crules.report_up_done("major", {"gm"})
    assert crules.report_up_done("major", {"quality", "gm"})
    assert crules.report_up_done("important", {"supervisor"})
    assert crules.report_up_done("important", {"project_manager"})
    assert not crules.report_up_done("important", {"quality"})
    assert crules.report_up_done("minor", {"project_manager"})
    assert not crules.report_up_done("minor", {"supervisor"})
    assert crules.report_up_done("invalid", {"project_manager"})


def test_only_the_named_approver_may_extend():
    assert crules.may_extend("important", {"gm"})
    assert not crules.may_extend("important", {"project_manager", "supervisor"})
    assert crules.may_extend("minor", {"project_manager"})
    assert not crules.may_extend("minor", {"supervisor"})
    assert not crules.may_extend("major", {"gm"}, superuser=True)
    assert not crules.may_extend("invalid", {"gm"}, superuser=True)


def test_upgrade_after_a_month_only_for_open_effective_complaints():
    received = at(2026, 10, 1, 9, 0)
    month = received + dt.timedelta(days=30)
    common = {"received_at": received, "days": 30}
    assert crules.is_upgrade_due(grade="important", open_=True, now=month, **common)
    assert crules.is_upgrade_due(grade="minor", open_=True, now=month, **common)
    assert not crules.is_upgrade_due(
        grade="minor", open_=True, now=month - dt.timedelta(seconds=1), **common
    )
    assert not crules.is_upgrade_due(grade="major", open_=True, now=month, **common)
    assert not crules.is_upgrade_due(grade="invalid", open_=True, now=month, **common)
    assert not crules.is_upgrade_due(grade="important", open_=False, now=month, **common)


# --- calling hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (at(2026, 11, 23, 7, 59), False),  # early morning
        (at(2026, 11, 23, 8, 0), True),
        (at(2026, 11, 23, 11, 59), True),
        (at(2026, 11, 23, 12, 0), False),  # lunch break
        (at(2026, 11, 23, 13, 59), False),
        (at(2026, 11, 23, 14, 0), True),
        (at(2026, 11, 23, 20, 59), True),
        (at(2026, 11, 23, 21, 0), False),  # after 21:00
        (at(2026, 11, 23, 23, 30), False),
    ],
)
def test_calling_hours(moment, allowed):
    assert cbrules.may_call_at(moment, DEFAULTS) is allowed


def test_quiet_now_says_call_at_the_next_window():
    advice = cbrules.call_advice(
        due_at=at(2026, 11, 23, 16, 0), now=at(2026, 11, 23, 12, 30), settings=DEFAULTS
    )
    assert advice == cbrules.CallAdvice("at", at(2026, 11, 23, 14, 0))
    late_evening = cbrules.call_advice(
        due_at=at(2026, 11, 24, 10, 0), now=at(2026, 11, 23, 21, 30), settings=DEFAULTS
    )
    assert late_evening == cbrules.CallAdvice("at", at(2026, 11, 24, 8, 0))
    early = cbrules.call_advice(
        due_at=at(2026, 11, 24, 10, 0), now=at(2026, 11, 24, 6, 15), settings=DEFAULTS
    )
    assert early == cbrules.CallAdvice("at", at(2026, 11, 24, 8, 0))


def test_due_in_the_lunch_break_says_call_before_it():
    advice = cbrules.call_advice(
        due_at=at(2026, 11, 23, 13, 0), now=at(2026, 11, 23, 9, 0), settings=DEFAULTS
    )
    assert advice == cbrules.CallAdvice("before", at(2026, 11, 23, 12, 0))


def test_due_at_night_says_call_before_21_the_evening_before():
    advice = cbrules.call_advice(
        due_at=at(2026, 11, 24, 6, 30), now=at(2026, 11, 23, 15, 0), settings=DEFAULTS
    )
    assert advice == cbrules.CallAdvice("before", at(2026, 11, 23, 21, 0))


def test_due_in_calling_hours_or_overdue_says_call_now():
    assert cbrules.call_advice(
        due_at=at(2026, 11, 23, 16, 0), now=at(2026, 11, 23, 9, 0), settings=DEFAULTS
    ) == cbrules.CallAdvice("now")
    assert cbrules.call_advice(
        due_at=at(2026, 11, 23, 12, 30), now=at(2026, 11, 23, 15, 0), settings=DEFAULTS
    ) == cbrules.CallAdvice("now")


def test_estate_calling_hours_are_respected():
    custom = SimpleNamespace(
        **{
            **vars(DEFAULTS),
            "calling_hours_start": dt.time(9, 0),
            "calling_hours_end": dt.time(20, 0),
            "quiet_start": dt.time(11, 30),
            "quiet_end": dt.time(14, 30),
        }
    )
    advice = cbrules.call_advice(
        due_at=at(2026, 11, 23, 18, 0), now=at(2026, 11, 23, 8, 30), settings=custom
    )
    assert advice == cbrules.CallAdvice("at", at(2026, 11, 23, 9, 0))
    assert cbrules.next_calling_moment(at(2026, 11, 23, 12, 0), custom) == at(2026, 11, 23, 14, 30)
    assert cbrules.next_calling_moment(at(2026, 11, 23, 20, 0), custom) == at(2026, 11, 24, 9, 0)
