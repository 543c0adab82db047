"""The ends of first contact (首问负责制, docs/domain.md, Reception) that other records decide:

- a resident's web report is an entry of the duty log too (channel web, linked to its repair),
  owned by nobody until someone at the desk takes it;
- an entry that became a repair or a complaint closes (resolved and called back) when what it
  became is done and the resident called back satisfied: tickets calls the hooks
  "repair.called_back" and "complaint.called_back" inside its own transaction
  (propserv.registry; registered in visits.extensions).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import RECEPTION
from tickets.models import Channel, Complaint, Repair
from visits.models import Visit, VisitEvent
from visits.services.reception import lock_visit, resolve_locked_visit, set_owner

A = VisitEvent.Action

# A repair in one of these states has been done and its resident called back.
REPAIR_DONE = (Repair.Status.CALLED_BACK, Repair.Status.CLOSED)


def log_web_report(repair: Repair, *, now=None) -> Visit:
    """Write the duty-log entry of a resident's web report, inside the caller's transaction
    (visits.services.web_reports). Nobody received it at the desk, so nobody owns it yet."""
    now = now or timezone.now()
    existing = Visit.objects.filter(repair=repair).first()
    if existing is not None:
        return existing
    visit = Visit.objects.create(
        estate=repair.estate,
        channel=Channel.WEB,
        category=Visit.Category.REPAIR,
        received_at=repair.received_at,
        received_by=None,
        owner=None,
        unit=repair.unit,
        resident=repair.reporter,
        caller_name=repair.reporter_name[:64],
        caller_phone=repair.reporter_phone[:20],
        summary=repair.description[:1000],
        repair=repair,
    )
    label = repair.reporter_name or _("Resident")
    VisitEvent.record(
        visit, action=A.RECEIVED, at=now, actor_label=label, data={"channel": Channel.WEB}
    )
    VisitEvent.record(
        visit,
        action=A.TO_REPAIR,
        at=now,
        actor_label=label,
        data={"repair": repair.pk, "number": repair.number},
    )
    return visit


@transaction.atomic
def visit_take(*, visit_id: int, actor, now=None) -> Visit:
    """Someone at the desk takes an entry nobody owns (a web report): it is theirs from now on.
    Taking one already taken by someone else is refused; taking one's own again changes nothing."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if visit.owner_id == actor.pk:
        return visit
    if visit.owner_id is not None:
        raise InvalidTransition(_("A colleague has already taken this entry."))
    if not visit.is_open:
        raise InvalidTransition(_("A closed entry has no owner to change."))
    set_owner(visit, actor, actor=actor, at=now, action=A.TAKEN)
    return visit


def _ticket_done(ticket) -> bool:
    if ticket is None:
        return True
    if isinstance(ticket, Complaint):
        return ticket.status == Complaint.Status.CLOSED
    return ticket.status in REPAIR_DONE


def close_locked_visit(visit: Visit, *, number: str, actor=None, at=None) -> bool:
    """Resolve and call back an entry the caller has locked, because what it became is done and
    called back (timeline rows with codes). False when it was already closed."""
    at = at or timezone.now()
    if visit.status == Visit.Status.CLOSED:
        return False
    data = {"ticket_done": number}
    resolve_locked_visit(visit, actor=actor, at=at, resolution="", data=data)
    visit.status, visit.called_back_at = Visit.Status.CLOSED, at
    visit.save(update_fields=["status", "called_back_at"])
    VisitEvent.record(
        visit,
        action=A.CALLED_BACK,
        actor=actor,
        at=at,
        from_status=Visit.Status.RESOLVED,
        to_status=Visit.Status.CLOSED,
        data=data,
    )
    return True


def close_entries_of(*, repair=None, complaint=None, actor=None, at=None) -> list[Visit]:
    """The entries `repair` (or `complaint`) came from, closed when still open — and when the
    other ticket an entry also became (if any) is done too. Runs inside the caller's
    transaction; idempotent."""
    ticket = repair if repair is not None else complaint
    field = "repair" if repair is not None else "complaint"
    closed = []
    ids = Visit.objects.filter(**{field: ticket}).open().values_list("pk", flat=True)
    for visit_id in list(ids):
        visit = lock_visit(visit_id)
        other = (
            visit.complaint
            if field == "repair" and visit.complaint_id
            else (visit.repair if field == "complaint" and visit.repair_id else None)
        )
        if other is not None and not _ticket_done(other):
            continue
        if close_locked_visit(visit, number=ticket.number, actor=actor, at=at):
            closed.append(visit)
    return closed


# --- the hooks tickets calls (registered in visits.extensions) ----------------------------------


def on_repair_called_back(*, repair, actor=None, **_kwargs) -> None:
    close_entries_of(repair=repair, actor=actor)


def on_complaint_called_back(*, complaint, actor=None, **_kwargs) -> None:
    close_entries_of(complaint=complaint, actor=actor)
