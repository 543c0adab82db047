"""Common-area patrols (公共区域巡查): two rounds a day on the estate's checklist, each a deadline
row; a missed round is flagged to the supervisor once; each problem becomes a repair or a relay
item."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from propserv.deadlines import sweep
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline, Notification
from tests.visits.helpers import client_for
from tickets.models import Repair
from visits.models import CommonPatrol, CommonPatrolProblem, PatrolPlace, RelayItem
from visits.services import patrols, relay
from visits.services.patrols import Check
from visits.sla import COMMON_PATROL
from visits.tasks import open_common_patrols

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=SH)


@pytest.fixture
def places(estate, staff):
    return [
        patrols.patrol_place_add(estate=estate, actor=staff["supervisor"], name=name, order=i)
        for i, name in enumerate(["1栋大堂", "中心花园", "地下车库"])
    ]


def all_ok(places):
    return [Check(place=p, result="ok") for p in places]


def flagged(patrol) -> int:
    return Notification.objects.filter(
        url=patrol.get_absolute_url(), title__contains="漏巡"
    ).count()


def test_rounds_open_with_their_deadlines_once(estate, places):
    assert patrols.common_patrols_open(estate=estate, now=at(2, 0, 5)) == 2
    assert patrols.common_patrols_open(estate=estate, now=at(2, 0, 6)) == 2
    rounds = {
        p.slot: p for p in CommonPatrol.objects.filter(estate=estate, day=dt.date(2026, 7, 2))
    }
    assert set(rounds) == {"am", "pm"}
    deadlines = {
        s: Deadline.objects.for_subject(p).get(kind=COMMON_PATROL) for s, p in rounds.items()
    }
    assert deadlines["am"].due_at == at(2, 12) and deadlines["pm"].due_at == at(2, 18)
    assert all(d.warn_at is None for d in deadlines.values())
    # after noon only the afternoon round is still to open; no checklist, no rounds
    assert patrols.common_patrols_open(estate=estate, now=at(3, 13)) == 1
    PatrolPlace.objects.filter(estate=estate).update(active=False)
    assert patrols.common_patrols_open(estate=estate, now=at(4, 0, 5)) == 0


def test_a_missed_round_is_flagged_exactly_once(estate, staff, places):
    patrols.common_patrols_open(estate=estate, now=at(2, 0, 5))
    patrols.common_patrol_record(
        estate=estate, actor=staff["area_admin"], slot="am", checks=all_ok(places), at=at(2, 9)
    )
    am = CommonPatrol.objects.get(day=dt.date(2026, 7, 2), slot="am")
    pm = CommonPatrol.objects.get(day=dt.date(2026, 7, 2), slot="pm")
    with translation.override("zh-hans"):
        sweep(now=at(2, 12, 5))
        sweep(now=at(2, 18, 1))
        sweep(now=at(2, 18, 2))  # a second beat
        sweep(now=at(2, 23, 0))
    assert flagged(am) == 0
    assert flagged(pm) == 1
    note = Notification.objects.get(url=pm.get_absolute_url())
    assert note.recipient == staff["supervisor"]
    deadline = Deadline.objects.for_subject(pm).get(kind=COMMON_PATROL)
    assert deadline.breached_at is not None and deadline.met_at is None
    assert Deadline.objects.for_subject(am).get(kind=COMMON_PATROL).met_at == at(2, 9)


def test_problems_become_a_repair_and_a_relay_item(estate, staff, places, categories):
    relay.department_head_set(
        estate=estate, department="cleaning", head=staff["patrol"], actor=staff["supervisor"]
    )
    category = next(iter(categories.values()))
    lobby, garden, garage = places
    patrol = patrols.common_patrol_record(
        estate=estate,
        actor=staff["area_admin"],
        slot="pm",
        checks=[
            Check(place=lobby, result="repair", problem="大堂吊灯不亮", category=category),
            Check(place=garden, result="relay", problem="草坪有垃圾", department="cleaning"),
            Check(place=garage, result="ok"),
        ],
        at=at(2, 15),
    )
    problems = {p.place_id: p for p in CommonPatrolProblem.objects.filter(patrol=patrol)}
    repair = problems[lobby.pk].repair
    assert repair.channel == "patrol" and repair.location == "1栋大堂"
    assert "大堂吊灯不亮" in repair.description and repair.estate == estate
    item = problems[garden.pk].relay
    assert item.source == RelayItem.Source.COMMON_PATROL and item.head == staff["patrol"]
    assert item.location == "中心花园" and item.visit.owner == staff["area_admin"]
    assert patrol.results == {
        str(lobby.pk): "repair",
        str(garden.pk): "relay",
        str(garage.pk): "ok",
    }
    # the round's page links both
    body = client_for(staff["supervisor"]).get(patrol.get_absolute_url()).content.decode()
    assert repair.number in body and item.number in body
    with pytest.raises(InvalidTransition):  # recorded once
        patrols.common_patrol_record(
            estate=estate, actor=staff["area_admin"], slot="pm", checks=all_ok(places), at=at(2, 16)
        )


def test_bad_rounds_are_refused_translated_and_nothing_written(estate, staff, places, categories):
    lobby, garden, garage = places
    bad = [
        [Check(place=lobby, result="ok"), Check(place=garden, result="ok")],  # garage missing
        [Check(place=lobby, result="repair", problem="灯坏了"), *all_ok([garden, garage])],
        [Check(place=lobby, result="relay", problem=""), *all_ok([garden, garage])],
        [Check(place=lobby, result="maybe"), *all_ok([garden, garage])],
    ]
    for checks in bad:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            patrols.common_patrol_record(
                estate=estate, actor=staff["area_admin"], slot="am", checks=checks, at=at(2, 9)
            )
        assert "请" in " ".join(exc.value.messages), exc.value.messages
    with pytest.raises(NotAllowed):
        patrols.common_patrol_record(
            estate=estate, actor=staff["frontdesk"], slot="am", checks=all_ok(places), at=at(2, 9)
        )
    assert CommonPatrol.objects.count() == 0 and Repair.objects.count() == 0
    assert RelayItem.objects.count() == 0


def test_the_phone_form_records_a_round(estate, staff, places, categories):
    client = client_for(staff["area_admin"])
    page = client.get(reverse("visits:patrols") + f"?estate={estate.code}")
    assert page.status_code == 200 and "上午巡查" in page.content.decode()
    lobby, garden, garage = places
    category = next(iter(categories.values()))
    slot = "am" if timezone.localtime().hour < 12 else "pm"
    data = {
        "slot": slot,
        f"r{lobby.pk}": "repair",
        f"p{lobby.pk}": "门禁坏了",
        f"c{lobby.pk}": category.pk,
    }
    data |= {f"r{garden.pk}": "ok", f"r{garage.pk}": "ok"}
    response = client.post(reverse("visits:patrols") + f"?estate={estate.code}", data)
    patrol = CommonPatrol.objects.get(slot=slot)
    assert response.status_code == 302 and response.url == patrol.get_absolute_url()
    assert patrol.problems.get().repair.description.endswith("门禁坏了")


def test_the_daily_task_opens_rounds_idempotently(estate, places):
    first = open_common_patrols()
    assert open_common_patrols() == first
    assert CommonPatrol.objects.filter(estate=estate).count() == first
