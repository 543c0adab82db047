"""Deadline policies of tickets, one module per subject (docs/architecture.md, Deadlines).

`KINDS` are every deadline kind tickets opens and `POLICIES` their policy classes; both are
registered in `TicketsConfig.ready` (propserv.registry).
"""

from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules
from tickets.rules import repairs as repair_rules
from tickets.rules import surveys as survey_rules
from tickets.sla import complaints, repairs, surveys

KINDS = (*repair_rules.KINDS, *crules.KINDS, *cbrules.KINDS, *survey_rules.KINDS)
POLICIES = [*repairs.POLICIES, *complaints.POLICIES, *surveys.POLICIES]

__all__ = ["KINDS", "POLICIES"]
