"""Who pays: the owner by default, a tenant by agreement; a change of owner settles or
explicitly carries the old owner's balance (docs/domain.md, "Fees")."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from fees import services
from fees.models import Account, OwnerChange
from propserv.errors import InvalidTransition
from propserv.models import Resident
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_tenant_payer_by_agreement(billed_unit, staff):
    tenant = ResidentFactory(unit=billed_unit, role=Resident.Role.TENANT, name="租户甲")
    with pytest.raises(ValidationError):
        services.payer_set(unit=billed_unit, payer=tenant, actor=staff["frontdesk"])
    account = services.payer_set(
        unit=billed_unit, payer=tenant, agreement="租赁合同第 5 条", actor=staff["frontdesk"]
    )
    assert Account.objects.get(pk=billed_unit.pk).payer == tenant == account.payer
    stranger = ResidentFactory(name="别户")
    with pytest.raises(ValidationError):
        services.payer_set(
            unit=billed_unit, payer=stranger, agreement="x", actor=staff["frontdesk"]
        )


def test_owner_change_settle_or_carry(billed_unit, staff):
    args = {
        "unit": billed_unit,
        "old_owner": "张三",
        "new_owner": "李四",
        "actor": staff["finance"],
    }
    with pytest.raises(InvalidTransition):
        services.owner_change(decision="settled", **args)
    assert not OwnerChange.objects.exists()
    carried = services.owner_change(decision="carried", note="买卖合同约定", **args)
    assert carried.balance == D("750.00")
    services.payment_post(
        unit=billed_unit, amount="750.00", method="cash", actor=staff["frontdesk"]
    )
    settled = services.owner_change(decision="settled", **args)
    assert settled.balance == 0
