"""The reception log: a contact is written down, owned by its receiver (首问负责制), resolved and
called back; it may become a repair (docs/domain.md, Reception).

Every public service checks the actor first (propserv.access.check_actor), then works inside one
transaction on the locked row: the state re-checked, idempotent when already applied, an event
row for the timeline, deadlines through the core engine.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, staff_of, works_for
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import InvalidTransition, NotAllowed
from propserv.models import Estate, Resident, Unit
from propserv.notifications import notify
from propserv.roles import DESK_LEADS, PRAISE_READERS, RECEPTION, has_role
from tickets import rules as ticket_rules
from tickets.models import Channel, Repair
from tickets.services import repairs as repair_services
from visits import rules
from visits.models import Defect, Visit, VisitEvent

A = VisitEvent.Action


def lock_visit(visit_id: int) -> Visit:
    """The entry, locked for the caller's transaction."""
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "resident", "owner")
        .get(pk=visit_id)
    )


def can_transfer(user, visit) -> bool:
    """A supervisor or the project manager moves any entry; the owner may hand their own off."""
    return has_role(user, DESK_LEADS) or (user.is_authenticated and visit.owner_id == user.pk)


def allowed_actions(visit: Visit, user) -> set[str]:
    """What `user` may do to `visit` now (the page offers only these)."""
    if not works_for(user, visit.estate_id):
        return set()
    actions: set[str] = set()
    if has_role(user, RECEPTION):
        actions.add("note")
        if visit.status == Visit.Status.OPEN:
            actions.add("resolve")
            if not visit.repair_id:
                actions.add("to-repair")
            if not visit.complaint_id:
                actions.add("to-complaint")
            if visit.unit_id and not Defect.objects.filter(visit=visit).exists():
                actions.add("to-defect")
        elif visit.status == Visit.Status.RESOLVED:
            actions.add("callback")
        if visit.is_open and visit.owner_id is None:
            actions.add("take")  # a web report nobody at the desk has taken yet
        if visit.is_open and can_transfer(user, visit):
            actions.add("transfer")
    if (
        has_role(user, PRAISE_READERS)
        and visit.category in (Visit.Category.PRAISE, Visit.Category.SUGGESTION)
        and not visit.pm_noted_at
    ):
        actions.add("pm-noted")
    return actions


def check_received_at(received_at, now) -> None:
    problem = ticket_rules.check_received_at(received_at, now)
    if problem == "future":
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if problem == "too_old":
        raise ValidationError({"received_at": _("A contact can be backdated by at most 24 hours.")})


def _clean_contact(
    *,
    estate,
    channel,
    category,
    summary,
    handling,
    unit,
    resident,
    promised_answer_at,
    resolved_on_spot,
    now,
):
    """The checks of a new entry; returns the unit (the resident's when one is named)."""
    if resident is not None:
        if resident.estate_id != estate.pk:
            raise ValidationError({"resident": _("This resident does not live in the estate.")})
        if unit is not None and unit.pk != resident.unit_id:
            raise ValidationError({"unit": _("The resident does not live in this unit.")})
        unit = resident.unit
    if unit is not None and unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("There is no such unit in this estate.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Write what the resident needs.")})
    if category not in Visit.Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    if not resolved_on_spot and promised_answer_at is not None and promised_answer_at <= now:
        raise ValidationError(
            {"promised_answer_at": _("The promised answer time must be in the future.")}
        )
    if resolved_on_spot and not handling.strip():
        raise ValidationError({"handling": _("Say how it was handled on the spot.")})
    return unit


@transaction.atomic
def visit_create(
    *,
    estate: Estate,
    actor,
    channel: str,
    category: str,
    summary: str,
    handling: str = "",
    unit: Unit | None = None,
    resident: Resident | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    promised_answer_at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    resolved_on_spot: bool = False,
    now: dt.datetime | None = None,
) -> Visit:
    """Write one contact into the duty log; the receiver owns it (首问负责制)."""
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    received_at = received_at or now
    check_received_at(received_at, now)
    unit = _clean_contact(
        estate=estate,
        channel=channel,
        category=category,
        summary=summary,
        handling=handling,
        unit=unit,
        resident=resident,
        promised_answer_at=promised_answer_at,
        resolved_on_spot=resolved_on_spot,
        now=now,
    )
    visit = Visit(
        estate=estate,
        channel=channel,
        category=category,
        received_at=received_at,
        received_by=actor,
        owner=actor,
        unit=unit,
        resident=resident,
        caller_name=(caller_name or (resident.name if resident else "")).strip(),
        caller_phone=(caller_phone or (resident.phone if resident else "")).strip(),
        summary=summary.strip(),
        handling=handling.strip(),
        promised_answer_at=None if resolved_on_spot else promised_answer_at,
    )
    if resolved_on_spot:
        visit.status = Visit.Status.CLOSED
        visit.resolved_at = visit.called_back_at = now
        visit.resolution = handling.strip()
        visit.callback_note = _("Resolved on the spot with the resident.")
    visit.full_clean()
    visit.save()
    VisitEvent.record(visit, action=A.RECEIVED, actor=actor, at=now, note=visit.summary)
    if resolved_on_spot:
        VisitEvent.record(
            visit,
            action=A.CLOSED,
            actor=actor,
            at=now,
            from_status=Visit.Status.OPEN,
            to_status=Visit.Status.CLOSED,
            note=visit.resolution,
        )
    elif promised_answer_at is not None:
        deadline_open(
            subject=visit,
            estate=estate,
            kind=rules.ANSWER,
            started_at=received_at,
            now=now,
            rule={"unit": "at", "due_at": promised_answer_at.isoformat()},
        )
    if category in (Visit.Category.PRAISE, Visit.Category.SUGGESTION):
        notify(
            staff_of(estate, PRAISE_READERS),
            title=_("%(category)s: %(who)s")
            % {"category": visit.get_category_display(), "who": visit.who or visit.number},
            body=visit.summary,
            url=visit.get_absolute_url(),
            estate=estate,
            dedupe_key=f"visit:{visit.pk}:pm",
        )
    return visit


@transaction.atomic
def visit_add_note(*, visit_id: int, actor, note: str, now=None) -> Visit:
    """A follow-up or a correction: a new timeline row, never an edit of the old one."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    VisitEvent.record(visit, action=A.NOTE, actor=actor, at=now, note=note.strip())
    return visit


def resolve_locked_visit(visit: Visit, *, actor, at, resolution: str, data=None) -> bool:
    """Resolve an entry the caller has locked and checked (a defect accepted by its owner
    resolves the entry it came from). False when it was not open."""
    if visit.status != Visit.Status.OPEN:
        return False
    visit.status, visit.resolved_at, visit.resolution = Visit.Status.RESOLVED, at, resolution
    visit.save(update_fields=["status", "resolved_at", "resolution"])
    VisitEvent.record(
        visit,
        action=A.RESOLVED,
        actor=actor,
        at=at,
        from_status=Visit.Status.OPEN,
        to_status=Visit.Status.RESOLVED,
        note="" if data else resolution,
        data=data,
    )
    deadline_meet(subject=visit, kind=rules.ANSWER, at=at)
    return True


@transaction.atomic
def visit_resolve(*, visit_id: int, actor, resolution: str, now=None) -> Visit:
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if visit.status != Visit.Status.OPEN:
        return visit
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    resolve_locked_visit(visit, actor=actor, at=now, resolution=resolution.strip())
    return visit


@transaction.atomic
def visit_record_callback(*, visit_id: int, actor, note: str = "", now=None) -> Visit:
    """The resident has been called back: ownership ends here."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if visit.status == Visit.Status.CLOSED:
        return visit
    if visit.status != Visit.Status.RESOLVED:
        raise InvalidTransition(_("Resolve the matter before recording the callback."))
    visit.status, visit.called_back_at, visit.callback_note = (
        Visit.Status.CLOSED,
        now,
        note.strip()[:500],
    )
    visit.save(update_fields=["status", "called_back_at", "callback_note"])
    VisitEvent.record(
        visit,
        action=A.CALLED_BACK,
        actor=actor,
        at=now,
        from_status=Visit.Status.RESOLVED,
        to_status=Visit.Status.CLOSED,
        note=visit.callback_note,
    )
    return visit


def set_owner(
    visit: Visit, to_user, *, actor, at, reason: str = "", data=None, action=A.OWNER_CHANGED
) -> None:
    """Give a locked entry to `to_user` (a transfer, an acknowledged handover, or — `action`
    TAKEN — an unowned entry taken by the desk); `reason` is what a person typed, `data` the
    parameters of the change."""
    if visit.owner_id == to_user.pk:
        return
    before = visit.owner
    visit.owner = to_user
    visit.save(update_fields=["owner"])
    VisitEvent.record(
        visit,
        action=action,
        actor=actor,
        at=at,
        note=reason,
        data={
            "from": before.get_username() if before is not None else "",
            "to": to_user.get_username(),
            **(data or {}),
        },
    )


@transaction.atomic
def visit_transfer(*, visit_id: int, to_user, actor, reason: str, now=None) -> Visit:
    """Hand one entry to a colleague outside a shift handover (a supervisor's decision)."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if not can_transfer(actor, visit):
        raise NotAllowed(
            _("Only a supervisor, the project manager or the entry's owner changes its owner.")
        )
    if not visit.is_open:
        raise InvalidTransition(_("A closed entry has no owner to change."))
    if not works_for(to_user, visit.estate):
        raise ValidationError({"to_user": _("Choose a colleague of this estate.")})
    if not has_role(to_user, RECEPTION):
        # The first-contact owner must be able to act on the entry (resolve, call back).
        raise ValidationError({"to_user": _("Hand over to someone at this estate's front desk.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the owner changes.")})
    set_owner(visit, to_user, actor=actor, at=now, reason=reason.strip())
    return visit


@transaction.atomic
def visit_convert_to_repair(
    *,
    visit_id: int,
    actor,
    category,
    description: str,
    location: str = "",
    urgent: bool | None = None,
    urgency_reason: str = "",
    preferred_visit_at=None,
    now=None,
) -> Repair:
    """The entry becomes a repair in one step; both keep the link. Idempotent: a second call
    returns the repair already made."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(actor, estate=visit.estate, roles=RECEPTION)
    if visit.repair_id:
        return visit.repair
    if not visit.is_open:
        raise InvalidTransition(_("A closed entry cannot become a repair."))
    received_at = visit.received_at
    if ticket_rules.check_received_at(received_at, now):
        received_at = now  # logged more than a day ago: the repair's clocks start now
    repair = repair_services.repair_create(
        estate=visit.estate,
        category=category,
        description=description,
        actor=actor,
        unit=visit.unit,
        location=location,
        reporter=visit.resident,
        reporter_name=visit.caller_name,
        reporter_phone=visit.caller_phone,
        channel=visit.channel,
        received_at=received_at,
        urgent=urgent,
        urgency_reason=urgency_reason,
        preferred_visit_at=preferred_visit_at,
        now=now,
    )
    visit.repair = repair
    visit.save(update_fields=["repair"])
    VisitEvent.record(
        visit,
        action=A.TO_REPAIR,
        actor=actor,
        at=now,
        data={"repair": repair.pk, "number": repair.number},
    )
    return repair


@transaction.atomic
def visit_pm_note(*, visit_id: int, actor, now=None) -> Visit:
    """The project manager has read a praise or suggestion."""
    now = now or timezone.now()
    visit = lock_visit(visit_id)
    check_actor(
        actor,
        estate=visit.estate,
        roles=PRAISE_READERS,
        message=_("Only the project manager marks praise and suggestions read."),
    )
    if visit.pm_noted_at:
        return visit
    visit.pm_noted_at, visit.pm_noted_by = now, actor
    visit.save(update_fields=["pm_noted_at", "pm_noted_by"])
    VisitEvent.record(visit, action=A.PM_NOTED, actor=actor, at=now)
    return visit
