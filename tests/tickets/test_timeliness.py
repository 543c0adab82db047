"""The timeliness definitions (tickets.selectors.timeliness) against a hand-built set of repairs,
complaints and callbacks with their Deadline rows, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from propserv.models import Deadline
from tickets.models import Callback, CallbackAttempt, Complaint, Repair
from tickets.rules import complaints as crules
from tickets.rules import repairs as rrules
from tickets.rules.callbacks import is_satisfied
from tickets.selectors import timeliness as t

NOW = timezone.make_aware(dt.datetime(2026, 3, 15, 12, 0))
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def clock(subject, kind, *, due, met=None, cancelled=None, start=None):
    return Deadline.objects.create(
        estate_id=subject.estate_id,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        kind=kind,
        started_at=start or due - 30 * M,
        due_at=due,
        met_at=met,
        cancelled_at=cancelled,
    )


def repair(estate, category, *, received=None, unit=None, **fields):
    fields.setdefault("description", "水管漏水")
    fields.setdefault("location", "" if unit else "大堂")
    return Repair.objects.create(
        estate=estate,
        unit=unit,
        category=category,
        received_at=received or NOW - 2 * H,
        **fields,
    )


def complaint(estate, *, received=None, **fields):
    fields.setdefault("description", "噪音")
    fields.setdefault("complainant_name", "王女士")
    return Complaint.objects.create(estate=estate, received_at=received or NOW - 48 * H, **fields)


def callback(estate, *, due, repair_=None, complaint_=None, completed=None, **fields):
    status = fields.pop("status", Callback.Status.DONE if completed else Callback.Status.PENDING)
    if status == Callback.Status.DONE:
        fields.setdefault("satisfaction", 5)
    return Callback.objects.create(
        estate=estate,
        repair=repair_,
        complaint=complaint_,
        due_at=due,
        completed_at=completed,
        status=status,
        **fields,
    )


def attempt(cb, at, outcome):
    return CallbackAttempt.objects.create(callback=cb, at=at, outcome=outcome)


@pytest.fixture
def repairs(estate, categories):
    water = categories["water"]
    r = {
        "on_time": repair(estate, water),
        "late": repair(estate, water),
        "overdue": repair(estate, water),
        "pending": repair(estate, water),
        "cancelled": repair(estate, water),
        "reopened": repair(estate, water, reopen_count=1),
        "reopened_ok": repair(estate, water, reopen_count=1),
        "none": repair(estate, water),
    }
    a = rrules.ARRIVAL
    clock(r["on_time"], a, due=NOW - H, met=NOW - H - M)
    clock(r["late"], a, due=NOW - H, met=NOW - H + M)
    clock(r["overdue"], a, due=NOW - M)
    clock(r["pending"], a, due=NOW + 10 * M)
    clock(r["cancelled"], a, due=NOW - H, cancelled=NOW - 2 * H)
    # Reopened: first round on time, the rework's arrival late -> late overall.
    clock(r["reopened"], a, due=NOW - 3 * H, met=NOW - 3 * H - M)
    clock(r["reopened"], a, due=NOW - H, met=NOW)
    # Reopened: first round on time, rework still running -> pending.
    clock(r["reopened_ok"], a, due=NOW - 3 * H, met=NOW - 3 * H - M)
    clock(r["reopened_ok"], a, due=NOW + H)
    # Completion clocks on two of them.
    c = rrules.COMPLETION
    clock(r["on_time"], c, due=NOW - M, met=NOW - 2 * M)
    clock(r["late"], c, due=NOW - H, met=NOW - M)
    clock(r["overdue"], c, due=NOW + H)
    return r


def names(queryset, fixture) -> set[str]:
    by_pk = {obj.pk: name for name, obj in fixture.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True) if pk in by_pk}


def test_repair_arrival_verdicts(repairs):
    qs = Repair.objects.all()
    assert names(qs.filter(t.repair_arrival_q(t.ON_TIME, NOW)), repairs) == {"on_time"}
    assert names(qs.filter(t.repair_arrival_q(t.LATE, NOW)), repairs) == {
        "late",
        "overdue",
        "reopened",
    }
    assert names(qs.filter(t.repair_arrival_q(t.PENDING, NOW)), repairs) == {
        "pending",
        "reopened_ok",
    }
    # The cancelled clock and the repair without one are in none of them.
    every = set()
    for verdict in t.ARRIVAL_VERDICTS:
        every |= names(qs.filter(t.repair_arrival_q(verdict, NOW)), repairs)
    assert every == set(repairs) - {"cancelled", "none"}


def test_the_same_repair_is_pending_before_its_due_time_and_late_after(repairs):
    qs = Repair.objects.filter(pk=repairs["pending"].pk)
    assert qs.filter(t.repair_arrival_q(t.PENDING, NOW)).exists()
    later = NOW + 11 * M
    assert not qs.filter(t.repair_arrival_q(t.PENDING, later)).exists()
    assert qs.filter(t.repair_arrival_q(t.LATE, later)).exists()


def test_repair_completion_verdicts(repairs):
    qs = Repair.objects.all()
    assert names(qs.filter(t.repair_completion_q(t.ON_TIME, NOW)), repairs) == {"on_time"}
    assert names(qs.filter(t.repair_completion_q(t.LATE, NOW)), repairs) == {"late"}
    assert names(qs.filter(t.repair_completion_q(t.PENDING, NOW)), repairs) == {"overdue"}


def test_annotation_agrees_with_the_filters(repairs):
    rows = dict(
        t.annotate_repair_timeliness(Repair.objects.all(), NOW).values_list("pk", "arrival_verdict")
    )
    assert rows[repairs["on_time"].pk] == "on_time"
    assert rows[repairs["reopened"].pk] == "late"
    assert rows[repairs["reopened_ok"].pk] == "pending"
    assert rows[repairs["cancelled"].pk] == ""
    assert rows[repairs["none"].pk] == ""


def test_deadline_row_filters_count_rows(repairs):
    arrivals = Deadline.objects.filter(kind=rrules.ARRIVAL)
    assert arrivals.filter(t.deadline_on_time_q()).count() == 3  # on_time + two first rounds
    assert arrivals.filter(t.deadline_met_late_q()).count() == 2
    assert arrivals.filter(t.deadline_overdue_q(NOW)).count() == 1
    assert arrivals.filter(t.deadline_pending_q(NOW)).count() == 2
    # Through the relation, as an aggregate would use it.
    assert (
        Repair.objects.filter(t.deadline_on_time_q("deadlines__"), deadlines__kind=rrules.ARRIVAL)
        .distinct()
        .count()
        == 3
    )


def test_complaint_reply_verdicts(estate):
    c = {
        "on_time": complaint(estate),
        "late": complaint(estate),
        "overdue": complaint(estate),
        "pending": complaint(estate),
        "cancelled": complaint(estate),
    }
    r = crules.REPLY
    clock(c["on_time"], r, due=NOW - H, met=NOW - 2 * H)
    clock(c["late"], r, due=NOW - 2 * H, met=NOW - H)
    clock(c["overdue"], r, due=NOW - M)
    clock(c["pending"], r, due=NOW + H)
    clock(c["cancelled"], r, due=NOW - H, cancelled=NOW - 2 * H)
    clock(c["on_time"], crules.HANDLE, due=NOW - 3 * H)  # another clock does not count
    qs = Complaint.objects.all()
    for verdict in t.REPLY_VERDICTS:
        assert names(qs.filter(t.complaint_reply_q(verdict, NOW)), c) == {verdict}
    rows = dict(t.annotate_complaint_reply(qs, NOW).values_list("pk", "reply_verdict"))
    assert rows[c["cancelled"].pk] == ""
    assert rows[c["overdue"].pk] == "overdue"


def test_callback_verdicts_and_first_attempt(estate, categories):
    job = repair(estate, categories["water"])
    matter = complaint(estate)
    cbs = {
        "on_time": callback(estate, repair_=job, due=NOW - H, completed=NOW - 2 * H),
        "late": callback(estate, complaint_=matter, due=NOW - 2 * H, completed=NOW - H),
        "overdue": callback(estate, repair_=job, due=NOW - M),
        "waiting": callback(
            estate, complaint_=complaint(estate), due=NOW + H, status=Callback.Status.PENDING
        ),
        "cancelled": callback(estate, repair_=job, due=NOW - H, status=Callback.Status.CANCELLED),
    }
    qs = Callback.objects.all()
    for verdict in t.CALLBACK_VERDICTS:
        assert names(qs.filter(t.callback_q(verdict, NOW)), cbs) == {verdict}
    # First attempt reached / three attempts, reached on the third / first attempt no answer.
    attempt(cbs["on_time"], NOW - 3 * H, "reached")
    attempt(cbs["late"], NOW - 3 * H, "no_answer")
    attempt(cbs["late"], NOW - 2 * H, "wrong_number")
    attempt(cbs["late"], NOW - H, "reached")
    attempt(cbs["overdue"], NOW - 2 * H, "no_answer")
    # Two attempts at the same moment: the lower id is the first.
    attempt(cbs["waiting"], NOW - H, "reached")
    attempt(cbs["waiting"], NOW - H, "no_answer")
    assert names(qs.filter(t.callback_first_attempt_q()), cbs) == {"on_time", "waiting"}
    rows = {
        pk: (timeliness, first)
        for pk, timeliness, first in t.annotate_callback_timeliness(qs, NOW).values_list(
            "pk", "timeliness", "first_attempt"
        )
    }
    assert rows[cbs["late"].pk] == ("late", False)
    assert rows[cbs["on_time"].pk] == ("on_time", True)
    assert rows[cbs["cancelled"].pk] == ("", False)


@pytest.mark.django_db
def test_unknown_verdict_is_refused():
    with pytest.raises(ValueError):
        t.repair_arrival_q("soon", NOW)


def test_satisfied_line_is_the_rules_line():
    assert is_satisfied(t.SATISFIED_FROM)
    assert not is_satisfied(t.SATISFIED_FROM - 1)
