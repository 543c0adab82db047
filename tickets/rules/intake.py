"""Pure rules every ticket shares at intake (docs/domain.md, Repairs and Complaints)."""

from __future__ import annotations

import datetime as dt

# How far back staff may date a call that was logged late.
MAX_BACKDATE = dt.timedelta(hours=24)
# The same entry (reply, call attempt) by the same person within this window is a double submit.
DOUBLE_SUBMIT_WINDOW = dt.timedelta(minutes=2)


def check_received_at(received_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why `received_at` is not acceptable, or None. Staff may backdate a late-logged call."""
    if received_at > now + dt.timedelta(minutes=1):
        return "future"
    if now - received_at > MAX_BACKDATE:
        return "too_old"
    return None
