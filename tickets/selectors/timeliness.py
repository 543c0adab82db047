"""Was a promise kept? Reusable queryset filters for the timeliness of repairs, complaint replies
and callbacks (docs/domain.md, Repairs / Complaints / Callbacks), shared by the drill-down lists
and the dashboard's figures so that a number and the list behind it always agree.

Definitions (a cancelled clock counts as neither on time nor late):

- Deadline row (`repair.arrival`, `repair.completion`, `complaint.reply`, ...):
  on time = met_at ≤ due_at; met late = met_at > due_at; overdue = not met, not cancelled and
  due_at < now; pending = not met, not cancelled and due_at ≥ now.
- Repair arrival / completion (`ARRIVAL_VERDICTS`): `late` = met late **or** overdue;
  `pending` = still running; `on_time` = met in time. A reopened repair has one clock per round
  (the rework gets fresh ones), so the repair's verdict is its worst round: late if any round is
  late, else pending if any round is running, else on time. The verdicts never overlap.
- Complaint reply (`REPLY_VERDICTS`): `overdue` = not replied and past due; `late` = replied after
  the due time; `on_time` = replied in time; `pending` = not replied, still in time. Worst first:
  overdue, late, pending, on time.
- Callback (`CALLBACK_VERDICTS`), by the callback's own `due_at` / `completed_at`: `on_time` =
  done by its due time; `late` = done after it; `overdue` = still to call and past due; a
  cancelled callback is none of them.

Everything here is an `Exists(...)` subquery on the Deadline table (index `deadline_subject` on
content_type, object_id) or a plain column comparison: nothing loads rows into Python.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from propserv.models import Deadline
from tickets.models import Callback, CallbackAttempt, Complaint, Repair
from tickets.rules import complaints as complaint_rules
from tickets.rules import repairs as repair_rules

ON_TIME, LATE, PENDING, OVERDUE = "on_time", "late", "pending", "overdue"
ARRIVAL_VERDICTS = (ON_TIME, LATE, PENDING)
COMPLETION_VERDICTS = (ON_TIME, LATE, PENDING)
REPLY_VERDICTS = (ON_TIME, LATE, OVERDUE, PENDING)
CALLBACK_VERDICTS = (ON_TIME, LATE, OVERDUE)
# A callback's score from which the resident counts as satisfied (the same line as
# tickets.rules.callbacks.is_satisfied: 3, acceptable, and above).
SATISFIED_FROM = 3
VERDICT_LABELS = {
    ON_TIME: _("On time"),
    LATE: _("Late"),
    PENDING: _("Not yet due"),
    OVERDUE: _("Overdue"),
}

__all__ = [
    "ARRIVAL_VERDICTS",
    "CALLBACK_VERDICTS",
    "COMPLETION_VERDICTS",
    "LATE",
    "ON_TIME",
    "OVERDUE",
    "PENDING",
    "REPLY_VERDICTS",
    "SATISFIED_FROM",
    "VERDICT_LABELS",
    "annotate_callback_timeliness",
    "annotate_complaint_reply",
    "annotate_repair_timeliness",
    "callback_first_attempt_q",
    "callback_q",
    "complaint_reply_q",
    "deadline_met_late_q",
    "deadline_on_time_q",
    "deadline_overdue_q",
    "deadline_pending_q",
    "first_attempt_reached",
    "repair_arrival_q",
    "repair_completion_q",
    "subject_deadlines",
]


# --- one Deadline row ---------------------------------------------------------------------------
# `prefix` lets the same test run through a relation, e.g. Deadline rows aggregated from a
# subject's GenericRelation (`prefix="deadlines__"`).


def _f(prefix: str, name: str) -> F:
    return F(f"{prefix}{name}")


def deadline_on_time_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}met_at__isnull": False,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}met_at__lte": _f(prefix, "due_at"),
        }
    )


def deadline_met_late_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}met_at__isnull": False,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}met_at__gt": _f(prefix, "due_at"),
        }
    )


def deadline_overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}met_at__isnull": True,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}due_at__lt": now,
        }
    )


def deadline_pending_q(now: dt.datetime, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}met_at__isnull": True,
            f"{prefix}cancelled_at__isnull": True,
            f"{prefix}due_at__gte": now,
        }
    )


def subject_deadlines(model, kind: str):
    """The Deadline rows of `kind` whose subject is the outer `model` row (for Exists)."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        kind=kind,
    )


def _has(model, kind: str, q: Q) -> Exists:
    return Exists(subject_deadlines(model, kind).filter(q))


# --- repairs ------------------------------------------------------------------------------------


def _repair_clock_q(kind: str, verdict: str, now: dt.datetime) -> Q:
    late = _has(Repair, kind, deadline_met_late_q() | deadline_overdue_q(now))
    pending = _has(Repair, kind, deadline_pending_q(now))
    if verdict == LATE:
        return Q(late)
    if verdict == PENDING:
        return Q(pending) & ~Q(late)
    if verdict == ON_TIME:
        return Q(_has(Repair, kind, deadline_on_time_q())) & ~Q(late) & ~Q(pending)
    raise ValueError(f"unknown verdict {verdict!r}")


def repair_arrival_q(verdict: str, now: dt.datetime) -> Q:
    """Repairs whose arrival was `on_time`, `late` or is `pending` (see the module's text)."""
    return _repair_clock_q(repair_rules.ARRIVAL, verdict, now)


def repair_completion_q(verdict: str, now: dt.datetime) -> Q:
    """Repairs whose completion was `on_time`, `late` or is `pending`."""
    return _repair_clock_q(repair_rules.COMPLETION, verdict, now)


def _verdict_case(cases: list[tuple[str, Q]]) -> Case:
    return Case(
        *(When(q, then=Value(name)) for name, q in cases),
        default=Value(""),
        output_field=CharField(),
    )


def annotate_repair_timeliness(queryset, now: dt.datetime):
    """`arrival_verdict` and `completion_verdict` ("" when no clock counts) on every repair."""
    return queryset.annotate(
        arrival_verdict=_verdict_case(
            [(v, repair_arrival_q(v, now)) for v in (LATE, PENDING, ON_TIME)]
        ),
        completion_verdict=_verdict_case(
            [(v, repair_completion_q(v, now)) for v in (LATE, PENDING, ON_TIME)]
        ),
    )


# --- complaint replies --------------------------------------------------------------------------


def complaint_reply_q(verdict: str, now: dt.datetime) -> Q:
    """Complaints whose reply was `on_time`, `late`, is `overdue` or `pending`."""
    kind = complaint_rules.REPLY
    overdue = Q(_has(Complaint, kind, deadline_overdue_q(now)))
    late = Q(_has(Complaint, kind, deadline_met_late_q()))
    pending = Q(_has(Complaint, kind, deadline_pending_q(now)))
    if verdict == OVERDUE:
        return overdue
    if verdict == LATE:
        return late & ~overdue
    if verdict == PENDING:
        return pending & ~overdue & ~late
    if verdict == ON_TIME:
        return Q(_has(Complaint, kind, deadline_on_time_q())) & ~overdue & ~late & ~pending
    raise ValueError(f"unknown verdict {verdict!r}")


def annotate_complaint_reply(queryset, now: dt.datetime):
    """`reply_verdict` on every complaint ("" when its reply clock was cancelled)."""
    return queryset.annotate(
        reply_verdict=_verdict_case(
            [(v, complaint_reply_q(v, now)) for v in (OVERDUE, LATE, PENDING, ON_TIME)]
        )
    )


# --- callbacks ----------------------------------------------------------------------------------


def callback_q(verdict: str, now: dt.datetime, prefix: str = "") -> Q:
    """Callbacks done `on_time`, done `late`, or still to call and `overdue`."""
    done = Q(**{f"{prefix}status": Callback.Status.DONE})
    if verdict == ON_TIME:
        return done & Q(**{f"{prefix}completed_at__lte": _f(prefix, "due_at")})
    if verdict == LATE:
        return done & Q(**{f"{prefix}completed_at__gt": _f(prefix, "due_at")})
    if verdict == OVERDUE:
        return Q(**{f"{prefix}status": Callback.Status.PENDING, f"{prefix}due_at__lt": now})
    raise ValueError(f"unknown verdict {verdict!r}")


def first_attempt_reached() -> Exists:
    """True for a callback whose very first attempt (by time, then id) reached the resident."""
    earlier = CallbackAttempt.objects.filter(callback=OuterRef("callback")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), id__lt=OuterRef("id"))
    )
    return Exists(
        CallbackAttempt.objects.filter(
            callback=OuterRef("pk"), outcome=CallbackAttempt.Outcome.REACHED
        ).filter(~Exists(earlier))
    )


def callback_first_attempt_q() -> Q:
    """Callbacks that reached the resident on the first attempt."""
    return Q(first_attempt_reached())


def annotate_callback_timeliness(queryset, now: dt.datetime):
    """`timeliness` (on_time / late / overdue / "") and `first_attempt` (bool) on callbacks."""
    return queryset.annotate(
        timeliness=_verdict_case([(v, callback_q(v, now)) for v in CALLBACK_VERDICTS]),
        first_attempt=first_attempt_reached(),
    )
