"""Notices: numbering and approval, emergency limits, phone call lists, who may publish and
withdraw (docs/domain.md, Notices)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from propserv.deadlines import sweep
from propserv.errors import InvalidTransition
from propserv.models import Deadline, Notification
from tests.conftest import api_as
from tests.factories import ResidentFactory, UnitFactory
from tests.visits.helpers import client_for, phone_notice
from visits import rules
from visits.models import Notice, NoticeCall
from visits.services import notices as notice_svc


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
    return notice_svc.notice_create(**data)


def test_posted_notice_is_numbered_and_approved_by_the_project_manager(estate, staff):
    first = posted(estate, staff)
    assert Notification.objects.filter(recipient=staff["project_manager"]).exists()
    with pytest.raises(InvalidTransition):
        notice_svc.notice_publish(notice_id=first.pk, actor=staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        notice_svc.notice_approve(notice_id=first.pk, actor=staff["supervisor"])
    notice_svc.notice_approve(notice_id=first.pk, actor=staff["project_manager"])
    second = posted(estate, staff, title="消防演练")
    notice_svc.notice_approve(notice_id=second.pk, actor=staff["project_manager"])
    first.refresh_from_db()
    second.refresh_from_db()
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"TZ-{year}-001", f"TZ-{year}-002")
    notice_svc.notice_publish(notice_id=first.pk, actor=staff["frontdesk"])
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
    notice_svc.notice_approve(notice_id=notice.pk, actor=staff["project_manager"])
    notice_svc.notice_publish(notice_id=notice.pk, actor=staff["frontdesk"])
    deadline.refresh_from_db()
    assert deadline.met_at is not None and deadline.breached_at is not None


def test_phone_notice_call_list_and_completion_rate(estate, staff):
    units = [UnitFactory(building__estate=estate, code=f"1-1-10{i}") for i in range(4)]
    residents = [ResidentFactory(unit=u, phone=f"1390000000{i}") for i, u in enumerate(units)]
    ResidentFactory(unit=units[0], role="tenant", phone="13700000000")  # one call per household
    notice = notice_svc.notice_create(
        estate=estate,
        actor=staff["frontdesk"],
        kind="phone",
        title="明日停电",
        body="明天9点至12点停电",
    )
    calls = {c.unit_id: c for c in notice.calls.all()}
    assert len(calls) == 4 and calls[units[0].pk].resident == residents[0]
    notice_svc.notice_record_call(
        call_id=calls[units[0].pk].pk, actor=staff["frontdesk"], outcome="no_answer"
    )
    notice_svc.notice_record_call(
        call_id=calls[units[0].pk].pk, actor=staff["frontdesk"], outcome="reached"
    )
    notice_svc.notice_record_call(
        call_id=calls[units[1].pk].pk, actor=staff["frontdesk"], outcome="reached"
    )
    notice_svc.notice_record_call(
        call_id=calls[units[2].pk].pk, actor=staff["frontdesk"], outcome="wrong_number"
    )
    reached = notice.calls.filter(outcome=NoticeCall.Outcome.REACHED).count()
    assert rules.completion_rate(reached, notice.calls.count()) == Decimal("50.0")
    residents[2].refresh_from_db()
    assert residents[2].phone_invalid  # to be corrected in the resident record
    assert [a.outcome for a in calls[units[0].pk].attempt_log.all()] == ["no_answer", "reached"]


def test_notice_publish_needs_a_desk_role_and_withdraw_a_manager(estate, staff):
    notice = phone_notice(estate, staff["frontdesk"])
    with pytest.raises(PermissionDenied):
        notice_svc.notice_publish(notice_id=notice.pk, actor=staff["technician"])
    with pytest.raises(PermissionDenied):
        notice_svc.notice_withdraw(notice_id=notice.pk, actor=staff["frontdesk"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    notice_svc.notice_publish(notice_id=notice.pk, actor=staff["area_admin"])
    notice_svc.notice_withdraw(notice_id=notice.pk, actor=staff["supervisor"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN


def test_notice_withdraw_refused_on_the_web_and_the_api(estate, staff):
    notice = phone_notice(estate, staff["frontdesk"])
    page = client_for(staff["frontdesk"]).get(notice.get_absolute_url()).content.decode()
    assert 'value="withdraw"' not in page and 'value="publish"' in page
    response = client_for(staff["frontdesk"]).post(
        notice.get_absolute_url(), {"step": "withdraw"}, follow=True
    )
    assert "只有客服主管或项目经理可以撤回通知" in response.content.decode()
    api = api_as(staff["frontdesk"])
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    refused = api.post(f"/api/v1/notices/{notice.pk}/withdraw/")
    assert refused.status_code == 403
    assert "supervisor or the project manager" in refused.json()["error"]["message"]
    assert api_as(staff["technician"]).post(
        f"/api/v1/notices/{notice.pk}/publish/"
    ).status_code == (403)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-hans", "通知已发布。"), ("en", "Notice published.")]
)
def test_notice_step_message_in_the_users_language(estate, staff, lang, text):
    notice = phone_notice(estate, staff["frontdesk"])
    client = client_for(staff["frontdesk"], lang)
    response = client.post(notice.get_absolute_url(), {"step": "publish"}, follow=True)
    assert text in response.content.decode()


@pytest.mark.parametrize("call", ["abc", "1.5", "²"])
def test_a_call_that_is_not_a_number_is_404(estate, staff, unit, call):
    ResidentFactory(unit=unit)
    notice = phone_notice(estate, staff["frontdesk"])
    response = client_for(staff["frontdesk"]).post(
        notice.get_absolute_url(), {"step": "call", "call": call, "outcome": "reached"}
    )
    assert response.status_code == 404
    assert not notice.calls.exclude(outcome="pending").exists()
