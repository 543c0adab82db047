"""Demo keys for `make run`: the demo estate's vacant units and some common areas, in the
cabinet, plus one contractor with a registered responsible person. Idempotent: keys are found
by their tag codes, the contractor by name, and the sample loan is made only once."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from keys import services
from keys.models import Key, KeyLoan
from propserv.models import Unit

COMMON_AREAS = [
    ("C-001", "1栋水泵房", "水泵房门", 2),
    ("C-002", "配电房", "高低压配电房", 2),
    ("C-003", "会所", "会所大门 + 活动室", 3),
    ("C-004", "天台（1-5栋）", "天台门", 5),
    ("C-005", "消防控制室", "控制室门", 1),
    ("C-006", "地下车库设备间", "设备间门", 1),
]


def _free_slots(estate):
    """Cabinet slots A-01…A-40, B-01… not holding a key yet."""
    used = set(
        Key.objects.filter(estate=estate, state__in=Key.HELD_STATES).values_list("slot", flat=True)
    )
    i = 0
    while True:
        slot = f"{chr(65 + i // 40)}-{i % 40 + 1:02d}"
        i += 1
        if slot not in used:
            yield slot


def seed(estate) -> None:
    actor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if actor is None:
        return
    vacant = Unit.objects.filter(estate=estate, status=Unit.Status.VACANT).order_by("code")
    slots = _free_slots(estate)
    for unit in vacant:
        tag = f"{unit.code}-K1"
        if Key.objects.filter(estate=estate, tag_code=tag).exists():
            continue
        services.key_register(
            estate=estate,
            kind=Key.Kind.DEVELOPER,
            unit=unit,
            count=2,
            slot=next(slots),
            tag_code=tag,
            description="入户门",
            reason="开发商移交",
            actor=actor,
        )
    for n, (tag, area, description, count) in enumerate(COMMON_AREAS):
        if Key.objects.filter(estate=estate, tag_code=tag).exists():
            continue
        services.key_register(
            estate=estate,
            kind=Key.Kind.COMMON,
            area=area,
            count=count,
            slot=f"Z-{n + 1:02d}",
            tag_code=tag,
            description=description,
            actor=actor,
        )
    contractor = services.contractor_register(
        estate=estate, name="深圳市安居装饰工程有限公司", phone="0755-26668888", actor=actor
    )
    person = services.contractor_person_register(
        contractor=contractor, name="黄建国", phone="13912345678", id_last4="321X", actor=actor
    )
    if not KeyLoan.objects.filter(estate=estate).exists():
        key = Key.objects.filter(estate=estate, kind=Key.Kind.DEVELOPER, state="in_cabinet").first()
        if key is not None:
            services.loan_lend(
                key=key,
                borrower_person=person,
                phone=person.phone,
                count=1,
                reason="维修入户水管",
                actor=actor,
            )
