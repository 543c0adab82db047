"""A reception entry becomes a complaint through the complaints module's own intake service
(docs/domain.md, Reception; Complaints).

The reception log depends on one narrow surface of tickets' complaints: `complaint_create`
(which gives the complaint to its receiver, 首问负责制) and `complaint_assign_owner` (so the
entry's owner stays the complaint's owner).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import RECEPTION
from tickets import rules as ticket_rules
from tickets.services import complaints as complaint_services
from visits.models import VisitEvent
from visits.services.reception import lock_visit


def complaint_of(visit):
    return visit.complaint if visit.complaint_id else None


@transaction.atomic
def visit_convert_to_complaint(
    *, visit_id: int, actor, description: str, demand: str = "", now=None
):
    """One step, pre-filled from the entry; both keep the link; idempotent."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if visit.complaint_id:
        return visit.complaint
    if not visit.is_open:
        raise InvalidTransition(_("A closed entry cannot become a complaint."))
    received_at = visit.received_at
    if ticket_rules.check_received_at(received_at, now):
        received_at = now
    complaint = complaint_services.complaint_create(
        estate=visit.estate,
        description=description,
        actor=actor,
        channel=visit.channel,
        complainant=visit.resident,
        complainant_name=visit.caller_name,
        complainant_phone=visit.caller_phone,
        unit=visit.unit,
        request=demand,
        requested_by=visit.promised_answer_at
        if visit.promised_answer_at and visit.promised_answer_at > received_at
        else None,
        received_at=received_at,
        now=now,
    )
    if visit.owner_id is not None and complaint.owner_id != visit.owner_id:
        complaint = complaint_services.complaint_assign_owner(
            complaint_id=complaint.pk, owner=visit.owner, actor=actor, at=now
        )
    visit.complaint = complaint
    visit.save(update_fields=["complaint"])
    VisitEvent.record(
        visit,
        action=VisitEvent.Action.TO_COMPLAINT,
        actor=actor,
        at=now,
        data={"complaint": complaint.pk, "number": complaint.number},
    )
    return complaint
