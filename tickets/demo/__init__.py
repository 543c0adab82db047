"""Repair reference data (taxonomy, price list) for every estate, and a demo day of repairs."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from propserv.models import Resident, StaffProfile, Unit
from propserv.roles import Role
from tickets.demo.complaints import seed_complaints
from tickets.demo.routine import seed_routine
from tickets.demo.surveys import seed_surveys
from tickets.models import PriceItem, Repair, RepairCategory
from tickets.services import repairs as services

# (code, name, urgent, major incident) — water, electricity and gas emergencies are urgent.
DEFAULT_CATEGORIES = [
    ("water", "水管爆裂/漏水", True, False),
    ("electricity", "停电/电路故障", True, False),
    ("gas", "燃气泄漏", True, False),
    ("lift-trapped", "电梯困人", True, True),
    ("fire", "火警", True, True),
    ("flooding", "水浸", True, True),
    ("drainage", "下水道堵塞", False, False),
    ("lift", "电梯故障", False, False),
    ("doors-windows", "门窗", False, False),
    ("lighting", "照明", False, False),
    ("plumbing", "水龙头/洁具", False, False),
    ("wall", "墙面/天花", False, False),
    ("other", "其他", False, False),
]
DEFAULT_PRICES = [
    ("tap", "更换水龙头（人工）", "个", "30.00"),
    ("toilet-unblock", "疏通马桶", "次", "50.00"),
    ("socket", "更换插座（人工）", "个", "20.00"),
    ("lamp", "更换灯具（人工）", "个", "25.00"),
    ("lock", "更换门锁（人工）", "把", "60.00"),
]


def ensure_reference_data(estate) -> None:
    for order, (code, name, urgent, major) in enumerate(DEFAULT_CATEGORIES):
        RepairCategory.objects.get_or_create(
            estate=estate,
            code=code,
            defaults={"name": name, "urgent": urgent, "major_incident": major, "sort_order": order},
        )
    for code, name, per, price in DEFAULT_PRICES:
        PriceItem.objects.get_or_create(
            estate=estate,
            code=code,
            defaults={"name": name, "unit_label": per, "price": Decimal(price)},
        )


def seed(estate) -> None:
    """Called by `seed_demo`: reference data always, a day of repairs once."""
    ensure_reference_data(estate)
    User = get_user_model()
    technicians = []
    for i, name in enumerate(["张师傅", "李师傅", "王师傅"]):
        user, _created = User.objects.get_or_create(
            username="technician" if i == 0 else f"technician{i + 1}",
            defaults={"first_name": f"维修工 {name}"},
        )
        if _created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.TECHNICIAN)[0])
        StaffProfile.objects.get_or_create(user=user)[0].estates.add(estate)
        technicians.append(user)
    if Repair.objects.filter(estate=estate).exists():
        seed_complaints(estate)
        seed_surveys(estate)
        seed_routine(estate)
        return
    rng = random.Random(7)
    frontdesk = User.objects.filter(username="frontdesk").first()
    units = list(Unit.objects.filter(estate=estate, status="occupied")[:60])
    categories = list(RepairCategory.objects.filter(estate=estate))
    now = timezone.now()
    with transaction.atomic():
        for i in range(24):
            unit = rng.choice(units)
            resident = Resident.objects.filter(unit=unit).first()
            received = (
                now - dt.timedelta(minutes=rng.randint(3, 60 * 20))
                if i < 18
                else now - dt.timedelta(minutes=rng.randint(1, 12))
            )
            category = rng.choice(categories)
            repair = services.repair_create(
                estate=estate,
                category=category,
                unit=unit,
                reporter=resident,
                channel=rng.choice(["phone", "walk_in"]),
                description=f"{category.name}，请尽快处理",
                actor=frontdesk,
                received_at=received,
                now=received,
            )
            if i < 12:
                tech = rng.choice(technicians)
                t = received + dt.timedelta(minutes=rng.randint(2, 8))
                services.repair_dispatch(
                    repair_id=repair.pk, technician=tech, actor=frontdesk, at=t
                )
                t += dt.timedelta(minutes=rng.randint(5, 25))
                services.repair_mark_arrived(repair_id=repair.pk, actor=tech, at=t)
                t += dt.timedelta(minutes=2)
                services.repair_start(repair_id=repair.pk, actor=tech, at=t)
                if i < 8:
                    t += dt.timedelta(minutes=rng.randint(20, 90))
                    services.repair_complete(
                        repair_id=repair.pk,
                        actor=tech,
                        labour_minutes=rng.randint(20, 90),
                        signed_by=resident.name if resident else "住户",
                        at=min(t, now),
                    )
                if i < 4:
                    services.repair_record_callback(
                        repair_id=repair.pk,
                        satisfaction=rng.choice([4, 5]),
                        comment="满意",
                        actor=frontdesk,
                        confirmed_by_resident=True,
                        at=min(t + dt.timedelta(hours=1), now),
                    )
    seed_complaints(estate)
    seed_surveys(estate)
    seed_routine(estate)
