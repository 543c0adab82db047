"""What an API client can discover about repairs (issue 12, "The API a client can discover"):
the repair categories and the price list of one's own estates, and enums in the schema; and
the same reference data kept in a translated admin (issue 12, item 8)."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from tests.conftest import api_as
from tests.factories import make_staff
from tickets.demo import ensure_reference_data
from tickets.models import PriceItem, RepairCategory


@pytest.fixture
def both_estates(estate, other_estate):
    ensure_reference_data(estate)
    ensure_reference_data(other_estate)
    return estate, other_estate


@pytest.mark.django_db
def test_repair_categories_are_listed_for_ones_own_estates_only(both_estates, staff, api):
    estate, other = both_estates
    body = api.get("/api/v1/repair-categories/").json()
    assert {row["estate"] for row in body} == {estate.code}
    water = next(row for row in body if row["code"] == "water")
    assert water["urgent"] is True and water["name"]
    assert api.get("/api/v1/repair-categories/?estate=OTHER").json() == []
    foreign = RepairCategory.objects.filter(estate=other).first()
    assert api.get(f"/api/v1/repair-categories/{foreign.pk}/").status_code == 404
    # A code from the list is what POST /api/v1/repairs/ takes.
    created = api.post(
        "/api/v1/repairs/",
        {
            "estate": estate.code,
            "category": water["code"],
            "location": "3栋大堂",
            "description": "漏水",
        },
        format="json",
    )
    assert created.status_code == 201, created.content


@pytest.mark.django_db
def test_price_list_is_listed_for_ones_own_estates_only(both_estates, staff):
    estate, other = both_estates
    technician = api_as(staff["technician"])
    body = technician.get("/api/v1/price-list/").json()
    assert body and {row["estate"] for row in body} == {estate.code}
    assert set(body[0]) == {"id", "estate", "code", "name", "unit_label", "price", "active"}
    foreign = PriceItem.objects.filter(estate=other).first()
    assert technician.get(f"/api/v1/price-list/{foreign.pk}/").status_code == 404
    assert technician.post("/api/v1/price-list/", {}, format="json").status_code == 405
    assert Client().get("/api/v1/price-list/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_schema_names_where_repair_codes_come_from(client, staff):
    client.force_login(staff["frontdesk"])
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]
    assert "/api/v1/repair-categories/" in paths and "/api/v1/price-list/" in paths
    parts = schema["components"]["schemas"]
    create = parts["RepairCreate"]["properties"]
    assert "/api/v1/repair-categories/" in create["category"]["description"]
    assert create["channel"].get("enum") or "$ref" in str(create["channel"])
    assert "$ref" in str(create["difficulty"]) or create["difficulty"].get("enum")
    callback = parts["Callback"]["properties"]["satisfaction"]
    ref = callback.get("$ref") or callback.get("allOf", [{}])[0].get("$ref", "")
    enum = callback.get("enum") or parts[ref.rsplit("/", 1)[-1]]["enum"]
    assert sorted(enum) == [1, 2, 3, 4, 5]
    dispatch = parts["Dispatch"]["properties"]["technician"]
    assert "/api/v1/staff/" in dispatch["description"]


@pytest.mark.django_db
def test_price_list_and_categories_in_a_translated_admin(estate, other_estate):
    ensure_reference_data(estate)
    ensure_reference_data(other_estate)
    admin = make_staff("boss", "project_manager", estates=[estate], is_staff=True)
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets",
            codename__in=[
                "view_priceitem",
                "change_priceitem",
                "view_repaircategory",
                "change_repaircategory",
                "delete_priceitem",
            ],
        )
    )
    client = Client()
    client.force_login(admin)
    with translation.override("zh-hans"):
        page = client.get("/admin/tickets/priceitem/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "收费标准" in html or "价目" in html
    assert "ESTATE" not in html and "Estate" not in html and "项目" in html
    assert other_estate.name not in html  # only the estates one works for
    category = RepairCategory.objects.filter(estate=estate).first()
    change = client.get(f"/admin/tickets/repaircategory/{category.pk}/change/").content.decode()
    assert "排序" in change and "sort order" not in change
    item = PriceItem.objects.filter(estate=estate).first()
    response = client.post(
        f"/admin/tickets/priceitem/{item.pk}/change/",
        {
            "estate": estate.pk,
            "code": item.code,
            "name": item.name,
            "price": "88.00",
            "unit_label": item.unit_label,
            "active": "on",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert str(item.price) == "88.00"
    assert client.post(f"/admin/tickets/priceitem/{item.pk}/delete/").status_code == 403
