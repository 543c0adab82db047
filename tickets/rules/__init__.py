"""Pure rules of tickets (no ORM, `now` passed in), one module per subject: `intake` (shared by
every ticket), `repairs`, `complaints`, `callbacks`.

The package itself offers what other apps use (visits logs repairs from reception entries): the
intake check and the repair clocks' kinds.
"""

from tickets.rules.intake import DOUBLE_SUBMIT_WINDOW, MAX_BACKDATE, check_received_at
from tickets.rules.repairs import (
    ARRIVAL,
    CALLBACK,
    COMPLETION,
    arrival_rule,
    callback_rule,
    completion_rule,
    is_dissatisfied,
)

__all__ = [
    "ARRIVAL",
    "CALLBACK",
    "COMPLETION",
    "DOUBLE_SUBMIT_WINDOW",
    "MAX_BACKDATE",
    "arrival_rule",
    "callback_rule",
    "check_received_at",
    "completion_rule",
    "is_dissatisfied",
]
