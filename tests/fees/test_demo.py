"""The demo seeder (`make run`): tariffs, bills, payments in every method, units 1, 3 and 7
months behind, and the arrears notice listing exactly the 7-months one."""

import pytest

from fees import demo, selectors
from fees.models import ChargeItem, Payment
from tests.factories import make_staff
from tests.fees.helpers import units

pytestmark = pytest.mark.django_db


def test_demo_seed(estate):
    make_staff("root", estates=[estate], is_superuser=True, is_staff=True)
    us = units(estate, 6)
    demo.seed(estate)
    demo.seed(estate)  # idempotent
    assert ChargeItem.objects.filter(estate=estate, code="service").count() == 1
    assert set(Payment.objects.values_list("method", flat=True)) == {
        "cash",
        "transfer",
        "wechat",
        "alipay",
    }
    months = {r["unit__code"]: r["months"] for r in selectors.ageing([estate.pk])}
    assert [months.get(u.code, 0) for u in us[:4]] == [1, 3, 7, 0]
    assert [line["unit"] for line in selectors.notice_lines(estate)] == [us[2].code]
