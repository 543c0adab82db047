"""The key services: entrustment, return to owner, move-in, loans, inspections, lost keys,
vacant-unit plan. Every test goes through the same services the screens and the API call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inspections.services import unit_handover_record
from keys import services
from keys.models import Key, KeyEvent, KeyIncident, KeyLoan, Rectification, VacantInspection
from keys.selectors import key_ledger_check, vacant_report
from propserv.models import Deadline, Unit
from tests.factories import ResidentFactory, UnitFactory
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, make_person

pytestmark = pytest.mark.django_db


def kinds(key):
    return list(
        KeyEvent.objects.filter(key=key).order_by("at", "pk").values_list("kind", flat=True)
    )


# --- registering ------------------------------------------------------------------------------


def test_register_puts_the_key_in_its_slot_and_writes_the_first_event(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="a-12")
    assert (key.state, key.slot, key.count, key.in_cabinet_count) == ("in_cabinet", "A-12", 2, 2)
    assert key.tag_code == "3-2-1502-K1"
    assert kinds(key) == ["registered"]
    assert key_ledger_check(key) == []


def test_register_is_idempotent_on_the_tag_code(estate, unit, staff):
    first = services.key_register(
        estate=estate,
        kind="developer",
        unit=unit,
        count=2,
        slot="A-1",
        tag_code="X-1",
        actor=staff["frontdesk"],
    )
    again = services.key_register(
        estate=estate,
        kind="developer",
        unit=unit,
        count=2,
        slot="A-2",
        tag_code="X-1",
        actor=staff["frontdesk"],
    )
    assert again.pk == first.pk
    assert KeyEvent.objects.filter(key=first).count() == 1


def test_a_slot_holds_one_key(estate, unit, staff):
    make_key(estate, staff["frontdesk"], unit, slot="A-01")
    with pytest.raises(ValidationError) as exc:
        make_key(estate, staff["frontdesk"], None, slot="A-01")
    assert "A-01" in str(exc.value)


def test_tag_codes_cannot_break_urls(estate, unit, staff):
    with pytest.raises(ValidationError):
        services.key_register(
            estate=estate,
            kind="developer",
            unit=unit,
            count=1,
            slot="A-1",
            tag_code="A/1",
            actor=staff["frontdesk"],
        )


def test_technician_may_not_register_keys(estate, unit, staff):
    with pytest.raises(PermissionDenied):
        make_key(estate, staff["technician"], unit)


def test_staff_of_another_estate_may_not_touch_keys(estate, other_estate, unit, staff):
    from tests.factories import make_staff

    stranger = make_staff("stranger", "frontdesk", estates=[other_estate])
    with pytest.raises(PermissionDenied):
        make_key(estate, stranger, unit)


# --- owner entrustment and return -------------------------------------------------------------


def test_entrustment_needs_identity_and_the_signed_waiver(unit, staff):
    owner = make_owner(unit)
    base = dict(
        owner=owner, count=1, reason="出差", owner_id_last4="1234", actor=staff["frontdesk"]
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_intake(identity_checked=False, waiver_accepted=True, **base)
    assert "identity_checked" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.entrustment_intake(identity_checked=True, waiver_accepted=False, **base)
    assert "waiver_accepted" in exc.value.message_dict
    assert not Key.objects.exists()


def test_entrustment_then_handover_names_both_people(unit, staff):
    owner = make_owner(unit)
    e = services.entrustment_intake(
        owner=owner,
        count=2,
        reason="业主出国",
        owner_id_last4="123x",
        identity_checked=True,
        waiver_accepted=True,
        actor=staff["frontdesk"],
        at=at(2, 9),
    )
    assert e.key.state == "at_desk" and e.owner_id_last4 == "123X"
    assert "不承担" in e.waiver_text or "no responsibility" in e.waiver_text
    with pytest.raises(ValidationError):  # the receiver must be a custodian
        services.entrustment_handover(
            entrustment=e,
            handed_by=staff["frontdesk"],
            handed_to=staff["technician"],
            slot="E-1",
            actor=staff["frontdesk"],
        )
    services.entrustment_handover(
        entrustment=e,
        handed_by=staff["frontdesk"],
        handed_to=staff["area_admin"],
        slot="E-1",
        actor=staff["frontdesk"],
        at=at(2, 10),
    )
    e.refresh_from_db()
    key = Key.objects.get(pk=e.key_id)
    assert (key.state, key.slot, key.in_cabinet_count) == ("in_cabinet", "E-1", 2)
    assert (e.handed_by, e.handed_to) == (staff["frontdesk"], staff["area_admin"])
    handed = KeyEvent.objects.get(key=key, kind="handed_over")
    assert "frontdesk" in handed.from_party and "area_admin" in handed.to_party
    assert key_ledger_check(key) == []


def test_owner_collects_in_person(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    services.entrustment_release(
        entrustment=e,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    key = Key.objects.get(pk=e.key_id)
    assert key.state == "returned_to_owner"
    assert kinds(key)[-1] == "returned_to_owner"
    assert key_ledger_check(key) == []


def test_someone_else_collects_only_after_a_confirmed_logged_call(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    release = dict(
        entrustment=e,
        collector_is_owner=False,
        collector_name="李亲戚",
        collector_id_last4="5678",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(5, 10),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_release(**release)
    assert "call" in exc.value.message_dict
    refused = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=False,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    with pytest.raises(ValidationError) as exc:
        services.entrustment_release(call=refused, **release)
    assert "did not confirm" in str(exc.value) or "没有确认" in str(exc.value)
    call = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=True,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9, 30),
    )
    with pytest.raises(ValidationError):  # the owner named someone else
        services.entrustment_release(call=call, **{**release, "collector_name": "王陌生"})
    services.entrustment_release(call=call, **release)
    e.refresh_from_db()
    assert (
        e.release_call == call and e.collector_name == "李亲戚" and e.collector_id_last4 == "5678"
    )
    assert Key.objects.get(pk=e.key_id).state == "returned_to_owner"
    assert kinds(e.key).count("owner_call") == 2


def test_an_old_call_does_not_authorise_a_collection(unit, staff):
    e = entrusted_key(make_owner(unit), staff)
    call = services.owner_call_log(
        key=e.key,
        phone="13800001111",
        confirmed=True,
        collector_name="李亲戚",
        actor=staff["frontdesk"],
        at=at(5, 9),
    )
    with pytest.raises(ValidationError):
        services.entrustment_release(
            entrustment=e,
            collector_is_owner=False,
            collector_name="李亲戚",
            collector_id_last4="5678",
            identity_checked=True,
            call=call,
            actor=staff["frontdesk"],
            at=at(7, 9),
        )


# --- move-in ----------------------------------------------------------------------------------


def test_move_in_keys_only_after_the_handover_is_recorded(estate, unit, staff):
    owner = make_owner(unit)
    key = make_key(estate, staff["frontdesk"], unit)
    issue = dict(
        unit=unit,
        owner=owner,
        keys=[key],
        owner_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
        at=at(6, 10),
    )
    with pytest.raises(services.InvalidTransition) as exc:
        services.keys_issue_to_owner(**issue)
    assert "3-2-1502" in str(exc.value)
    assert Key.objects.get(pk=key.pk).state == "in_cabinet"

    unit_handover_record(unit=unit, owner=owner, at=at(6, 9), actor=staff["frontdesk"])
    receipt = services.keys_issue_to_owner(**issue)
    assert list(receipt.lines.values_list("key_id", "count")) == [(key.pk, 2)]
    assert receipt.number.startswith("KR20260306-")
    key.refresh_from_db()
    assert key.state == "returned_to_owner" and key.in_cabinet_count == 0
    assert services.keys_issue_to_owner(**issue).pk == receipt.pk  # idempotent
    assert key_ledger_check(key) == []


def test_handover_names_an_owner_of_the_unit(unit, staff):
    tenant = ResidentFactory(unit=unit, role="tenant")
    with pytest.raises(ValidationError):
        unit_handover_record(unit=unit, owner=tenant, at=at(6, 9), actor=staff["frontdesk"])


# --- loans ------------------------------------------------------------------------------------


def test_staff_loan_is_due_at_the_end_of_the_day_and_closes_on_return(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=2,
        reason="查漏水",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    assert loan.due_at == at(10, 23, 59) + dt.timedelta(seconds=59)
    key.refresh_from_db()
    assert key.state == "on_loan" and key.in_cabinet_count == 0
    deadline = Deadline.objects.for_subject(loan).get()
    assert deadline.kind == "key.loan_return" and deadline.due_at == loan.due_at
    assert deadline.max_escalation_level == 2 and deadline.escalation_step == dt.timedelta(days=3)

    with pytest.raises(ValidationError) as exc:
        services.loan_return(loan=loan, count=1, actor=staff["frontdesk"], at=at(10, 15))
    assert "count" in exc.value.message_dict
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 15))
    loan.refresh_from_db()
    key.refresh_from_db()
    assert (
        loan.status == "closed"
        and loan.returned_count == 2
        and loan.received_by == staff["frontdesk"]
    )
    assert key.state == "in_cabinet" and key.in_cabinet_count == 2
    assert Deadline.objects.for_subject(loan).get().met_at == at(10, 15)
    assert key_ledger_check(key) == []


def test_a_loan_longer_than_the_limit_needs_a_supervisor(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    lend = dict(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="装修跟进",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    three_days = services.loan_lend(due_at=at(13, 23, 0), **lend)  # up to 3 days: no approval
    assert three_days.approved_by is None
    other = make_key(estate, staff["frontdesk"], unit)
    long = {**lend, "key": other, "due_at": at(14, 9)}
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(**long)
    assert "due_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(approved_by=staff["area_admin"], **long)
    assert "approved_by" in exc.value.message_dict
    loan = services.loan_lend(approved_by=staff["supervisor"], approval_note="长期维修", **long)
    assert loan.approved_by == staff["supervisor"]


def test_only_a_registered_active_responsible_person_may_borrow(estate, other_estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"])
    person.active = False
    person.save()
    with pytest.raises(ValidationError) as exc:
        services.loan_lend(
            key=key,
            borrower_person=person,
            phone=person.phone,
            count=1,
            reason="维修",
            actor=staff["frontdesk"],
        )
    assert "borrower_person" in exc.value.message_dict
    from tests.factories import make_staff

    elsewhere = make_person(other_estate, make_staff("fd2", "frontdesk", estates=[other_estate]))
    with pytest.raises(ValidationError):
        services.loan_lend(
            key=key,
            borrower_person=elsewhere,
            phone=elsewhere.phone,
            count=1,
            reason="维修",
            actor=staff["frontdesk"],
        )
    assert not KeyLoan.objects.exists()


def test_bad_input_changes_nothing(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    for bad in (dict(count=3), dict(count=0), dict(phone="12345"), dict(reason="  ")):
        args = dict(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="查看",
            actor=staff["frontdesk"],
        )
        with pytest.raises(ValidationError):
            services.loan_lend(**{**args, **bad})
    key.refresh_from_db()
    assert (
        key.state == "in_cabinet" and not KeyLoan.objects.exists() and kinds(key) == ["registered"]
    )


def test_contractor_loan_closes_only_after_the_inspection_passes(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    person = make_person(estate, staff["frontdesk"], liaison=staff["area_admin"])
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=2,
        reason="水管维修",
        related_ref="报修 #12",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    assert loan.borrower_name == "黄建国 (安居装饰)"
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(10, 16))
    loan.refresh_from_db()
    assert loan.status == "awaiting_inspection" and loan.closed_at is None
    assert Key.objects.get(pk=key.pk).state == "in_cabinet"
    with pytest.raises(services.InvalidTransition) as exc:  # nobody else may borrow it meanwhile
        services.loan_lend(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="x",
            actor=staff["frontdesk"],
            at=at(10, 17),
        )
    assert "黄建国" in str(exc.value)

    with pytest.raises(PermissionDenied):  # the patrol guard inspects, not the technician
        services.loan_inspect(
            loan=loan, facilities_intact=True, clean=True, actor=staff["technician"]
        )
    with pytest.raises(ValidationError):  # a failure must say what to rectify
        services.loan_inspect(loan=loan, facilities_intact=True, clean=False, actor=staff["patrol"])
    failed = services.loan_inspect(
        loan=loan,
        facilities_intact=True,
        clean=False,
        rectification="地面有垃圾",
        actor=staff["patrol"],
        at=at(10, 17),
    )
    loan.refresh_from_db()
    assert not failed.passed and loan.status == "rectifying"
    assert Rectification.objects.get(loan=loan).description == "地面有垃圾"
    assert staff["area_admin"].notifications.filter(title__contains="3-2-1502").exists()

    services.loan_reissue(loan=loan, actor=staff["frontdesk"], at=at(11, 9))  # back in to clean up
    loan.refresh_from_db()
    assert loan.status == "out" and loan.due_at == at(11, 23, 59) + dt.timedelta(seconds=59)
    with pytest.raises(services.InvalidTransition):
        services.loan_inspect(loan=loan, facilities_intact=True, clean=True, actor=staff["patrol"])
    services.loan_return(loan=loan, count=2, actor=staff["frontdesk"], at=at(11, 12))
    passed = services.loan_inspect(
        loan=loan, facilities_intact=True, clean=True, actor=staff["patrol"], at=at(11, 14)
    )
    loan.refresh_from_db()
    assert passed.passed and loan.status == "closed" and loan.closed_at == at(11, 14)
    assert Rectification.objects.get(loan=loan).cleared_by == passed
    assert kinds(key) == [
        "registered",
        "lent",
        "returned",
        "inspected",
        "lent",
        "returned",
        "inspected",
        "loan_closed",
    ]
    assert key_ledger_check(key) == []
    # and now the key may be lent again
    services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=staff["frontdesk"],
        at=at(11, 15),
    )


def test_returned_lost_and_retired_keys_cannot_be_lent(estate, unit, staff):
    owner = make_owner(unit)
    e = entrusted_key(owner, staff)
    services.entrustment_release(
        entrustment=e,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    lost = make_key(estate, staff["frontdesk"], unit)
    services.incident_report(
        key=lost,
        kind="lost",
        description="找不到",
        responsible_party="物业",
        actor=staff["frontdesk"],
    )
    for key in (e.key, lost):
        with pytest.raises(services.InvalidTransition) as exc:
            services.loan_lend(
                key=key,
                borrower_staff=staff["technician"],
                phone="13700000000",
                count=1,
                reason="x",
                actor=staff["frontdesk"],
            )
        assert exc.value.code == "not_lendable"
    assert not KeyLoan.objects.exists()


# --- lost or damaged --------------------------------------------------------------------------


def test_a_key_lost_on_loan_closes_the_loan_then_the_lock_is_changed(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit, slot="B-07")
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=2,
        reason="维修",
        actor=staff["frontdesk"],
        at=at(10, 9),
    )
    incident = services.incident_report(
        key=key,
        kind="lost",
        description="维修工遗失",
        responsible_party="维修部",
        actor=staff["frontdesk"],
        at=at(10, 12),
    )
    loan.refresh_from_db()
    key.refresh_from_db()
    assert loan.status == "closed" and loan.close_note and key.state == "lost"
    assert Deadline.objects.for_subject(loan).get().cancelled_at == at(10, 12)
    with pytest.raises(services.InvalidTransition):
        services.incident_lock_change(
            incident=incident,
            lock_changed_by="锁匠",
            new_count=2,
            new_slot="",
            actor=staff["frontdesk"],
        )
    services.incident_consent(
        incident=incident,
        consent_by="开发商 赵经理",
        consent_how="签字同意",
        actor=staff["frontdesk"],
        at=at(10, 14),
    )
    incident = services.incident_lock_change(
        incident=incident,
        lock_changed_by="维修部 张师傅",
        new_count=3,
        new_slot="",
        actor=staff["frontdesk"],
        at=at(11, 10),
    )
    key.refresh_from_db()
    new = incident.new_key
    assert key.state == "retired" and incident.status == KeyIncident.Status.CLOSED
    assert (new.replaces, new.state, new.count, new.slot, new.tag_code) == (
        key,
        "in_cabinet",
        3,
        "B-07",
        "3-2-1502-K2",
    )
    assert kinds(key)[-4:] == ["reported_lost", "owner_consent", "lock_changed", "retired"]
    assert key_ledger_check(key) == [] and key_ledger_check(new) == []


def test_a_damaged_key_stays_but_cannot_be_lent_until_replaced(estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    services.incident_report(
        key=key,
        kind="damaged",
        description="钥匙断了",
        responsible_party="物业",
        actor=staff["frontdesk"],
    )
    key.refresh_from_db()
    assert key.state == "in_cabinet"
    with pytest.raises(services.InvalidTransition):
        services.loan_lend(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="x",
            actor=staff["frontdesk"],
        )


def test_an_entrusted_key_replaced_after_a_lock_change_can_still_be_returned(unit, staff):
    owner = make_owner(unit)
    e = entrusted_key(owner, staff)
    incident = services.incident_report(
        key=e.key,
        kind="damaged",
        description="锁芯坏",
        responsible_party="业主",
        actor=staff["frontdesk"],
    )
    services.incident_consent(
        incident=incident, consent_by=owner.name, consent_how="电话同意", actor=staff["frontdesk"]
    )
    incident = services.incident_lock_change(
        incident=incident,
        lock_changed_by="锁匠",
        new_count=1,
        new_slot="E-02",
        actor=staff["frontdesk"],
    )
    new = incident.new_key
    assert new.kind == "entrusted" and new.owner == owner
    services.entrustment_release(
        entrustment=new.entrustment,
        collector_is_owner=True,
        collector_name="",
        collector_id_last4="1234",
        identity_checked=True,
        actor=staff["frontdesk"],
    )
    assert Key.objects.get(pk=new.pk).state == "returned_to_owner"


# --- vacant units -----------------------------------------------------------------------------


def test_vacant_plan_covers_unoccupied_units_whose_keys_we_hold(estate, staff):
    vacant = UnitFactory(building__estate=estate, code="1-1-101", status=Unit.Status.VACANT)
    sold = UnitFactory(building=vacant.building, code="1-1-102", status=Unit.Status.SOLD)
    occupied = UnitFactory(building=vacant.building, code="1-1-103", status=Unit.Status.OCCUPIED)
    no_key = UnitFactory(building=vacant.building, code="1-1-104", status=Unit.Status.VACANT)
    for u in (vacant, sold, occupied):
        make_key(estate, staff["frontdesk"], u)
    month = dt.date(2026, 3, 1)
    assert services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"]) == 2
    assert services.vacant_plan_generate(estate=estate, month=month, actor=staff["area_admin"]) == 0
    planned = VacantInspection.objects.filter(month=month)
    assert set(planned.values_list("unit__code", flat=True)) == {"1-1-101", "1-1-102"}
    assert all(i.planned_on.month == 3 and i.planned_on.weekday() < 5 for i in planned)
    assert no_key.code not in planned.values_list("unit__code", flat=True)

    first, second = planned.order_by("unit__code")
    with pytest.raises(ValidationError):  # a problem needs a description and a department
        services.vacant_inspection_record(
            inspection=first, clean=False, facilities_ok=True, actor=staff["patrol"]
        )
    services.vacant_inspection_record(
        inspection=first,
        clean=False,
        facilities_ok=True,
        problem="窗户未关，地面积水",
        referred_to="工程部",
        actor=staff["patrol"],
        at=at(12, 10),
    )
    services.vacant_inspection_record(
        inspection=second, clean=True, facilities_ok=True, actor=staff["patrol"], at=at(12, 11)
    )
    report = vacant_report(estate, month)
    assert report["due_on"] == dt.date(2026, 4, 5)
    assert (report["planned"], report["done"], report["problems"], report["open_problems"]) == (
        2,
        2,
        1,
        1,
    )
    counts = {value: n for value, _label, n in report["status_counts"]}
    assert counts == {"vacant": 1, "sold": 1, "occupied": 1, "renovating": 0}
    services.vacant_problem_resolve(inspection=first, actor=staff["patrol"])
    assert vacant_report(estate, month)["open_problems"] == 0
