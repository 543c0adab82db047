"""Information relay (信息传递): a report reaches the desk (a reception-log entry, first-contact
ownership), goes to the department head, is done, checked and the reporter called back; a large
job gets an expected date told to the resident; vacant-unit inspection problems become items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from keys import services as key_services
from keys.models import VacantInspection
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import DepartmentHead, Notification, Unit
from tests.factories import UnitFactory
from tests.keys.helpers import make_key
from tests.visits.helpers import client_for
from visits.models import RelayEvent, RelayItem, Visit
from visits.services import relay

pytestmark = pytest.mark.django_db


@pytest.fixture
def heads(estate, staff):
    relay.department_head_set(
        estate=estate, department="engineering", head=staff["technician"], actor=staff["supervisor"]
    )
    return staff["technician"]


def report(estate, staff, **kwargs):
    data = {
        "estate": estate,
        "actor": staff["frontdesk"],
        "summary": "3栋大堂灯不亮",
        "department": "engineering",
        "reporter": "resident",
        "caller_name": "王先生",
        "location": "3栋大堂",
    }
    data.update(kwargs)
    return relay.relay_report(**data)


def test_report_to_head_to_done_to_check_to_callback(estate, staff, heads):
    item = report(estate, staff)
    visit = item.visit
    assert visit.owner == staff["frontdesk"] and visit.received_by == staff["frontdesk"]
    assert visit.caller_name == "王先生" and visit.status == Visit.Status.OPEN
    assert item.status == RelayItem.Status.ROUTED and item.head == heads and item.routed_at
    assert Notification.objects.filter(recipient=heads, url=item.get_absolute_url()).count() == 1
    # a large job: the expected date, told to the resident
    with pytest.raises(ValidationError):
        relay.relay_set_expected(
            item_id=item.pk, actor=heads, expected_on=timezone.localdate(), resident_told=False
        )
    soon = timezone.localdate() + dt.timedelta(days=5)
    relay.relay_set_expected(item_id=item.pk, actor=heads, expected_on=soon, resident_told=True)
    with pytest.raises(InvalidTransition):  # not done yet: nothing to check
        relay.relay_check(item_id=item.pk, actor=staff["frontdesk"], passed=True)
    relay.relay_mark_done(item_id=item.pk, actor=heads, note="换了灯管")
    # the desk's check fails once: back to the head
    relay.relay_check(item_id=item.pk, actor=staff["frontdesk"], passed=False, note="还有一盏不亮")
    item.refresh_from_db()
    assert item.status == RelayItem.Status.ROUTED and item.done_at is None
    relay.relay_mark_done(item_id=item.pk, actor=heads, note="两盏都换了")
    relay.relay_check(item_id=item.pk, actor=staff["frontdesk"], passed=True, note="已查看")
    item.refresh_from_db()
    visit.refresh_from_db()
    assert item.status == RelayItem.Status.CHECKED and item.checked_by == staff["frontdesk"]
    assert item.expected_on == soon and item.resident_told_at is not None
    assert visit.status == Visit.Status.RESOLVED
    relay.relay_callback(item_id=item.pk, actor=staff["frontdesk"], note="王先生满意")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED and visit.callback_note == "王先生满意"
    actions = list(RelayEvent.objects.filter(item=item).values_list("action", flat=True))
    assert actions == ["reported", "routed", "expected", "done", "check_failed", "done", "checked"]


def test_no_head_waits_then_routes_when_one_is_set(estate, staff):
    item = report(estate, staff, department="cleaning")
    assert item.status == RelayItem.Status.REPORTED and item.head is None
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        relay.relay_route(item_id=item.pk, actor=staff["frontdesk"], department="cleaning")
    assert "部门负责人" in str(exc.value)
    relay.department_head_set(
        estate=estate, department="cleaning", head=staff["area_admin"], actor=staff["supervisor"]
    )
    relay.relay_route(item_id=item.pk, actor=staff["frontdesk"], department="cleaning")
    item.refresh_from_db()
    assert item.status == RelayItem.Status.ROUTED and item.head == staff["area_admin"]


def test_bad_input_is_refused_translated_and_nothing_written(estate, staff, heads, other_estate):
    other_unit = UnitFactory(building__estate=other_estate, code="9-9-909")
    cases = [
        {"summary": "  "},
        {"department": "plumbing"},
        {"reporter": "resident", "caller_name": ""},
        {"location": "", "unit": None},
        {"unit": other_unit},
    ]
    for case in cases:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            report(estate, staff, **case)
        text = " ".join(m for ms in exc.value.message_dict.values() for m in ms)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert RelayItem.objects.count() == 0 and Visit.objects.count() == 0
    with pytest.raises(NotAllowed):  # a technician is not at the desk
        report(estate, staff, actor=staff["technician"])
    with pytest.raises(NotAllowed):  # only a supervisor names department heads
        relay.department_head_set(
            estate=estate, department="security", head=staff["patrol"], actor=staff["frontdesk"]
        )
    assert not DepartmentHead.objects.filter(department="security").exists()


def test_only_the_head_or_the_desk_report_it_done(estate, staff, heads):
    item = report(estate, staff)
    with pytest.raises(NotAllowed):
        relay.relay_mark_done(item_id=item.pk, actor=staff["patrol"], note="done")
    item.refresh_from_db()
    assert item.status == RelayItem.Status.ROUTED


def test_a_vacant_inspection_problem_becomes_a_relay_item(estate, staff, heads):
    unit = UnitFactory(building__estate=estate, code="1-1-101", status=Unit.Status.VACANT)
    make_key(estate, staff["frontdesk"], unit)
    month = timezone.localdate().replace(day=1)
    key_services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"])
    inspection = VacantInspection.objects.get(unit=unit)
    key_services.vacant_inspection_record(
        inspection=inspection,
        clean=True,
        facilities_ok=False,
        problem="卫生间漏水",
        referred_to="工程部",
        actor=staff["patrol"],
    )
    item = RelayItem.objects.get(vacant_inspection=inspection)
    assert item.source == RelayItem.Source.VACANT_INSPECTION and item.department == "engineering"
    assert item.head == heads and item.status == RelayItem.Status.ROUTED
    assert item.reported_by == staff["patrol"] and item.visit.unit == unit
    # a patrol guard is not at the desk: the entry waits for the desk to take it
    assert item.visit.owner is None and "卫生间漏水" in item.visit.summary
    # the unit's page shows it
    page = client_for(staff["frontdesk"]).get(reverse("visits:lookup") + "?q=1-1-101")
    assert item.number in page.content.decode()
