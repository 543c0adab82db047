"""Repair pages and the admin: a photo only while the page offers one, and no query per job,
per repair, per quote line or per admin row."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from propserv.errors import InvalidTransition
from tickets.models import PriceItem, RepairCategory
from tickets.services import repairs as services


def jpeg_upload() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


def new_repair(estate, unit, categories, staff, **kwargs):
    return services.repair_create(
        estate=estate,
        unit=unit,
        category=categories["plumbing"],
        description="厨房水龙头漏水",
        reporter_phone="13912342929",
        actor=staff["frontdesk"],
        **kwargs,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_cancelled_repair_takes_no_photo_as_its_page_offers_none(estate, unit, categories, staff):
    repair = new_repair(estate, unit, categories, staff)
    services.repair_dispatch(
        repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
    )
    services.repair_cancel(repair_id=repair.pk, reason="住户撤销", actor=staff["frontdesk"])
    repair.refresh_from_db()
    assert "photo" not in services.allowed_actions(repair, staff["technician"])
    with pytest.raises(InvalidTransition):
        services.repair_add_photo(
            repair_id=repair.pk, kind="after", upload=jpeg_upload(), actor=staff["technician"]
        )
    # Through the page as well: refused, nothing stored.
    tech = client_for(staff["technician"])
    tech.post(
        reverse("tickets:repair-photo-upload", args=[repair.pk]),
        {"kind": "after", "image": jpeg_upload()},
    )
    assert not repair.photos.exists()


def _my_jobs_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("tickets:my-jobs"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="quote-form"') == len(
        response.context["rows"]
    )
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_my_jobs_reads_the_price_list_once_not_once_per_job(estate, unit, categories, staff):
    tech = client_for(staff["technician"])

    def dispatch_one():
        repair = new_repair(estate, unit, categories, staff)
        services.repair_dispatch(
            repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
        )

    dispatch_one()
    one = _my_jobs_queries(tech)
    for _i in range(3):
        dispatch_one()
    assert _my_jobs_queries(tech) == one


@pytest.mark.django_db
def test_repair_page_reads_the_quote_lines_items_in_one_query(estate, unit, categories, staff):
    items = list(PriceItem.objects.filter(estate=estate, active=True).order_by("code"))
    assert len(items) >= 3
    desk = client_for(staff["frontdesk"])

    def page_queries(lines) -> int:
        repair = new_repair(estate, unit, categories, staff)
        services.repair_dispatch(
            repair_id=repair.pk, technician=staff["technician"], actor=staff["frontdesk"]
        )
        services.repair_quote(
            repair_id=repair.pk,
            lines=[(item.pk, 1) for item in lines],
            actor=staff["technician"],
        )
        with CaptureQueriesContext(connection) as ctx:
            page = desk.get(repair.get_absolute_url()).content.decode()
        assert all(item.name in page for item in lines)
        return len(ctx.captured_queries)

    assert page_queries(items[:3]) == page_queries(items[:1])


@pytest.mark.django_db
def test_the_board_asks_the_users_estates_once_not_once_per_repair(estate, unit, categories, staff):
    desk = client_for(staff["frontdesk"])
    url = reverse("tickets:board") + f"?estate={estate.code}"

    def board_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = desk.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    new_repair(estate, unit, categories, staff)
    one = board_queries()
    for _i in range(3):
        new_repair(estate, unit, categories, staff)
    assert board_queries() == one


@pytest.mark.django_db
def test_the_category_admin_list_reads_the_estates_in_its_one_query(estate, categories, admin_user):
    client = client_for(admin_user)
    url = reverse("admin:tickets_repaircategory_changelist")

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = list_queries()
    for i in range(3):
        RepairCategory.objects.create(estate=estate, code=f"extra-{i}", name=f"其他{i}")
    assert list_queries() == before
