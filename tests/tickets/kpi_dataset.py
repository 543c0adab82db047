"""A hand-built month of tickets whose every dashboard figure is known (tests of tickets.kpis and
of the dashboard pages). Rows are written directly, with their deadline rows, so that times in
the past can be chosen to the minute; the figures are listed in EXPECTED.

Now is 2026-11-20 12:00 (Asia/Shanghai); the period is November 2026, the previous one October.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from propserv.models import Building, Deadline, Unit
from tests.factories import make_staff
from tickets.models import Callback, CallbackAttempt, Complaint, Repair
from tickets.rules import complaints as crules
from tickets.rules import repairs as rules

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
HOUSEHOLDS = 250


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def clock(subject, kind, start, due, met=None, cancelled=None, warn=None):
    return Deadline.objects.create(
        estate_id=subject.estate_id,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        kind=kind,
        started_at=start,
        due_at=due,
        met_at=met,
        cancelled_at=cancelled,
        warn_at=warn,
    )


def repair(
    estate,
    unit,
    category,
    received,
    *,
    urgent,
    tech=None,
    arrival,
    completion,
    status="completed",
    reopen_count=0,
    arrived=None,
):
    """arrival / completion: (minutes to due, minutes to met or None) or None (no clock);
    "cancelled" cancels the clock."""
    r = Repair.objects.create(
        estate=estate,
        unit=unit,
        category=category,
        urgent=urgent,
        technician=tech,
        description="测试",
        received_at=received,
        status=status,
        reopen_count=reopen_count,
        arrived_at=arrived,
    )
    for kind, spec in ((rules.ARRIVAL, arrival), (rules.COMPLETION, completion)):
        if spec == "cancelled":
            clock(
                r,
                kind,
                received,
                received + dt.timedelta(minutes=30),
                cancelled=received + dt.timedelta(minutes=5),
            )
        elif spec:
            due, met = spec
            clock(
                r,
                kind,
                received,
                received + dt.timedelta(minutes=due),
                met=None if met is None else received + dt.timedelta(minutes=met),
            )
    return r


def build(estate, unit, staff, categories) -> dict:
    tech_a, tech_b = staff["technician"], _second_technician(staff, estate)
    building = Building.objects.filter(estate=estate).first()
    Unit.objects.bulk_create(
        Unit(estate=estate, building=building, code=f"9-9-{i}", area_m2=90, status="occupied")
        for i in range(HOUSEHOLDS)
    )
    water, electricity = categories["water"], categories["electricity"]
    doors = categories["doors-windows"]
    r1 = repair(
        estate,
        unit,
        water,
        at(11, 2, 10),
        urgent=True,
        tech=tech_a,
        arrival=(15, 10),
        completion=(120, 60),
    )
    r2 = repair(
        estate,
        unit,
        electricity,
        at(11, 3, 9),
        urgent=True,
        tech=tech_a,
        arrival=(15, 20),
        completion=(120, 90),
    )
    # Received 23:58 on the last day of October, arrived 00:10 on 1 November: October's.
    r3 = repair(
        estate,
        unit,
        doors,
        at(10, 31, 23, 58),
        urgent=False,
        tech=tech_b,
        arrival=(30, 12),
        completion=(120, 100),
    )
    # Reopened: the first visit on time; the rework's arrival on time, its completion late.
    r4 = repair(
        estate,
        unit,
        doors,
        at(11, 5, 14),
        urgent=False,
        tech=tech_b,
        arrival=(30, 25),
        completion=(120, 110),
        reopen_count=1,
        status="reopened",
    )
    rework = at(11, 8, 9)
    clock(
        r4,
        rules.ARRIVAL,
        rework,
        rework + dt.timedelta(minutes=30),
        met=rework + dt.timedelta(minutes=20),
    )
    clock(r4, rules.COMPLETION, rework, rework + dt.timedelta(hours=2))
    # Not dispatched; its clocks open and breached now.
    r5 = repair(
        estate,
        unit,
        water,
        at(11, 19, 11, 50),
        urgent=False,
        arrival=(30, None),
        completion=(120, None),
        status="received",
    )
    r6 = repair(
        estate,
        unit,
        doors,
        at(11, 6, 8),
        urgent=False,
        arrival="cancelled",
        completion="cancelled",
        status="cancelled",
    )
    # Dispatched, arrival open and past its warning time: at risk now.
    r7 = repair(
        estate,
        unit,
        electricity,
        at(11, 20, 11, 55),
        urgent=True,
        tech=tech_a,
        arrival=None,
        completion=(120, None),
        status="dispatched",
    )
    clock(
        r7,
        rules.ARRIVAL,
        r7.received_at,
        r7.received_at + dt.timedelta(minutes=15),
        warn=at(11, 20, 11, 58),
    )

    # Complaints: K1 regraded minor → important, replied on time; K2 replied late; K3 a repeat,
    # invalid, reply overdue; K4 not graded, reply not yet due; K0 October's.
    k1 = _complaint(estate, unit, at(11, 4, 10), "management", "important")
    k1.events.create(action="regraded", at=at(11, 5, 10), data={"from": "minor", "to": "important"})
    clock(k1, crules.REPLY, k1.received_at, at(11, 10, 18), met=at(11, 6, 10))
    k2 = _complaint(estate, unit, at(11, 5, 10), "staff", "minor")
    clock(k2, crules.REPLY, k2.received_at, at(11, 11, 18), met=at(11, 12, 10))
    k3 = _complaint(estate, unit, at(11, 9, 10), "management", "invalid", repeat_flagged=True)
    clock(k3, crules.REPLY, k3.received_at, at(11, 15, 18))
    k4 = _complaint(estate, unit, at(11, 19, 10), "efficiency", "")
    clock(k4, crules.REPLY, k4.received_at, at(11, 25, 18))
    k0 = _complaint(estate, unit, at(10, 10, 10), "management", "major")
    clock(k0, crules.REPLY, k0.received_at, at(10, 16, 18), met=at(10, 11, 10))

    # Callbacks due in November: C1 on time, reached at once; C2 late after three attempts;
    # C3 overdue; C4 not yet due.
    c1 = Callback.objects.create(
        estate=estate,
        repair=r1,
        due_at=at(11, 4, 10),
        status="done",
        satisfaction=5,
        completed_at=at(11, 3, 10),
    )
    CallbackAttempt.objects.create(callback=c1, at=at(11, 3, 10), outcome="reached")
    c2 = Callback.objects.create(
        estate=estate,
        repair=r2,
        due_at=at(11, 5, 9),
        status="done",
        satisfaction=2,
        completed_at=at(11, 6, 15),
    )
    for hour, outcome in ((10, "no_answer"), (14, "no_answer"), (15, "reached")):
        CallbackAttempt.objects.create(callback=c2, at=at(11, 6, hour), outcome=outcome)
    c3 = Callback.objects.create(estate=estate, complaint=k1, due_at=at(11, 10, 18))
    c4 = Callback.objects.create(estate=estate, complaint=k2, due_at=at(11, 25, 18))
    return {
        "repairs": [r1, r2, r3, r4, r5, r6, r7],
        "complaints": [k0, k1, k2, k3, k4],
        "callbacks": [c1, c2, c3, c4],
        "tech_a": tech_a,
        "tech_b": tech_b,
    }


def _complaint(estate, unit, received, category, grade, **extra):
    return Complaint.objects.create(
        estate=estate,
        unit=unit,
        complainant_name="王女士",
        description="测试",
        category=category,
        grade=grade,
        graded_at=received if grade else None,
        received_at=received,
        invalid_reason="outside" if grade == "invalid" else "",
        **extra,
    )


def _second_technician(staff, estate):
    return make_staff("tech_b", "technician", estates=[estate], first_name="李", last_name="师傅")
