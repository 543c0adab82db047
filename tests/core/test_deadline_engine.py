"""The generic engine with a subject of no particular module (here: a Unit)."""

import datetime as dt

from django.utils import timezone

from propserv.deadlines import (
    DeadlinePolicy,
    Ladder,
    deadline_meet,
    deadline_open,
    deadlines_recompute,
    sweep,
)
from propserv.models import Deadline, DeadlineEscalation, Estate, Notification
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


class WeeklyChasePolicy(DeadlinePolicy):
    """A ladder of its own: days between levels, three levels, warning at half time."""

    kind = "test.weekly"
    escalation_roles = {1: ("frontdesk",), 2: ("supervisor",), 3: ("gm",)}

    def ladder(self, estate_settings):
        return Ladder(warn_percent=50, step=dt.timedelta(days=7), top_level=3)


def test_the_policy_owns_its_ladder_on_open_and_on_recompute(unit):
    registry.add_deadline_policy(WeeklyChasePolicy())
    try:
        now = timezone.now()
        rule = {"unit": "hours", "amount": 10}
        own = deadline_open(
            subject=unit, estate=unit.estate, kind="test.weekly", started_at=now, rule=rule
        )
        plain = deadline_open(
            subject=unit, estate=unit.estate, kind="test.plain", started_at=now, rule=rule
        )
        assert (own.escalation_step, own.max_escalation_level) == (dt.timedelta(days=7), 3)
        assert own.warn_at == now + dt.timedelta(hours=5)
        settings_row = unit.estate.service_settings
        assert plain.escalation_step == dt.timedelta(minutes=settings_row.escalation_step_minutes)
        # An estate-settings edit recomputes every open clock: each keeps its own policy's ladder.
        settings_row.escalation_step_minutes = 45
        settings_row.deadline_warn_percent = 80
        settings_row.save()
        deadlines_recompute(estate=Estate.objects.get(pk=unit.estate_id))
        own.refresh_from_db()
        plain.refresh_from_db()
        assert (own.escalation_step, own.max_escalation_level) == (dt.timedelta(days=7), 3)
        assert own.warn_at == now + dt.timedelta(hours=5)
        assert plain.escalation_step == dt.timedelta(minutes=45)
        assert plain.warn_at == now + dt.timedelta(hours=8)
    finally:
        registry.deadline_policies.pop("test.weekly", None)
