"""Every write of the key cabinet, one module per family (docs/architecture.md, "A request that
changes something").

Each public service first checks the actor (`propserv.access.check_actor`: a stranger to the
estate is a 404, a wrong role a 403), locks the key row (then the loan or incident), re-checks the
state, returns early when the change is already applied, writes the change and one or more
`KeyEvent` rows — the ledger the key's state is derived from. A change the state does not allow
raises `propserv.errors.InvalidTransition` (409); bad input raises `ValidationError` (400).
`allowed_actions(obj, user)` tells pages which of these the user may do now.
"""

from keys.services.actions import allowed_actions
from keys.services.cabinet import key_move, key_register
from keys.services.contractors import contractor_person_register, contractor_register
from keys.services.entrustments import (
    CALL_VALID_FOR,
    entrustment_handover,
    entrustment_intake,
    entrustment_release,
    owner_call_log,
    waiver_text,
)
from keys.services.loans import loan_lend
from keys.services.lock_changes import incident_consent, incident_lock_change, incident_report
from keys.services.move_in import keys_issue_to_owner, move_in_refusals
from keys.services.returns import loan_inspect, loan_reissue, loan_return
from keys.services.vacant import (
    vacant_inspection_record,
    vacant_plan_generate,
    vacant_problem_resolve,
)

__all__ = [
    "CALL_VALID_FOR",
    "allowed_actions",
    "contractor_person_register",
    "contractor_register",
    "entrustment_handover",
    "entrustment_intake",
    "entrustment_release",
    "incident_consent",
    "incident_lock_change",
    "incident_report",
    "key_move",
    "key_register",
    "keys_issue_to_owner",
    "loan_inspect",
    "loan_lend",
    "loan_reissue",
    "loan_return",
    "move_in_refusals",
    "owner_call_log",
    "vacant_inspection_record",
    "vacant_plan_generate",
    "vacant_problem_resolve",
    "waiver_text",
]
