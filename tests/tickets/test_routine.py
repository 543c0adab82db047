"""Routine callbacks (docs/domain.md, Callbacks): the quarter's visits of an administrator's area
planned exactly once, the office head's yearly visits, the repair-works follow-up once per
repair, rates per person against a hand computation, the daily tally, the register of key
households and the constraints that keep problem callbacks as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from propserv.dashboard.period import days_period
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Notification, Unit
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, make_staff
from tickets import tasks
from tickets.kpis import callbacks as cb_kpis
from tickets.kpis import routine as routine_kpis
from tickets.models import AdministratorArea, Callback, Repair
from tickets.selectors import routine as selectors
from tickets.services import queue
from tickets.services import repairs as repair_services
from tickets.services import routine as services

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def area_setup(estate, staff):
    """Two areas: admin A has building 1 (three lived-in units, one vacant) and a single unit of
    building 3; admin B has building 2 (two lived-in units). Building 3's other unit is nobody's."""
    b1 = BuildingFactory(estate=estate, code="1")
    b2 = BuildingFactory(estate=estate, code="2")
    b3 = BuildingFactory(estate=estate, code="3")
    lived = [UnitFactory(building=b1, code=f"1-1-{n}") for n in (101, 102, 103)]
    vacant = UnitFactory(building=b1, code="1-1-104", status=Unit.Status.VACANT)
    single = UnitFactory(building=b3, code="3-1-301")
    outside = UnitFactory(building=b3, code="3-1-302")
    b_units = [UnitFactory(building=b2, code=f"2-1-{n}") for n in (201, 202)]
    tenant = ResidentFactory(unit=lived[0], role="tenant", name="租户甲")
    owner = ResidentFactory(unit=lived[0], role="owner", name="业主甲")
    admin_b = make_staff("admin_b", "area_admin", estates=[estate])
    area_a = AdministratorArea.objects.create(
        estate=estate, name="一区", administrator=staff["area_admin"]
    )
    area_a.buildings.add(b1)
    area_a.units.add(single)
    area_b = AdministratorArea.objects.create(estate=estate, name="二区", administrator=admin_b)
    area_b.buildings.add(b2)
    return {
        "lived": lived,
        "vacant": vacant,
        "single": single,
        "outside": outside,
        "b_units": b_units,
        "owner": owner,
        "tenant": tenant,
        "admin_b": admin_b,
    }


def visits(estate, first):
    return Callback.objects.filter(estate=estate, kind="admin_visit", period_start=first)


def test_quarter_visits_for_every_household_of_each_area_exactly_once(estate, staff, area_setup):
    s = area_setup
    day = dt.date(2026, 11, 20)
    created = services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["supervisor"], on=day
    )
    first = dt.date(2026, 10, 1)
    planned = visits(estate, first)
    assert created == 6 == planned.count()
    by_unit = {cb.unit_id: cb for cb in planned}
    assert set(by_unit) == {u.pk for u in [*s["lived"], s["single"], *s["b_units"]]}
    assert s["vacant"].pk not in by_unit and s["outside"].pk not in by_unit
    assert {by_unit[u.pk].assigned_to for u in [*s["lived"], s["single"]]} == {staff["area_admin"]}
    assert {by_unit[u.pk].assigned_to for u in s["b_units"]} == {s["admin_b"]}
    # the owner is the one to reach, not the tenant; due by the last calling hour of the quarter
    assert by_unit[s["lived"][0].pk].contact == s["owner"]
    assert by_unit[s["lived"][0].pk].due_at == local(2026, 12, 31, 21, 0)

    # twice: nothing new; another day of the same quarter: nothing new either
    again = services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["area_admin"], on=dt.date(2026, 12, 31)
    )
    assert again == 0 and visits(estate, first).count() == 6
    # the next quarter has its own visits
    assert (
        services.routine_generate_visits(
            estate=estate, kind="admin_visit", actor=staff["area_admin"], on=dt.date(2027, 1, 2)
        )
        == 6
    )
    # the database itself refuses a second visit of the same household in the same quarter
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            estate=estate,
            kind="admin_visit",
            unit=s["lived"][1],
            period_start=first,
            due_at=local(2026, 12, 31, 21, 0),
        )


def test_generating_is_refused_to_the_front_desk_and_writes_nothing(estate, staff, area_setup):
    with pytest.raises(NotAllowed):
        services.routine_generate_visits(
            estate=estate, kind="admin_visit", actor=staff["frontdesk"], on=dt.date(2026, 11, 2)
        )
    with pytest.raises(ValidationError):
        services.routine_generate_visits(
            estate=estate, kind="emergency", actor=staff["supervisor"], on=dt.date(2026, 11, 2)
        )
    assert not Callback.objects.exists()


def test_office_head_visits_every_household_once_a_year(estate, staff, area_setup):
    n = services.routine_generate_visits(
        estate=estate, kind="head_visit", actor=staff["supervisor"], on=dt.date(2026, 3, 5)
    )
    households = Unit.objects.filter(estate=estate, status="occupied").count()
    assert n == households == 7  # the unit outside every area too
    assert n + 0 == Callback.objects.filter(kind="head_visit").count()
    assert set(
        Callback.objects.filter(kind="head_visit").values_list("period_start", flat=True)
    ) == {dt.date(2026, 1, 1)}
    assert {cb.assigned_to for cb in Callback.objects.filter(kind="head_visit")} == {
        staff["supervisor"]
    }
    assert (
        services.routine_generate_visits(
            estate=estate, kind="head_visit", actor=staff["supervisor"], on=dt.date(2026, 9, 5)
        )
        == 0
    )


def test_routine_callback_needs_a_unit_and_a_problem_callback_a_ticket(estate, unit):
    due = local(2026, 12, 1, 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(estate=estate, kind="emergency", due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(estate=estate, kind="problem", unit=unit, due_at=due)
    with pytest.raises(IntegrityError), transaction.atomic():  # a visit names its period
        Callback.objects.create(estate=estate, kind="admin_visit", unit=unit, due_at=due)


# --- repair-works follow-up --------------------------------------------------------------------------


def completed_repair(estate, unit, categories, staff) -> Repair:
    repair = repair_services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["plumbing"],
        description="卫生间水龙头坏了",
        reporter_name="王先生",
        reporter_phone="13800001111",
        actor=staff["frontdesk"],
    )
    repair_services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    repair_services.repair_mark_arrived(repair_id=repair.pk, actor=staff["technician"])
    repair_services.repair_start(repair_id=repair.pk, actor=staff["technician"])
    return repair_services.repair_complete(
        repair_id=repair.pk, actor=staff["technician"], labour_minutes=30, signed_by="王先生"
    )


def test_repair_works_follow_up_once_per_repair(estate, unit, categories, staff):
    repair = completed_repair(estate, unit, categories, staff)
    done = repair.completed_at
    # before the window opens (30 days), nothing
    assert services.do_plan_repair_followups(now=done + dt.timedelta(days=20)) == 0
    assert services.do_plan_repair_followups(now=done + dt.timedelta(days=31)) == 1
    followup = Callback.objects.get(kind="repair_followup")
    assert followup.followup_repair == repair and followup.unit == unit
    assert followup.repair_id is None  # the repair's own (problem) callback is untouched
    local_done = timezone.localtime(done).date()
    assert timezone.localtime(followup.due_at).date() == local_done + dt.timedelta(days=60)
    # the daily task again, and again later in the window: still one
    assert services.do_plan_repair_followups(now=done + dt.timedelta(days=32)) == 0
    assert services.do_plan_repair_followups(now=done + dt.timedelta(days=50)) == 0
    assert Callback.objects.filter(kind="repair_followup").count() == 1
    # the repair's problem callback still works as before
    assert Callback.objects.get(repair=repair, status="pending").kind == "problem"
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            estate=estate,
            kind="repair_followup",
            unit=unit,
            followup_repair=repair,
            due_at=followup.due_at,
        )


def test_follow_up_task_runs_and_skips_repairs_past_the_window(estate, unit, categories, staff):
    repair = completed_repair(estate, unit, categories, staff)
    Repair.objects.filter(pk=repair.pk).update(completed_at=timezone.now() - dt.timedelta(days=70))
    assert tasks.plan_repair_followups() == 0  # past the 60 days: too late to plan
    Repair.objects.filter(pk=repair.pk).update(completed_at=timezone.now() - dt.timedelta(days=35))
    assert tasks.plan_repair_followups() == 1
    assert tasks.plan_repair_followups() == 0


# --- outcome -----------------------------------------------------------------------------------------


def test_a_routine_callback_is_completed_from_the_queue(estate, staff, area_setup):
    services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["supervisor"], on=dt.date(2026, 11, 2)
    )
    cb = Callback.objects.get(unit=area_setup["lived"][0], kind="admin_visit")
    with pytest.raises(NotAllowed):  # the front desk is not one of the callers
        queue.callback_complete(callback_id=cb.pk, satisfaction=5, actor=staff["frontdesk"])
    queue.callback_complete(
        callback_id=cb.pk,
        satisfaction=2,
        comment="电梯经常坏",
        confirmed_by_resident=True,
        actor=staff["area_admin"],
        at=local(2026, 11, 3, 10),
    )
    cb.refresh_from_db()
    assert cb.status == "done" and cb.satisfaction == 2 and cb.completed_by == staff["area_admin"]
    assert cb.attempts.get().outcome == "reached"
    assert Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"callback:{cb.pk}:dissatisfied"
    ).exists()
    # twice: nothing changes
    queue.callback_complete(callback_id=cb.pk, satisfaction=5, actor=staff["area_admin"])
    cb.refresh_from_db()
    assert cb.satisfaction == 2
    with pytest.raises(ValidationError):
        other = Callback.objects.filter(kind="admin_visit", status="pending").first()
        queue.callback_complete(callback_id=other.pk, satisfaction=9, actor=staff["area_admin"])


def test_emergency_callback_within_a_week_and_bad_input(estate, staff, unit):
    resident = ResidentFactory(unit=unit)
    today = timezone.localdate()
    cb = services.routine_plan(
        estate=estate,
        kind="emergency",
        unit=unit,
        topic="夜间水管爆裂抢修",
        actor=staff["frontdesk"],
    )
    assert cb.contact == resident
    assert timezone.localtime(cb.due_at).date() == today + dt.timedelta(days=7)
    bad = [
        {"kind": "emergency", "due_on_date": today + dt.timedelta(days=8), "topic": "x"},
        {"kind": "paid_midway", "topic": "家政保洁"},  # no date agreed
        {"kind": "paid_end", "topic": "", "due_on_date": today},
        {"kind": "admin_visit", "topic": "x", "due_on_date": today},
        {"kind": "paid_end", "topic": "x", "due_on_date": today - dt.timedelta(days=1)},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            services.routine_plan(estate=estate, unit=unit, actor=staff["frontdesk"], **kwargs)
    assert Callback.objects.count() == 1
    with pytest.raises(NotAllowed):
        services.routine_plan(
            estate=estate,
            kind="paid_end",
            unit=unit,
            topic="x",
            due_on_date=today,
            actor=staff["technician"],
        )


# --- rates per person ---------------------------------------------------------------------------------


def test_rates_per_person_match_a_hand_computation(estate, staff, area_setup):
    """Quarter Q4 2026. Admin A: 4 visits, 3 done, 1 missed → 75 % (target 90). Admin B: 2 visits,
    both done → 100 %. Supervisor: 7 head visits for the year fall due outside the quarter, so
    the supervisor's figures come from 2 emergency callbacks: 1 done, 1 missed → 50 % (target
    95). A cancelled one, a problem callback and one not yet due are not counted."""
    s = area_setup
    on = dt.date(2026, 10, 5)
    services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["supervisor"], on=on
    )
    mine = list(
        Callback.objects.filter(kind="admin_visit", assigned_to=staff["area_admin"]).order_by("pk")
    )
    b = list(Callback.objects.filter(kind="admin_visit", assigned_to=s["admin_b"]))
    done_at = local(2026, 11, 10, 10)
    for cb in mine[:3]:
        queue.callback_complete(
            callback_id=cb.pk, satisfaction=4, actor=staff["area_admin"], at=done_at
        )
    for cb in b:
        queue.callback_complete(callback_id=cb.pk, satisfaction=5, actor=s["admin_b"], at=done_at)
    emergency = [
        Callback.objects.create(
            estate=estate,
            kind="emergency",
            unit=s["single"],
            topic="抢修",
            due_at=local(2026, 11, d, 12),
            assigned_to=staff["supervisor"],
        )
        for d in (3, 4, 5)
    ]
    queue.callback_complete(
        callback_id=emergency[0].pk, satisfaction=5, actor=staff["supervisor"], at=done_at
    )
    Callback.objects.filter(pk=emergency[2].pk).update(status="cancelled")
    Callback.objects.create(  # due after "now": open, not counted
        estate=estate,
        kind="emergency",
        unit=s["single"],
        topic="抢修",
        due_at=local(2026, 12, 31, 23),
        assigned_to=staff["supervisor"],
    )
    now = local(2026, 12, 31, 22)  # the quarter's visits are past due: one of A's is missed
    now_open = local(2026, 12, 29, 12)
    period = days_period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))

    card = routine_kpis.compute(staff["gm"], [estate.pk], period, now=now)[0]
    figures = {k.key: k for k in card.kpis}
    assert figures["routine_rate"].value == round(100 * 6 / 8, 1) == 75.0
    assert figures["routine_rate"].target == 95
    assert figures["routine_admin_rate"].value == round(100 * 5 / 6, 1) == 83.3
    assert figures["routine_admin_rate"].target == 90
    assert figures["routine_missed"].value == 2
    rows = {r["name"]: r for r in card.tables[0].rows}
    assert (rows["area_admin"]["done"], rows["area_admin"]["missed"]) == (3, 1)
    assert rows["area_admin"]["rate"] == 75.0 and rows["area_admin"]["target"] == 90
    assert not rows["area_admin"]["meets"]
    assert rows["admin_b"]["rate"] == 100.0 and rows["admin_b"]["meets"]
    sup = rows["supervisor"]
    assert (sup["done"], sup["missed"], sup["open"], sup["rate"], sup["target"]) == (
        1,
        1,
        1,
        50.0,
        95,
    )
    # before the quarter's end, A's pending visit is not yet missed: not counted
    early = {
        r["name"]: r
        for r in routine_kpis.compute(staff["gm"], [estate.pk], period, now_open)[0].tables[0].rows
    }
    assert early["area_admin"]["rate"] == 100.0 and early["area_admin"]["open"] == 1
    # the callbacks card still counts problem callbacks only
    cb_card = cb_kpis.compute(staff["gm"], [estate.pk], period, now=now)[0]
    assert {k.key: k.value for k in cb_card.kpis}["due"] == 0


# --- the daily tally ----------------------------------------------------------------------------------


def test_daily_tally_counts_done_and_due_per_kind_and_person(estate, staff, area_setup):
    s = area_setup
    day = dt.date(2026, 11, 18)
    services.routine_generate_visits(
        estate=estate, kind="admin_visit", actor=staff["supervisor"], on=day
    )
    a_visits = list(Callback.objects.filter(assigned_to=staff["area_admin"]).order_by("pk"))
    for cb in a_visits[:2]:
        queue.callback_complete(
            callback_id=cb.pk, satisfaction=5, actor=staff["area_admin"], at=local(2026, 11, 18, 10)
        )
    queue.callback_complete(  # done yesterday: not today's
        callback_id=a_visits[2].pk,
        satisfaction=5,
        actor=staff["area_admin"],
        at=local(2026, 11, 17, 10),
    )
    for d, hour in ((18, 9), (18, 16), (17, 9)):  # two due today, one overdue from yesterday
        Callback.objects.create(
            estate=estate,
            kind="emergency",
            unit=s["single"],
            topic="抢修",
            due_at=local(2026, 11, d, hour),
            assigned_to=s["admin_b"],
        )
    tally = selectors.daily_tally(estate, day, now=local(2026, 11, 18, 16))
    rows = {(r["kind"], r["who"]): r for r in tally["rows"]}
    visit = rows[("admin_visit", "area_admin")]
    assert (visit["done"], visit["due"], visit["open"], visit["overdue"]) == (2, 0, 0, 0)
    em = rows[("emergency", "admin_b")]
    assert (em["done"], em["due"], em["open"], em["overdue"]) == (0, 2, 2, 1)
    assert tally["totals"] == {"done": 2, "due": 2, "open": 2, "overdue": 1}


# --- key households ----------------------------------------------------------------------------------


def test_key_households_register_and_history(estate, staff, unit, categories):
    resident = ResidentFactory(unit=unit, name="独居老人李婆婆")
    row = services.key_household_add(
        estate=estate, unit=unit, resident=resident, reason="空巢老人", actor=staff["frontdesk"]
    )
    with pytest.raises(ValidationError):
        services.key_household_add(
            estate=estate, unit=unit, reason="重复", actor=staff["frontdesk"]
        )
    with pytest.raises(ValidationError):
        services.key_household_add(
            estate=estate,
            unit=UnitFactory(building=unit.building),
            reason=" ",
            actor=staff["frontdesk"],
        )
    repair = completed_repair(estate, unit, categories, staff)
    services.routine_plan(
        estate=estate, kind="emergency", unit=unit, topic="跌倒求助", actor=staff["frontdesk"]
    )
    history = selectors.service_history(unit)
    assert history["repairs"] == [repair]
    assert {cb.kind for cb in history["callbacks"]} == {"problem", "emergency"}
    with pytest.raises(NotAllowed):
        services.key_household_remove(
            key_household_id=row.pk, reason="搬走", actor=staff["frontdesk"]
        )
    services.key_household_remove(key_household_id=row.pk, reason="搬走", actor=staff["supervisor"])
    row.refresh_from_db()
    assert row.removed_at is not None and row.removed_reason == "搬走"
    with pytest.raises(InvalidTransition):
        services.key_household_remove(
            key_household_id=row.pk, reason="x", actor=staff["supervisor"]
        )
    # back on the register later: a new row, the old one kept
    services.key_household_add(
        estate=estate, unit=unit, reason="再次入住", actor=staff["frontdesk"]
    )
    assert unit.key_households.count() == 2


def test_afternoon_tally_goes_to_the_supervisors_once_a_day(estate, staff, area_setup):
    Callback.objects.create(
        estate=estate,
        kind="emergency",
        unit=area_setup["single"],
        topic="抢修",
        due_at=local(2026, 11, 18, 17),
        assigned_to=staff["area_admin"],
    )
    assert services.do_notify_daily_tally(now=local(2026, 11, 18, 15, 59)) == 0
    assert services.do_notify_daily_tally(now=local(2026, 11, 18, 16, 5)) == 1
    assert services.do_notify_daily_tally(now=local(2026, 11, 18, 17, 5)) == 0
    note = Notification.objects.get(recipient=staff["supervisor"])
    expected = gettext("Callbacks today: %(done)s done, %(open)s of %(due)s due still to call") % {
        "done": 0,
        "open": 1,
        "due": 1,
    }
    assert note.title == expected
    assert note.url.endswith(f"?estate={estate.code}")


def test_beat_plans_the_quarter_and_the_head_visits_once(estate, staff, area_setup):
    day = timezone.localdate()
    added = tasks.plan_routine_visits()
    households = 6  # three lived-in units of building 1, the single unit, building 2's two
    first, _last = services.quarter_of(day)
    assert visits(estate, first).count() == households
    head = Callback.objects.filter(estate=estate, kind="head_visit")
    assert added == households + head.count() and head.count() >= households
    assert tasks.plan_routine_visits() == 0  # the next run adds nothing
