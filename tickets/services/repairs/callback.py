"""The repair callback's outcome: closes the repair, or reopens it with a second handling
(docs/domain.md, Callbacks)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.deadlines import (
    deadline_meet,
)
from propserv.errors import InvalidTransition
from propserv.registry import registry
from tickets.models import Callback, Repair
from tickets.rules import repairs as rules
from tickets.services import callbacks, second_handlings
from tickets.services.repairs.core import check_caller, lock_repair, move
from tickets.services.repairs.intake import do_reopen


@transaction.atomic
def repair_record_callback(
    *,
    repair_id: int,
    satisfaction: int,
    actor=None,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at=None,
    actor_label: str = "",
    reached: bool = False,
) -> Callback:
    """The callback done: meets the 48-hour clock. Satisfied -> closed; dissatisfied (≤ 2) ->
    reopened with a second handling. `reached`: also note the call that reached the resident
    (the callback queue does; the resident's own rating is no call)."""
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_caller(actor, repair)
    satisfaction = callbacks.check_satisfaction(satisfaction)
    callback = (
        Callback.objects.select_for_update()
        .filter(repair=repair, status=Callback.Status.PENDING)
        .first()
    )
    if callback is None:
        done = (
            repair.callbacks.filter(status=Callback.Status.DONE).order_by("-completed_at").first()
        )
        if done is not None and repair.status in (Repair.Status.CLOSED, Repair.Status.REOPENED):
            return done  # already recorded (a double submit)
        raise InvalidTransition(_("This repair has no callback due."))
    if reached:
        callbacks.do_note_reached(callback, actor=actor, at=at)
    callbacks.do_record_outcome(
        callback,
        satisfaction=satisfaction,
        actor=actor,
        comment=comment,
        confirmed_by_resident=confirmed_by_resident,
        channel=channel,
        at=at,
    )
    move(
        repair,
        Repair.Status.CALLED_BACK,
        actor=actor,
        at=at,
        action="called_back",
        note=comment.strip(),
        data={"satisfaction": satisfaction, "channel": channel},
    )
    repair.save(update_fields=["status"])
    deadline_meet(subject=repair, kind=rules.CALLBACK, at=at)
    if rules.is_dissatisfied(satisfaction):
        do_reopen(
            repair,
            actor=actor,
            at=at,
            note=comment.strip(),
            data={"dissatisfied": satisfaction},
            body=_("Resident dissatisfied at callback (%(score)s/5): %(comment)s")
            % {"score": satisfaction, "comment": comment},
        )
        second_handlings.do_open_second_handling(callback=callback, actor=actor, at=at)
    else:
        move(repair, Repair.Status.CLOSED, actor=actor, at=at, action="closed")
        repair.closed_at = at
        repair.save(update_fields=["status", "closed_at"])
        # Higher apps close what the repair came from (a reception entry), in this transaction.
        for hook in registry.hooks_for("repair.called_back"):
            hook(repair=repair, actor=actor)
    return callback
