"""Arrears reminders scheduled by the deadline engine (docs/domain.md, "Fees"): one clock per
unit in arrears, opened by the sweep once, due `arrears_reminder_days` after the last reminder
or after the unit fell behind; paying up cancels it."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from fees import services
from fees.models import Account, Charge
from fees.sla import ARREARS_REMINDER, remind_at
from propserv.models import Deadline

pytestmark = pytest.mark.django_db


def _clocks(unit):
    return Deadline.objects.filter(
        kind=ARREARS_REMINDER, object_id=unit.pk, content_type__model="account"
    )


def test_the_sweep_opens_one_clock_per_unit_in_arrears(behind, staff):
    estate = behind[7].estate
    settings_row = estate.service_settings
    settings_row.arrears_reminder_days = 20
    settings_row.save()
    now = timezone.make_aware(dt.datetime(2026, 12, 20, 8, 0))
    services.reminder_log(
        unit=behind[6],
        way="phone",
        outcome="无人接听",
        actor=staff["frontdesk"],
        at=now - dt.timedelta(days=5),
    )
    Deadline.objects.filter(kind=ARREARS_REMINDER).update(cancelled_at=now)  # start afresh
    first = services.arrears_reminders_sweep(now)
    again = services.arrears_reminders_sweep(now)
    # Behind on 12-20: every unit but the one paid up (December was due 12-10).
    assert first["opened"] == 4 and again == {"opened": 0, "cancelled": 0}
    assert not _clocks(behind[0]).exists()
    assert all(_clocks(behind[k]).open().count() == 1 for k in (1, 3, 6, 7))
    # Never reminded: 20 days after it first fell behind (June, due 06-10).
    (seven,) = _clocks(behind[7]).open()
    assert timezone.localtime(seven.due_at) == remind_at(dt.date(2026, 7, 1))
    # Reminded on 12-15: 20 days after that.
    (six,) = _clocks(behind[6]).open()
    assert timezone.localtime(six.due_at) == remind_at(dt.date(2027, 1, 4))


def test_paying_up_cancels_the_clock_and_a_partial_payment_does_not(behind, staff):
    unit = behind[3]
    services.reminder_log(unit=unit, way="visit", outcome="答应分期", actor=staff["frontdesk"])
    (clock,) = _clocks(unit).open()
    services.payment_post(unit=unit, amount="100.00", method="cash", actor=staff["frontdesk"])
    clock.refresh_from_db()
    assert clock.cancelled_at is None
    owed = sum((c.open_amount for c in Charge.objects.open().filter(unit=unit)), D(0))
    services.payment_post(unit=unit, amount=owed, method="cash", actor=staff["frontdesk"])
    clock.refresh_from_db()
    assert clock.cancelled_at is not None and not _clocks(unit).open().exists()


def test_the_sweep_cancels_the_clock_of_a_unit_no_longer_behind(behind, staff):
    unit = behind[1]
    now = timezone.make_aware(dt.datetime(2026, 12, 20, 8, 0))
    services.arrears_reminders_sweep(now)
    assert _clocks(unit).open().count() == 1
    (december,) = Charge.objects.open().filter(unit=unit)
    services.charge_cancel(charge=december, actor=staff["finance"], reason="开错")
    assert services.arrears_reminders_sweep(now)["cancelled"] == 1
    assert not _clocks(unit).open().exists()
    assert Account.objects.filter(pk=unit.pk).exists()
