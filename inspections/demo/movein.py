"""Demo hand-over for `make run` (registry seeder, after the renovation demo): a defect taxonomy,
an inspection round with a few problems, a move-in plan with its checklist and a batch today of
the owners not yet handed over — some arrived, one accepted, one refused — and a key milestone.
Idempotent: nothing is added to an estate that has a move-in plan already."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from inspections import services
from inspections.models import MoveInPlan, Problem, UnitHandover
from propserv.models import Resident

TYPES = ["墙面", "地面", "门窗", "水电", "卫生间", "厨房"]
PREP = ["钥匙清点并贴标签", "入伙资料袋准备", "验房工具准备", "现场指引牌"]


def seed(estate) -> None:
    actor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None or MoveInPlan.objects.filter(estate=estate).exists():
        return
    handed = UnitHandover.objects.filter(unit__estate=estate).values("unit_id")
    owners = list(
        Resident.objects.filter(estate=estate, role=Resident.Role.OWNER)
        .exclude(unit_id__in=handed)
        .select_related("unit", "unit__building")
        .order_by("unit__code")[:8]
    )
    if not owners:
        return
    now, today = timezone.now(), timezone.localdate()
    types = [services.defect_type_add(estate=estate, name=n, actor=actor) for n in TYPES]
    building = owners[0].unit.building
    round_ = services.round_open(
        building=building,
        name="第一轮内部验房",
        started_on=today - dt.timedelta(days=10),
        actor=actor,
    )
    in_building = [o for o in owners if o.unit.building_id == building.pk]
    services.problems_add(
        estate=estate,
        round=round_,
        actor=actor,
        at=now - dt.timedelta(days=9),
        rows=[
            services.NewProblem(
                o.unit, "客厅", types[i % len(types)], Problem.Severity.MINOR, "墙面开裂"
            )
            for i, o in enumerate(in_building[:4])
        ],
    )
    plan = services.plan_create(
        estate=estate,
        name="首批入伙",
        staffing="客服 4 人，工程 2 人，保安 2 人",
        risks="人流集中：分时段预约；验房纠纷：工程人员现场解答",
        prep_items=PREP,
        actor=actor,
    )
    services.prep_tick(item=plan.prep_items.first(), actor=actor)
    batch = services.batch_add(
        plan=plan, name="第一批", day=today, staffing="张三、李四", actor=actor
    )
    services.milestone_set(
        estate=estate,
        project="首批入伙",
        name="入伙资料审核完成",
        owner=actor,
        due_on=today + dt.timedelta(days=3),
        actor=actor,
    )
    for i, owner in enumerate(owners):
        appt = services.appointment_book(
            unit=owner.unit,
            owner=owner,
            batch=batch,
            time=dt.time(9 + i // 2, 30 * (i % 2)),
            actor=actor,
        )
        if i == 0:
            services.appointment_accept(appointment=appt, actor=actor, at=now)
        elif i == 1:
            services.problems_add(
                estate=estate,
                appointment=appt,
                actor=actor,
                rows=[
                    services.NewProblem(
                        owner.unit, "主卫", types[4], Problem.Severity.BLOCKING, "地漏堵塞"
                    )
                ],
            )
            services.appointment_refuse(
                appointment=appt, reasons="主卫地漏堵塞，修好后再收房", actor=actor
            )
        elif i < 4:
            services.appointment_arrive(appointment=appt, actor=actor)
