"""Fixes from the review: approver password lockout, CSV formula cells, repeated inspections and
intakes, slot races, translated ledger messages."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from keys import rules, services
from keys.forms import approver_attempts_key
from keys.models import Entrustment, Key, KeyEvent, KeyLoan, LoanInspection, Rectification
from tests.conftest import PASSWORD
from tests.factories import UnitFactory
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, staff):
    client.login(username="frontdesk", password=PASSWORD)
    return client


# --- 2. the approver's password cannot be guessed at will --------------------------------------


@pytest.fixture
def attempts(staff):
    key = approver_attempts_key(staff["frontdesk"], staff["supervisor"])
    cache.delete(key)
    yield key
    cache.delete(key)  # the cache outlives the test database


def test_approver_password_locks_after_five_wrong_guesses(desk, estate, unit, staff, attempts):
    key = make_key(estate, staff["frontdesk"], unit)
    due = (timezone.localtime() + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "borrower_kind": "staff",
        "borrower_staff": staff["technician"].pk,
        "count": 1,
        "reason": "长期",
        "phone": "13700000000",
        "due_at": due,
        "approved_by": staff["supervisor"].pk,
    }
    url = reverse("keys:lend", args=[key.pk])
    for guess in range(5):
        wrong = desk.post(url, {**data, "approver_password": f"guess-{guess}"})
        assert wrong.status_code == 400
        assert "批准人密码不正确" in wrong.content.decode()
    locked = desk.post(url, {**data, "approver_password": PASSWORD})  # even the right one now
    assert locked.status_code == 400
    assert "密码错误次数过多" in locked.content.decode()
    assert not KeyLoan.objects.exists()
    cache.delete(attempts)  # the window has passed
    ok = desk.post(url, {**data, "approver_password": PASSWORD})
    assert ok.status_code == 302 and KeyLoan.objects.get().approved_by == staff["supervisor"]


# --- 3. the vacant-unit CSV does not carry formulas --------------------------------------------


def test_vacant_csv_quotes_cells_a_spreadsheet_would_run(desk, estate, staff):
    unit = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().replace(day=1)
    services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"])
    inspection = unit.vacant_inspections.get()
    services.vacant_inspection_record(
        inspection=inspection,
        clean=False,
        facilities_ok=True,
        problem='=HYPERLINK("http://evil","点我")',
        referred_to="@SUM(1+1)",
        actor=staff["patrol"],
    )
    body = desk.get(
        reverse("keys:vacant-csv"), {"estate": estate.code, "month": f"{month:%Y-%m}"}
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@SUM(1+1)" in body
    assert ",=HYPERLINK" not in body and ",@SUM" not in body
    assert "2-1-301" in body  # ordinary cells untouched


# --- 4. a repeated failed inspection is the same inspection ------------------------------------


def test_a_second_failed_inspection_before_the_key_goes_back_is_not_a_duplicate(
    estate, unit, staff
):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"], liaison=staff["area_admin"])
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=2,
        reason="装修",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 16))
    fail = dict(
        facilities_intact=False, clean=True, rectification="墙面划伤", actor=staff["patrol"]
    )
    first = services.loan_inspect(loan=loan, at=at(10, 17), **fail)
    again = services.loan_inspect(loan=loan, at=at(10, 17, 1), **fail)
    assert again.pk == first.pk
    assert LoanInspection.objects.filter(loan=loan).count() == 1
    assert Rectification.objects.filter(loan=loan).count() == 1
    assert KeyEvent.objects.filter(key=key, kind="inspected").count() == 1
    # once the key went back to the contractor and returned, a new failure is a new inspection
    services.loan_reissue(loan=loan, actor=staff["frontdesk"], at=at(11, 9))
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(11, 12))
    second = services.loan_inspect(loan=loan, at=at(11, 14), **fail)
    assert second.pk != first.pk
    assert LoanInspection.objects.filter(loan=loan).count() == 2


# --- 5. a slot taken by a racing request is a form error, not a 500 ---------------------------


@pytest.fixture
def slot_check_lost_the_race(monkeypatch):
    """Between the slot check and the save another request takes the slot: the check passes,
    the database constraint then catches the clash."""
    monkeypatch.setattr(services, "_check_slot_free", lambda estate, slot, **kw: slot.upper())


def test_moving_into_a_slot_taken_meanwhile_is_a_slot_error(
    estate, unit, staff, slot_check_lost_the_race
):
    make_key(estate, staff["frontdesk"], None, slot="A-1")
    key = make_key(estate, staff["frontdesk"], unit, slot="A-2")
    with pytest.raises(ValidationError) as exc:
        services.key_move(key=key, slot="A-1", actor=staff["frontdesk"])
    assert list(exc.value.message_dict) == ["slot"]
    assert Key.objects.get(pk=key.pk).slot == "A-2"
    assert not KeyEvent.objects.filter(key=key, kind="moved").exists()


def test_handing_over_into_a_slot_taken_meanwhile_is_a_slot_error(
    estate, unit, staff, slot_check_lost_the_race
):
    make_key(estate, staff["frontdesk"], None, slot="E-01")
    entrustment = services.entrustment_intake(
        owner=make_owner(unit),
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_handover(
            entrustment=entrustment,
            handed_by=staff["frontdesk"],
            handed_to=staff["area_admin"],
            slot="E-01",
            actor=staff["frontdesk"],
        )
    assert list(exc.value.message_dict) == ["slot"]
    entrustment.refresh_from_db()
    assert entrustment.handed_over_at is None
    assert Key.objects.get(pk=entrustment.key_id).state == "at_desk"


# --- 7. a double-submitted intake is one entrustment -------------------------------------------


def test_a_double_submitted_intake_is_one_key(unit, staff):
    owner = make_owner(unit)
    data = dict(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
    )
    first = services.entrustment_intake(**data, at=at(2, 9))
    again = services.entrustment_intake(**data, at=at(2, 9, 1))
    assert again.pk == first.pk
    assert Key.objects.filter(unit=unit).count() == 1
    assert Entrustment.objects.count() == 1
    # a different bunch, or the same one much later, is a new entrustment
    other = services.entrustment_intake(**{**data, "count": 1}, at=at(2, 9, 2))
    later = services.entrustment_intake(**data, at=at(2, 10))
    assert len({first.pk, other.pk, later.pk}) == 3


def test_after_the_handover_the_same_owner_may_entrust_again(unit, staff):
    owner = make_owner(unit)
    first = entrusted_key(owner, staff, when=at(2, 9))
    second = services.entrustment_intake(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="1234",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9, 3),
    )
    assert second.pk != first.pk


# --- 8. ledger messages in the staff's language ------------------------------------------------


def test_ledger_problems_are_translated():
    events = [SimpleNamespace(kind="lent", count=1, slot="", loan_id=1)]
    with translation.override("zh-hans"):
        problems = rules.derive(events).problems
        diffs = rules.compare({"count": 2}, rules.Derived(count=1))
    assert problems[0] == "第 1 条记录（lent）：第一条记录必须是登记或业主留存"
    assert diffs == ["count：记录为 2，按记录推算为 1"]
    with translation.override("en"):
        assert rules.derive(events).problems[0] == (
            "event 1 (lent): the first event must register or entrust the key"
        )
