"""After-sales defects, lost and found, incidents and notices."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.models import Deadline, Notification
from tests.factories import ResidentFactory, UnitFactory
from visits import rules, services
from visits.models import Defect, LostItem, Notice, NoticeCall, Visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        (at(2026, 9, 30, 16, 0), at(2026, 10, 8, 9, 0)),  # before National Day: after the holiday
        (at(2026, 10, 9, 17, 0), at(2026, 10, 10, 9, 0)),  # Saturday 10 October is a working day
        (at(2026, 11, 13, 17, 0), at(2026, 11, 16, 9, 0)),  # Friday -> Monday
    ],
)
def test_rework_form_is_due_the_next_working_morning(estate, staff, unit, created, due):
    defect = services.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面渗水", now=created
    )
    assert Deadline.objects.for_subject(defect).get(kind=rules.DEFECT_SEND).due_at == due


def test_defect_loops_through_rework_until_the_owner_accepts(estate, staff, unit):
    fd = staff["frontdesk"]
    visit = services.visit_create(
        estate=estate,
        actor=fd,
        channel="walk_in",
        category="after_sales",
        unit=unit,
        summary="卧室墙面开裂",
    )
    defect = services.defect_create(
        estate=estate, actor=fd, unit=unit, description="卧室墙面开裂", visit=visit
    )
    services.defect_send(defect_id=defect.pk, actor=fd)
    assert Deadline.objects.for_subject(defect).get().met_at is not None
    with pytest.raises(services.StateError):
        services.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=True)
    services.defect_report_fixed(defect_id=defect.pk, actor=fd, note="地产售后已修补")
    with pytest.raises(ValidationError):
        services.defect_inspect(defect_id=defect.pk, actor=fd, passed=False)  # say why
    services.defect_inspect(defect_id=defect.pk, actor=fd, passed=False, note="仍有裂缝")
    defect.refresh_from_db()
    assert defect.status == Defect.Status.TO_SEND and defect.round == 2
    assert Deadline.objects.for_subject(defect).open().count() == 1  # a new form is due

    services.defect_send(defect_id=defect.pk, actor=fd)
    services.defect_report_fixed(defect_id=defect.pk, actor=fd)
    services.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    services.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=False, note="颜色不一致")
    defect.refresh_from_db()
    assert defect.round == 3 and defect.status == Defect.Status.TO_SEND

    services.defect_send(defect_id=defect.pk, actor=fd)
    services.defect_report_fixed(defect_id=defect.pk, actor=fd)
    services.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    services.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=True, note="业主满意")
    defect.refresh_from_db()
    assert defect.status == Defect.Status.ACCEPTED and defect.accepted_at
    assert [e.action for e in defect.events.all()] == [
        "created",
        "sent",
        "fixed",
        "inspection_failed",
        "sent",
        "fixed",
        "inspection_passed",
        "owner_refused",
        "sent",
        "fixed",
        "inspection_passed",
        "owner_accepted",
    ]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RESOLVED  # the owner still calls the resident back


def test_lost_item_is_returned_only_with_a_check_of_ownership(estate, staff):
    item = services.lost_item_register(
        estate=estate,
        actor=staff["frontdesk"],
        description="黑色钱包",
        found_where="3栋大堂",
        found_by="保安李四",
        kept_where="前台抽屉",
    )
    with pytest.raises(ValidationError):
        services.lost_item_return(item_id=item.pk, actor=staff["frontdesk"], claimant_name="张三")
    services.lost_item_return(
        item_id=item.pk,
        actor=staff["frontdesk"],
        claimant_name="张三",
        claimant_phone="13900001111",
        claimant_proof="身份证核对，说出钱包内物品",
    )
    item.refresh_from_db()
    assert item.status == LostItem.Status.RETURNED and item.closed_at
    with pytest.raises(services.StateError):
        services.lost_item_dispose(item_id=item.pk, actor=staff["frontdesk"], note="交派出所")


def test_incident_notifies_every_manager_at_once(estate, staff):
    incident = services.incident_record(
        estate=estate,
        actor=staff["frontdesk"],
        kind="lift_trapped",
        location="5栋2号电梯",
        description="两人被困",
        actions_taken="已通知维保",
    )
    notified = set(
        Notification.objects.filter(dedupe_key=f"incident:{incident.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"supervisor", "project_manager", "quality", "gm"}
    assert Notification.objects.get(recipient=staff["gm"]).level == "alert"
    with pytest.raises(ValidationError):
        services.incident_close(incident_id=incident.pk, actor=staff["supervisor"], outcome=" ")
    services.incident_close(incident_id=incident.pk, actor=staff["supervisor"], outcome="已解困")


def posted(estate, staff, **kwargs):
    today = timezone.localdate()
    data = {
        "estate": estate,
        "actor": staff["frontdesk"],
        "kind": "posted",
        "title": "停水通知",
        "body": "3栋明日停水",
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=3),
    }
    data.update(kwargs)
    return services.notice_create(**data)


def test_posted_notice_is_numbered_and_approved_by_the_project_manager(estate, staff):
    first = posted(estate, staff)
    assert Notification.objects.filter(recipient=staff["project_manager"]).exists()
    with pytest.raises(services.StateError):
        services.notice_publish(notice_id=first.pk, actor=staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        services.notice_approve(notice_id=first.pk, actor=staff["supervisor"])
    services.notice_approve(notice_id=first.pk, actor=staff["project_manager"])
    second = posted(estate, staff, title="消防演练")
    services.notice_approve(notice_id=second.pk, actor=staff["project_manager"])
    first.refresh_from_db()
    second.refresh_from_db()
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"TZ-{year}-001", f"TZ-{year}-002")
    services.notice_publish(notice_id=first.pk, actor=staff["frontdesk"])
    first.refresh_from_db()
    assert first.status == Notice.Status.PUBLISHED


def test_posted_notice_needs_validity(estate, staff):
    with pytest.raises(ValidationError):
        posted(estate, staff, valid_from=None, valid_until=None)


def test_emergency_notice_must_be_posted_within_the_estate_limit(estate, staff):
    now = timezone.now()
    notice = posted(estate, staff, emergency=True, title="紧急停电通知", now=now)
    deadline = Deadline.objects.for_subject(notice).get(kind=rules.EMERGENCY_NOTICE)
    assert deadline.due_at == now + dt.timedelta(minutes=30)
    sweep(now=now + dt.timedelta(minutes=31))
    assert Notification.objects.filter(
        recipient=staff["project_manager"], dedupe_key=f"deadline:{deadline.pk}:1"
    ).exists()
    services.notice_approve(notice_id=notice.pk, actor=staff["project_manager"])
    services.notice_publish(notice_id=notice.pk, actor=staff["frontdesk"])
    deadline.refresh_from_db()
    assert deadline.met_at is not None and deadline.breached_at is not None


def test_phone_notice_call_list_and_completion_rate(estate, staff):
    units = [UnitFactory(building__estate=estate, code=f"1-1-10{i}") for i in range(4)]
    residents = [ResidentFactory(unit=u, phone=f"1390000000{i}") for i, u in enumerate(units)]
    ResidentFactory(unit=units[0], role="tenant", phone="13700000000")  # one call per household
    notice = services.notice_create(
        estate=estate,
        actor=staff["frontdesk"],
        kind="phone",
        title="明日停电",
        body="明天9点至12点停电",
    )
    calls = {c.unit_id: c for c in notice.calls.all()}
    assert len(calls) == 4 and calls[units[0].pk].resident == residents[0]
    services.notice_record_call(
        call_id=calls[units[0].pk].pk, actor=staff["frontdesk"], outcome="no_answer"
    )
    services.notice_record_call(
        call_id=calls[units[0].pk].pk, actor=staff["frontdesk"], outcome="reached"
    )
    services.notice_record_call(
        call_id=calls[units[1].pk].pk, actor=staff["frontdesk"], outcome="reached"
    )
    services.notice_record_call(
        call_id=calls[units[2].pk].pk, actor=staff["frontdesk"], outcome="wrong_number"
    )
    reached = notice.calls.filter(outcome=NoticeCall.Outcome.REACHED).count()
    assert rules.completion_rate(reached, notice.calls.count()) == Decimal("50.0")
    residents[2].refresh_from_db()
    assert residents[2].phone_invalid  # to be corrected in the resident record
    assert [a.outcome for a in calls[units[0].pk].attempt_log.all()] == ["no_answer", "reached"]
