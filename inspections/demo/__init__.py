"""Demo renovations for `make run` (registry seeder, order 4): three renovations — one fresh,
one with an open rectification notice, one stopped — their worker passes, yesterday's patrols and
today's patrol slots. Idempotent: nothing is added to an estate that has renovations already."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from inspections import services
from inspections.models import PatrolItem, Renovation
from inspections.services.patrols import day_slots
from keys import services as key_services
from keys.models import ContractorPerson
from propserv.models import Resident

ALL_OK = {code: "ok" for code in PatrolItem.values}
PLANS = [
    (["walls", "floors", "painting"], "", ""),
    (["kitchen_bath", "plumbing", "electrical"], "debris", ""),
    (["floors", "doors", "air_conditioning"], "hot_work", "serious"),
]
WORKERS = [("李师傅", "1234", "mason"), ("张师傅", "5678", "electrician")]


def _person(estate, actor) -> ContractorPerson:
    person = ContractorPerson.objects.filter(contractor__estate=estate, active=True).first()
    if person is not None:
        return person
    contractor = key_services.contractor_register(
        estate=estate, name="深圳市安居装饰工程有限公司", phone="0755-26668888", actor=actor
    )
    return key_services.contractor_person_register(
        contractor=contractor, name="黄建国", phone="13912345678", id_last4="321X", actor=actor
    )


def seed(estate) -> None:
    actor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None or Renovation.objects.filter(estate=estate).exists():
        return
    owners = list(
        Resident.objects.filter(estate=estate, role=Resident.Role.OWNER)
        .select_related("unit")
        .order_by("unit__code")[: len(PLANS)]
    )
    person = _person(estate, actor)
    now = timezone.now()
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    for owner, (scope, violation, serious) in zip(owners, PLANS, strict=False):
        renovation = services.renovation_apply(
            unit=owner.unit,
            owner=owner,
            contractor=person.contractor,
            responsible=person,
            scope=scope,
            planned_start=today - dt.timedelta(days=7),
            planned_end=today + dt.timedelta(days=45),
            deposit=Decimal("3000"),
            actor=actor,
            at=now - dt.timedelta(days=9),
        )
        renovation = services.renovation_approve(
            renovation=renovation,
            conditions="仅限白天施工，垃圾袋装",
            actor=actor,
            at=now - dt.timedelta(days=8),
        )
        for name, last4, trade in WORKERS:
            services.pass_issue(
                renovation=renovation,
                name=name,
                id_last4=last4,
                trade=trade,
                valid_until=renovation.planned_end,
                actor=actor,
                at=now - dt.timedelta(days=7),
            )
        for slot in day_slots(estate, yesterday):
            failed = violation and slot.code == day_slots(estate, yesterday)[0].code
            services.patrol_record(
                renovation=renovation,
                items={**ALL_OK, violation: "fail"} if failed else ALL_OK,
                notes="现场检查" if not failed else "发现违规，已开具整改通知单",
                serious=bool(failed and serious),
                due_at=now + dt.timedelta(days=1) if failed else None,
                actor=actor,
                at=slot.start + dt.timedelta(hours=1),
            )
    services.patrols_schedule(estate=estate, now=now)
