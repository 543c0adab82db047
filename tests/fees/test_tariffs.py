"""Rates with validity periods; one-off charges; paid repairs become a charge once."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fees import services
from fees.models import Charge, ChargeItem, LedgerEntry, Tariff
from propserv.errors import InvalidTransition
from propserv.registry import registry
from tickets.models import Repair, RepairCategory

pytestmark = pytest.mark.django_db


def test_overlapping_rate_refused_with_a_clear_error(item, finance):
    with pytest.raises(ValidationError) as err:
        services.tariff_set(item=item, rate="3.00", valid_from=dt.date(2026, 6, 1), actor=finance)
    assert "valid_from" in err.value.message_dict
    assert Tariff.objects.count() == 1


def test_exclusion_constraint_stands_behind_the_service(item, estate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(estate=estate, item=item, rate=D("1"), valid_from=dt.date(2027, 1, 1))


def test_adjacent_rates_allowed(item, finance):
    Tariff.objects.filter(item=item).update(valid_to=dt.date(2026, 7, 1))
    services.tariff_set(item=item, rate="2.80", valid_from=dt.date(2026, 7, 1), actor=finance)
    assert Tariff.objects.count() == 2


@pytest.mark.parametrize("rate", ["-1", "0.001"])
def test_bad_rate_refused(item, finance, rate):
    Tariff.objects.filter(item=item).update(valid_to=dt.date(2026, 7, 1))
    with pytest.raises(ValidationError):
        services.tariff_set(item=item, rate=rate, valid_from=dt.date(2026, 7, 1), actor=finance)
    assert Tariff.objects.count() == 1


def test_one_off_charge(unit, staff):
    item = ChargeItem.objects.create(
        estate=unit.estate, code="clean", name="开荒保洁", kind="one_off"
    )
    charge = services.charge_add(unit=unit, item=item, amount="80.00", actor=staff["finance"])
    assert charge.amount == D("80.00")
    assert services.balance_of(unit) == D("80.00")


def _repair(unit, **kw):
    category, _ = RepairCategory.objects.get_or_create(
        estate=unit.estate, code="water", name="水电"
    )
    return Repair.objects.create(
        estate=unit.estate,
        unit=unit,
        category=category,
        description="水龙头",
        received_at=timezone.now(),
        completed_at=timezone.now(),
        **kw,
    )


def test_paid_repair_becomes_a_charge_once(unit, staff):
    repair = _repair(unit, status=Repair.Status.COMPLETED, chargeable=True, fee=D("45.00"))
    first = services.repair_charge(repair=repair, actor=staff["finance"])
    second = services.repair_charge(repair=repair, actor=staff["frontdesk"])
    assert first.pk == second.pk and first.amount == D("45.00")
    assert Charge.objects.filter(repair=repair).count() == 1
    assert LedgerEntry.objects.filter(charge=first).count() == 1


def test_unfinished_repair_not_charged(unit, staff):
    repair = _repair(unit, status=Repair.Status.IN_PROGRESS, chargeable=True, fee=D("45.00"))
    with pytest.raises(InvalidTransition):
        services.repair_charge(repair=repair, actor=staff["finance"])
    assert not Charge.objects.exists()


def test_beat_sweep_charges_completed_repairs_once(unit, staff):
    done = _repair(unit, status=Repair.Status.CLOSED, chargeable=True, fee=D("88.00"))
    _repair(unit, status=Repair.Status.IN_PROGRESS, chargeable=True, fee=D("10.00"))
    _repair(unit, status=Repair.Status.CLOSED, chargeable=False)
    assert services.charge_completed_repairs() == 1
    assert services.charge_completed_repairs() == 0
    assert Charge.objects.get().repair == done


def test_tickets_hook_charges_a_completed_paid_repair_once(unit):
    repair = _repair(unit, status=Repair.Status.COMPLETED, chargeable=True, fee=D("30.00"))
    for point in ("repair.completed", "repair.called_back"):
        for hook in registry.hooks_for(point):
            hook(repair=repair, actor=None)
    assert Charge.objects.get().amount == D("30.00")
