"""Pure callback rules (docs/domain.md, Callbacks): calling hours and the satisfaction scale.
No ORM; `now` passed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The deadline of the second handling a dissatisfied callback opens.
SECOND_HANDLING = "callback.second_handling"
KINDS = (SECOND_HANDLING,)


def is_dissatisfied(satisfaction: int) -> bool:
    """1 and 2 (dissatisfied, very dissatisfied) reopen the ticket for a second handling."""
    return satisfaction <= 2


def is_satisfied(satisfaction: int) -> bool:
    """3 (acceptable, 基本满意) and above count as satisfied in the satisfaction rate."""
    return satisfaction >= 3


# --- calling hours ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallAdvice:
    """What the callback queue shows: `now` (call now), `before` (call before `at`: the item falls
    due inside a quiet window), or `at` (calling now is not allowed: call at `at`)."""

    kind: str
    at: dt.datetime | None = None


def _windows(day: dt.date, tz, settings) -> list[tuple[dt.datetime, dt.datetime]]:
    """The allowed calling windows of one local day: calling hours minus the lunch break."""
    start = dt.datetime.combine(day, settings.calling_hours_start, tzinfo=tz)
    end = dt.datetime.combine(day, settings.calling_hours_end, tzinfo=tz)
    quiet_start = dt.datetime.combine(day, settings.quiet_start, tzinfo=tz)
    quiet_end = dt.datetime.combine(day, settings.quiet_end, tzinfo=tz)
    if end <= start:
        return []
    if quiet_end <= quiet_start or quiet_end <= start or quiet_start >= end:
        return [(start, end)]
    windows = []
    if quiet_start > start:
        windows.append((start, quiet_start))
    if quiet_end < end:
        windows.append((quiet_end, end))
    return windows


def may_call_at(moment: dt.datetime, settings) -> bool:
    return any(a <= moment < b for a, b in _windows(moment.date(), moment.tzinfo, settings))


def next_calling_moment(moment: dt.datetime, settings) -> dt.datetime | None:
    """The first moment at or after `moment` when residents may be phoned."""
    for offset in range(8):
        day = moment.date() + dt.timedelta(days=offset)
        for a, b in _windows(day, moment.tzinfo, settings):
            if moment < b:
                return max(a, moment)
    return None


def last_calling_moment_before(moment: dt.datetime, settings) -> dt.datetime | None:
    """The end of the last calling window that closes at or before `moment`."""
    for offset in range(8):
        day = moment.date() - dt.timedelta(days=offset)
        for a, b in reversed(_windows(day, moment.tzinfo, settings)):
            if a < moment:
                return min(b, moment)
    return None


def call_advice(*, due_at: dt.datetime, now: dt.datetime, settings) -> CallAdvice:
    """Never suggest a call in the lunch break, early morning or late evening. Pass local times."""
    if not may_call_at(now, settings):
        return CallAdvice("at", next_calling_moment(now, settings))
    if due_at > now and not may_call_at(due_at, settings):
        before = last_calling_moment_before(due_at, settings)
        if before is not None and before > now:
            return CallAdvice("before", before)
    return CallAdvice("now")
