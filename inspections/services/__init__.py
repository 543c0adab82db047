"""Every write of inspections, one module per family (docs/architecture.md, "A request that
changes something"): each public service checks the actor first (`propserv.access.check_actor`),
locks the renovation, re-checks its state, returns early when the change is already applied,
writes, and appends a `RenovationEvent`. `allowed_actions(obj, user)` tells pages what to offer.
"""

from inspections.services.actions import allowed_actions
from inspections.services.complaints import complaint_link
from inspections.services.completion import acceptance_record, acceptance_request
from inspections.services.handover import unit_handover_record, unit_move_in_gate
from inspections.services.milestones import milestone_done, milestone_set
from inspections.services.movein import (
    appointment_accept,
    appointment_arrive,
    appointment_book,
    appointment_refuse,
    batch_add,
    plan_create,
    prep_tick,
    welcome_visit_record,
)
from inspections.services.passes import pass_confiscate, pass_issue, pass_revoke, pass_state
from inspections.services.patrols import patrol_record, patrols_schedule
from inspections.services.predelivery import (
    NewProblem,
    defect_type_add,
    problem_fix,
    problem_recheck,
    problems_add,
    round_open,
)
from inspections.services.rectifications import notice_issue, notice_reinspect
from inspections.services.releases import release_issue, release_state, release_use
from inspections.services.renovations import (
    renovation_add_document,
    renovation_apply,
    renovation_approve,
    renovation_reject,
)

__all__ = [
    "NewProblem",
    "appointment_accept",
    "appointment_arrive",
    "appointment_book",
    "appointment_refuse",
    "batch_add",
    "defect_type_add",
    "milestone_done",
    "milestone_set",
    "plan_create",
    "prep_tick",
    "problem_fix",
    "problem_recheck",
    "problems_add",
    "round_open",
    "welcome_visit_record",
    "acceptance_record",
    "acceptance_request",
    "notice_issue",
    "notice_reinspect",
    "release_issue",
    "release_state",
    "release_use",
    "allowed_actions",
    "complaint_link",
    "pass_confiscate",
    "pass_issue",
    "pass_revoke",
    "pass_state",
    "patrol_record",
    "patrols_schedule",
    "renovation_add_document",
    "renovation_apply",
    "renovation_approve",
    "renovation_reject",
    "unit_handover_record",
    "unit_move_in_gate",
]
