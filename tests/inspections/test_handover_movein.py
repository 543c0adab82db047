"""Move-in (入伙) driven through the services: a day of 50 units, refusals keeping their reasons
and problems, the blocking-problem override, keys only after acceptance, the welcome visit's
clock breaching once, billing and the board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fees.models import Charge
from inspections import services
from inspections.models import MoveInAppointment, Problem, UnitHandover
from inspections.selectors import handover as sel
from inspections.sla import WELCOME_VISIT
from keys import services as key_services
from keys.models import Key, KeyReceipt
from propserv.deadlines import sweep
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Deadline, DeadlineEscalation, Notification, Resident, Unit
from tests.inspections.handover_helpers import DAY, plan_with_batch, taxonomy, units_with_owners
from tests.inspections.helpers import at

pytestmark = pytest.mark.django_db
S = MoveInAppointment.Status


def test_a_move_in_day_for_fifty_units(estate, staff):
    pm, desk = staff["project_manager"], staff["frontdesk"]
    homes = units_with_owners(estate, 50, keys_by=desk)
    types = taxonomy(estate, pm)
    plan, batch, item = plan_with_batch(estate, staff)
    appts = [
        services.appointment_book(
            unit=u, owner=o, batch=batch, time=dt.time(9 + i // 10, 0), actor=desk
        )
        for i, (u, o, _k) in enumerate(homes)
    ]
    assert all(a.day == DAY for a in appts)
    board = sel.board(batch)
    assert dict((code, n) for code, _l, n in board["tallies"])[S.BOOKED] == 50
    refused, overridden = set(range(0, 50, 10)), 7
    for i, ((unit, _owner, key), appt) in enumerate(zip(homes, appts, strict=True)):
        when = at(7, 6, 9 + i // 10, i % 50)
        services.appointment_arrive(appointment=appt, actor=desk, at=when)
        if i in refused or i == overridden:
            services.problems_add(
                estate=estate,
                appointment=appt,
                actor=desk,
                at=when,
                rows=[
                    services.NewProblem(
                        unit, "主卫", types["水电"], Problem.Severity.BLOCKING, "漏水"
                    ),
                    services.NewProblem(
                        unit, "客厅", types["墙面"], Problem.Severity.MINOR, "开裂"
                    ),
                ],
            )
        if i in refused:
            services.appointment_refuse(
                appointment=appt, reasons=f"主卫漏水 {unit.code}", actor=desk, at=when
            )
            continue
        services.appointment_accept(
            appointment=appt,
            actor=pm,  # the project manager at the desk may also bill
            override_reason="业主同意先收房，三日内修复" if i == overridden else "",
            keys=[key],
            owner_id_last4="1234",
            identity_checked=True,
            at=when + dt.timedelta(minutes=20),
        )
    board = sel.board(batch)
    tallies = {code: n for code, _l, n in board["tallies"]}
    assert tallies == {S.BOOKED: 0, S.ARRIVED: 0, S.ACCEPTED: 45, S.REFUSED: 5}
    assert UnitHandover.objects.filter(unit__estate=estate).count() == 45
    accepted_units = [u for i, (u, _o, _k) in enumerate(homes) if i not in refused]
    assert set(Unit.objects.filter(status=Unit.Status.OCCUPIED).values_list("pk", flat=True)) >= {
        u.pk for u in accepted_units
    }
    assert Unit.objects.get(pk=homes[0][0].pk).status == Unit.Status.SOLD
    assert Resident.objects.filter(unit__in=accepted_units, moved_in_on=DAY).count() == 45
    assert Charge.objects.filter(item=item).count() == 45
    assert {c.amount for c in Charge.objects.filter(item=item)} == {Decimal("200.00")}
    assert KeyReceipt.objects.filter(estate=estate).count() == 45
    assert Key.objects.filter(state=Key.State.IN_CABINET).count() == 5
    assert Deadline.objects.filter(kind=WELCOME_VISIT, met_at__isnull=True).count() == 45
    summary = sel.move_in_summary(plan)
    assert summary["batches"][0]["accepted"] == 45 and summary["batches"][0]["refused"] == 5
    assert [a.unit.code for a in summary["overrides"]] == [homes[overridden][0].code]
    assert len(summary["refused"]) == 5 and all(a.reasons for a in summary["refused"])
    handover = UnitHandover.objects.get(unit=homes[overridden][0])
    assert handover.override_reason and handover.appointment_id == appts[overridden].pk


def test_refusal_keeps_the_problems_and_reasons_and_a_new_booking_follows(estate, staff):
    desk = staff["frontdesk"]
    ((unit, owner, _k),) = units_with_owners(estate, 1)
    types = taxonomy(estate, staff["supervisor"])
    appt = services.appointment_book(unit=unit, owner=owner, day=DAY, actor=desk)
    services.problems_add(
        estate=estate,
        appointment=appt,
        actor=desk,
        rows=[
            services.NewProblem(
                unit, "阳台", types["门窗"], Problem.Severity.BLOCKING, "推拉门变形"
            )
        ],
    )
    with pytest.raises(ValidationError):
        services.appointment_refuse(appointment=appt, reasons="  ", actor=desk)
    assert MoveInAppointment.objects.get(pk=appt.pk).status == S.BOOKED
    services.appointment_refuse(appointment=appt, reasons="阳台推拉门变形", actor=desk)
    appt.refresh_from_db()
    assert appt.status == S.REFUSED and appt.reasons == "阳台推拉门变形"
    rows = sel.unit_problem_rows(unit, open_only=True)
    assert [r.location for r in rows] == ["阳台"] and rows[0].blocking
    assert not UnitHandover.objects.filter(unit=unit).exists()
    with pytest.raises(InvalidTransition):
        services.appointment_accept(appointment=appt, actor=desk)
    # Later, one by one (零星入住): the same steps.
    again = services.appointment_book(
        unit=unit, owner=owner, day=DAY + dt.timedelta(days=9), actor=desk
    )
    assert again.batch is None
    assert MoveInAppointment.objects.filter(unit=unit).count() == 2


def test_accepting_with_an_open_blocking_problem_needs_an_override(estate, staff):
    desk = staff["frontdesk"]
    ((unit, owner, key),) = units_with_owners(estate, 1, keys_by=desk)
    types = taxonomy(estate, staff["supervisor"])
    services.problems_add(
        estate=estate,
        actor=staff["patrol"],
        rows=[services.NewProblem(unit, "厨房", types["水电"], Problem.Severity.BLOCKING)],
    )
    appt = services.appointment_book(unit=unit, owner=owner, day=DAY, actor=desk)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.appointment_accept(
            appointment=appt, keys=[key], owner_id_last4="1234", identity_checked=True, actor=desk
        )
    assert "影响交房" in exc.value.message_dict["override_reason"][0]
    appt.refresh_from_db()
    assert appt.status == S.BOOKED and appt.decided_at is None
    assert not UnitHandover.objects.exists()
    assert not Deadline.objects.filter(kind=WELCOME_VISIT).exists()
    assert Key.objects.get(pk=key.pk).state == Key.State.IN_CABINET
    assert Resident.objects.get(pk=owner.pk).moved_in_on is None
    # Fixed and re-checked: accepted without an override.
    problem = Problem.objects.get(unit=unit)
    services.problem_fix(problem=problem, evidence="已更换阀门", actor=staff["patrol"])
    services.problem_recheck(problem=problem, passed=True, actor=staff["patrol"])
    handover = services.appointment_accept(
        appointment=appt, keys=[key], owner_id_last4="1234", identity_checked=True, actor=desk
    )
    assert handover.override_reason == "" and handover.owner_id == owner.pk
    assert Key.objects.get(pk=key.pk).state == Key.State.RETURNED_TO_OWNER


def test_keys_before_acceptance_are_refused(estate, staff):
    desk = staff["frontdesk"]
    ((unit, owner, key),) = units_with_owners(estate, 1, keys_by=desk)
    appt = services.appointment_book(unit=unit, owner=owner, day=DAY, actor=desk)
    services.appointment_arrive(appointment=appt, actor=desk)
    with pytest.raises(InvalidTransition) as exc:
        key_services.keys_issue_to_owner(
            unit=unit,
            owner=owner,
            keys=[key],
            owner_id_last4="1234",
            identity_checked=True,
            actor=desk,
        )
    assert exc.value.code == "not_handed_over"
    assert not KeyReceipt.objects.exists()
    assert key_services.move_in_refusals(unit)
    services.appointment_accept(appointment=appt, actor=desk)
    assert key_services.move_in_refusals(unit) == []
    receipt = key_services.keys_issue_to_owner(
        unit=unit, owner=owner, keys=[key], owner_id_last4="1234", identity_checked=True, actor=desk
    )
    assert receipt.owner_id == owner.pk


def test_the_desk_that_accepts_bills_the_move_in_charges_at_their_rates_once(estate, staff):
    desk = staff["frontdesk"]
    ((unit, owner, _k),) = units_with_owners(estate, 1)
    _plan, batch, item = plan_with_batch(estate, staff, fee="350.00")
    appt = services.appointment_book(unit=unit, owner=owner, batch=batch, actor=desk)
    services.appointment_accept(appointment=appt, actor=desk)
    appt.refresh_from_db()
    assert appt.charges_billed_at is not None
    assert [c.amount for c in Charge.objects.filter(unit=unit, item=item)] == [Decimal("350.00")]
    # accepting again returns the same hand-over and bills nothing twice
    assert services.appointment_accept(appointment=appt, actor=desk) == appt.handover
    assert Charge.objects.filter(unit=unit).count() == 1


def test_the_welcome_visit_deadline_breaches_once(estate, staff):
    desk = staff["frontdesk"]
    homes = units_with_owners(estate, 2)
    appts = [services.appointment_book(unit=u, owner=o, day=DAY, actor=desk) for u, o, _k in homes]
    for appt in appts:
        services.appointment_accept(appointment=appt, actor=desk, at=at(7, 6, 10))
    deadline = Deadline.objects.for_subject(appts[0]).get(kind=WELCOME_VISIT)
    assert deadline.due_at == at(7, 9, 10)  # new_owner_visit_days = 3
    services.welcome_visit_record(
        appointment=appts[1], note="送上入住指南", actor=desk, at=at(7, 8, 15)
    )
    sweep(now=at(7, 9, 10, 5))
    sweep(now=at(7, 9, 10, 6))  # a second beat
    sweep(now=at(7, 12, 10))  # days later
    deadline.refresh_from_db()
    assert deadline.breached_at is not None
    assert DeadlineEscalation.objects.filter(deadline=deadline).count() == 1
    other = Deadline.objects.for_subject(appts[1]).get(kind=WELCOME_VISIT)
    assert other.met_at == at(7, 8, 15) and other.breached_at is None
    flagged = Notification.objects.filter(recipient=staff["supervisor"])
    assert flagged.count() == 1 and homes[0][0].code in flagged[0].title


def test_booking_is_refused_for_a_stranger_owner_or_twice(estate, staff):
    desk = staff["frontdesk"]
    (a, b) = units_with_owners(estate, 2)
    with pytest.raises(ValidationError):
        services.appointment_book(unit=a[0], owner=b[1], day=DAY, actor=desk)
    services.appointment_book(unit=a[0], owner=a[1], day=DAY, actor=desk)
    with pytest.raises(InvalidTransition):
        services.appointment_book(unit=a[0], owner=a[1], day=DAY, actor=desk)
    with pytest.raises(NotAllowed):
        services.appointment_book(unit=b[0], owner=b[1], day=DAY, actor=staff["technician"])
    assert MoveInAppointment.objects.count() == 1


def test_preparation_items_are_ticked_with_who_and_when(estate, staff):
    plan, _batch, _item = plan_with_batch(estate, staff)
    item = plan.prep_items.first()
    services.prep_tick(item=item, actor=staff["frontdesk"], at=at(7, 1, 9))
    services.prep_tick(item=item, actor=staff["supervisor"], at=at(7, 1, 10))
    item.refresh_from_db()
    assert item.done_by == staff["frontdesk"] and item.done_at == at(7, 1, 9)


def test_key_milestones_are_deadlines_that_breach_once(estate, staff):
    pm = staff["project_manager"]
    done = services.milestone_set(
        estate=estate,
        project="首批入伙",
        name="资料审核",
        owner=staff["supervisor"],
        due_on=dt.date(2026, 7, 3),
        actor=pm,
        at=at(7, 1),
    )
    late = services.milestone_set(
        estate=estate,
        project="首批入伙",
        name="钥匙清点",
        owner=staff["frontdesk"],
        due_on=dt.date(2026, 7, 3),
        actor=pm,
        at=at(7, 1),
    )
    with pytest.raises(NotAllowed):
        services.milestone_done(milestone=late, actor=staff["frontdesk"])
    services.milestone_done(milestone=done, actor=pm, at=at(7, 2))
    sweep(now=at(7, 4, 1))
    sweep(now=at(7, 5, 1))
    late_deadline = Deadline.objects.for_subject(late).get()
    assert late_deadline.breached_at is not None
    assert DeadlineEscalation.objects.filter(deadline=late_deadline).count() == 1
    assert Deadline.objects.for_subject(done).get().met_at == at(7, 2)
    assert Notification.objects.filter(recipient=pm).count() == 1
