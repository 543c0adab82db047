"""Quality checks (docs/domain.md, "Quality checks"): the monthly scored check and its defect
closure record, the night spot checks' monthly clock and the weather warnings, the exemption of
trivial non-conformities, and bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from inspections import tasks
from inspections.demo import quality as demo_quality
from inspections.models import (
    CheckKind,
    Defect,
    DefectFix,
    FaultTransfer,
    NonConformity,
    QualityCheck,
    QualityTemplate,
)
from inspections.services import quality, quality_defects, quality_night
from inspections.services.quality import Finding
from inspections.sla import NIGHT_CHECKS_DUE, QUALITY_DEFECT_DUE
from propserv.deadlines import sweep
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline, DeadlineEscalation, Department, DepartmentHead, Notification
from tests.inspections.helpers import at

pytestmark = pytest.mark.django_db

MONTHLY_ITEMS = [
    {"text": "客服接待", "max_score": 20, "specialty": Department.CUSTOMER_SERVICE},
    {"text": "公共区域清洁", "max_score": 30, "specialty": Department.CLEANING},
    {"text": "设施设备完好", "max_score": 50, "specialty": Department.ENGINEERING},
]
NIGHT_ITEMS = [{"text": "岗位在岗", "specialty": Department.SECURITY}]
DAILY_ITEMS = [{"text": "公共区域整洁", "specialty": Department.CLEANING}]


def template(estate, staff, kind, items, name="检查表"):
    return quality.quality_template_save(
        estate=estate, kind=kind, name=name, items=items, actor=staff["quality"], at=at(6, 1)
    )


def monthly_check(tpl, staff, when, findings=(), results=None):
    return quality.quality_check_record(
        template=tpl,
        results=results or {"i1": 18, "i2": 25, "i3": 40},
        findings=findings,
        actor=staff["quality"],
        at=when,
    )


def night_check(tpl, staff, when):
    return quality.quality_check_record(
        template=tpl,
        results={"i1": "ok"},
        post="东门岗",
        on_duty="王保安",
        actor=staff["supervisor"],
        at=when,
    )


def test_monthly_check_three_defects_two_verified_next_month_one_transferred(estate, staff):
    DepartmentHead.objects.create(
        estate=estate, department=Department.ENGINEERING, head=staff["technician"]
    )
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    july = monthly_check(
        tpl,
        staff,
        at(7, 10, 10),
        findings=[
            Finding("大堂地面污渍", Department.CLEANING, "i2", responsible=staff["area_admin"]),
            Finding("前台登记本未填", Department.CUSTOMER_SERVICE, "i1"),
            Finding("地下车库排水泵故障", Department.ENGINEERING, "i3", due_at=at(7, 20, 18)),
        ],
    )
    assert (july.score, july.max_score) == (83, 100)
    stain, book, pump = july.defects.order_by("pk")
    assert {d.status for d in (stain, book, pump)} == {Defect.Status.OPEN}
    clocks = Deadline.objects.filter(kind=QUALITY_DEFECT_DUE)
    assert clocks.count() == 3
    assert Deadline.objects.for_subject(stain).get().due_at == at(7, 17, 10)  # a week by default
    assert Deadline.objects.for_subject(pump).get().due_at == at(7, 20, 18)

    # The office: cause and fix of two, the pump up to engineering on a fault transfer form.
    for defect, cause, fix in (
        (stain, "保洁漏拖", "重新清洁并加巡"),
        (book, "新员工不熟悉流程", "培训并补填"),
    ):
        quality_defects.defect_fix(
            defect=defect, cause=cause, fix=fix, actor=staff["supervisor"], at=at(7, 12, 9)
        )
    quality_defects.defect_transfer(
        defect=pump,
        department=Department.ENGINEERING,
        reason="需更换水泵，超出客服中心能力",
        actor=staff["project_manager"],
        at=at(7, 12, 10),
    )
    transfer = FaultTransfer.objects.get()
    assert transfer.defect == pump and transfer.head == staff["technician"]
    assert Deadline.objects.for_subject(stain).get().met_at == at(7, 12, 9)
    assert Deadline.objects.for_subject(pump).get().met_at is None  # still running

    # Verification waits for the next check.
    with pytest.raises(InvalidTransition):
        quality_defects.defect_verify(
            defect=stain, passed=True, actor=staff["quality"], at=at(7, 13, 9)
        )
    august = monthly_check(tpl, staff, at(8, 10, 10))
    for defect in (stain, book):
        quality_defects.defect_verify(
            defect=defect, passed=True, actor=staff["quality"], at=at(8, 10, 11)
        )
    statuses = dict(Defect.objects.values_list("pk", "status"))
    assert statuses == {
        stain.pk: Defect.Status.VERIFIED,
        book.pk: Defect.Status.VERIFIED,
        pump.pk: Defect.Status.TRANSFERRED,
    }
    assert {v.quality_check for v in stain.verifications.all()} == {august}
    # A verified defect cannot be transferred; a transferred one waits for its fix.
    with pytest.raises(InvalidTransition):
        quality_defects.defect_verify(
            defect=pump, passed=True, actor=staff["quality"], at=at(8, 10, 12)
        )


def test_a_failed_verification_reopens_the_defect_with_a_new_clock(estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    check = monthly_check(
        tpl, staff, at(7, 10), findings=[Finding("灯不亮", Department.ENGINEERING)]
    )
    defect = check.defects.get()
    quality_defects.defect_fix(
        defect=defect, cause="灯管老化", fix="更换", actor=staff["supervisor"], at=at(7, 11)
    )
    monthly_check(tpl, staff, at(8, 10))
    quality_defects.defect_verify(
        defect=defect, passed=False, notes="仍有一盏不亮", actor=staff["quality"], at=at(8, 10, 11)
    )
    defect.refresh_from_db()
    assert defect.status == Defect.Status.OPEN and defect.due_at == at(8, 17, 11)
    assert Deadline.objects.for_subject(defect).open().get().due_at == at(8, 17, 11)
    assert DefectFix.objects.filter(defect=defect).count() == 1  # the failed fix stays on record


def test_a_defect_closed_without_cause_and_fix_is_refused(estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    defect = monthly_check(tpl, staff, at(7, 10), findings=[Finding("灯不亮")]).defects.get()
    with pytest.raises(ValidationError) as exc:
        quality_defects.defect_fix(
            defect=defect, cause=" ", fix="", actor=staff["supervisor"], at=at(7, 11)
        )
    assert set(exc.value.message_dict) == {"cause", "fix"}
    defect.refresh_from_db()
    assert defect.status == Defect.Status.OPEN and not DefectFix.objects.exists()
    with pytest.raises(NotAllowed):  # the quality department does not fix, the office does
        quality_defects.defect_fix(
            defect=defect, cause="a", fix="b", actor=staff["quality"], at=at(7, 11)
        )


def test_a_score_outside_the_range_is_refused_and_nothing_written(estate, staff):
    tpl = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    for results, wanted in (
        ({"i1": 21, "i2": 25, "i3": 40}, "“客服接待” must be between 0 and 20"),
        ({"i1": -1, "i2": 25, "i3": 40}, "“客服接待” must be between 0 and 20"),
        ({"i1": 5}, "“公共区域清洁” is not answered"),
    ):
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            monthly_check(tpl, staff, at(7, 10), findings=[Finding("x")], results=results)
        assert wanted in " ".join(exc.value.message_dict["results"])
    assert not QualityCheck.objects.exists() and not Defect.objects.exists()
    assert not Deadline.objects.exists()


def test_a_template_needs_scores_within_range(estate, staff):
    with pytest.raises(ValidationError):
        template(estate, staff, CheckKind.MONTHLY, [{"text": "x", "max_score": 0}])
    with pytest.raises(ValidationError):
        template(estate, staff, CheckKind.MONTHLY, [])
    assert not QualityTemplate.objects.exists()


def _night_deadline(estate, month: dt.date):
    return Deadline.objects.filter(kind=NIGHT_CHECKS_DUE, estate=estate, rule__due_at__isnull=False)


def test_a_month_short_of_night_checks_is_flagged_once(estate, staff):
    tpl = template(estate, staff, CheckKind.NIGHT, NIGHT_ITEMS)
    quality_night.night_months_open(estate=estate, now=at(7, 1, 0, 10))
    quality_night.night_months_open(estate=estate, now=at(7, 2, 0, 10))  # the beat again: one clock
    assert Deadline.objects.filter(kind=NIGHT_CHECKS_DUE).count() == 1
    for day in (3, 11, 19):
        night_check(tpl, staff, at(7, day, 23))
    sweep(now=at(7, 31, 23))
    assert not Notification.objects.exists()
    sweep(now=at(8, 1, 0, 1))
    sweep(now=at(8, 1, 0, 2))  # a second beat
    clock = Deadline.objects.get(kind=NIGHT_CHECKS_DUE)
    assert clock.breached_at is not None and clock.met_at is None
    assert DeadlineEscalation.objects.filter(deadline=clock).count() == 1
    flagged = Notification.objects.all()
    assert {n.recipient.username for n in flagged} == {"project_manager", "quality"}
    assert flagged.count() == 2
    assert quality_night.night_month(estate, dt.date(2026, 7, 1)).done == 3


def test_a_month_with_four_night_checks_is_not_flagged(estate, staff):
    tpl = template(estate, staff, CheckKind.NIGHT, NIGHT_ITEMS)
    quality_night.night_months_open(estate=estate, now=at(7, 1, 0, 10))
    for day in (3, 11, 19, 27):
        night_check(tpl, staff, at(7, day, 23))
    clock = Deadline.objects.get(kind=NIGHT_CHECKS_DUE)
    assert clock.met_at == at(7, 27, 23)
    sweep(now=at(8, 1, 0, 5))
    assert not Notification.objects.exists()
    assert not DeadlineEscalation.objects.exists()


def test_a_typhoon_warning_without_a_night_check_is_counted(estate, staff):
    tpl = template(estate, staff, CheckKind.NIGHT, NIGHT_ITEMS)
    quality_night.night_months_open(estate=estate, now=at(7, 1, 0, 10))
    for day in (3, 11, 19, 27):
        night_check(tpl, staff, at(7, day, 23))
    assert quality_night.night_month(estate, dt.date(2026, 7, 1)).short is False
    quality_night.weather_warning_record(
        estate=estate,
        kind="typhoon",
        level="黄色",
        starts_at=at(7, 28, 8),
        ends_at=at(7, 29, 20),
        actor=staff["frontdesk"],
        at=at(7, 28, 8, 5),
    )
    status = quality_night.night_month(estate, dt.date(2026, 7, 1))
    assert (status.done, status.warnings, status.unchecked_warnings) == (4, 1, 1)
    assert status.short
    # The month's clock runs again and flags the month once at its end.
    sweep(now=at(8, 1, 0, 5))
    sweep(now=at(8, 1, 0, 6))
    assert DeadlineEscalation.objects.count() == 1


def test_a_night_check_during_the_warning_covers_it(estate, staff):
    tpl = template(estate, staff, CheckKind.NIGHT, NIGHT_ITEMS)
    quality_night.weather_warning_record(
        estate=estate,
        kind="rainstorm",
        starts_at=at(7, 5, 18),
        ends_at=at(7, 6, 6),
        actor=staff["frontdesk"],
        at=at(7, 5, 18),
    )
    night_check(tpl, staff, at(7, 5, 23))
    assert quality_night.night_month(estate, dt.date(2026, 7, 1)).unchecked_warnings == 0
    with pytest.raises(ValidationError):  # a night check names the post and who was on duty
        quality.quality_check_record(
            template=tpl, results={"i1": "ok"}, actor=staff["supervisor"], at=at(7, 6, 23)
        )


def test_trivial_closed_in_time_is_counted_not_chased(estate, staff):
    tpl = template(estate, staff, CheckKind.SUPERVISOR, DAILY_ITEMS)
    check = quality.quality_check_record(
        template=tpl,
        results={"i1": "fail"},
        findings=[
            Finding("烟头一个", Department.CLEANING, trivial=True, closed_at=at(7, 2, 9, 20)),
            Finding("花坛垃圾", Department.CLEANING, litter=True, closed_at=at(7, 2, 9, 1)),
            Finding(
                "电梯厅有水渍",
                Department.CLEANING,
                trivial=True,
                responsible=staff["area_admin"],
                closed_at=at(7, 2, 9, 45),
                closure="拖干",
            ),
            Finding(
                "交班迟到15分钟",
                Department.SECURITY,
                duty_failure="late_handover",
                trivial=True,
                responsible=staff["patrol"],
                closed_at=at(7, 2, 9, 5),
                closure="谈话提醒",
            ),
            Finding(
                "岗亭无人",
                Department.SECURITY,
                duty_failure="left_post",
                responsible=staff["patrol"],
            ),
        ],
        actor=staff["supervisor"],
        at=at(7, 2, 9),
    )
    ncs = {nc.description: nc for nc in check.nonconformities.all()}
    assert len(ncs) == 5
    assert {d for d, nc in ncs.items() if nc.exempt} == {"烟头一个", "花坛垃圾"}
    chased = NonConformity.objects.chased()
    assert chased.count() == 3  # 45 minutes is past the 30-minute exemption; duty always logged
    assert [nc.description for nc in NonConformity.objects.open()] == ["岗亭无人"]
    quality.nonconformity_close(
        nonconformity=ncs["岗亭无人"], closure="已回岗并记过", actor=staff["supervisor"]
    )
    assert not NonConformity.objects.open().exists()


def test_a_logged_nonconformity_without_anyone_responsible_is_refused(estate, staff):
    tpl = template(estate, staff, CheckKind.SUPERVISOR, DAILY_ITEMS)
    for finding in (
        Finding("烟头", trivial=True, closed_at=at(7, 2, 9, 40)),  # 40 min: past the exemption
        Finding("脱岗", duty_failure="left_post", trivial=True, closed_at=at(7, 2, 9, 1)),
        Finding("电梯厅有水渍", responsible=None),
    ):
        with pytest.raises(ValidationError) as exc:
            quality.quality_check_record(
                template=tpl,
                results={"i1": "fail"},
                findings=[finding],
                actor=staff["supervisor"],
                at=at(7, 2, 9),
            )
        assert "findings" in exc.value.message_dict
    assert not QualityCheck.objects.exists() and not NonConformity.objects.exists()


def test_who_does_which_check(estate, staff, other_estate):
    monthly = template(estate, staff, CheckKind.MONTHLY, MONTHLY_ITEMS)
    daily = template(estate, staff, CheckKind.SELF, DAILY_ITEMS)
    with pytest.raises(NotAllowed):
        monthly_check(monthly, {"quality": staff["supervisor"]}, at(7, 10))
    check = quality.quality_check_record(
        template=daily, results={"i1": "ok"}, actor=staff["technician"], at=at(7, 10)
    )
    assert check.kind == CheckKind.SELF and check.score is None
    with pytest.raises(NotAllowed) as exc:
        quality.quality_template_save(
            estate=other_estate, kind="self", name="x", items=DAILY_ITEMS, actor=staff["quality"]
        )
    assert exc.value.conceal


def test_the_beat_task_opens_each_estates_month_once(estate, other_estate):
    assert tasks.open_night_check_months() == 2
    tasks.open_night_check_months()
    clocks = Deadline.objects.filter(kind=NIGHT_CHECKS_DUE)
    assert sorted(clocks.values_list("estate__code", flat=True)) == ["CUIHU", "OTHER"]
    assert all(c.met_at is None and c.due_at > c.started_at for c in clocks)


def test_the_demo_seeds_once(estate, admin_user, staff):
    demo_quality.seed(estate)
    demo_quality.seed(estate)
    assert QualityTemplate.objects.filter(estate=estate).count() == 4
    assert Defect.objects.filter(estate=estate).count() == 2
    assert NonConformity.objects.open().count() == 1  # the post left; the litter is not chased
