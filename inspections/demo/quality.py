"""Demo quality checks for `make run` (registry seeder "inspections.quality"): the estate's
checklists (daily self-check, night spot check, monthly scored check), two night checks this
month, and a monthly check with two defects. Idempotent: nothing is added to an estate that has
checklists already."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from inspections.models import CheckKind, QualityTemplate
from inspections.services import quality
from propserv.access import staff_of
from propserv.models import Department
from propserv.roles import Role

D = Department
TEMPLATES = [
    (
        CheckKind.SELF,
        "前台每日自查",
        [("仪容仪表、工牌佩戴", 0, D.CUSTOMER_SERVICE), ("前台台面整洁", 0, D.CUSTOMER_SERVICE)],
    ),
    (
        CheckKind.SUPERVISOR,
        "主管每日检查",
        [("岗位在岗", 0, D.SECURITY), ("公共区域整洁", 0, D.CLEANING)],
    ),
    (
        CheckKind.NIGHT,
        "夜间查岗",
        [("岗位在岗、精神状态", 0, D.SECURITY), ("交接班记录完整", 0, D.SECURITY)],
    ),
    (
        CheckKind.MONTHLY,
        "品质部月检",
        [
            ("客服接待与回访", 20, D.CUSTOMER_SERVICE),
            ("公共区域清洁", 20, D.CLEANING),
            ("设施设备完好", 30, D.ENGINEERING),
            ("秩序维护", 30, D.SECURITY),
        ],
    ),
]


def seed(estate) -> None:
    if QualityTemplate.objects.filter(estate=estate).exists():
        return
    actor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None:
        return
    now = timezone.now()
    made = {}
    for kind, name, items in TEMPLATES:
        made[kind] = quality.quality_template_save(
            estate=estate,
            kind=kind,
            name=name,
            items=[{"text": t, "max_score": m, "specialty": s} for t, m, s in items],
            actor=actor,
            at=now,
        )
    start = timezone.localtime(now).replace(day=1, hour=22, minute=30)
    for n in range(2):
        when = start + dt.timedelta(days=n * 7)
        if when >= now:
            break
        quality.quality_check_record(
            template=made[CheckKind.NIGHT],
            results={"i1": "ok", "i2": "ok"},
            post="东门岗",
            on_duty="王保安",
            actor=actor,
            at=when,
        )
    guard = staff_of(estate, Role.PATROL).first() or actor
    quality.quality_check_record(
        template=made[CheckKind.SUPERVISOR],
        results={"i1": "fail", "i2": "fail"},
        findings=[
            quality.Finding(
                description="南门岗脱岗10分钟",
                specialty=D.SECURITY,
                item="i1",
                duty_failure="left_post",
                responsible=guard,
            ),
            quality.Finding(
                description="花坛内烟头",
                specialty=D.CLEANING,
                item="i2",
                litter=True,
                closed_at=now - dt.timedelta(hours=3, minutes=55),
            ),
        ],
        actor=actor,
        at=now - dt.timedelta(hours=4),
    )
    monthly = made[CheckKind.MONTHLY]
    quality.quality_check_record(
        template=monthly,
        results={"i1": 18, "i2": 15, "i3": 27, "i4": 30},
        findings=[
            quality.Finding(description="3栋大堂地面有污渍", specialty=D.CLEANING, item="i2"),
            quality.Finding(
                description="5栋地下车库两盏灯不亮", specialty=D.ENGINEERING, item="i3"
            ),
        ],
        actor=actor,
        at=now - dt.timedelta(hours=2),
    )
