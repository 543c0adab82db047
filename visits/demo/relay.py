"""Demo data of the information relay, common-area patrols and title certificates: department
heads, one report passed to engineering, the patrol checklist and today's rounds, and the owners
paid in full on the title-certificate list. Does nothing once the estate has relay items."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.db import transaction

from propserv.models import Resident
from visits.models import RelayItem, TitleCertificate
from visits.services import patrols, relay, titles

HEADS = {"engineering": "technician", "cleaning": "area_admin", "security": "patrol"}
PLACES = [
    ("1栋大堂", "照明、门禁、地面卫生"),
    ("中心花园", "绿化、垃圾、儿童设施"),
    ("地下车库", "照明、消防通道、积水"),
    ("电梯厅", "电梯运行、按钮、广告"),
    ("小区大门", "岗亭、道闸、快递堆放"),
]


def seed(estate) -> None:
    if RelayItem.objects.filter(estate=estate).exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(staff__estates=estate)}
    supervisor, frontdesk = users.get("supervisor"), users.get("frontdesk")
    if supervisor is None or frontdesk is None:
        return
    with transaction.atomic():
        for department, username in HEADS.items():
            if username in users:
                relay.department_head_set(
                    estate=estate, department=department, head=users[username], actor=supervisor
                )
        resident = Resident.objects.filter(estate=estate).select_related("unit").first()
        relay.relay_report(
            estate=estate,
            actor=frontdesk,
            summary="3栋电梯厅按钮失灵",
            department="engineering",
            reporter="resident",
            resident=resident,
            caller_name=resident.name if resident else "住户",
            location="3栋电梯厅",
        )
        for order, (name, look_at) in enumerate(PLACES):
            patrols.patrol_place_add(
                estate=estate, actor=supervisor, name=name, look_at=look_at, order=order
            )
    patrols.common_patrols_open(estate=estate)
    if "area_admin" in users:  # this morning's round, all in order
        checks = [patrols.Check(place=p, result="ok") for p in patrols.places(estate)]
        patrols.common_patrol_record(
            estate=estate, actor=users["area_admin"], slot="am", checks=checks
        )
    with transaction.atomic():
        if not titles.titles_list_paid_in_full(estate=estate, actor=frontdesk):
            owner = Resident.objects.filter(estate=estate, role=Resident.Role.OWNER).first()
            if owner is not None and not TitleCertificate.objects.filter(owner=owner).exists():
                rows = f"房号,姓名\n{owner.unit.code},{owner.name}\n".encode()
                titles.titles_import(
                    estate=estate, actor=frontdesk, file=io.BytesIO(rows), filename="demo.csv"
                )
