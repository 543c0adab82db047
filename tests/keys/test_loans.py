"""Lending and taking back: the end-of-day due time, a supervisor for longer loans (and the
approver's password at the desk), who may borrow, counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from keys import services
from keys.forms import approver_attempts_key
from keys.models import KeyEvent, KeyLoan
from keys.selectors import key_ledger_check
from propserv.errors import InvalidTransition
from propserv.models import Deadline
from tests.conftest import PASSWORD
from tests.factories import make_staff
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, make_person, page

pytestmark = pytest.mark.django_db


def kinds(key):
    return list(
        KeyEvent.objects.filter(key=key).order_by("at", "pk").values_list("kind", flat=True)
    )


@pytest.fixture
def attempts(staff):
    key = approver_attempts_key(staff["frontdesk"], staff["supervisor"])
    cache.delete(key)
    yield key
    cache.delete(key)  # the cache outlives the test database


def test_staff_loan_is_due_at_the_end_of_the_day_and_closes_on_return(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=2,
        reason="查漏水",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    assert loan.due_at == at(10, 23, 59) + dt.timedelta(seconds=59)
    key.refresh_from_db()
    assert key.state == "on_loan" and key.in_cabinet_count == 0
    deadline = Deadline.objects.for_subject(loan).get()
    assert deadline.kind == "key.loan_return" and deadline.due_at == loan.due_at
    assert deadline.max_escalation_level == 2 and deadline.escalation_step == dt.timedelta(days=3)

    with pytest.raises(ValidationError) as exc:
        services.loan_return(loan=loan, count=1, actor=staff["frontdesk"], at=at(10, 15))
    assert "count" in exc.value.message_dict
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 15))
    loan.refresh_from_db()
    key.refresh_from_db()
    assert (
        loan.status == "closed"
        and loan.returned_count == 2
        and loan.received_by == staff["frontdesk"]
    )
    assert key.state == "in_cabinet" and key.in_cabinet_count == 2
    assert Deadline.objects.for_subject(loan).get().met_at == at(10, 15)
    assert key_ledger_check(key) == []


def test_a_loan_longer_than_the_limit_needs_a_supervisor(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    lend = dict(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="装修跟进",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    three_days = services.loan_lend(due_at=at(13, 23, 0), **lend)  # up to 3 days: no approval
    assert three_days.approved_by is None
    other = make_key(estate, staff["frontdesk"], unit)
    long = {**lend, "key": other, "due_at": at(14, 9)}
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(**long)
    assert "due_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(approved_by=staff["area_admin"], **long)
    assert "approved_by" in exc.value.message_dict
    loan = services.loan_lend(approved_by=staff["supervisor"], approval_note="长期维修", **long)
    assert loan.approved_by == staff["supervisor"]


def test_only_a_registered_active_responsible_person_may_borrow(estate, other_estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"])
    person.active = False
    person.save()
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(
            key=key,
            borrower_person=person,
            phone=person.phone,
            count=1,
            reason="维修",
            actor=staff["frontdesk"],
        )
    assert "borrower_person" in exc.value.message_dict
    elsewhere = make_person(other_estate, make_staff("fd2", "frontdesk", estates=[other_estate]))
    with pytest.raises(ValidationError):
        services.loan_lend(
            key=key,
            borrower_person=elsewhere,
            phone=elsewhere.phone,
            count=1,
            reason="维修",
            actor=staff["frontdesk"],
        )
    assert not KeyLoan.objects.exists()


def test_bad_input_changes_nothing(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    for bad in (dict(count=3), dict(count=0), dict(phone="12345"), dict(reason="  ")):
        args = dict(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="查看",
            actor=staff["frontdesk"],
        )
        with pytest.raises(ValidationError):
            services.loan_lend(**{**args, **bad})
    key.refresh_from_db()
    assert (
        key.state == "in_cabinet" and not KeyLoan.objects.exists() and kinds(key) == ["registered"]
    )


def test_returned_lost_and_retired_keys_cannot_be_lent(estate, unit, staff):
    owner = make_owner(unit)
    e = entrusted_key(owner, staff)
    services.entrustment_release(
        entrustment=e,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    lost = make_key(estate, staff["frontdesk"], unit)
    services.incident_report(
        key=lost,
        kind="lost",
        description="找不到",
        responsible_party="物业",
        actor=staff["frontdesk"],
    )
    for key in (e.key, lost):
        with pytest.raises(InvalidTransition) as exc:
            services.loan_lend(
                key=key,
                borrower_staff=staff["technician"],
                phone="13700000000",
                count=1,
                reason="x",
                actor=staff["frontdesk"],
            )
        assert exc.value.code == "not_lendable"
    assert not KeyLoan.objects.exists()


def test_lend_form_refuses_a_second_loan_with_the_borrower_and_time(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    data = {
        "borrower_kind": "staff",
        "borrower_staff": staff["technician"].pk,
        "count": 1,
        "reason": "查漏",
        "phone": "13700000000",
    }
    assert desk.post(reverse("keys:lend", args=[key.pk]), data).status_code == 302
    response = desk.post(
        reverse("keys:lend", args=[key.pk]), {**data, "borrower_staff": staff["patrol"].pk}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "technician" in body
    assert KeyLoan.objects.count() == 1


def test_lend_form_long_loan_with_the_supervisor_password(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    due = (timezone.localtime() + dt.timedelta(days=6)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "borrower_kind": "staff",
        "borrower_staff": staff["technician"].pk,
        "count": 1,
        "reason": "长期",
        "phone": "13700000000",
        "due_at": due,
    }
    assert desk.post(reverse("keys:lend", args=[key.pk]), data).status_code == 400
    wrong = desk.post(
        reverse("keys:lend", args=[key.pk]),
        {**data, "approved_by": staff["supervisor"].pk, "approver_password": "nope"},
    )
    assert wrong.status_code == 400 and not KeyLoan.objects.exists()
    ok = desk.post(
        reverse("keys:lend", args=[key.pk]),
        {**data, "approved_by": staff["supervisor"].pk, "approver_password": PASSWORD},
    )
    assert ok.status_code == 302
    assert KeyLoan.objects.get().approved_by == staff["supervisor"]


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


def test_overdue_list_shows_loans_past_due(desk, estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    lent_at = timezone.now() - dt.timedelta(days=2)
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
        at=lent_at,
    )
    body = page(desk, reverse("keys:overdue"))
    assert 'data-testid="overdue-row"' in body and key.tag_code in body and "technician" in body
    assert "technician" in page(desk, reverse("keys:cabinet"))  # and on the cabinet board
