"""Demo complaints for `make run` (called by tickets.demo.seed): a month of complaints of every
grade, most answered and handled, some called back — one dissatisfied, so a second handling is
open — and a repair photo, so the manager's dashboard, the lists and every complaint page have
something real to show."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from propserv.models import Resident, Unit
from tickets.models import Callback, Complaint, Repair, RepairPhoto
from tickets.services import complaints as services
from tickets.services import queue as callbacks
from tickets.services.repairs import photos

COMPLAINTS = [
    # (category, grade, description, how far it got)
    ("staff", "important", "夜班保安态度恶劣，拒绝帮忙开门禁", "called_back"),
    ("efficiency", "minor", "报修两天无人上门", "called_back"),
    ("management", "minor", "地下车库照明长期不亮", "dissatisfied"),
    ("neighbour", "minor", "楼上深夜噪音，物业劝阻不力", "handled"),
    ("developer", "invalid", "外墙渗水，要求开发商维修", "replied"),
    ("management", "important", "小区垃圾清运不及时，异味严重", "replied"),
    ("efficiency", "minor", "电梯故障维修慢", "graded"),
    ("other", "", "快递柜收费不合理", "received"),
]


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def seed_complaints(estate) -> None:
    if Complaint.objects.filter(estate=estate).exists():
        return
    rng = random.Random(11)
    desk, supervisor = _user("frontdesk"), _user("supervisor")
    units = list(Unit.objects.filter(estate=estate, status="occupied")[:40])
    now = timezone.now()
    with transaction.atomic():
        for i, (category, grade, text, stage) in enumerate(COMPLAINTS):
            unit = rng.choice(units)
            resident = Resident.objects.filter(unit=unit).first()
            received = now - dt.timedelta(days=24 - i * 3, hours=rng.randint(0, 6))
            complaint = services.complaint_create(
                estate=estate,
                description=text,
                category=category,
                unit=unit,
                complainant=resident,
                complainant_name=resident.name if resident else "业主",
                complainant_phone=resident.phone if resident else "",
                actor=desk,
                received_at=received,
                now=received,
            )
            if stage == "received":
                continue
            services.complaint_grade(
                complaint_id=complaint.pk,
                grade=grade,
                reason="按投诉分级标准定级",
                invalid_reason="developer" if grade == "invalid" else "",
                actor=supervisor,
                at=received + dt.timedelta(minutes=20),
            )
            if stage == "graded":
                continue
            services.complaint_reply(
                complaint_id=complaint.pk,
                channel="phone",
                text="已致电业主说明情况并致歉，安排整改",
                actor=desk,
                at=received + dt.timedelta(hours=3),
            )
            if stage == "replied":
                continue
            handled_at = received + dt.timedelta(days=1)
            services.complaint_mark_handled(
                complaint_id=complaint.pk,
                outcome="已整改完毕并回复业主",
                actor=supervisor,
                at=handled_at,
            )
            if stage == "handled":
                continue
            callback = Callback.objects.get(complaint=complaint, status="pending")
            callbacks.callback_complete(
                callback_id=callback.pk,
                satisfaction=2 if stage == "dissatisfied" else 5,
                comment="仍未解决" if stage == "dissatisfied" else "满意",
                actor=callback.assigned_to or supervisor,
                at=handled_at + dt.timedelta(days=1),
            )
        _repair_photo(estate, desk)


def _repair_photo(estate, actor) -> None:
    repair = (
        Repair.objects.filter(estate=estate)
        .exclude(status__in=[Repair.Status.CLOSED, Repair.Status.CANCELLED])
        .order_by("-pk")
        .first()
    )
    if repair is None:
        return
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("leak.jpg", buffer.getvalue(), content_type="image/jpeg")
    photos.repair_add_photo(
        repair_id=repair.pk, kind=RepairPhoto.Kind.BEFORE, upload=upload, actor=actor
    )
