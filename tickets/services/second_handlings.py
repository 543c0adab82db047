"""The second handling a dissatisfied resident gets: the area administrator and the department
head handle the ticket again, on their own clock (docs/domain.md, Callbacks). Below the repair
and complaint services, beside `callbacks`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none, works_for
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import NotAllowed
from propserv.notifications import notify
from propserv.roles import (
    REPAIR_DESK,
    SECOND_HANDLERS,
    Role,
    has_role,
)
from tickets.models import (
    Callback,
    SecondHandling,
)
from tickets.rules import callbacks as cbrules
from tickets.rules import complaints as crules
from tickets.rules import repairs as repair_rules
from tickets.services.callbacks import in_transaction, names, ticket_event


def may_finish_second(user, second: SecondHandling) -> bool:
    if not works_for(user, second.estate_id):
        return False
    if user.pk in (second.area_admin_id, second.department_head_id):
        return True
    if second.repair_id and user.pk == second.repair.technician_id:
        return True  # the repair's rework, completed by its technician (repair_complete)
    if second.repair_id and has_role(user, REPAIR_DESK):
        return True  # the desk recording the rework the technician reported
    return has_role(user, SECOND_HANDLERS)


def do_open_second_handling(*, callback: Callback, actor, at: dt.datetime) -> SecondHandling:
    """A dissatisfied callback: the area administrator and the department head handle it again,
    with its own deadline (the grade's handling time; for a repair, its completion time)."""
    in_transaction()
    existing = SecondHandling.objects.filter(callback=callback).first()
    if existing:
        return existing
    estate = callback.estate
    settings_row = estate.service_settings
    if callback.repair_id:
        rule = repair_rules.completion_rule(
            difficult=callback.repair.difficulty == "difficult", settings=settings_row
        )
    else:
        rule = crules.handle_rule(grade=callback.complaint.grade or "minor", settings=settings_row)
    admin = callback.second_caller if callback.second_caller_id else None
    if admin is None or not admin.groups.filter(name=Role.AREA_ADMIN).exists():
        admin = staff_of(estate, Role.AREA_ADMIN).first()
    head = staff_of(estate, Role.SUPERVISOR).first()
    second = SecondHandling(
        estate=estate,
        callback=callback,
        repair=callback.repair,
        complaint=callback.complaint,
        area_admin=admin,
        department_head=head,
        due_at=at,  # set from the deadline below
        created_at=at,
    )
    second.save()
    deadline = deadline_open(
        subject=second,
        estate=estate,
        kind=cbrules.SECOND_HANDLING,
        started_at=at,
        now=at,
        rule=rule,
    )
    second.due_at = deadline.due_at
    second.save(update_fields=["due_at"])
    ticket_event(
        callback,
        action="second_handling",
        actor=actor,
        at=at,
        data={
            "second_handling": second.pk,
            "due_at": deadline.due_at.isoformat(),
            "handlers": names(admin, head),
        },
    )
    notify(
        [u for u in (admin, head) if u],
        title=_("Resident dissatisfied – handle again: %(what)s") % {"what": str(callback.ticket)},
        body=_("Visit and handle it again by %(due)s; the case is reviewed internally.")
        % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")},
        url=callback.ticket.get_absolute_url(),
        estate=estate,
        level="alert",
        dedupe_key=f"second-handling:{second.pk}",
    )
    return second


def do_finish_second_handling(
    second: SecondHandling, *, outcome: str, actor, at, rework: bool = False
) -> SecondHandling:
    """Record the second handling done; the caller checked its actor (the ticket's own service,
    when finishing the rework finishes the handling too: `rework`)."""
    in_transaction()
    if second.done_at is not None:
        return second
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what was done.")})
    second.done_at, second.done_by, second.outcome = at, staff_or_none(actor), outcome.strip()
    second.save(update_fields=["done_at", "done_by", "outcome"])
    deadline_meet(subject=second, kind=cbrules.SECOND_HANDLING, at=at)
    ticket_event(
        second.callback,
        action="second_handling_done",
        actor=actor,
        at=at,
        note="" if rework else outcome.strip(),
        data={"second_handling": second.pk, **({"rework": True} if rework else {})},
    )
    return second


def lock_second_handling(second_handling_id: int) -> SecondHandling:
    return (
        SecondHandling.objects.select_for_update(of=("self",))
        .select_related("callback", "repair", "complaint", "estate")
        .get(pk=second_handling_id)
    )


@transaction.atomic
def second_handling_finish(
    *, second_handling_id: int, outcome: str, actor, at=None
) -> SecondHandling:
    """The area administrator and the department head have handled it again."""
    at = at or timezone.now()
    second = lock_second_handling(second_handling_id)
    if not works_for(actor, second.estate_id):
        raise NotAllowed(conceal=True)
    if second.done_at is not None:
        return second
    if not may_finish_second(actor, second):
        raise NotAllowed(
            _("The area administrator and the department head record the second handling.")
        )
    return do_finish_second_handling(second, outcome=outcome, actor=actor, at=at)
