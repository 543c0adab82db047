"""Who may do what at the desk: a role × action table, written from the role descriptions
(docs/domain.md, "Who works here"), not from the code.

- The desk is run by the front desk, the area administrator, the customer-service supervisor and
  the project manager: they log contacts and work them to the callback, hand the shift over,
  keep the lost-and-found register, follow defect forms and write, publish and phone notices.
- Technicians, patrol guards and finance do not run the desk: they cannot log or close a
  reception entry (a technician closing an entry was the defect of issue 11).
- The quality department and the general manager review and take escalations; they do not
  work the desk either.
- Only the project manager approves notices and reads praise; the supervisor or the project
  manager withdraw a notice and move an entry to a colleague.
- A major incident is recorded by whoever is on duty in the office or on patrol; a manager
  (supervisor, project manager, quality, general manager) closes it.

Each action runs its service as every role: allowed → it goes through; refused → NotAllowed and
nothing changes. The pages ask `allowed_actions`, which must agree.
"""

import pytest
from django.utils import timezone

from propserv.errors import NotAllowed
from propserv.roles import Role
from tests.factories import ResidentFactory, make_staff
from tests.visits.helpers import client_for
from visits.models import Defect, Incident, LostItem, Notice, Visit, VisitEvent
from visits.services import complaints as complaint_svc
from visits.services import defects as defect_svc
from visits.services import handover as handover_svc
from visits.services import notices as notice_svc
from visits.services import reception, registers

FRONT, AREA, SUP, PM = "frontdesk", "area_admin", "supervisor", "project_manager"
QUALITY, GM, TECH, PATROL, FINANCE = "quality", "gm", "technician", "patrol", "finance"
ROLES = [r.value for r in Role]
RUN_THE_DESK = {FRONT, AREA, SUP, PM}

# action → the roles that may do it (from the descriptions above)
EXPECTED = {
    "visit_create": RUN_THE_DESK,
    "visit_add_note": RUN_THE_DESK,
    "visit_resolve": RUN_THE_DESK,
    "visit_record_callback": RUN_THE_DESK,
    "visit_convert_to_repair": RUN_THE_DESK,
    "visit_convert_to_complaint": RUN_THE_DESK,
    "visit_transfer": {SUP, PM},
    "visit_pm_note": {PM},
    "handover_create": RUN_THE_DESK,
    "handover_acknowledge": RUN_THE_DESK,
    "defect_create": RUN_THE_DESK,
    "defect_send": RUN_THE_DESK,
    "lost_item_register": RUN_THE_DESK,
    "lost_item_return": RUN_THE_DESK,
    "incident_record": {FRONT, AREA, SUP, PM, QUALITY, GM, PATROL},
    "incident_close": {SUP, PM, QUALITY, GM},
    "notice_create": RUN_THE_DESK,
    "notice_approve": {PM},
    "notice_publish": RUN_THE_DESK,
    "notice_withdraw": {SUP, PM},
    "notice_record_call": RUN_THE_DESK,
}


def _visit(estate, staff, actor=None, **kwargs):
    data = {"channel": "phone", "category": "other", "summary": "问停水时间", **kwargs}
    return reception.visit_create(estate=estate, actor=actor or staff[FRONT], **data)


def _resolved(estate, staff):
    visit = _visit(estate, staff)
    return reception.visit_resolve(visit_id=visit.pk, actor=staff[FRONT], resolution="已答复")


def _notice(estate, staff, kind="phone"):
    extra = {}
    if kind == "posted":
        today = timezone.localdate()
        extra = {"valid_from": today, "valid_until": today}
    return notice_svc.notice_create(
        estate=estate, actor=staff[FRONT], kind=kind, title="停水", body="明日停水", **extra
    )


def _run(action, estate, staff, unit, user, categories):
    """Set the subject up as the front desk, then do `action` as `user`; returns a function
    that says whether the action took effect."""
    if action == "visit_create":
        before = Visit.objects.count()
        reception.visit_create(
            estate=estate, actor=user, channel="phone", category="other", summary="问"
        )
        return lambda: Visit.objects.count() == before + 1
    if action == "visit_add_note":
        visit = _visit(estate, staff)
        reception.visit_add_note(visit_id=visit.pk, actor=user, note="跟进")
        return lambda: visit.events.filter(action="note").exists()
    if action == "visit_resolve":
        visit = _visit(estate, staff)
        reception.visit_resolve(visit_id=visit.pk, actor=user, resolution="已处理")
        return lambda: Visit.objects.get(pk=visit.pk).status == Visit.Status.RESOLVED
    if action == "visit_record_callback":
        visit = _resolved(estate, staff)
        reception.visit_record_callback(visit_id=visit.pk, actor=user, note="满意")
        return lambda: Visit.objects.get(pk=visit.pk).status == Visit.Status.CLOSED
    if action == "visit_convert_to_repair":
        visit = _visit(estate, staff, unit=unit, category="repair")
        reception.visit_convert_to_repair(
            visit_id=visit.pk, actor=user, category=categories["lighting"], description="灯不亮"
        )
        return lambda: Visit.objects.get(pk=visit.pk).repair_id is not None
    if action == "visit_convert_to_complaint":
        visit = _visit(estate, staff, unit=unit, category="complaint")
        complaint_svc.visit_convert_to_complaint(visit_id=visit.pk, actor=user, description="噪音")
        return lambda: Visit.objects.get(pk=visit.pk).complaint_id is not None
    if action == "visit_transfer":
        # Owned by another front-desk colleague: the owner may hand their own entry off.
        visit = _visit(estate, staff, actor=make_staff("owner-desk", FRONT, estates=[estate]))
        target = staff[AREA] if user != staff[AREA] else staff[SUP]
        reception.visit_transfer(visit_id=visit.pk, to_user=target, actor=user, reason="升级")
        return lambda: Visit.objects.get(pk=visit.pk).owner == target
    if action == "visit_pm_note":
        visit = _visit(estate, staff, category="praise")
        reception.visit_pm_note(visit_id=visit.pk, actor=user)
        return lambda: Visit.objects.get(pk=visit.pk).pm_noted_at is not None
    if action == "handover_create":
        visit = _visit(estate, staff)
        handover_svc.handover_create(estate=estate, actor=user, members=[staff[FRONT]])
        return lambda: visit.handover_items.exists()
    if action == "handover_acknowledge":
        _visit(estate, staff)
        night = make_staff("night-shift", FRONT, estates=[estate])
        handover = handover_svc.handover_create(estate=estate, actor=night, members=[staff[FRONT]])
        if user == staff[FRONT]:  # the shift handing over never acknowledges: use a colleague
            user = make_staff("day-desk", FRONT, estates=[estate])
        handover_svc.handover_acknowledge(handover_id=handover.pk, actor=user)
        return lambda: handover.__class__.objects.get(pk=handover.pk).acknowledged_at is not None
    if action == "defect_create":
        defect_svc.defect_create(estate=estate, actor=user, unit=unit, description="墙面开裂")
        return lambda: Defect.objects.exists()
    if action == "defect_send":
        defect = defect_svc.defect_create(
            estate=estate, actor=staff[FRONT], unit=unit, description="墙面开裂"
        )
        defect_svc.defect_send(defect_id=defect.pk, actor=user)
        return lambda: Defect.objects.get(pk=defect.pk).status == Defect.Status.WITH_DEVELOPER
    if action == "lost_item_register":
        registers.lost_item_register(
            estate=estate, actor=user, description="钥匙", found_where="大堂", found_by="保洁"
        )
        return lambda: LostItem.objects.exists()
    if action == "lost_item_return":
        item = registers.lost_item_register(
            estate=estate, actor=staff[FRONT], description="钥匙", found_where="大堂", found_by="李"
        )
        registers.lost_item_return(
            item_id=item.pk, actor=user, claimant_name="张三", claimant_proof="身份证"
        )
        return lambda: LostItem.objects.get(pk=item.pk).status == LostItem.Status.RETURNED
    if action == "incident_record":
        registers.incident_record(
            estate=estate, actor=user, kind="fire", location="地下车库", description="冒烟"
        )
        return lambda: Incident.objects.exists()
    if action == "incident_close":
        incident = registers.incident_record(
            estate=estate, actor=staff[FRONT], kind="fire", location="车库", description="冒烟"
        )
        registers.incident_close(incident_id=incident.pk, actor=user, outcome="已扑灭")
        return lambda: Incident.objects.get(pk=incident.pk).closed_at is not None
    if action == "notice_create":
        notice_svc.notice_create(estate=estate, actor=user, kind="written", title="停水", body="x")
        return lambda: Notice.objects.exists()
    if action == "notice_approve":
        notice = _notice(estate, staff, kind="posted")
        notice_svc.notice_approve(notice_id=notice.pk, actor=user)
        return lambda: Notice.objects.get(pk=notice.pk).approved_at is not None
    if action == "notice_publish":
        notice = _notice(estate, staff)
        notice_svc.notice_publish(notice_id=notice.pk, actor=user)
        return lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED
    if action == "notice_withdraw":
        notice = _notice(estate, staff)
        notice_svc.notice_withdraw(notice_id=notice.pk, actor=user)
        return lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.WITHDRAWN
    if action == "notice_record_call":
        notice = _notice(estate, staff)
        call = notice.calls.get()
        notice_svc.notice_record_call(call_id=call.pk, actor=user, outcome="reached")
        return lambda: notice.calls.get().attempts == 1
    raise AssertionError(action)


@pytest.fixture
def household(unit):
    return ResidentFactory(unit=unit, name="王先生", phone="13800001502")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_role_action_table(action, role, estate, staff, unit, household, categories):
    user = staff[role]
    if role in EXPECTED[action]:
        took_effect = _run(action, estate, staff, unit, user, categories)
        assert took_effect(), f"{role} should be able to {action}"
    else:
        with pytest.raises(NotAllowed):
            _run(action, estate, staff, unit, user, categories)


@pytest.mark.parametrize("role", ROLES)
def test_the_visit_page_offers_only_what_the_services_accept(role, estate, staff, unit):
    user = staff[role]
    open_entry = _visit(estate, staff, unit=unit)
    resolved = _resolved(estate, staff)
    praise = _visit(estate, staff, category="praise")
    offered = reception.allowed_actions(open_entry, user)
    desk = role in RUN_THE_DESK
    assert ("resolve" in offered) == desk
    assert ("note" in offered) == desk
    assert ("to-repair" in offered) == desk and ("to-complaint" in offered) == desk
    # Supervisor and project manager move any entry; the owner may hand their own off.
    assert ("transfer" in offered) == (role in {SUP, PM} or user == open_entry.owner)
    assert "callback" not in offered
    assert ("callback" in reception.allowed_actions(resolved, user)) == desk
    assert ("pm-noted" in reception.allowed_actions(praise, user)) == (role == PM)


def test_a_technician_cannot_close_a_reception_entry(estate, staff):
    """The named defect: visit_resolve, visit_record_callback, visit_add_note and visit_create
    accepted any role."""
    tech = staff[TECH]
    with pytest.raises(NotAllowed):
        reception.visit_create(
            estate=estate, actor=tech, channel="phone", category="other", summary="问"
        )
    visit = _visit(estate, staff)
    for call in (
        lambda: reception.visit_add_note(visit_id=visit.pk, actor=tech, note="x"),
        lambda: reception.visit_resolve(visit_id=visit.pk, actor=tech, resolution="修好了"),
    ):
        with pytest.raises(NotAllowed):
            call()
    reception.visit_resolve(visit_id=visit.pk, actor=staff[FRONT], resolution="已答复")
    with pytest.raises(NotAllowed):
        reception.visit_record_callback(visit_id=visit.pk, actor=tech, note="满意")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RESOLVED
    assert not VisitEvent.objects.filter(visit=visit, actor=tech).exists()


def test_registers_and_incidents_check_the_actor(estate, staff, unit):
    """The named defect: incident_* and the registers checked nothing; handover and notice
    creation were open to every role."""
    with pytest.raises(NotAllowed):
        registers.incident_record(
            estate=estate, actor=staff[FINANCE], kind="fire", location="车库", description="冒烟"
        )
    with pytest.raises(NotAllowed):
        registers.lost_item_register(
            estate=estate, actor=staff[TECH], description="钥匙", found_where="大堂", found_by="李"
        )
    with pytest.raises(NotAllowed):
        handover_svc.handover_create(estate=estate, actor=staff[TECH])
    with pytest.raises(NotAllowed):
        notice_svc.notice_create(
            estate=estate, actor=staff[PATROL], kind="written", title="停水", body="x"
        )
    assert not (Incident.objects.exists() or LostItem.objects.exists() or Notice.objects.exists())


def test_a_stranger_to_the_estate_is_refused_as_if_nothing_existed(estate, other_estate, staff):
    outsider = make_staff("outsider", FRONT, estates=[other_estate])
    visit = _visit(estate, staff)
    with pytest.raises(NotAllowed) as refused:
        reception.visit_resolve(visit_id=visit.pk, actor=outsider, resolution="x")
    assert refused.value.conceal
    with pytest.raises(NotAllowed) as refused:
        registers.incident_record(
            estate=estate, actor=outsider, kind="fire", location="车库", description="冒烟"
        )
    assert refused.value.conceal
    assert reception.allowed_actions(visit, outsider) == set()


@pytest.mark.parametrize(
    "path, marker",
    [
        ("/visits/handovers/", 'data-testid="hand-over"'),
        ("/visits/notices/", 'action="/visits/notices/?estate='),
        ("/visits/lost-found/", 'action="/visits/lost-found/?estate='),
    ],
)
def test_list_pages_offer_their_create_form_to_the_desk_only(path, marker, estate, staff):
    """A patrol guard reads these pages but may not hand over, post a notice or register a
    found item (the services refuse it): the page does not offer the form."""
    desk = client_for(staff["frontdesk"]).get(path, {"estate": estate.code})
    assert desk.status_code == 200 and marker in desk.content.decode()
    patrol = client_for(staff[PATROL]).get(path, {"estate": estate.code})
    assert patrol.status_code == 200 and marker not in patrol.content.decode()
