"""Move-out (撤租): refused while the unit's account owes anything (nothing written), then done
after payment once keys and passes are back and the unit is inspected; the tenant's residency
closes with the date."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from fees import selectors as fee_selectors
from fees.models import ChargeItem
from fees.services.charges import charge_add
from fees.services.payments import payment_post
from keys.services.cabinet import key_register
from keys.services.loans import loan_lend
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Resident
from tests.factories import ResidentFactory
from visits.models import MoveOut
from visits.services import moveout

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(unit):
    return ResidentFactory(
        unit=unit, name="租户陈", role=Resident.Role.TENANT, moved_in_on=dt.date(2026, 1, 1)
    )


@pytest.fixture
def owing(estate, staff, unit):
    item = ChargeItem.objects.create(estate=estate, code="water", name="代收水费", kind="one_off")
    charge_add(unit=unit, item=item, amount="120.50", actor=staff["finance"])
    return D("120.50")


def test_move_out_refused_with_a_balance_then_done_after_payment(staff, unit, tenant, owing):
    desk = staff["frontdesk"]
    move_out = moveout.move_out_start(tenant=tenant, actor=desk, planned_on=dt.date(2026, 12, 20))
    moveout.move_out_keys_returned(move_out_id=move_out.pk, actor=desk, note="2 把钥匙 1 张门禁卡")
    moveout.move_out_inspected(move_out_id=move_out.pk, actor=desk, note="墙面完好")
    assert moveout.checklist(move_out)["fees_settled"] is False
    with pytest.raises(ValidationError) as exc:
        moveout.move_out_complete(
            move_out_id=move_out.pk, actor=desk, moved_out_on=dt.date(2026, 12, 20)
        )
    assert "120.50" in exc.value.messages[0]
    tenant.refresh_from_db()
    move_out.refresh_from_db()
    assert tenant.moved_out_on is None and move_out.status == MoveOut.Status.OPEN
    assert move_out.completed_at is None

    payment_post(unit=unit, amount=owing, method="cash", actor=desk)
    assert fee_selectors.balance(unit) == D("0.00")
    moveout.move_out_complete(
        move_out_id=move_out.pk, actor=desk, moved_out_on=dt.date(2026, 12, 20)
    )
    tenant.refresh_from_db()
    move_out.refresh_from_db()
    assert tenant.moved_out_on == dt.date(2026, 12, 20)
    assert move_out.status == MoveOut.Status.DONE and move_out.moved_out_on == dt.date(2026, 12, 20)
    assert not Resident.objects.current(dt.date(2026, 12, 21)).filter(pk=tenant.pk).exists()
    with pytest.raises(InvalidTransition):
        moveout.move_out_inspected(move_out_id=move_out.pk, actor=desk, note="again")


def test_checklist_items_must_be_done_first(staff, tenant):
    desk = staff["frontdesk"]
    move_out = moveout.move_out_start(tenant=tenant, actor=desk, planned_on=dt.date(2026, 12, 20))
    assert (
        moveout.move_out_start(tenant=tenant, actor=desk, planned_on=dt.date(2026, 12, 21))
        == move_out
    )
    with pytest.raises(ValidationError):
        moveout.move_out_complete(move_out_id=move_out.pk, actor=desk)
    moveout.move_out_keys_returned(move_out_id=move_out.pk, actor=desk)
    with pytest.raises(ValidationError):
        moveout.move_out_complete(move_out_id=move_out.pk, actor=desk)
    with pytest.raises(ValidationError):
        moveout.move_out_inspected(move_out_id=move_out.pk, actor=desk, note=" ")
    tenant.refresh_from_db()
    assert tenant.moved_out_on is None


def test_a_unit_key_out_on_loan_blocks_the_keys_item(estate, staff, unit, tenant):
    key = key_register(
        estate=estate, kind="developer", unit=unit, count=2, slot="A-1", actor=staff["frontdesk"]
    )
    loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="查漏",
        actor=staff["frontdesk"],
    )
    tag = key.tag_code
    desk = staff["frontdesk"]
    move_out = moveout.move_out_start(tenant=tenant, actor=desk, planned_on=dt.date(2026, 12, 20))
    assert [k.tag_code for k in moveout.checklist(move_out)["keys"]] == [tag]
    with pytest.raises(ValidationError) as exc:
        moveout.move_out_keys_returned(move_out_id=move_out.pk, actor=desk)
    assert tag in exc.value.messages[0]
    move_out.refresh_from_db()
    assert move_out.keys_returned_at is None


def test_only_tenants_and_the_desk(staff, unit, tenant):
    owner = ResidentFactory(unit=unit)
    with pytest.raises(ValidationError):
        moveout.move_out_start(
            tenant=owner, actor=staff["frontdesk"], planned_on=dt.date(2026, 12, 1)
        )
    with pytest.raises(NotAllowed):
        moveout.move_out_start(
            tenant=tenant, actor=staff["technician"], planned_on=dt.date(2026, 12, 1)
        )
    assert not MoveOut.objects.exists()
