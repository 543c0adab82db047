"""What a user may do to a key, a loan, an entrustment, a lost-key report or a vacant-unit
inspection now: derived from the record's state and the role sets the services check, so a page
offers exactly what the service would accept (docs/architecture.md, "The shared contracts",
roles and checks)."""

from __future__ import annotations

from keys.models import Entrustment, Key, KeyIncident, KeyLoan, VacantInspection
from propserv.access import may
from propserv.roles import KEY_DESK, KEY_INSPECTORS, KEY_VACANT_INSPECTORS, KEY_VIEWERS


def _open_incident(key: Key) -> bool:
    return key.incidents.exclude(status=KeyIncident.Status.CLOSED).exists()


def _entrustment(key: Key) -> Entrustment | None:
    if key.kind != Key.Kind.ENTRUSTED:
        return None
    try:
        return key.entrustment
    except Entrustment.DoesNotExist:
        return None


def _entrustment_actions(entrustment: Entrustment, key: Key, incident: bool) -> set[str]:
    actions = set()
    if entrustment.released_at:
        return actions
    if not entrustment.handed_over_at and key.state == Key.State.AT_DESK:
        actions.add("handover")
    if key.state in (Key.State.IN_CABINET, Key.State.AT_DESK) and not incident:
        actions |= {"owner_call", "release"}
    return actions


def key_actions(key: Key, user) -> set[str]:
    if not may(user, key.estate_id, KEY_VIEWERS):
        return set()
    actions = {"view", "label"}
    if not may(user, key.estate_id, KEY_DESK):
        return actions
    incident = _open_incident(key)
    loan = key.current_loan
    if key.state == Key.State.IN_CABINET and loan is None and not incident:
        actions.add("lend")
        if key.kind == Key.Kind.DEVELOPER:
            actions.add("issue")
    if key.state in (Key.State.IN_CABINET, Key.State.ON_LOAN):
        actions.add("move")
    if key.is_held and not incident:
        actions.add("report_incident")
    entrustment = _entrustment(key)
    if entrustment is not None:
        actions |= _entrustment_actions(entrustment, key, incident)
    return actions


def loan_actions(loan: KeyLoan, user) -> set[str]:
    if not may(user, loan.estate_id, KEY_VIEWERS):
        return set()
    actions = {"view"}
    if may(user, loan.estate_id, KEY_DESK):
        if loan.status == KeyLoan.Status.OUT:
            actions.add("return")
        if loan.status == KeyLoan.Status.RECTIFYING and loan.key.state == Key.State.IN_CABINET:
            actions.add("reissue")
    if (
        may(user, loan.estate_id, KEY_INSPECTORS)
        and loan.is_contractor
        and loan.status in (KeyLoan.Status.AWAITING_INSPECTION, KeyLoan.Status.RECTIFYING)
    ):
        actions.add("inspect")
    return actions


def entrustment_actions(entrustment: Entrustment, user) -> set[str]:
    if not may(user, entrustment.estate_id, KEY_VIEWERS):
        return set()
    actions = {"view"}
    if may(user, entrustment.estate_id, KEY_DESK):
        key = entrustment.key
        actions |= _entrustment_actions(entrustment, key, _open_incident(key))
    return actions


def incident_actions(incident: KeyIncident, user) -> set[str]:
    if not may(user, incident.estate_id, KEY_VIEWERS):
        return set()
    actions = {"view"}
    if may(user, incident.estate_id, KEY_DESK):
        if incident.status == KeyIncident.Status.REPORTED:
            actions.add("consent")
        elif (
            incident.status == KeyIncident.Status.CONSENTED
            and incident.key.state != Key.State.ON_LOAN
        ):
            actions.add("lock_change")
    return actions


def vacant_actions(inspection: VacantInspection, user) -> set[str]:
    if not may(user, inspection.estate_id, KEY_VIEWERS):
        return set()
    actions = {"view"}
    if may(user, inspection.estate_id, KEY_VACANT_INSPECTORS):
        if not inspection.inspected_at:
            actions.add("record")
        elif inspection.problem and not inspection.resolved_at:
            actions.add("resolve")
    return actions


def allowed_actions(obj, user) -> set[str]:
    """The actions `user` may take on `obj` now (a Key, KeyLoan, Entrustment, KeyIncident or
    VacantInspection)."""
    for model, actions in (
        (Key, key_actions),
        (KeyLoan, loan_actions),
        (Entrustment, entrustment_actions),
        (KeyIncident, incident_actions),
        (VacantInspection, vacant_actions),
    ):
        if isinstance(obj, model):
            return actions(obj, user)
    raise TypeError(f"no actions for {type(obj).__name__}")
