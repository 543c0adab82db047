"""What a user may do to a renovation or a pass now: derived from the state machine and the
role sets the services check, so a page offers exactly what the service would accept."""

from __future__ import annotations

from django.utils import timezone

from inspections.models import GoodsRelease, Rectification, Renovation, WorkerPass
from inspections.services.releases import release_state
from propserv.access import may
from propserv.roles import (
    COMPLAINT_HANDLERS,
    PATROLLERS,
    RENOVATION_APPROVERS,
    RENOVATION_DESK,
    RENOVATION_VIEWERS,
)

S = Renovation.Status


def renovation_actions(renovation: Renovation, user) -> set[str]:
    estate = renovation.estate_id
    if not may(user, estate, RENOVATION_VIEWERS):
        return set()
    actions = {"view"}
    if renovation.has_permit:
        actions.add("print_permit")
    desk = may(user, estate, RENOVATION_DESK)
    if renovation.status == S.SUBMITTED:
        if may(user, estate, RENOVATION_APPROVERS):
            actions |= {"approve", "reject"}
        if desk:
            actions.add("add_document")
    if renovation.status == S.APPROVED and desk:
        actions |= {"issue_pass", "add_document"}
        # acceptance_request refuses while a rectification notice is open.
        if not renovation.rectifications.open().exists():
            actions.add("request_acceptance")
    if renovation.status != S.REJECTED and may(user, estate, COMPLAINT_HANDLERS):
        actions.add("link_complaint")
    if may(user, estate, PATROLLERS):
        if renovation.status in Renovation.ACTIVE:
            actions |= {"patrol", "issue_notice"}
        if renovation.status == S.ACCEPTANCE:
            actions.add("accept")
    return actions


def notice_actions(notice: Rectification, user) -> set[str]:
    estate = notice.renovation.estate_id
    if not may(user, estate, RENOVATION_VIEWERS):
        return set()
    actions = {"view", "print"}
    if notice.status == Rectification.Status.OPEN and may(user, estate, PATROLLERS):
        actions.add("reinspect")
    return actions


def release_actions(release: GoodsRelease, user) -> set[str]:
    if not may(user, release.estate_id, RENOVATION_VIEWERS):
        return set()
    actions = {"view", "print"}
    if release_state(release, timezone.now()) == "valid":  # release_use refuses any other day
        actions.add("use")
    return actions


def pass_actions(worker_pass: WorkerPass, user) -> set[str]:
    estate = worker_pass.renovation.estate_id
    if not may(user, estate, RENOVATION_VIEWERS):
        return set()
    actions = {"view", "print"}
    if worker_pass.revoked_at is None and may(user, estate, RENOVATION_DESK):
        actions.add("revoke")
    return actions


def allowed_actions(obj, user) -> set[str]:
    if isinstance(obj, Renovation):
        return renovation_actions(obj, user)
    if isinstance(obj, WorkerPass):
        return pass_actions(obj, user)
    if isinstance(obj, Rectification):
        return notice_actions(obj, user)
    if isinstance(obj, GoodsRelease):
        return release_actions(obj, user)
    raise TypeError(obj)
