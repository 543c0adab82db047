"""Who may do what in the key cabinet: every service checks the actor's estate and role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from inspections.services import unit_handover_record
from keys import services
from keys.models import VacantInspection
from propserv.errors import NotAllowed
from tests.factories import UnitFactory, make_staff
from tests.keys.helpers import at, entrusted_key, make_key, make_owner, make_person

pytestmark = pytest.mark.django_db


def test_technician_may_not_register_keys(estate, unit, staff):
    with pytest.raises(PermissionDenied):
        make_key(estate, staff["technician"], unit)


def test_staff_of_another_estate_may_not_touch_keys(estate, other_estate, unit, staff):
    stranger = make_staff("stranger", "frontdesk", estates=[other_estate])
    with pytest.raises(PermissionDenied):
        make_key(estate, stranger, unit)


# --- role × action → allowed, written from the role descriptions (docs/domain.md, "Who works
# here"; Keys): the desk roles register, lend, take back and keep keys; the area administrator
# and the supervisor keep the cabinet and, with the patrol guard, inspect units after a
# contractor's loan; quality and the general manager may look in the cabinet but change nothing;
# the technician and finance have no business in it. ---------------------------------------------

DESK_WORK = {
    "register",
    "move",
    "lend",
    "return",
    "reissue",
    "entrust",
    "handover",
    "owner_call",
    "release",
    "report_incident",
    "consent",
    "lock_change",
    "issue",
    "contractor_register",
}
VACANT_WORK = {"vacant_plan", "vacant_record"}
ALLOWED = {
    "frontdesk": {"view", *DESK_WORK, *VACANT_WORK},
    "area_admin": {"view", *DESK_WORK, *VACANT_WORK, "inspect"},
    "supervisor": {"view", *DESK_WORK, *VACANT_WORK, "inspect"},
    "project_manager": {"view", *DESK_WORK, *VACANT_WORK},
    "quality": {"view"},
    "gm": {"view"},
    "technician": set(),
    "patrol": {"view", "inspect", *VACANT_WORK},
    "finance": set(),
}
ACTIONS = ["view", *sorted(DESK_WORK), "inspect", *sorted(VACANT_WORK)]


def _contractor_loan(estate, unit, staff, desk):
    key = make_key(estate, desk, unit)
    person = make_person(estate, desk)
    loan = services.loan_lend(
        key=key,
        borrower_person=person,
        phone=person.phone,
        count=1,
        reason="装修",
        actor=desk,
        at=at(10, 9),
    )
    services.loan_return(loan=loan, count=1, actor=desk, at=at(10, 12))
    return loan


def _scenario(action, estate, unit, staff):
    """(the record allowed_actions is asked about or None, the service call for an actor)."""
    desk = staff["frontdesk"]
    if action == "view":
        return make_key(estate, desk, unit), None
    if action == "register":
        return None, lambda actor: services.key_register(
            estate=estate, kind="common", area="配电房", count=1, slot="R-1", actor=actor
        )
    if action in ("move", "lend", "report_incident"):
        key = make_key(estate, desk, unit)
        call = {
            "move": lambda actor: services.key_move(key=key, slot="M-1", actor=actor),
            "lend": lambda actor: services.loan_lend(
                key=key,
                borrower_staff=staff["technician"],
                phone="13700000000",
                count=1,
                reason="查漏",
                actor=actor,
            ),
            "report_incident": lambda actor: services.incident_report(
                key=key, kind="damaged", description="断了", responsible_party="物业", actor=actor
            ),
        }[action]
        return key, call
    if action == "return":
        key = make_key(estate, desk, unit)
        loan = services.loan_lend(
            key=key,
            borrower_staff=staff["technician"],
            phone="13700000000",
            count=1,
            reason="查漏",
            actor=desk,
            at=at(10, 9),
        )
        return loan, lambda actor: services.loan_return(loan=loan, count=1, actor=actor)
    if action == "inspect":
        loan = _contractor_loan(estate, unit, staff, desk)
        return loan, lambda actor: services.loan_inspect(
            loan=loan, facilities_intact=True, clean=True, actor=actor
        )
    if action == "reissue":
        loan = _contractor_loan(estate, unit, staff, desk)
        services.loan_inspect(
            loan=loan,
            facilities_intact=False,
            clean=True,
            rectification="划伤",
            actor=staff["patrol"],
            at=at(10, 13),
        )
        return loan, lambda actor: services.loan_reissue(loan=loan, actor=actor)
    if action == "entrust":
        owner = make_owner(unit)
        return None, lambda actor: services.entrustment_intake(
            owner=owner,
            count=1,
            reason="出国",
            owner_id_last4="1234",
            identity_checked=True,
            waiver_accepted=True,
            actor=actor,
        )
    if action == "handover":
        e = services.entrustment_intake(
            owner=make_owner(unit),
            count=1,
            reason="出国",
            owner_id_last4="1234",
            identity_checked=True,
            waiver_accepted=True,
            actor=desk,
        )
        return e.key, lambda actor: services.entrustment_handover(
            entrustment=e, handed_by=desk, handed_to=staff["area_admin"], slot="E-1", actor=actor
        )
    if action in ("owner_call", "release"):
        e = entrusted_key(make_owner(unit), staff)
        if action == "owner_call":
            return e.key, lambda actor: services.owner_call_log(
                key=e.key,
                phone="13800001111",
                confirmed=True,
                collector_name="李亲戚",
                actor=actor,
            )
        return e.key, lambda actor: services.entrustment_release(
            entrustment=e,
            collector_is_owner=True,
            collector_name="",
            collector_id_last4="1234",
            identity_checked=True,
            actor=actor,
        )
    if action in ("consent", "lock_change"):
        key = make_key(estate, desk, unit)
        incident = services.incident_report(
            key=key, kind="damaged", description="断了", responsible_party="物业", actor=desk
        )
        if action == "consent":
            return incident, lambda actor: services.incident_consent(
                incident=incident, consent_by="开发商", consent_how="签字", actor=actor
            )
        services.incident_consent(
            incident=incident, consent_by="开发商", consent_how="签字", actor=desk
        )
        return incident, lambda actor: services.incident_lock_change(
            incident=incident, lock_changed_by="锁匠", new_count=1, new_slot="", actor=actor
        )
    if action == "issue":
        owner = make_owner(unit)
        key = make_key(estate, desk, unit)
        unit_handover_record(unit=unit, owner=owner, at=at(6, 9), actor=desk)
        return key, lambda actor: services.keys_issue_to_owner(
            unit=unit,
            owner=owner,
            keys=[key],
            owner_id_last4="1234",
            identity_checked=True,
            actor=actor,
        )
    if action == "contractor_register":
        return None, lambda actor: services.contractor_register(
            estate=estate, name="安居装饰", actor=actor
        )
    vacant = UnitFactory(building__estate=estate, code="2-1-301", status="vacant")
    make_key(estate, desk, vacant)
    month = dt.date(2026, 3, 1)
    if action == "vacant_plan":
        return None, lambda actor: services.vacant_plan_generate(
            estate=estate, month=month, actor=actor
        )
    services.vacant_plan_generate(estate=estate, month=month, actor=desk)
    inspection = VacantInspection.objects.get(unit=vacant)
    return inspection, lambda actor: services.vacant_inspection_record(
        inspection=inspection, clean=True, facilities_ok=True, actor=actor
    )


OFFERED_AS = {"view": "view", "vacant_record": "record"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", list(ALLOWED))
def test_role_action_table(role, action, estate, unit, staff):
    allowed = action in ALLOWED[role]
    obj, call = _scenario(action, estate, unit, staff)
    actor = staff[role]
    if obj is not None and action not in ("register", "entrust", "contractor_register"):
        obj.refresh_from_db()  # as a page reads it now
        offered = OFFERED_AS.get(action, action) in services.allowed_actions(obj, actor)
        assert offered == allowed, f"{role} is {'' if offered else 'not '}offered {action}"
    if call is None:
        return
    if allowed:
        call(actor)
    else:
        with pytest.raises(NotAllowed):
            call(actor)


def test_a_stranger_to_the_estate_gets_a_concealing_refusal(estate, other_estate, unit, staff):
    key = make_key(estate, staff["frontdesk"], unit)
    stranger = make_staff("fd-other", "frontdesk", estates=[other_estate])
    with pytest.raises(NotAllowed) as refused:
        services.key_move(key=key, slot="M-1", actor=stranger)
    assert refused.value.conceal
    assert services.allowed_actions(key, stranger) == set()


def test_pages_offer_only_what_the_state_allows(estate, unit, staff):
    desk = staff["frontdesk"]
    key = make_key(estate, desk, unit)
    assert {"lend", "move", "issue", "report_incident"} <= services.allowed_actions(key, desk)
    loan = services.loan_lend(
        key=key,
        borrower_staff=staff["technician"],
        phone="13700000000",
        count=1,
        reason="x",
        actor=desk,
    )
    key.refresh_from_db()
    offered = services.allowed_actions(key, desk)
    assert "lend" not in offered and "issue" not in offered and "move" in offered
    assert services.allowed_actions(loan, desk) == {"view", "return"}
    assert services.allowed_actions(loan, staff["patrol"]) == {"view"}
