"""Demo data of the front-desk services: a unit to let with a seeker, a viewing and a filed lease
(its tenant a resident), an open move-out checklist, today's visitors, documents and parcels
waiting, and the tenant directory of a commercial estate. Called by `seed_demo` for every estate;
does nothing once the estate has a rental listing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from propserv.models import Resident
from tickets.models import PriceItem
from visits.models import RentalListing
from visits.services import gate, moveout, rentals


def seed(estate) -> None:
    if RentalListing.objects.filter(estate=estate).exists():
        return
    users = get_user_model().objects
    desk = users.filter(username="frontdesk").first()
    if desk is None:
        return
    owners = list(
        Resident.objects.current()
        .filter(estate=estate, role=Resident.Role.OWNER)
        .select_related("unit")
        .order_by("unit__code")[:4]
    )
    if len(owners) < 3:
        return
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        PriceItem.objects.get_or_create(
            estate=estate,
            code=rentals.AGENCY_PRICE_CODE,
            defaults={"name": "房屋租赁中介服务费", "unit_label": "宗", "price": Decimal("500.00")},
        )
        listings = [
            rentals.listing_register(
                estate=estate,
                actor=desk,
                unit=owner.unit,
                owner=owner,
                asking_rent=rent,
                available_from=today,
                description=text,
                contact_consent=consent,
            )
            for owner, rent, text, consent in (
                (owners[0], "3200", "三房两厅，南北通透，家电齐全", True),
                (owners[1], "2600", "两房，拎包入住", False),
            )
        ]
        seeker = rentals.seeker_register(
            estate=estate,
            actor=desk,
            name="周女士",
            phone="13600000001",
            budget="3000",
            needs="两房，近地铁，月底入住",
            wanted_from=today + dt.timedelta(days=20),
        )
        match = rentals.match_propose(listing_id=listings[1].pk, seeker_id=seeker.pk, actor=desk)
        rentals.match_book_viewing(
            match_id=match.pk, actor=desk, viewing_at=now + dt.timedelta(days=1)
        )
        rentals.listing_register(
            estate=estate,
            actor=desk,
            unit=owners[2].unit,
            owner=owners[2],
            asking_rent="2800",
            available_from=today - dt.timedelta(days=30),
        )
        lease = rentals.lease_file(
            estate=estate,
            actor=desk,
            unit=owners[2].unit,
            tenant_name="吴先生",
            tenant_phone="13600000002",
            monthly_rent="2800",
            signed_on=today - dt.timedelta(days=25),
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=345),
        )
        moveout.move_out_start(
            tenant=lease.tenant, actor=desk, planned_on=today + dt.timedelta(days=10)
        )
        for name, unit, purpose in (
            ("刘师傅", owners[0].unit, "送家具"),
            ("陈女士", owners[1].unit, "探亲"),
        ):
            gate.visitor_register(
                estate=estate,
                actor=desk,
                name=name,
                unit=unit,
                purpose=purpose,
                host_name="业主",
                host_agreed=True,
            )
        gate.parcel_log(
            estate=estate,
            actor=desk,
            kind="document",
            description="银行挂号信",
            for_name=owners[0].name,
            left_by="邮政投递员",
            unit=owners[0].unit,
        )
        if gate.has_directory(estate):
            for i, company in enumerate(("恒信会计师事务所", "蓝海科技有限公司")):
                unit = owners[i].unit
                gate.directory_add(
                    estate=estate, actor=desk, company=company, floor=unit.floor or 1, unit=unit
                )
