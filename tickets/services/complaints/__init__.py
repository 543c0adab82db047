"""Every write to a complaint goes through one of these services (web, API, tasks alike);
docs/domain.md, Complaints.

Each: the actor checked (estate and role, propserv.access), one transaction, the complaint row
locked, state re-checked, idempotent when already applied, a ComplaintEvent for the timeline
(codes and parameters), deadlines opened/met through the core engine, notifications written in
the same transaction (delivered on commit by propserv.notifications).

Clocks: the reply clock (N working days) runs from receipt for every complaint. The report-up and
handling clocks count from receipt too; a later change of grade (by staff or the one-month
upgrade) reschedules the still-open clocks to the new grade's rule (counted from their start, a
breach that happened stays on record); a clock the new grade needs that is no longer running (the
report-up was done for the old grade) starts at the moment of the change. Closing a complaint
cancels whatever clock is still open.

Who may act: the desk and the managers (COMPLAINT_HANDLERS) record, grade, report up, reply,
close the handling and name owners; lowering a major (or auto-upgraded) complaint needs the
quality department or the general manager. Technicians, patrol guards and finance staff do none
of it. The callback steps are in `tickets.services.callbacks` (the lower layer this calls).
"""

from tickets.services.complaints.callback import complaint_record_callback
from tickets.services.complaints.core import (
    COLLECTIVE_HOUSEHOLDS,
    allowed_actions,
    cannot_become,
    grades_allowed,
    lock_complaint,
)
from tickets.services.complaints.grading import (
    complaint_grade,
    complaint_report_up,
    complaints_auto_upgrade,
)
from tickets.services.complaints.handling import (
    complaint_assign_owner,
    complaint_extend,
    complaint_mark_handled,
    complaint_reply,
)
from tickets.services.complaints.intake import complaint_create

__all__ = [
    "COLLECTIVE_HOUSEHOLDS",
    "allowed_actions",
    "cannot_become",
    "complaint_assign_owner",
    "complaint_create",
    "complaint_extend",
    "complaint_grade",
    "complaint_mark_handled",
    "complaint_record_callback",
    "complaint_reply",
    "complaint_report_up",
    "complaints_auto_upgrade",
    "grades_allowed",
    "lock_complaint",
]
