"""Every write of fees, one module per family (docs/architecture.md, "A request that changes
something"; docs/domain.md, "Fees").

Each public service first checks the actor (`propserv.access.check_actor`), locks the unit's
account, re-checks, writes, and appends to the append-only ledger. Bad input raises
`ValidationError` (400); a change the state does not allow `InvalidTransition` (409).
"""

from fees.services.accounts import owner_change, payer_set
from fees.services.actions import allowed_actions
from fees.services.arrears import (
    arrears_reminders_sweep,
    notice_approve,
    notice_prepare,
    reminder_log,
)
from fees.services.billing import (
    bill_due_periods,
    billing_issue,
    billing_preview,
    billing_start,
    lines_for,
    period_close,
)
from fees.services.cashdesk import day_close
from fees.services.charges import (
    charge_add,
    charge_cancel,
    charge_completed_repairs,
    repair_charge,
    tariff_set,
)
from fees.services.common import balance_of, lock_account
from fees.services.payments import credit_of, credit_refund, payment_post, payment_reverse

__all__ = [
    "allowed_actions",
    "arrears_reminders_sweep",
    "balance_of",
    "bill_due_periods",
    "billing_issue",
    "billing_preview",
    "billing_start",
    "charge_add",
    "charge_cancel",
    "charge_completed_repairs",
    "credit_of",
    "day_close",
    "credit_refund",
    "lines_for",
    "lock_account",
    "notice_approve",
    "notice_prepare",
    "owner_change",
    "payment_post",
    "payment_reverse",
    "payer_set",
    "period_close",
    "reminder_log",
    "repair_charge",
    "tariff_set",
]
