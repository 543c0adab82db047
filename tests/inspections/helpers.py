"""Small builders for the renovation tests, going through the services like the screens do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from inspections import services
from keys import services as key_services
from tests.factories import ResidentFactory

SH = ZoneInfo("Asia/Shanghai")


def at(month: int = 7, day: int = 1, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware Shanghai time in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def make_owner(unit, name: str = "陈业主", phone: str = "13800001111"):
    return ResidentFactory(unit=unit, name=name, phone=phone)


def make_contractor(estate, actor, *, company: str = "安居装饰", name: str = "黄建国"):
    contractor = key_services.contractor_register(estate=estate, name=company, actor=actor)
    return key_services.contractor_person_register(
        contractor=contractor, name=name, phone="13912345678", id_last4="321X", actor=actor
    )


def apply(unit, owner, person, actor, **overrides):
    kwargs = dict(
        unit=unit,
        owner=owner,
        contractor=person.contractor,
        responsible=person,
        scope=["walls", "floors", "plumbing"],
        planned_start=dt.date(2026, 7, 1),
        planned_end=dt.date(2026, 8, 31),
        deposit=Decimal("3000"),
        actor=actor,
        at=at(6, 25),
    )
    kwargs.update(overrides)
    return services.renovation_apply(**kwargs)


def approved(unit, owner, person, staff, **overrides):
    renovation = apply(unit, owner, person, staff["frontdesk"], **overrides)
    return services.renovation_approve(
        renovation=renovation, conditions="白天施工", actor=staff["supervisor"], at=at(6, 28)
    )


def issue_pass(renovation, staff, *, name: str = "李师傅", until=dt.date(2026, 8, 31), when=None):
    return services.pass_issue(
        renovation=renovation,
        name=name,
        id_last4="1234",
        trade="mason",
        valid_until=until,
        actor=staff["frontdesk"],
        at=when or at(7, 1, 9),
    )
