"""Demo data for the front desk: a morning of reception entries, a lost item, a notice. Called by
`seed_demo` for every estate; does nothing once the estate has reception entries."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from propserv.models import Resident
from visits.models import Visit
from visits.services import defects, notices, reception, registers

ENTRIES = [
    ("phone", "service", "预约家政保洁，周六上午", "已登记，待联系保洁公司报价", 3),
    ("walk_in", "other", "询问小区停车位月租价格", "已告知价格，当场解决", None),
    ("phone", "after_sales", "卧室墙面开裂，交房不满一年", "属开发商保修范围，开返修联系单", None),
    ("walk_in", "praise", "表扬 3 栋保洁阿姨认真负责", "已记录，转项目经理", None),
    ("email", "suggestion", "建议在 2 号门增设快递柜", "已记录，转项目经理", None),
    ("phone", "other", "询问本周停水安排", "", 2),
]


def seed(estate) -> None:
    if Visit.objects.filter(estate=estate).exists():
        return
    frontdesk = get_user_model().objects.filter(username="frontdesk").first()
    if frontdesk is None:
        return
    residents = list(Resident.objects.filter(estate=estate).select_related("unit")[:10])
    now = timezone.now()
    with transaction.atomic():
        for i, (channel, category, summary, handling, promise_hours) in enumerate(ENTRIES):
            resident = residents[i] if i < len(residents) else None
            on_spot = category in ("other",) and promise_hours is None
            visit = reception.visit_create(
                estate=estate,
                actor=frontdesk,
                channel=channel,
                category=category,
                summary=summary,
                handling=handling,
                resident=resident,
                promised_answer_at=now + dt.timedelta(hours=promise_hours)
                if promise_hours
                else None,
                resolved_on_spot=on_spot,
                received_at=now - dt.timedelta(minutes=30 * (len(ENTRIES) - i)),
                now=now,
            )
            if category == "after_sales" and resident is not None:
                defects.defect_create(
                    estate=estate,
                    actor=frontdesk,
                    unit=resident.unit,
                    description=summary,
                    location="主卧",
                    developer_team="地产售后部",
                    visit=visit,
                    now=now,
                )
        registers.lost_item_register(
            estate=estate,
            actor=frontdesk,
            description="黑色双肩包",
            found_where="会所门口",
            found_by="巡逻岗 李四",
            kept_where="前台柜 2 号格",
            now=now,
        )
        notices.notice_create(
            estate=estate,
            actor=frontdesk,
            kind="posted",
            title="二次供水水箱清洗停水通知",
            body="本周六 9:00–15:00 清洗二次供水水箱，期间停水，请提前储水。",
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate() + dt.timedelta(days=5),
            now=now,
        )
