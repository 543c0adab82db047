"""Role × action: who may do what in fees (docs/domain.md, "Who works here" and "Fees"):
finance and the front desk take payments; finance reverses, refunds, bills and closes periods;
finance and the project manager set rates; the project manager approves the arrears notice."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fees import services
from fees.models import ArrearsNotice, Payment
from propserv.errors import InvalidTransition, NotAllowed
from propserv.roles import Role
from tests.factories import make_staff
from tickets.models import Repair, RepairCategory

pytestmark = pytest.mark.django_db

FD, AA, SV, PM, QA, GM, TE, PA, FI = (
    "frontdesk",
    "area_admin",
    "supervisor",
    "project_manager",
    "quality",
    "gm",
    "technician",
    "patrol",
    "finance",
)
ALLOWED = {
    "take_payment": {FD, FI},
    "reverse_payment": {FI},
    "refund_credit": {FI},
    "cancel_charge": {FI},
    "bill_period": {FI},
    "close_period": {FI},
    "close_day": {FI},
    "charge_repair": {FD, FI, PM},
    "set_rate": {FI, PM},
    "log_reminder": {FI, FD, AA, SV, PM},
    "prepare_notice": {FI, FD, AA, SV, PM},
    "approve_notice": {PM},
}


@pytest.fixture
def world(billed_unit, staff):
    payment = services.payment_post(
        unit=billed_unit, amount="300.00", method="cash", actor=staff["finance"], keep_credit=True
    )
    category = RepairCategory.objects.create(estate=billed_unit.estate, code="w", name="水电")
    Repair.objects.create(
        estate=billed_unit.estate,
        unit=billed_unit,
        category=category,
        description="换锁",
        received_at=timezone.now(),
        completed_at=timezone.now(),
        status=Repair.Status.COMPLETED,
        chargeable=True,
        fee="60.00",
    )
    notice = ArrearsNotice.objects.create(
        estate=billed_unit.estate,
        as_of=dt.date(2026, 6, 1),
        min_months=6,
        prepared_by=staff["finance"],
    )
    return billed_unit, payment, notice


def _do(action, actor, unit, payment, notice, item):
    estate = unit.estate
    repair = Repair.objects.filter(unit=unit).first()
    period = dt.date(2026, 9, 1)
    calls = {
        "take_payment": lambda: services.payment_post(
            unit=unit, amount="1.00", method="cash", actor=actor
        ),
        "reverse_payment": lambda: services.payment_reverse(
            payment=payment, actor=actor, reason="r"
        ),
        "refund_credit": lambda: services.credit_refund(
            unit=unit, amount="0.01", method="cash", actor=actor
        ),
        "cancel_charge": lambda: services.charge_cancel(
            charge=unit.charges.order_by("-period").first(), actor=actor, reason="r"
        ),
        "bill_period": lambda: services.billing_start(estate=estate, period=period, actor=actor),
        "close_period": lambda: services.period_close(estate=estate, period=period, actor=actor),
        "close_day": lambda: services.day_close(
            estate=estate,
            cashier=payment.taken_by,
            day=timezone.localdate(),
            counted_cash="0",
            explanation="x",
            actor=actor,
        ),
        "charge_repair": lambda: services.repair_charge(repair=repair, actor=actor),
        "set_rate": lambda: services.tariff_set(
            item=item, rate="1", valid_from=dt.date(2030, 1, 1), actor=actor
        ),
        "log_reminder": lambda: services.reminder_log(
            unit=unit, way="visit", outcome="o", actor=actor
        ),
        "prepare_notice": lambda: services.notice_prepare(estate=estate, actor=actor),
        "approve_notice": lambda: services.notice_approve(notice=notice, actor=actor),
    }
    calls[action]()


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_role_action_table(world, staff, item, role, action):
    unit, payment, notice = world
    try:
        _do(action, staff[role], unit, payment, notice, item)
        allowed = True
    except NotAllowed as exc:
        assert not exc.conceal
        allowed = False
    except (ValidationError, InvalidTransition):  # past the role check: the input's fault
        allowed = True
    assert allowed == (role in ALLOWED[action]), (role, action)


def test_stranger_gets_a_404_for_every_action(world, other_estate, item):
    unit, payment, notice = world
    outsider = make_staff(
        "outsider", "finance", "project_manager", "frontdesk", estates=[other_estate]
    )
    for action in ALLOWED:
        with pytest.raises(NotAllowed) as err:
            _do(action, outsider, unit, payment, notice, item)
        assert err.value.conceal, action
    assert Payment.objects.count() == 1
