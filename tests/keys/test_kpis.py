"""The key cabinet's dashboard card: keys out, overdue, awaiting the unit inspection, lent in the
period beside the period before."""

from __future__ import annotations

import datetime as dt

import pytest

from keys import kpis, services
from propserv.dashboard.period import month_period
from tests.keys.helpers import at, make_key, make_person

pytestmark = pytest.mark.django_db
MARCH = month_period(dt.date(2026, 3, 1))


def lend(key, person, staff, when):
    return services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=1,
        reason="水管维修",
        actor=staff["frontdesk"],
        at=when,
    )


def test_keys_out_overdue_and_awaiting_inspection(estate, unit, staff):
    person = make_person(estate, staff["frontdesk"], liaison=staff["area_admin"])
    first = lend(make_key(estate, staff["frontdesk"], unit), person, staff, at(10, 10))
    lend(make_key(estate, staff["frontdesk"]), person, staff, at(11, 10))
    services.loan_return(loan=first, count=1, actor=staff["frontdesk"], at=at(10, 16))

    (card,) = kpis.compute(staff["project_manager"], [estate.pk], MARCH, now=at(12, 10))
    k = {kpi.key: kpi for kpi in card.kpis}
    assert (k["out"].value, k["overdue"].value, k["awaiting"].value) == (1, 1, 1)
    assert k["overdue"].misses_target and k["overdue"].url.endswith("/keys/overdue/")
    assert (k["lent"].value, k["lent"].previous) == (2, 0)
    (same_day,) = kpis.compute(staff["project_manager"], [estate.pk], MARCH, now=at(11, 12))
    assert {kpi.key: kpi.value for kpi in same_day.kpis}["overdue"] == 0  # due 23:59 that day


def test_other_estates_do_not_count(estate, other_estate, unit, staff):
    person = make_person(estate, staff["frontdesk"])
    lend(make_key(estate, staff["frontdesk"], unit), person, staff, at(10, 10))
    (card,) = kpis.compute(staff["project_manager"], [other_estate.pk], MARCH, now=at(12, 10))
    assert {kpi.key: kpi.value for kpi in card.kpis}["out"] == 0
