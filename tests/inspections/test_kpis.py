"""Renovation's dashboard card: renovations under way, patrols missed in the period (and the
renovations they belong to), rectification notices open and past their deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from inspections import kpis
from inspections.models import Patrol, Rectification
from inspections.services.patrols import schedule_day
from propserv.dashboard.period import month_period
from tests.inspections.helpers import approved, at, make_contractor, make_owner

pytestmark = pytest.mark.django_db
JULY = month_period(dt.date(2026, 7, 1))


def test_missed_patrols_and_open_notices(estate, unit, staff):
    renovation = approved(
        unit, make_owner(unit), make_contractor(estate, staff["frontdesk"]), staff
    )
    with transaction.atomic():
        patrols = schedule_day(renovation, dt.date(2026, 7, 2), now=at(7, 2, 0))
    assert len(patrols) == 2
    Patrol.objects.filter(pk=patrols[0].pk).update(done_at=patrols[0].window_start)
    Rectification.objects.create(
        renovation=renovation,
        number="ZG-1",
        description="消防器材未配备",
        issued_at=at(7, 2, 11),
        issued_by=staff["patrol"],
        due_at=at(7, 3, 18),
    )
    Rectification.objects.create(
        renovation=renovation,
        number="ZG-2",
        description="垃圾堆放走廊",
        issued_at=at(7, 2, 11),
        issued_by=staff["patrol"],
        due_at=at(7, 30, 18),
    )
    (card,) = kpis.compute(staff["project_manager"], [estate.pk], JULY, now=at(7, 10))
    k = {kpi.key: kpi for kpi in card.kpis}
    assert k["active"].value == 1
    assert (k["missed_patrols"].value, k["missed_patrols"].previous) == (1, 0)
    assert k["missed_renovations"].value == 1 and k["missed_renovations"].misses_target
    assert (k["rectifications_open"].value, k["rectifications_overdue"].value) == (2, 1)
    # Before the afternoon slot ended nothing was missed yet.
    (early,) = kpis.compute(staff["project_manager"], [estate.pk], JULY, now=at(7, 2, 12))
    assert {kpi.key: kpi.value for kpi in early.kpis}["missed_patrols"] == 0


def test_no_estates_no_card(staff):
    assert kpis.compute(staff["project_manager"], [], JULY) == []
