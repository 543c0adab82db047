"""The fees API: charges, payments with Idempotency-Key, accounts; scoped by estate."""

from decimal import Decimal as D

import pytest

from fees.models import Payment
from tests.conftest import api_as
from tests.factories import UnitFactory, make_staff

pytestmark = pytest.mark.django_db


def test_charges_list_scoped(api, billed_unit, other_estate):
    resp = api.get("/api/v1/charges/", {"unit": billed_unit.pk, "open": "true"})
    assert resp.status_code == 200
    rows = resp.json()["results"]
    assert len(rows) == 3 and rows[0]["amount"] == "250.00" and rows[0]["open_amount"] == "250.00"


def test_post_payment_and_receipt(api, billed_unit):
    resp = api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "300.00", "method": "wechat", "reference": "WX42"},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["receipt_number"] == "CUIHU-" + body["receipt_number"].split("-", 1)[1]
    assert sum(D(a["amount"]) for a in body["allocations"]) == D("300.00")


def test_payments_without_a_key_are_each_new(api, billed_unit):
    body = {"unit": billed_unit.pk, "amount": "10.00", "method": "cash"}
    assert api.post("/api/v1/payments/", body, format="json").status_code == 201
    assert api.post("/api/v1/payments/", body, format="json").status_code == 201
    assert Payment.objects.count() == 2


def test_idempotency_key_same_body_same_payment(api, billed_unit):
    body = {"unit": billed_unit.pk, "amount": "100.00", "method": "cash"}
    first = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["receipt_number"] == again.json()["receipt_number"]
    assert Payment.objects.count() == 1


def test_idempotency_key_other_body_conflicts(api, billed_unit):
    api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "100.00", "method": "cash"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    resp = api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "200.00", "method": "cash"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["-1", "0.001", "x"])
def test_bad_amount_400_nothing_written(api, billed_unit, amount):
    resp = api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": amount, "method": "cash"},
        format="json",
    )
    assert resp.status_code == 400
    (message,) = resp.json()["error"]["fields"]["amount"]
    assert "金额" in message
    assert not Payment.objects.exists()


def test_overpayment_400_translated(billed_unit, staff):
    client = api_as(staff["frontdesk"])
    resp = client.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "9000.00", "method": "cash"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 400
    assert "预付" in resp.json()["error"]["fields"]["amount"][0]
    assert not Payment.objects.exists()


def test_other_estates_unit_404(api, other_estate, item):
    stranger = UnitFactory(building__estate=other_estate, code="9-9-9")
    resp = api.post(
        "/api/v1/payments/",
        {"unit": stranger.pk, "amount": "1.00", "method": "cash"},
        format="json",
    )
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    assert api.get(f"/api/v1/accounts/{stranger.pk}/").status_code == 404
    missing = api.post(
        "/api/v1/payments/", {"unit": 987654, "amount": "1.00", "method": "cash"}, format="json"
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert not Payment.objects.exists()


def test_account_balance_and_ageing(api, billed_unit, staff):
    api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "100.00", "method": "cash"},
        format="json",
    )
    resp = api.get(f"/api/v1/accounts/{billed_unit.pk}/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["balance"] == "650.00"
    assert set(body["ageing"]) == {"current", "d1_30", "d31_90", "d91_180", "d181"}
    assert sum(D(v) for v in body["ageing"].values()) == D("650.00")
    listing = api.get("/api/v1/accounts/").json()["results"]
    assert [row["unit"] for row in listing] == [billed_unit.code]


def test_reverse_via_api_needs_finance(api, billed_unit, staff):
    pid = api.post(
        "/api/v1/payments/",
        {"unit": billed_unit.pk, "amount": "100.00", "method": "cash"},
        format="json",
    ).json()["id"]
    assert api.post(f"/api/v1/payments/{pid}/reverse/", {"reason": "x"}).status_code == 403
    resp = api_as(staff["finance"]).post(f"/api/v1/payments/{pid}/reverse/", {"reason": "x"})
    assert resp.status_code == 200 and resp.json()["reversed_at"]
    again = api_as(staff["finance"]).post(f"/api/v1/payments/{pid}/reverse/", {"reason": "x"})
    assert again.status_code == 409


def test_technician_sees_no_fees(billed_unit, estate):
    tech = make_staff("tech2", "technician", estates=[estate])
    assert api_as(tech).get("/api/v1/charges/").status_code == 403
