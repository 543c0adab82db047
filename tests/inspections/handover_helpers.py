"""Builders for the hand-over tests: an estate's units with owners and developer keys, a defect
taxonomy, a move-in plan with a one-off move-in charge and a batch, all through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fees import services as fee_services
from fees.models import ChargeItem
from inspections import services
from keys import services as key_services
from keys.models import Key
from propserv.models import Unit
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory

DAY = dt.date(2026, 7, 6)


def units_with_owners(estate, n: int, *, building_code: str = "8", keys_by=None):
    building = BuildingFactory(estate=estate, code=building_code)
    out = []
    for i in range(n):
        unit = UnitFactory(
            building=building, code=f"{building_code}-1-{101 + i}", status=Unit.Status.SOLD
        )
        owner = ResidentFactory(unit=unit, name=f"业主{i}")
        key = None
        if keys_by is not None:
            key = key_services.key_register(
                estate=estate,
                kind=Key.Kind.DEVELOPER,
                count=2,
                slot=f"A{i:02d}",
                unit=unit,
                actor=keys_by,
            )
        out.append((unit, owner, key))
    return out


def taxonomy(estate, actor):
    return {
        name: services.defect_type_add(estate=estate, name=name, actor=actor)
        for name in ("墙面", "门窗", "水电")
    }


def plan_with_batch(estate, staff, *, fee: str = "200.00", day: dt.date = DAY):
    item = ChargeItem.objects.create(
        estate=estate, code="move_in", name="入伙手续费", kind=ChargeItem.Kind.ONE_OFF
    )
    fee_services.tariff_set(
        item=item, rate=Decimal(fee), valid_from=dt.date(2026, 1, 1), actor=staff["finance"]
    )
    plan = services.plan_create(
        estate=estate,
        name="首批入伙",
        staffing="客服 4 人",
        risks="人流集中",
        prep_items=["钥匙清点", "资料袋"],
        charge_items=[item],
        actor=staff["supervisor"],
    )
    batch = services.batch_add(plan=plan, name="第一批", day=day, actor=staff["supervisor"])
    return plan, batch, item
