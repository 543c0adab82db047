"""After-sales defect rework forms: due the next working morning, the fix → inspection → owner
loop, idempotent steps (docs/domain.md, Reception)."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from propserv.errors import InvalidTransition
from propserv.models import Deadline
from visits import rules
from visits.models import Defect, Visit
from visits.services import defects as defect_svc
from visits.services import reception


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("created", "due"),
    [
        (at(2026, 9, 30, 16, 0), at(2026, 10, 8, 9, 0)),  # before National Day: after the holiday
        (at(2026, 10, 9, 17, 0), at(2026, 10, 10, 9, 0)),  # Saturday 10 October is a working day
        (at(2026, 11, 13, 17, 0), at(2026, 11, 16, 9, 0)),  # Friday -> Monday
    ],
)
def test_rework_form_is_due_the_next_working_morning(estate, staff, unit, created, due):
    defect = defect_svc.defect_create(
        estate=estate, actor=staff["frontdesk"], unit=unit, description="墙面渗水", now=created
    )
    assert Deadline.objects.for_subject(defect).get(kind=rules.DEFECT_SEND).due_at == due


def test_defect_loops_through_rework_until_the_owner_accepts(estate, staff, unit):
    fd = staff["frontdesk"]
    visit = reception.visit_create(
        estate=estate,
        actor=fd,
        channel="walk_in",
        category="after_sales",
        unit=unit,
        summary="卧室墙面开裂",
    )
    defect = defect_svc.defect_create(
        estate=estate, actor=fd, unit=unit, description="卧室墙面开裂", visit=visit
    )
    defect_svc.defect_send(defect_id=defect.pk, actor=fd)
    assert Deadline.objects.for_subject(defect).get().met_at is not None
    with pytest.raises(InvalidTransition):
        defect_svc.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=True)
    defect_svc.defect_report_fixed(defect_id=defect.pk, actor=fd, note="地产售后已修补")
    with pytest.raises(ValidationError):
        defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=False)  # say why
    defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=False, note="仍有裂缝")
    defect.refresh_from_db()
    assert defect.status == Defect.Status.TO_SEND and defect.round == 2
    assert Deadline.objects.for_subject(defect).open().count() == 1  # a new form is due

    defect_svc.defect_send(defect_id=defect.pk, actor=fd)
    defect_svc.defect_report_fixed(defect_id=defect.pk, actor=fd)
    defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    defect_svc.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=False, note="颜色不一致")
    defect.refresh_from_db()
    assert defect.round == 3 and defect.status == Defect.Status.TO_SEND

    defect_svc.defect_send(defect_id=defect.pk, actor=fd)
    defect_svc.defect_report_fixed(defect_id=defect.pk, actor=fd)
    defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    defect_svc.defect_owner_review(defect_id=defect.pk, actor=fd, accepted=True, note="业主满意")
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


def test_inspection_pass_sent_twice_changes_nothing(estate, staff, unit):
    fd = staff["frontdesk"]
    defect = defect_svc.defect_create(estate=estate, actor=fd, unit=unit, description="墙面开裂")
    defect_svc.defect_send(defect_id=defect.pk, actor=fd)
    defect_svc.defect_report_fixed(defect_id=defect.pk, actor=fd)
    defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    events = defect.events.count()
    defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=True)
    defect.refresh_from_db()
    assert defect.status == Defect.Status.AWAITING_OWNER and defect.events.count() == events
    with pytest.raises(InvalidTransition):
        defect_svc.defect_inspect(defect_id=defect.pk, actor=fd, passed=False, note="仍有裂缝")
