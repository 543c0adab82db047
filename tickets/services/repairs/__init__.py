"""Every write to a repair goes through one of these services (web, API, tasks alike);
docs/domain.md, Repairs.

Each: the actor checked (estate and role, propserv.access), one transaction, the repair row
locked, state re-checked, idempotent when already applied, a RepairEvent for the timeline
(codes and parameters, rendered in the reader's language), deadlines opened/met through the core
engine, side effects on commit. The callback's own steps are in `tickets.services.callbacks`,
the lower layer this module calls.

Who may do what: the desk runs the job, the assigned technician works it, the desk calls back —
never the technician who did the work. `actor=None` is the resident through their own signed
link (the public form, the rating on the tracking page), which the public view checked.
"""

from tickets.services.repairs.callback import repair_record_callback
from tickets.services.repairs.core import allowed_actions, cannot_become, lock_repair
from tickets.services.repairs.intake import (
    repair_cancel,
    repair_create,
    repair_dispatch,
    repair_reopen,
    repair_set_urgency,
)
from tickets.services.repairs.photos import repair_add_photo
from tickets.services.repairs.work import (
    repair_complete,
    repair_hold,
    repair_mark_arrived,
    repair_quote,
    repair_record_consent,
    repair_resume,
    repair_start,
)

__all__ = [
    "allowed_actions",
    "repair_add_photo",
    "cannot_become",
    "lock_repair",
    "repair_cancel",
    "repair_complete",
    "repair_create",
    "repair_dispatch",
    "repair_hold",
    "repair_mark_arrived",
    "repair_quote",
    "repair_record_callback",
    "repair_record_consent",
    "repair_reopen",
    "repair_resume",
    "repair_set_urgency",
    "repair_start",
]
