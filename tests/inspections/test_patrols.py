"""Renovation patrols: two a day within the seasonal patrol hours, each a deadline; a missed
patrol is flagged to the supervisor once (docs/domain.md, "Renovation")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import rules, services
from inspections.models import Patrol, PatrolItem
from inspections.sla import PATROL_DUE
from inspections.tasks import schedule_patrols
from propserv.deadlines import sweep
from propserv.errors import InvalidTransition
from propserv.models import Deadline, EstateSettings, Notification
from tests.inspections.conftest import login
from tests.inspections.helpers import SH, approved, at

pytestmark = pytest.mark.django_db

HOURS = rules.PatrolHours(5, 9, dt.time(7), dt.time(21), dt.time(8), dt.time(22))
ALL_OK = {code: "ok" for code in PatrolItem.values}


def test_patrol_slots_follow_the_season():
    summer = rules.patrol_slots(dt.date(2026, 7, 2), HOURS, 2, SH)
    assert [(s.code, s.start.time(), s.end.time()) for s in summer] == [
        ("am", dt.time(7), dt.time(12)),
        ("pm", dt.time(12), dt.time(21)),
    ]
    winter = rules.patrol_slots(dt.date(2026, 1, 5), HOURS, 2, SH)
    assert [(s.start.time(), s.end.time()) for s in winter] == [
        (dt.time(8), dt.time(12)),
        (dt.time(12), dt.time(22)),
    ]
    assert rules.patrol_window(dt.date(2026, 5, 1), HOURS)[0] == dt.time(7)  # May is summer
    assert rules.patrol_window(dt.date(2026, 10, 1), HOURS)[0] == dt.time(8)
    wrapped = rules.PatrolHours(11, 2, dt.time(6), dt.time(20), dt.time(9), dt.time(18))
    assert rules.patrol_window(dt.date(2026, 1, 1), wrapped) == (dt.time(6), dt.time(20))
    three = rules.patrol_slots(dt.date(2026, 1, 5), HOURS, 3, SH)
    assert [s.code for s in three] == ["p1", "p2", "p3"] and three[-1].end.time() == dt.time(22)
    assert rules.slot_at(summer, dt.datetime(2026, 7, 2, 6, 59, tzinfo=SH)) is None
    assert rules.slot_at(summer, dt.datetime(2026, 7, 2, 12, 0, tzinfo=SH)).code == "pm"


def _deadlines(renovation):
    patrols = Patrol.objects.filter(renovation=renovation)
    return {p.slot: Deadline.objects.for_subject(p).get(kind=PATROL_DUE) for p in patrols}


@pytest.mark.parametrize(
    ("day", "start", "noon", "end"),
    [
        (dt.date(2026, 7, 2), dt.time(7), dt.time(12), dt.time(21)),
        (dt.date(2026, 12, 2), dt.time(8), dt.time(12), dt.time(22)),
    ],
)
def test_patrol_deadlines_open_at_the_right_times(
    day, start, noon, end, unit, owner, person, staff
):
    renovation = approved(
        unit, owner, person, staff, planned_start=day, planned_end=day + dt.timedelta(days=60)
    )
    just_after_midnight = dt.datetime.combine(day, dt.time(0, 5), tzinfo=SH)
    assert services.patrols_schedule(estate=unit.estate, day=day, now=just_after_midnight) == 2
    assert services.patrols_schedule(estate=unit.estate, day=day, now=just_after_midnight) == 2
    deadlines = _deadlines(renovation)
    assert Patrol.objects.count() == 2 and len(deadlines) == 2
    local = {
        k: (timezone.localtime(d.started_at).time(), timezone.localtime(d.due_at).time())
        for k, d in deadlines.items()
    }
    assert local == {"am": (start, noon), "pm": (noon, end)}
    assert all(d.warn_at is None for d in deadlines.values())


def test_no_patrol_before_the_planned_start(unit, owner, person, staff):
    approved(unit, owner, person, staff)  # starts on 07-01
    assert (
        services.patrols_schedule(estate=unit.estate, day=dt.date(2026, 6, 30), now=at(6, 30, 0))
        == 0
    )


def test_a_missed_patrol_is_flagged_to_the_supervisor_once(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    services.patrols_schedule(estate=unit.estate, day=dt.date(2026, 7, 2), now=at(7, 2, 0, 5))
    services.patrol_record(
        renovation=renovation, items=ALL_OK, actor=staff["patrol"], at=at(7, 2, 9)
    )
    sweep(now=at(7, 2, 12, 5))
    assert not Notification.objects.exists()  # the morning patrol was done
    sweep(now=at(7, 2, 21, 1))
    sweep(now=at(7, 2, 21, 2))  # a second beat
    flagged = Notification.objects.all()
    assert [n.recipient.username for n in flagged] == ["supervisor"]
    assert "3-2-1502" in flagged[0].title
    deadlines = _deadlines(renovation)
    assert deadlines["am"].met_at is not None and deadlines["pm"].breached_at is not None
    assert deadlines["pm"].escalations.count() == 1


def test_a_missed_morning_patrol_flagged_once_when_the_sweep_runs_twice(unit, owner, person, staff):
    approved(unit, owner, person, staff)
    services.patrols_schedule(estate=unit.estate, day=dt.date(2026, 7, 2), now=at(7, 2, 0, 5))
    sweep(now=at(7, 2, 12, 1))
    sweep(now=at(7, 2, 12, 30))
    assert Notification.objects.filter(recipient=staff["supervisor"]).count() == 1


def test_a_patrol_outside_hours_or_twice_in_a_slot_is_refused(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    with pytest.raises(ValidationError):
        services.patrol_record(
            renovation=renovation, items=ALL_OK, actor=staff["patrol"], at=at(7, 2, 6, 30)
        )
    assert not Patrol.objects.exists()
    services.patrol_record(
        renovation=renovation, items=ALL_OK, actor=staff["patrol"], at=at(7, 2, 9)
    )
    with pytest.raises(InvalidTransition) as exc:
        services.patrol_record(
            renovation=renovation, items=ALL_OK, actor=staff["area_admin"], at=at(7, 2, 11)
        )
    assert exc.value.code == "already_patrolled"
    afternoon = services.patrol_record(
        renovation=renovation, items=ALL_OK, actor=staff["patrol"], at=at(7, 2, 15)
    )
    assert afternoon.slot == "pm"
    with pytest.raises(ValidationError):
        services.patrol_record(
            renovation=renovation, items={"scope": "ok"}, actor=staff["patrol"], at=at(7, 3, 9)
        )


def test_the_board_and_the_phone_checklist(client, estate, unit, owner, person, staff):
    today = timezone.localdate()
    renovation = approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=1),
        planned_end=today + dt.timedelta(days=30),
    )
    services.patrols_schedule(estate=estate, now=timezone.localtime().replace(hour=0, minute=1))
    login(client, "patrol")
    board = client.get(reverse("inspections:board"), {"estate": estate.code}).content.decode()
    assert unit.code in board and 'data-slot="am"' in board
    data = {f"item_{code}": "ok" for code in PatrolItem.values}
    response = client.post(reverse("inspections:patrol", args=[renovation.pk]), data)
    local = timezone.localtime()
    if rules.slot_at(services.patrols.day_slots(estate, today), local) is None:
        assert response.status_code == 400  # outside patrol hours right now
    else:
        assert response.status_code == 302
        assert Patrol.objects.filter(done_at__isnull=False).count() == 1


def test_working_hours_in_the_estates_local_time():
    utc = dt.UTC
    defaults = EstateSettings()  # the estate's numbers, unsaved: the rule reads no database
    residential = rules.working_hours_for("residential", defaults)
    commercial = rules.working_hours_for("commercial", defaults)

    def local(hour, minute=0):
        # a UTC moment, read in Asia/Shanghai (UTC+8 all year: no daylight saving)
        return dt.datetime(2026, 7, 2, hour, minute, tzinfo=utc).astimezone(SH)

    assert local(0).hour == 8 and rules.within_working_hours(local(0), residential)
    assert not rules.within_working_hours(local(4, 30), residential)  # 12:30 lunch break
    assert rules.within_working_hours(local(4, 30), commercial)
    assert not rules.within_working_hours(local(9, 30), residential)  # 17:30
    assert rules.within_working_hours(local(10, 59), commercial)  # 18:59
    assert not rules.within_working_hours(local(11), commercial)  # 19:00
    winter = dt.datetime(2026, 1, 15, 6, 30, tzinfo=utc).astimezone(SH)
    assert winter.hour == 14 and rules.within_working_hours(winter, residential)
    # An estate that sends commercial workers home at 18:00.
    early = EstateSettings(commercial_work_end=dt.time(18))
    assert not rules.within_working_hours(
        local(10, 30), rules.working_hours_for("commercial", early)
    )


def test_the_daily_task_opens_todays_patrols_once(unit, owner, person, staff):
    today = timezone.localdate()
    approved(
        unit,
        owner,
        person,
        staff,
        planned_start=today - dt.timedelta(days=1),
        planned_end=today + dt.timedelta(days=9),
    )
    first = schedule_patrols()
    assert schedule_patrols() == first
    assert Patrol.objects.filter(day=today).count() == first
