"""Arrears ageing in SQL, the arrears list filters and the public arrears notice."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fees import selectors, services
from fees.models import Account, ArrearsNotice, ChargeItem, Reminder
from fees.sla import ARREARS_REMINDER, remind_at
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline
from tests.conftest import PASSWORD
from tests.fees.conftest import JAN
from tests.fees.helpers import bill

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 20)


def test_ageing_buckets(behind, estate):
    rows = {r["unit__code"]: r for r in selectors.ageing([estate.pk], TODAY)}
    assert behind[0].code not in rows
    one = rows[behind[1].code]  # December, due 12-10: 10 days
    assert one["d1_30"] == D("250.00") and one["total"] == D("250.00") and one["months"] == 1
    seven = rows[behind[7].code]  # June (193 days) … December
    assert seven["d181"] == D("250.00")
    assert seven["d91_180"] == D("750.00")  # Jul, Aug, Sep
    assert seven["d31_90"] == D("500.00")  # Oct, Nov
    assert seven["d1_30"] == D("250.00")
    assert seven["current"] == 0 and seven["total"] == D("1750.00")


def test_current_bucket_before_due(estate, unit, item, finance):
    bill(estate, finance, JAN)
    row = selectors.ageing([estate.pk], dt.date(2026, 1, 5)).get()
    assert row["current"] == D("250.00") and row["months"] == 0


def test_arrears_filters(behind, estate):
    codes = lambda rows: sorted(r["unit__code"] for r in rows)  # noqa: E731
    assert codes(selectors.arrears([estate.pk], TODAY, min_months=3)) == sorted(
        u.code for k, u in behind.items() if k >= 3
    )
    assert codes(selectors.arrears([estate.pk], TODAY, bucket="d181")) == [behind[7].code]
    assert codes(selectors.arrears([estate.pk], TODAY, min_amount=D("1500"))) == sorted(
        [behind[6].code, behind[7].code]
    )
    assert codes(selectors.arrears([estate.pk], TODAY, building="nope")) == []


def test_bucket_filter_means_overdue_at_least(behind, estate, finance):
    """A unit whose only debt is 181+ days old is overdue at least 31 days: it is listed under
    the 31–90 filter too (the filter is "overdue at least", the oldest bucket reached)."""
    paid_up = behind[0]
    one_off = ChargeItem.objects.create(
        estate=estate, code="clean", name="开荒保洁", kind=ChargeItem.Kind.ONE_OFF
    )
    services.charge_add(
        unit=paid_up, item=one_off, amount="80", actor=finance, on=dt.date(2026, 5, 1)
    )
    codes = lambda rows: sorted(r["unit__code"] for r in rows)  # noqa: E731
    assert paid_up.code in codes(selectors.arrears([estate.pk], TODAY, bucket="d181"))
    assert codes(selectors.arrears([estate.pk], TODAY, bucket="d31_90")) == sorted(
        [paid_up.code, behind[3].code, behind[6].code, behind[7].code]
    )
    assert codes(selectors.arrears([estate.pk], TODAY, bucket="d1_30")) == sorted(
        [paid_up.code, *(behind[k].code for k in (1, 3, 6, 7))]
    )


def test_notice_lists_exactly_six_months_and_more(behind, estate, staff):
    notice = services.notice_prepare(estate=estate, actor=staff["finance"], today=TODAY)
    assert [line["unit"] for line in notice.lines] == sorted([behind[6].code, behind[7].code])
    assert set(notice.lines[0]) == {"unit", "months", "amount"}
    assert notice.number == ""
    with pytest.raises(NotAllowed):
        services.notice_approve(notice=notice, actor=staff["finance"])
    notice = services.notice_approve(notice=notice, actor=staff["project_manager"])
    assert notice.status == ArrearsNotice.Status.APPROVED
    assert notice.number == f"CUIHU-QF-{notice.year}-001"
    with pytest.raises(InvalidTransition):
        services.notice_approve(notice=notice, actor=staff["project_manager"])


def test_reminder_log(behind, staff):
    reminder = services.reminder_log(
        unit=behind[7],
        way="phone",
        outcome="答应月底交",
        actor=staff["frontdesk"],
        next_on=dt.date(2027, 1, 5),
    )
    assert reminder.pk
    with pytest.raises(NotAllowed):
        services.reminder_log(unit=behind[7], way="phone", outcome="x", actor=staff["technician"])


def test_reminder_opens_a_clock_and_the_next_reminder_meets_it(behind, staff):
    unit = behind[7]
    services.reminder_log(
        unit=unit,
        way="letter",
        outcome="已送达催缴函",
        actor=staff["frontdesk"],
        next_on=timezone.localdate() + dt.timedelta(days=7),
    )
    account = Account.objects.get(pk=unit.pk)
    clock = Deadline.objects.for_subject(account).get()
    assert clock.kind == ARREARS_REMINDER and clock.met_at is None
    assert timezone.localtime(clock.due_at) == remind_at(
        timezone.localdate() + dt.timedelta(days=7)
    )
    services.reminder_log(
        unit=unit, way="visit", outcome="上门，业主答应下周交", actor=staff["frontdesk"]
    )
    clock.refresh_from_db()
    assert clock.met_at is not None
    # Arrears remain: the next clock is open, due arrears_reminder_days (30) later.
    (following,) = Deadline.objects.for_subject(account).open()
    assert timezone.localtime(following.due_at) == remind_at(
        timezone.localdate() + dt.timedelta(days=30)
    )


def test_reminder_in_the_past_refused(behind, staff):
    with pytest.raises(ValidationError):
        services.reminder_log(
            unit=behind[7],
            way="phone",
            outcome="x",
            actor=staff["frontdesk"],
            next_on=dt.date(2000, 1, 1),
        )
    assert not Reminder.objects.exists()


def test_statement_page_logs_a_reminder(client, behind, staff):
    client.login(username="area_admin", password=PASSWORD)
    url = reverse("fees:statement", args=[behind[7].pk])
    bad = client.post(url, {"way": "phone", "outcome": ""})
    assert bad.status_code == 400 and not Reminder.objects.exists()
    client.post(url, {"way": "phone", "outcome": "无人接听"})
    assert "无人接听" in client.get(url).content.decode()
