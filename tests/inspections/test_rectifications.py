"""Violations, stop-work, re-inspections until one passes, and completion with the deposit
refund (docs/domain.md, "Renovation")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inspections import selectors, services
from inspections.models import PatrolItem, Rectification, Renovation
from inspections.sla import RECTIFICATION_DUE
from propserv.errors import InvalidTransition
from propserv.models import Deadline, Unit
from tests.inspections.helpers import approved, at, issue_pass

pytestmark = pytest.mark.django_db

ALL_OK = {code: "ok" for code in PatrolItem.values}
S = Renovation.Status


def test_a_failed_item_issues_a_notice_with_a_deadline(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    patrol = services.patrol_record(
        renovation=renovation,
        items={**ALL_OK, "debris": "fail"},
        notes="楼道堆放垃圾",
        actor=staff["patrol"],
        at=at(7, 2, 9),
    )
    notice = Rectification.objects.get()
    assert notice.patrol == patrol and notice.items == ["debris"]
    assert notice.number == "ZX2026-0001-R01" and not notice.serious
    deadline = Deadline.objects.for_subject(notice).get(kind=RECTIFICATION_DUE)
    assert deadline.due_at == at(7, 3, 9)
    renovation.refresh_from_db()
    assert renovation.status == S.APPROVED


def test_stop_work_suspends_passes_at_once_and_two_failed_reinspections_then_a_pass(
    unit, owner, person, staff
):
    renovation = approved(unit, owner, person, staff)
    worker_pass = issue_pass(renovation, staff)
    patrol = staff["patrol"]
    assert selectors.gate_check(patrol, worker_pass.number, at(7, 2, 10))[0] == "valid"
    notice = services.notice_issue(
        renovation=renovation,
        items=["hot_work"],
        description="无证电焊",
        serious=True,
        due_at=at(7, 3, 10),
        actor=patrol,
        at=at(7, 2, 10),
    )
    renovation.refresh_from_db()
    assert renovation.status == S.STOPPED
    assert selectors.gate_check(patrol, worker_pass.number, at(7, 2, 10))[0] == "suspended"
    with pytest.raises(InvalidTransition):
        issue_pass(renovation, staff, name="新工人")
    for day in (3, 4):
        services.notice_reinspect(
            rectification=notice,
            passed=False,
            notes="仍未整改",
            next_due_at=at(7, day + 1, 10),
            actor=patrol,
            at=at(7, day, 10),
        )
        renovation.refresh_from_db()
        assert renovation.status == S.STOPPED
    deadline = Deadline.objects.for_subject(notice).open().get(kind=RECTIFICATION_DUE)
    assert deadline.due_at == at(7, 5, 10)
    services.notice_reinspect(rectification=notice, passed=True, actor=patrol, at=at(7, 5, 9))
    renovation.refresh_from_db()
    notice.refresh_from_db()
    assert renovation.status == S.APPROVED and notice.status == Rectification.Status.CLOSED
    assert notice.reinspections.count() == 3
    assert not Deadline.objects.for_subject(notice).open().exists()
    assert selectors.gate_check(patrol, worker_pass.number, at(7, 5, 9))[0] == "valid"
    actions = list(renovation.events.values_list("action", flat=True))
    assert (
        actions.count("reinspected") == 3
        and "work_stopped" in actions
        and "work_resumed" in actions
    )
    with pytest.raises(InvalidTransition) as exc:
        services.notice_reinspect(rectification=notice, passed=True, actor=patrol, at=at(7, 5, 10))
    assert exc.value.code == "notice_closed"
    assert notice.reinspections.count() == 3


def test_acceptance_pass_records_the_refund_and_the_unit_moves_on(unit, owner, person, staff):
    before = Unit.objects.get(pk=unit.pk).status
    renovation = approved(unit, owner, person, staff)
    services.acceptance_request(renovation=renovation, actor=staff["frontdesk"], at=at(8, 20))
    failed = services.acceptance_record(
        renovation=renovation,
        items={**ALL_OK, "damage": "fail"},
        notes="电梯厅地砖破损",
        actor=staff["supervisor"],
        at=at(8, 21, 10),
    )
    renovation.refresh_from_db()
    assert not failed.passed and renovation.status == S.APPROVED
    notice = renovation.rectifications.get()
    with pytest.raises(InvalidTransition):
        services.acceptance_request(renovation=renovation, actor=staff["frontdesk"], at=at(8, 22))
    services.notice_reinspect(
        rectification=notice, passed=True, actor=staff["patrol"], at=at(8, 23, 10)
    )
    services.acceptance_request(renovation=renovation, actor=staff["frontdesk"], at=at(8, 23, 11))
    with pytest.raises(ValidationError):
        services.acceptance_record(
            renovation=renovation,
            items=ALL_OK,
            deductions=[{"reason": "x", "amount": "9999"}],
            actor=staff["supervisor"],
            at=at(8, 24, 10),
        )
    services.acceptance_record(
        renovation=renovation,
        items=ALL_OK,
        deductions=[
            {"reason": "电梯轿厢划痕", "amount": "200"},
            {"reason": "垃圾清运", "amount": "150.5"},
        ],
        actor=staff["supervisor"],
        at=at(8, 24, 10),
    )
    renovation.refresh_from_db()
    assert renovation.status == S.COMPLETED
    assert renovation.refund_amount == Decimal("2649.50")
    assert [d["amount"] for d in renovation.deductions] == ["200.00", "150.50"]
    assert Unit.objects.get(pk=unit.pk).status == before


def test_goods_slip_is_valid_once_on_its_day(unit, staff):
    slip = services.release_issue(
        unit=unit,
        carrier_kind="resident",
        carrier_name="陈业主",
        goods="旧沙发",
        quantity=1,
        vehicle="粤b12345",
        valid_on=dt.date(2026, 7, 2),
        actor=staff["frontdesk"],
        at=at(7, 1, 16),
    )
    assert slip.vehicle == "粤B12345"
    with pytest.raises(InvalidTransition) as exc:
        services.release_use(release=slip, actor=staff["patrol"], at=at(7, 1, 17))
    assert exc.value.code == "release_wrong_day"
    services.release_use(release=slip, actor=staff["patrol"], at=at(7, 2, 9))
    with pytest.raises(InvalidTransition) as exc:
        services.release_use(release=slip, actor=staff["patrol"], at=at(7, 2, 9, 1))
    assert exc.value.code == "release_used"
    with pytest.raises(ValidationError):
        services.release_issue(
            unit=unit,
            carrier_kind="resident",
            carrier_name="陈业主",
            goods="旧沙发",
            quantity=1,
            valid_on=dt.date(2026, 6, 30),
            actor=staff["frontdesk"],
            at=at(7, 1, 16),
        )


def test_acceptance_is_offered_only_when_the_service_would_take_it(unit, owner, person, staff):
    """An open rectification notice makes acceptance_request refuse: the page must not offer it."""
    renovation = approved(unit, owner, person, staff)
    desk = staff["frontdesk"]
    assert "request_acceptance" in services.allowed_actions(renovation, desk)
    notice = services.notice_issue(
        renovation=renovation,
        items=["corridors"],
        description="走廊堆放材料",
        due_at=at(7, 3, 10),
        actor=staff["patrol"],
        at=at(7, 2, 10),
    )
    assert "request_acceptance" not in services.allowed_actions(renovation, desk)
    with pytest.raises(InvalidTransition):
        services.acceptance_request(renovation=renovation, actor=desk, at=at(7, 2, 11))
    services.notice_reinspect(
        rectification=notice, passed=True, actor=staff["patrol"], at=at(7, 2, 12)
    )
    assert "request_acceptance" in services.allowed_actions(renovation, desk)


def test_sub_cent_deduction_is_refused_not_rounded(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    services.acceptance_request(renovation=renovation, actor=staff["frontdesk"], at=at(8, 20))
    for amount in ("150.505", "0.004", "abc", "NaN"):
        with pytest.raises(ValidationError):
            services.acceptance_record(
                renovation=renovation,
                items=ALL_OK,
                deductions=[{"reason": "垃圾清运", "amount": amount}],
                actor=staff["supervisor"],
                at=at(8, 21, 10),
            )
    renovation.refresh_from_db()
    assert renovation.status == S.ACCEPTANCE and renovation.refund_amount is None
    assert not renovation.acceptances.exists()


def test_acceptance_checks_the_list_like_a_patrol(unit, owner, person, staff):
    renovation = approved(unit, owner, person, staff)
    services.acceptance_request(renovation=renovation, actor=staff["frontdesk"], at=at(8, 20))
    incomplete = {k: v for k, v in ALL_OK.items() if k != "damage"}
    for items in (incomplete, {**ALL_OK, "nonsense": "ok"}, {**ALL_OK, "damage": "maybe"}):
        with pytest.raises(ValidationError) as exc:
            services.acceptance_record(
                renovation=renovation, items=items, actor=staff["supervisor"], at=at(8, 21, 10)
            )
        assert "items" in exc.value.message_dict
    assert not renovation.acceptances.exists()
