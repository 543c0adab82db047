"""Shift handover: open items move to whoever acknowledges; silence reaches the supervisor."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Deadline, Notification
from tests.conftest import PASSWORD, api_as
from tests.factories import make_staff
from tests.visits.helpers import client_for, log
from visits import rules
from visits.models import Handover, HandoverItem, Visit
from visits.services import handover as handover_svc


@pytest.fixture
def night(estate):
    return make_staff("night", "frontdesk", estates=[estate])


def test_only_desk_staff_acknowledge_a_handover(estate, staff):
    visit = log(estate, staff["frontdesk"])
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        handover_svc.handover_acknowledge(handover_id=handover.pk, actor=staff["technician"])
    tech = client_for(staff["technician"])
    assert 'data-testid="acknowledge"' not in tech.get(handover.get_absolute_url()).content.decode()
    refused = tech.post(handover.get_absolute_url(), follow=True).content.decode()
    assert "只有前台客服人员可以确认交接班" in refused
    api = api_as(staff["technician"]).post(f"/api/v1/handovers/{handover.pk}/acknowledge/")
    assert api.status_code == 403
    handover.refresh_from_db()
    visit.refresh_from_db()
    assert handover.acknowledged_at is None and visit.owner == staff["frontdesk"]
    handover_svc.handover_acknowledge(handover_id=handover.pk, actor=staff["area_admin"])
    visit.refresh_from_db()
    assert visit.owner == staff["area_admin"]


def test_handover_double_submit_returns_the_first_handover(estate, staff):
    log(estate, staff["frontdesk"])
    first = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"], note="交班")
    again = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"], note="交班")
    assert again == first
    assert Handover.objects.count() == 1
    # Someone else with nothing to hand over still logs their own (empty) handover.
    handover_svc.handover_create(estate=estate, actor=staff["area_admin"])
    assert Handover.objects.count() == 2


def test_open_items_of_the_shift_move_to_the_acknowledger(estate, staff, night):
    day, colleague = staff["frontdesk"], staff["area_admin"]
    a = log(estate, day, "A 待回复")
    b = log(estate, colleague, "B 待回复")
    done = log(estate, day, "已当场解决", resolved_on_spot=True, handling="已答复")
    someone_else = log(estate, staff["supervisor"], "主管的事项")

    handover = handover_svc.handover_create(
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
        handover_svc.handover_acknowledge(handover_id=handover.pk, actor=colleague)

    handover_svc.handover_acknowledge(handover_id=handover.pk, actor=night)
    for visit in (a, b):
        visit.refresh_from_db()
        assert visit.owner == night
        moved = visit.events.get(action="owner_changed")
        assert moved.data["to"] == "night" and moved.data["handover"] == handover.pk
    handover.refresh_from_db()
    assert handover.acknowledged_by == night
    assert Deadline.objects.for_subject(handover).get().met_at is not None
    # Acknowledging twice changes nothing.
    handover_svc.handover_acknowledge(handover_id=handover.pk, actor=staff["supervisor"])
    a.refresh_from_db()
    assert a.owner == night


def test_an_item_waits_in_one_handover_at_a_time(estate, staff, night):
    visit = log(estate, staff["frontdesk"])
    first = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    second = handover_svc.handover_create(
        estate=estate, actor=staff["area_admin"], members=[staff["frontdesk"]]
    )
    assert first.items.count() == 1 and second.items.count() == 0
    handover_svc.handover_acknowledge(handover_id=first.pk, actor=night)
    third = handover_svc.handover_create(estate=estate, actor=night)
    assert [i.visit_id for i in third.items.all()] == [visit.pk]
    assert HandoverItem.objects.filter(visit=visit).count() == 2


def test_unacknowledged_handover_escalates_to_the_supervisor(estate, staff):
    settings_row = estate.service_settings
    settings_row.handover_ack_minutes = 20
    settings_row.save()
    now = timezone.now()
    log(estate, staff["frontdesk"], now=now)
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"], now=now)
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

    visit = log(estate, staff["frontdesk"])
    handover = handover_svc.handover_create(estate=estate, actor=staff["frontdesk"])
    client.login(username="frontdesk", password=PASSWORD)
    page = client.get(handover.get_absolute_url()).content.decode()
    assert visit.number in page and 'data-testid="acknowledge"' not in page
    client.login(username="night", password=PASSWORD)
    assert 'data-testid="acknowledge"' in client.get(handover.get_absolute_url()).content.decode()
    response = client.post(handover.get_absolute_url())
    assert response.status_code == 302
    assert Visit.objects.get(pk=visit.pk).owner == night


# --- addressed to the next shift (issue 12, item 10) --------------------------------------------


def test_handover_is_addressed_to_the_next_shift_and_only_they_are_told(estate, staff, night):
    other_desk = make_staff("evening", "frontdesk", estates=[estate])
    log(estate, staff["frontdesk"])
    handover = handover_svc.handover_create(
        estate=estate, actor=staff["frontdesk"], recipients=[night], note="3栋电梯维保"
    )
    assert list(handover.recipients.all()) == [night]
    key = f"handover:{handover.pk}"
    assert Notification.objects.filter(recipient=night, dedupe_key=key).exists()
    assert not Notification.objects.filter(recipient=other_desk, dedupe_key=key).exists()
    # Someone at the desk it is not addressed to is not offered the list and is refused.
    assert handover_svc.allowed_actions(handover, other_desk) == set()
    with pytest.raises(PermissionDenied):
        handover_svc.handover_acknowledge(handover_id=handover.pk, actor=other_desk)
    assert handover_svc.allowed_actions(handover, night) == {"acknowledge"}
    # The supervisor may stand in; here the named person takes it.
    assert handover_svc.allowed_actions(handover, staff["supervisor"]) == {"acknowledge"}
    handover_svc.handover_acknowledge(handover_id=handover.pk, actor=night)
    handover.refresh_from_db()
    assert handover.acknowledged_by == night


def test_handover_recipients_and_members_are_desk_staff(estate, staff, night):
    for person in (staff["technician"], staff["gm"], staff["finance"]):
        with pytest.raises(ValidationError):
            handover_svc.handover_create(
                estate=estate, actor=staff["frontdesk"], recipients=[person]
            )
        with pytest.raises(ValidationError):
            handover_svc.handover_create(estate=estate, actor=staff["frontdesk"], members=[person])
    with pytest.raises(ValidationError):
        handover_svc.handover_create(
            estate=estate, actor=staff["frontdesk"], members=[night], recipients=[night]
        )
    assert not Handover.objects.exists()


def test_handover_page_lists_desk_staff_only_and_needs_a_recipient(estate, staff, night):
    desk = client_for(staff["frontdesk"])
    page = desk.get("/visits/handovers/?estate=CUIHU").content.decode()
    for role in ("technician", "gm", "finance", "quality", "patrol"):
        assert f">{role}<" not in page and f"> {role}</label>" not in page
    assert 'name="recipients"' in page and f'value="{night.pk}"' in page
    log(estate, staff["frontdesk"])
    refused = desk.post("/visits/handovers/?estate=CUIHU", {"note": "交班"})
    assert refused.status_code == 400 and not Handover.objects.exists()
    assert "请选择下一班接班的人" in refused.content.decode()
    response = desk.post(
        "/visits/handovers/?estate=CUIHU", {"note": "交班", "recipients": [night.pk]}
    )
    assert response.status_code == 302
    handover = Handover.objects.get()
    assert list(handover.recipients.all()) == [night]
    detail = client_for(night).get(handover.get_absolute_url()).content.decode()
    assert 'data-testid="recipients"' in detail and 'data-testid="acknowledge"' in detail
    assert Notification.objects.filter(recipient=night, url=handover.get_absolute_url()).exists()


def test_an_addressed_handover_still_escalates(estate, staff, night):
    now = timezone.now()
    log(estate, staff["frontdesk"], now=now)
    handover = handover_svc.handover_create(
        estate=estate, actor=staff["frontdesk"], recipients=[night], now=now
    )
    deadline = Deadline.objects.for_subject(handover).get(kind=rules.HANDOVER_ACK)
    sweep(now=deadline.due_at + dt.timedelta(seconds=1))
    assert Notification.objects.filter(
        recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
    ).exists()


def test_api_handover_names_its_recipients(estate, staff, night):
    log(estate, staff["frontdesk"])
    response = api_as(staff["frontdesk"]).post(
        "/api/v1/handovers/",
        {"estate": "CUIHU", "recipients": ["night"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["recipients"] == ["night"]


def test_the_reminder_goes_to_the_people_it_is_addressed_to(estate, staff, night):
    other_desk = make_staff("evening", "frontdesk", estates=[estate])
    now = timezone.now()
    log(estate, staff["frontdesk"], now=now)
    handover = handover_svc.handover_create(
        estate=estate, actor=staff["frontdesk"], recipients=[night], now=now
    )
    deadline = Deadline.objects.for_subject(handover).get(kind=rules.HANDOVER_ACK)
    sweep(now=deadline.warn_at + dt.timedelta(seconds=1))
    reminded = set(
        Notification.objects.filter(dedupe_key=f"deadline:{deadline.pk}:0").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"night"}
    assert other_desk.username not in reminded
