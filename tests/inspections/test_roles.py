"""Who may do what with renovations: every service checks the actor's estate and role.

Written from the role descriptions (docs/domain.md, "Who works here"; "Renovation"): the desk
roles (front desk, area administrator, supervisor, project manager) take applications, issue and
revoke worker passes; the supervisor and the project manager approve or reject permits; the
patrol guard, the area administrator and the supervisor patrol; quality and the general manager
follow renovations but change nothing; the technician and finance have no business here.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from inspections import selectors, services
from inspections.models import PatrolItem
from propserv.roles import Role
from tests.inspections.helpers import apply, approved, at, issue_pass

pytestmark = pytest.mark.django_db

DESK_WORK = {"view", "apply", "issue_pass", "revoke_pass", "release", "request_acceptance"}
PATROL_WORK = {"patrol", "notice", "reinspect", "accept"}
FOLLOW = {"view", "let_through"}
ALLOWED = {
    "frontdesk": DESK_WORK | FOLLOW,
    "area_admin": DESK_WORK | FOLLOW | PATROL_WORK,
    "supervisor": DESK_WORK | FOLLOW | PATROL_WORK | {"approve", "reject"},
    "project_manager": DESK_WORK | FOLLOW | {"approve", "reject"},
    "quality": FOLLOW,
    "gm": FOLLOW,
    "technician": set(),
    "patrol": FOLLOW | PATROL_WORK,
    "finance": set(),
}
ACTIONS = [
    "view",
    "apply",
    "approve",
    "reject",
    "issue_pass",
    "revoke_pass",
    "patrol",
    "notice",
    "reinspect",
    "request_acceptance",
    "accept",
    "release",
    "let_through",
]
ALL_OK = {code: "ok" for code in PatrolItem.values}


def _try(action, user, unit, owner, person, staff) -> bool:
    try:
        if action == "view":
            renovation = approved(unit, owner, person, staff)
            worker_pass = issue_pass(renovation, staff)
            return selectors.gate_check(user, worker_pass.number, at(7, 2))[0] != "unknown"
        if action == "apply":
            apply(unit, owner, person, user)
        elif action in ("approve", "reject"):
            renovation = apply(unit, owner, person, staff["frontdesk"])
            if action == "approve":
                services.renovation_approve(renovation=renovation, actor=user)
            else:
                services.renovation_reject(renovation=renovation, reasons="不全", actor=user)
        elif action == "issue_pass":
            issue_pass(approved(unit, owner, person, staff), {"frontdesk": user})
        elif action == "revoke_pass":
            worker_pass = issue_pass(approved(unit, owner, person, staff), staff)
            services.pass_revoke(worker_pass=worker_pass, reason="违规", actor=user)
        elif action == "patrol":
            renovation = approved(unit, owner, person, staff)
            services.patrol_record(renovation=renovation, items=ALL_OK, actor=user, at=at(7, 2, 9))
        elif action in ("notice", "reinspect"):
            renovation = approved(unit, owner, person, staff)
            actor = user if action == "notice" else staff["patrol"]
            notice = services.notice_issue(
                renovation=renovation,
                items=["debris"],
                description="垃圾未清",
                due_at=at(7, 3),
                actor=actor,
                at=at(7, 2),
            )
            if action == "reinspect":
                services.notice_reinspect(
                    rectification=notice, passed=True, actor=user, at=at(7, 3)
                )
        elif action in ("request_acceptance", "accept"):
            renovation = approved(unit, owner, person, staff)
            requester = user if action == "request_acceptance" else staff["frontdesk"]
            services.acceptance_request(renovation=renovation, actor=requester, at=at(8, 1))
            if action == "accept":
                services.acceptance_record(
                    renovation=renovation, items=ALL_OK, actor=user, at=at(8, 2)
                )
        elif action in ("release", "let_through"):
            issuer = user if action == "release" else staff["frontdesk"]
            slip = services.release_issue(
                unit=unit,
                carrier_kind="resident",
                carrier_name="陈业主",
                goods="旧家具",
                quantity=1,
                valid_on=at(7, 2).date(),
                actor=issuer,
                at=at(7, 2, 8),
            )
            if action == "let_through":
                services.release_use(release=slip, actor=user, at=at(7, 2, 9))
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("action", ACTIONS)
def test_role_action_table(role, action, unit, owner, person, staff):
    allowed = _try(action, staff[role], unit, owner, person, staff)
    assert allowed == (action in ALLOWED[role]), (role, action)


def test_allowed_actions_follow_the_same_sets(unit, owner, person, staff):
    renovation = apply(unit, owner, person, staff["frontdesk"])
    assert services.allowed_actions(renovation, staff["frontdesk"]) == {
        "view",
        "add_document",
        "link_complaint",
    }
    assert {"approve", "reject"} <= services.allowed_actions(renovation, staff["supervisor"])
    assert services.allowed_actions(renovation, staff["technician"]) == set()
    renovation = services.renovation_approve(renovation=renovation, actor=staff["supervisor"])
    assert "issue_pass" in services.allowed_actions(renovation, staff["frontdesk"])
    assert "issue_pass" not in services.allowed_actions(renovation, staff["patrol"])
