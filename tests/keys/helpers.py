"""Small builders for the key tests, going through the services like the screens do."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from keys import services
from keys.models import Key
from tests.factories import ResidentFactory

SH = ZoneInfo("Asia/Shanghai")


def at(day: int = 10, hour: int = 10, minute: int = 0, month: int = 3) -> dt.datetime:
    """An aware Shanghai time in March 2026 (a month with no holiday)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


_slots = iter(range(1, 10_000))


def make_key(
    estate, actor, unit=None, *, count: int = 2, slot: str | None = None, area: str = "", when=None
) -> Key:
    kind = Key.Kind.COMMON if unit is None else Key.Kind.DEVELOPER
    return services.key_register(
        estate=estate,
        kind=kind,
        unit=unit,
        area=area or ("1栋水泵房" if unit is None else ""),
        count=count,
        slot=slot or f"T-{next(_slots):03d}",
        actor=actor,
        at=when or at(1, 9),
    )


def make_person(
    estate,
    actor,
    *,
    name: str = "黄建国",
    phone: str = "13912345678",
    liaison=None,
    company: str = "安居装饰",
):
    contractor = services.contractor_register(
        estate=estate, name=company, liaison=liaison, actor=actor
    )
    return services.contractor_person_register(
        contractor=contractor, name=name, phone=phone, id_last4="321X", actor=actor
    )


def make_owner(unit, name: str = "陈业主", phone: str = "13800001111"):
    return ResidentFactory(unit=unit, name=name, phone=phone)


def entrusted_key(owner, staff, *, slot: str = "E-01", when=None):
    """An owner-entrusted key, handed over and in the cabinet."""
    when = when or at(2, 9)
    entrustment = services.entrustment_intake(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=when,
    )
    services.entrustment_handover(
        entrustment=entrustment,
        handed_by=staff["frontdesk"],
        handed_to=staff["area_admin"],
        slot=slot,
        actor=staff["frontdesk"],
        at=when,
    )
    entrustment.refresh_from_db()
    return entrustment


def page(client, url, **params) -> str:
    """The body of a page that must answer 200."""
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()
