"""The unit inspection after a contractor's loan: rectify, re-inspect, close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keys import services
from keys.models import Key, KeyEvent, LoanInspection, Rectification
from keys.selectors import key_ledger_check
from propserv.errors import InvalidTransition
from tests.keys.helpers import at, make_key, make_person

pytestmark = pytest.mark.django_db


def kinds(key):
    return list(
        KeyEvent.objects.filter(key=key).order_by("at", "pk").values_list("kind", flat=True)
    )


def test_contractor_loan_closes_only_after_the_inspection_passes(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"], liaison=staff["area_admin"])
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=2,
        reason="水管维修",
        related_ref="报修 #12",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    assert loan.borrower_name == "黄建国 (安居装饰)"
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 16))
    loan.refresh_from_db()
    assert loan.status == "awaiting_inspection" and loan.closed_at is None
    assert Key.objects.get(pk=key.pk).state == "in_cabinet"
    with pytest.raises(InvalidTransition) as exc:  # nobody else may borrow it meanwhile
        services.loan_lend(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="x",
            actor=staff["frontdesk"],
            at=at(10, 17),
        )
    assert "黄建国" in str(exc.value)

    with pytest.raises(PermissionDenied):  # the patrol guard inspects, not the technician
        services.loan_inspect(
            loan=loan, facilities_intact=True, clean=True, actor=staff["technician"]
        )
    with pytest.raises(ValidationError):  # a failure must say what to rectify
        services.loan_inspect(loan=loan, facilities_intact=True, clean=False, actor=staff["patrol"])
    failed = services.loan_inspect(
        loan=loan,
        facilities_intact=True,
        clean=False,
        rectification="地面有垃圾",
        actor=staff["patrol"],
        at=at(10, 17),
    )
    loan.refresh_from_db()
    assert not failed.passed and loan.status == "rectifying"
    assert Rectification.objects.get(loan=loan).description == "地面有垃圾"
    assert staff["area_admin"].notifications.filter(title__contains="3-2-1502").exists()

    services.loan_reissue(loan=loan, actor=staff["frontdesk"], at=at(11, 9))  # back in to clean up
    loan.refresh_from_db()
    assert loan.status == "out" and loan.due_at == at(11, 23, 59) + dt.timedelta(seconds=59)
    with pytest.raises(InvalidTransition):
        services.loan_inspect(loan=loan, facilities_intact=True, clean=True, actor=staff["patrol"])
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(11, 12))
    passed = services.loan_inspect(
        loan=loan, facilities_intact=True, clean=True, actor=staff["patrol"], at=at(11, 14)
    )
    loan.refresh_from_db()
    assert passed.passed and loan.status == "closed" and loan.closed_at == at(11, 14)
    assert Rectification.objects.get(loan=loan).cleared_by == passed
    assert kinds(key) == [
        "registered",
        "lent",
        "returned",
        "inspected",
        "lent",
        "returned",
        "inspected",
        "loan_closed",
    ]
    assert key_ledger_check(key) == []
    # and now the key may be lent again
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=staff["frontdesk"],
        at=at(11, 15),
    )


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
