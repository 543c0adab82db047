"""Idempotency-Key on the API's creates (propserv.idempotency): a retried create gives back the
first answer, never a second record; the same key with another body is a 409; a refused create
leaves no claim behind; concurrent retries with one key make one record."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from keys.models import KeyLoan
from propserv.models import IdempotencyRecord
from tests.conftest import api_as
from tests.keys.helpers import make_key
from tickets.models import Complaint, Repair
from visits.models import Visit

REPAIR = {
    "unit": "3-2-1502",
    "category": "water",
    "description": "厨房水管爆裂",
    "channel": "phone",
    "reporter_name": "王先生",
    "reporter_phone": "13800138000",
}


def post(api, url, body, key):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_repair_create_returns_the_first_answer(api, unit, categories):
    first = post(api, "/api/v1/repairs/", REPAIR, "k-1")
    again = post(api, "/api/v1/repairs/", REPAIR, "k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"]
    assert Repair.objects.count() == 1


def test_same_key_other_body_is_409_and_writes_nothing(api, unit, categories):
    post(api, "/api/v1/repairs/", REPAIR, "k-2")
    other = post(api, "/api/v1/repairs/", {**REPAIR, "description": "别的事"}, "k-2")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Repair.objects.count() == 1


def test_a_refused_create_leaves_no_claim_and_the_corrected_retry_runs(api, unit, categories):
    refused = post(api, "/api/v1/repairs/", {**REPAIR, "category": "nonsense"}, "k-3")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    fixed = post(api, "/api/v1/repairs/", REPAIR, "k-3")
    assert fixed.status_code == 201 and Repair.objects.count() == 1


def test_keys_are_per_user_and_without_a_key_every_post_creates(api, unit, categories, staff):
    post(api, "/api/v1/repairs/", REPAIR, "shared")
    assert (
        post(api_as(staff["supervisor"]), "/api/v1/repairs/", REPAIR, "shared").status_code == 201
    )
    assert api.post("/api/v1/repairs/", REPAIR, format="json").status_code == 201
    assert Repair.objects.count() == 3


def test_an_overlong_key_is_refused(api, unit, categories):
    response = post(api, "/api/v1/repairs/", REPAIR, "x" * 101)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Repair.objects.exists()


def test_complaint_visit_and_key_loan_creates_honour_the_key(api, estate, unit, staff):
    complaint = {
        "unit": unit.code,
        "complainant_name": "李先生",
        "complainant_phone": "13912345678",
        "category": "efficiency",
        "description": "报修三次无人上门",
    }
    assert post(api, "/api/v1/complaints/", complaint, "c").status_code == 201
    assert post(api, "/api/v1/complaints/", complaint, "c")["Idempotent-Replayed"] == "true"
    visit = {"estate": estate.code, "channel": "phone", "category": "repair", "summary": "门锁坏了"}
    assert post(api, "/api/v1/visits/", visit, "v").status_code == 201
    assert post(api, "/api/v1/visits/", visit, "v").status_code == 201
    key = make_key(estate, staff["frontdesk"], unit)
    loan = {
        "key": key.pk,
        "borrower_staff": staff["technician"].pk,
        "phone": "13700000000",
        "count": 1,
        "reason": "查漏水",
    }
    first = post(api, "/api/v1/key-loans/", loan, "l")
    again = post(api, "/api/v1/key-loans/", loan, "l")
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert (Complaint.objects.count(), Visit.objects.count(), KeyLoan.objects.count()) == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_retries_with_one_key_make_one_repair(estate, unit, categories, staff):
    def create(_):
        try:
            return post(api_as(staff["frontdesk"]), "/api/v1/repairs/", REPAIR, "storm").json()[
                "id"
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(10) as pool:
        ids = set(pool.map(create, range(10)))
    assert len(ids) == 1
    assert Repair.objects.count() == 1
