"""The generic engine with a subject of no particular module (here: a Unit)."""

import datetime as dt

from django.utils import timezone

from propserv.deadlines import DeadlinePolicy, deadline_meet, deadline_open, sweep
from propserv.models import Deadline, DeadlineEscalation, Notification
from propserv.registry import registry


class ExplodingPolicy(DeadlinePolicy):
    kind = "test.exploding"

    def recipients(self, deadline, level):
        raise RuntimeError("a bug in one module's policy")


def test_one_failing_row_does_not_stall_the_others(unit, staff):
    registry.add_deadline_policy(ExplodingPolicy())
    try:
        now = timezone.now()
        start = now - dt.timedelta(hours=1)
        bad = deadline_open(
            subject=unit,
            estate=unit.estate,
            kind="test.exploding",
            started_at=start,
            rule={"unit": "minutes", "amount": 5},
            now=now,
        )
        good = deadline_open(
            subject=unit,
            estate=unit.estate,
            kind="test.plain",
            started_at=start,
            rule={"unit": "minutes", "amount": 5},
            now=now,
        )
        sweep(now=now)
        good.refresh_from_db()
        bad.refresh_from_db()
        assert good.breached_at is not None
        assert Notification.objects.filter(
            recipient=staff["supervisor"], dedupe_key=f"deadline:{good.pk}:1"
        ).exists()
        assert bad.breached_at is None
        assert not DeadlineEscalation.objects.filter(deadline=bad).exists()
        assert bad.next_check_at == now + dt.timedelta(minutes=1)
    finally:
        registry.deadline_policies.pop("test.exploding", None)


def test_met_deadline_is_never_escalated(unit, staff):
    now = timezone.now()
    deadline = deadline_open(
        subject=unit,
        estate=unit.estate,
        kind="test.plain",
        started_at=now,
        rule={"unit": "minutes", "amount": 5},
        now=now,
    )
    deadline_meet(subject=unit, kind="test.plain", at=now + dt.timedelta(minutes=4))
    sweep(now=now + dt.timedelta(hours=5))
    assert not DeadlineEscalation.objects.filter(deadline=deadline).exists()
    assert Deadline.objects.get(pk=deadline.pk).next_check_at is None


def test_opening_twice_returns_the_open_deadline(unit):
    now = timezone.now()
    first = deadline_open(
        subject=unit,
        estate=unit.estate,
        kind="test.plain",
        started_at=now,
        rule={"unit": "hours", "amount": 1},
        now=now,
    )
    second = deadline_open(
        subject=unit,
        estate=unit.estate,
        kind="test.plain",
        started_at=now,
        rule={"unit": "hours", "amount": 1},
        now=now,
    )
    assert first.pk == second.pk
