"""Shift handover: open items move to whoever acknowledges; silence reaches the supervisor."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Deadline, Notification
from tests.factories import make_staff
from visits import rules, services
from visits.models import HandoverItem, Visit


def log(estate, actor, summary="问物业费", **kwargs):
    return services.visit_create(
        estate=estate, actor=actor, channel="phone", category="other", summary=summary, **kwargs
    )


@pytest.fixture
def night(estate):
    return make_staff("night", "frontdesk", estates=[estate])


def test_open_items_of_the_shift_move_to_the_acknowledger(estate, staff, night):
    day, colleague = staff["frontdesk"], staff["area_admin"]
    a = log(estate, day, "A 待回复")
    b = log(estate, colleague, "B 待回复")
    done = log(estate, day, "已当场解决", resolved_on_spot=True, handling="已答复")
    someone_else = log(estate, staff["supervisor"], "主管的事项")

    handover = services.handover_create(
        estate=estate, actor=day, members=[colleague], note="C栋电梯维保中"
    )
    assert {i.visit_id for i in handover.items.all()} == {a.pk, b.pk}
    assert done.pk not in {i.visit_id for i in handover.items.all()}
    assert someone_else.pk not in {i.visit_id for i in handover.items.all()}
    # Until acknowledged, the owners do not change.
    a.refresh_from_db()
    assert a.owner == day
    assert Notification.objects.filter(
        recipient=night, dedupe_key=f"handover:{handover.pk}"
    ).exists()

    with pytest.raises(ValidationError):
        services.handover_acknowledge(handover_id=handover.pk, actor=colleague)

    services.handover_acknowledge(handover_id=handover.pk, actor=night)
    for visit in (a, b):
        visit.refresh_from_db()
        assert visit.owner == night
        moved = visit.events.get(action="owner_changed")
        assert moved.data["to"] == "night" and moved.data["handover"] == handover.pk
    handover.refresh_from_db()
    assert handover.acknowledged_by == night
    assert Deadline.objects.for_subject(handover).get().met_at is not None
    # Acknowledging twice changes nothing.
    services.handover_acknowledge(handover_id=handover.pk, actor=staff["supervisor"])
    a.refresh_from_db()
    assert a.owner == night


def test_an_item_waits_in_one_handover_at_a_time(estate, staff, night):
    visit = log(estate, staff["frontdesk"])
    first = services.handover_create(estate=estate, actor=staff["frontdesk"])
    second = services.handover_create(
        estate=estate, actor=staff["area_admin"], members=[staff["frontdesk"]]
    )
    assert first.items.count() == 1 and second.items.count() == 0
    services.handover_acknowledge(handover_id=first.pk, actor=night)
    third = services.handover_create(estate=estate, actor=night)
    assert [i.visit_id for i in third.items.all()] == [visit.pk]
    assert HandoverItem.objects.filter(visit=visit).count() == 2


def test_unacknowledged_handover_escalates_to_the_supervisor(estate, staff):
    settings_row = estate.service_settings
    settings_row.handover_ack_minutes = 20
    settings_row.save()
    now = timezone.now()
    log(estate, staff["frontdesk"], now=now)
    handover = services.handover_create(estate=estate, actor=staff["frontdesk"], now=now)
    deadline = Deadline.objects.for_subject(handover).get(kind=rules.HANDOVER_ACK)
    assert deadline.due_at == now + dt.timedelta(minutes=20)

    sweep(now=now + dt.timedelta(minutes=19))
    assert not Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
    ).exists()
    sweep(now=now + dt.timedelta(minutes=20, seconds=1))
    sweep(now=now + dt.timedelta(minutes=20, seconds=2))
    assert (
        Notification.objects.filter(
            recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
        ).count()
        == 1
    )


def test_handover_page_acknowledge_button(estate, staff, night, client):
    from tests.conftest import PASSWORD

    visit = log(estate, staff["frontdesk"])
    handover = services.handover_create(estate=estate, actor=staff["frontdesk"])
    client.login(username="frontdesk", password=PASSWORD)
    page = client.get(handover.get_absolute_url()).content.decode()
    assert visit.number in page and 'data-testid="acknowledge"' not in page
    client.login(username="night", password=PASSWORD)
    assert 'data-testid="acknowledge"' in client.get(handover.get_absolute_url()).content.decode()
    response = client.post(handover.get_absolute_url())
    assert response.status_code == 302
    assert Visit.objects.get(pk=visit.pk).owner == night
