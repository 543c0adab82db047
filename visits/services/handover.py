"""Shift handover (交接班记录, docs/domain.md, Reception): the outgoing shift lists its open
entries and addresses the list to the next shift's named people (desk roles), who are told; the
entries change owner only when one of them acknowledges the list. Silence past
`handover_ack_minutes` reaches the supervisor (visits.sla.HandoverAckPolicy)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, staff_of, works_for
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import NotAllowed
from propserv.models import Estate
from propserv.notifications import notify
from propserv.roles import DESK_LEADS, RECEPTION, Role, has_role
from visits import rules
from visits.models import OWNER_CHANGE_BY_HANDOVER, Handover, HandoverItem, VisitEvent
from visits.selectors import handover_open_items
from visits.services.reception import lock_visit, set_owner


def may_acknowledge(handover: Handover, user) -> bool:
    """A person of the next shift: one it is addressed to (or, when it names nobody, anyone at
    the desk not on the outgoing shift); a supervisor or the project manager stands in."""
    if not (works_for(user, handover.estate_id) and has_role(user, RECEPTION)):
        return False
    if handover.members.filter(pk=user.pk).exists():
        return False
    recipients = handover.recipients.all()
    if not recipients.exists() or has_role(user, DESK_LEADS):
        return True
    return recipients.filter(pk=user.pk).exists()


def allowed_actions(handover: Handover, user) -> set[str]:
    if handover.acknowledged_at is None and may_acknowledge(handover, user):
        return {"acknowledge"}
    return set()


def _check_people(estate, members, recipients) -> None:
    for member in members:
        if not works_for(member, estate) or not has_role(member, RECEPTION):
            raise ValidationError(
                {"members": _("Everyone on the shift must work at this estate's front desk.")}
            )
    member_ids = {m.pk for m in members}
    for person in recipients:
        if not works_for(person, estate) or not has_role(person, RECEPTION):
            raise ValidationError(
                {"recipients": _("Hand over to someone at this estate's front desk.")}
            )
        if person.pk in member_ids:
            raise ValidationError(
                {"recipients": _("Hand over to the next shift, not to someone on yours.")}
            )


@transaction.atomic
def handover_create(
    *, estate, actor, members=(), recipients=(), note: str = "", now=None
) -> Handover:
    """End of shift: every open entry the shift owns goes onto the list for the next shift,
    addressed to `recipients` (the next shift's named people), who are notified. Without
    recipients (an older client) everyone at the front desk not on the shift is told."""
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    members = list({m.pk: m for m in [actor, *members]}.values())
    recipients = list({r.pk: r for r in recipients}.values())
    _check_people(estate, members, recipients)
    Estate.objects.select_for_update().get(pk=estate.pk)  # one handover at a time per estate
    visits = list(handover_open_items(estate, members).select_for_update(of=("self",)))
    if not visits:
        # A double submit: the first handover already took everything; show that one again.
        pending = (
            Handover.objects.filter(estate=estate, handed_by=actor, acknowledged_at__isnull=True)
            .order_by("-handed_at", "-pk")
            .first()
        )
        if pending is not None:
            return pending
    handover = Handover.objects.create(
        estate=estate, handed_by=actor, handed_at=now, note=note.strip()
    )
    handover.members.set(members)
    handover.recipients.set(recipients)
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=handover, visit=v, from_owner=v.owner) for v in visits]
    )
    for visit in visits:
        VisitEvent.record(
            visit,
            action=VisitEvent.Action.HANDED_OVER,
            actor=actor,
            at=now,
            data={"handover": handover.pk},
        )
    deadline_open(
        subject=handover,
        estate=estate,
        kind=rules.HANDOVER_ACK,
        started_at=now,
        now=now,
        rule={"unit": "minutes", "amount": estate.service_settings.handover_ack_minutes},
    )
    member_ids = {m.pk for m in members}
    notify(
        recipients or [u for u in staff_of(estate, Role.FRONT_DESK) if u.pk not in member_ids],
        title=_("Shift handover to acknowledge: %(count)s open items") % {"count": len(visits)},
        body=handover.note,
        url=handover.get_absolute_url(),
        estate=estate,
        level="warning",
        dedupe_key=f"handover:{handover.pk}",
    )
    return handover


@transaction.atomic
def handover_acknowledge(*, handover_id: int, actor, now=None) -> Handover:
    """The next shift takes the list: the acknowledging person owns every item from now on."""
    now = now or timezone.now()
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=handover_id)
    )
    check_actor(
        actor,
        estate=handover.estate,
        roles=RECEPTION,
        message=_("Only front-desk staff acknowledge a shift handover."),
    )
    if handover.acknowledged_at:
        return handover
    if handover.members.filter(pk=actor.pk).exists():
        raise ValidationError(
            _("The next shift acknowledges the handover, not the shift handing over.")
        )
    if not may_acknowledge(handover, actor):
        raise NotAllowed(_("This handover is addressed to someone else on the next shift."))
    items = list(
        handover.items.select_related("visit").select_for_update(of=("self",)).order_by("pk")
    )
    for item in items:
        visit = lock_visit(item.visit_id)
        if visit.is_open:
            set_owner(
                visit,
                actor,
                actor=actor,
                at=now,
                data={"handover": handover.pk, "reason": OWNER_CHANGE_BY_HANDOVER},
            )
        item.acknowledged_at = now
        item.save(update_fields=["acknowledged_at"])
    handover.acknowledged_by, handover.acknowledged_at = actor, now
    handover.save(update_fields=["acknowledged_by", "acknowledged_at"])
    deadline_meet(subject=handover, kind=rules.HANDOVER_ACK, at=now)
    return handover
