"""Every write of the front desk goes through one of these services (web, API, tasks alike).

Each: one transaction, the row locked, the state re-checked, idempotent when already applied, an
event row for the timeline, deadlines through the core engine, notifications after commit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv import access
from propserv.access import staff_of
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.models import Estate, Resident, Unit
from propserv.notifications import notify
from propserv.roles import Role, has_role
from propserv.workdays import WorkCalendar
from tickets import rules as ticket_rules
from tickets.models import Channel, Repair
from tickets.services import repairs as repair_services
from visits import rules
from visits.models import (
    Defect,
    DefectEvent,
    Handover,
    HandoverItem,
    Incident,
    LostItem,
    Notice,
    NoticeCall,
    NoticeCallAttempt,
    Visit,
    VisitEvent,
)

MANAGER_ROLES = (Role.SUPERVISOR, Role.PROJECT_MANAGER, Role.QUALITY, Role.GM)
# The people who staff the desk: they publish notices and take over a shift's open items.
DESK_ROLES = (Role.FRONT_DESK, Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER)
# Who may change an entry's owner outside a handover (besides the owner handing it off).
TRANSFER_ROLES = (Role.SUPERVISOR, Role.PROJECT_MANAGER)


class StateError(Exception):
    """The record is not in a state that allows this change (HTTP 409 in the API)."""


def can_transfer(user, visit) -> bool:
    """A supervisor or the project manager moves any entry; the owner may hand their own off."""
    return has_role(user, *TRANSFER_ROLES) or (user.is_authenticated and visit.owner_id == user.pk)


def _works_for(user, estate) -> bool:
    return user.is_superuser or user.staff.estates.filter(pk=estate.pk).exists()


def _check_received_at(received_at, now) -> None:
    problem = ticket_rules.check_received_at(received_at, now)
    if problem == "future":
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if problem == "too_old":
        raise ValidationError({"received_at": _("A contact can be backdated by at most 24 hours.")})


# --- the reception log ---------------------------------------------------------------------------


def _locked_visit(visit_id: int) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "resident", "owner")
        .get(pk=visit_id)
    )


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
    now = now or timezone.now()
    received_at = received_at or now
    _check_received_at(received_at, now)
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
    VisitEvent.record(visit, action="received", actor=actor, at=now, note=visit.summary)
    if resolved_on_spot:
        VisitEvent.record(visit, action="closed", actor=actor, at=now, note=visit.resolution)
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
            staff_of(estate, Role.PROJECT_MANAGER),
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
    visit = _locked_visit(visit_id)
    if not note.strip():
        raise ValidationError({"note": _("Write the note.")})
    VisitEvent.record(visit, action="note", actor=actor, at=now, note=note.strip())
    return visit


@transaction.atomic
def visit_resolve(*, visit_id: int, actor, resolution: str, now=None) -> Visit:
    now = now or timezone.now()
    visit = _locked_visit(visit_id)
    if visit.status != Visit.Status.OPEN:
        return visit
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    visit.status, visit.resolved_at, visit.resolution = (
        Visit.Status.RESOLVED,
        now,
        resolution.strip(),
    )
    visit.save(update_fields=["status", "resolved_at", "resolution"])
    VisitEvent.record(visit, action="resolved", actor=actor, at=now, note=visit.resolution)
    deadline_meet(subject=visit, kind=rules.ANSWER, at=now)
    return visit


@transaction.atomic
def visit_record_callback(*, visit_id: int, actor, note: str = "", now=None) -> Visit:
    """The resident has been called back: ownership ends here."""
    now = now or timezone.now()
    visit = _locked_visit(visit_id)
    if visit.status == Visit.Status.CLOSED:
        return visit
    if visit.status != Visit.Status.RESOLVED:
        raise StateError(_("Resolve the matter before recording the callback."))
    visit.status, visit.called_back_at, visit.callback_note = (
        Visit.Status.CLOSED,
        now,
        note.strip()[:500],
    )
    visit.save(update_fields=["status", "called_back_at", "callback_note"])
    VisitEvent.record(visit, action="called_back", actor=actor, at=now, note=visit.callback_note)
    return visit


def _set_owner(visit: Visit, to_user, *, actor, at, reason: str, data=None) -> None:
    if visit.owner_id == to_user.pk:
        return
    before = visit.owner
    visit.owner = to_user
    visit.save(update_fields=["owner"])
    VisitEvent.record(
        visit,
        action="owner_changed",
        actor=actor,
        at=at,
        note=reason,
        data={"from": before.get_username(), "to": to_user.get_username(), **(data or {})},
    )


@transaction.atomic
def visit_transfer(*, visit_id: int, to_user, actor, reason: str, now=None) -> Visit:
    """Hand one entry to a colleague outside a shift handover (a supervisor's decision)."""
    now = now or timezone.now()
    visit = _locked_visit(visit_id)
    if not can_transfer(actor, visit):
        raise PermissionDenied(
            _("Only a supervisor, the project manager or the entry's owner changes its owner.")
        )
    if not visit.is_open:
        raise StateError(_("A closed entry has no owner to change."))
    if not to_user.is_active or not _works_for(to_user, visit.estate):
        raise ValidationError({"to_user": _("Choose a colleague of this estate.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the owner changes.")})
    _set_owner(visit, to_user, actor=actor, at=now, reason=reason.strip())
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
    visit = _locked_visit(visit_id)
    if visit.repair_id:
        return visit.repair
    if not visit.is_open:
        raise StateError(_("A closed entry cannot become a repair."))
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
        action="to_repair",
        actor=actor,
        at=now,
        note=repair.number,
        data={"repair": repair.pk},
    )
    return repair


@transaction.atomic
def visit_pm_note(*, visit_id: int, actor, now=None) -> Visit:
    """The project manager has read a praise or suggestion."""
    now = now or timezone.now()
    visit = _locked_visit(visit_id)
    if not has_role(actor, Role.PROJECT_MANAGER):
        raise PermissionDenied(_("Only the project manager marks praise and suggestions read."))
    if visit.pm_noted_at:
        return visit
    visit.pm_noted_at, visit.pm_noted_by = now, actor
    visit.save(update_fields=["pm_noted_at", "pm_noted_by"])
    VisitEvent.record(visit, action="pm_noted", actor=actor, at=now)
    return visit


# --- shift handover ------------------------------------------------------------------------------


def handover_open_items(estate, members):
    """Open entries owned by `members` and not already waiting in another handover."""
    return (
        Visit.objects.filter(estate=estate, owner__in=members)
        .open()
        .filter(
            ~Exists(HandoverItem.objects.filter(visit=OuterRef("pk"), acknowledged_at__isnull=True))
        )
        .select_related("unit", "owner")
        .order_by("received_at")
    )


@transaction.atomic
def handover_create(*, estate, actor, members=(), note: str = "", now=None) -> Handover:
    """End of shift: every open entry the shift owns goes onto the list for the next shift."""
    now = now or timezone.now()
    members = list({m.pk: m for m in [actor, *members]}.values())
    for member in members:
        if not _works_for(member, estate):
            raise ValidationError({"members": _("Everyone on the shift must work for the estate.")})
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
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=handover, visit=v, from_owner=v.owner) for v in visits]
    )
    for visit in visits:
        VisitEvent.record(
            visit, action="handed_over", actor=actor, at=now, data={"handover": handover.pk}
        )
    settings_row = estate.service_settings
    deadline_open(
        subject=handover,
        estate=estate,
        kind=rules.HANDOVER_ACK,
        started_at=now,
        now=now,
        rule={"unit": "minutes", "amount": settings_row.handover_ack_minutes},
    )
    member_ids = {m.pk for m in members}
    notify(
        [u for u in staff_of(estate, Role.FRONT_DESK) if u.pk not in member_ids],
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
    if not has_role(actor, *DESK_ROLES):
        raise PermissionDenied(_("Only front-desk staff acknowledge a shift handover."))
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=handover_id)
    )
    if handover.acknowledged_at:
        return handover
    if handover.members.filter(pk=actor.pk).exists():
        raise ValidationError(
            _("The next shift acknowledges the handover, not the shift handing over.")
        )
    if not _works_for(actor, handover.estate):
        raise PermissionDenied
    items = list(
        handover.items.select_related("visit").select_for_update(of=("self",)).order_by("pk")
    )
    for item in items:
        visit = _locked_visit(item.visit_id)
        if visit.is_open:
            _set_owner(
                visit,
                actor,
                actor=actor,
                at=now,
                reason=_("Shift handover acknowledged"),
                data={"handover": handover.pk},
            )
        item.acknowledged_at = now
        item.save(update_fields=["acknowledged_at"])
    handover.acknowledged_by, handover.acknowledged_at = actor, now
    handover.save(update_fields=["acknowledged_by", "acknowledged_at"])
    deadline_meet(subject=handover, kind=rules.HANDOVER_ACK, at=now)
    return handover


# --- after-sales defects -------------------------------------------------------------------------


def _defect_event(defect, *, action, actor, at, before="", note="") -> None:
    DefectEvent.record(
        defect,
        action=action,
        actor=actor,
        at=at,
        from_status=before,
        to_status=defect.status,
        note=note,
        round=defect.round,
    )


def _open_send_deadline(defect: Defect, now: dt.datetime) -> None:
    due_at, _provisional = rules.next_working_morning(timezone.localtime(now), WorkCalendar())
    deadline_open(
        subject=defect,
        estate=defect.estate,
        kind=rules.DEFECT_SEND,
        started_at=now,
        now=now,
        rule={"unit": "at", "due_at": due_at.isoformat()},
    )


@transaction.atomic
def defect_create(
    *,
    estate,
    actor,
    unit,
    description: str,
    location: str = "",
    developer_team: str = "",
    visit: Visit | None = None,
    now=None,
) -> Defect:
    """A rework form for the developer's after-sales team, due with them the next working
    morning."""
    now = now or timezone.now()
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the defect.")})
    if visit is not None:
        visit = _locked_visit(visit.pk)
        existing = Defect.objects.filter(visit=visit).first()
        if existing:
            return existing
        if visit.estate_id != estate.pk:
            raise ValidationError(_("The entry belongs to another estate."))
    defect = Defect.objects.create(
        estate=estate,
        visit=visit,
        unit=unit,
        location=location.strip(),
        description=description.strip(),
        developer_team=developer_team.strip(),
        created_at=now,
        created_by=actor,
    )
    _defect_event(defect, action="created", actor=actor, at=now, note=defect.description)
    if visit is not None:
        VisitEvent.record(visit, action="to_defect", actor=actor, at=now, note=defect.number)
    _open_send_deadline(defect, now)
    return defect


def _locked_defect(defect_id: int) -> Defect:
    return (
        Defect.objects.select_for_update(of=("self",))
        .select_related("estate", "unit")
        .get(pk=defect_id)
    )


def _defect_move(defect, to, *, allowed_from, action, actor, at, note="") -> bool:
    """Move the defect on; False when it is already there (idempotent), StateError otherwise."""
    if defect.status == to:
        return False
    if defect.status not in allowed_from:
        raise StateError(
            _("A defect form that is “%(status)s” cannot do that.")
            % {"status": defect.get_status_display()}
        )
    before = defect.status
    defect.status = to
    defect.save(update_fields=["status", "round", "accepted_at"])
    _defect_event(defect, action=action, actor=actor, at=at, before=before, note=note)
    return True


@transaction.atomic
def defect_send(*, defect_id: int, actor, note: str = "", now=None) -> Defect:
    now = now or timezone.now()
    defect = _locked_defect(defect_id)
    if _defect_move(
        defect,
        Defect.Status.WITH_DEVELOPER,
        allowed_from={Defect.Status.TO_SEND},
        action="sent",
        actor=actor,
        at=now,
        note=note.strip(),
    ):
        deadline_meet(subject=defect, kind=rules.DEFECT_SEND, at=now)
    return defect


@transaction.atomic
def defect_report_fixed(*, defect_id: int, actor, note: str = "", now=None) -> Defect:
    now = now or timezone.now()
    defect = _locked_defect(defect_id)
    _defect_move(
        defect,
        Defect.Status.FIXED,
        allowed_from={Defect.Status.WITH_DEVELOPER},
        action="fixed",
        actor=actor,
        at=now,
        note=note.strip(),
    )
    return defect


def _back_to_rework(defect, *, actor, at, action, note) -> None:
    before = defect.status
    defect.status = Defect.Status.TO_SEND
    defect.round += 1
    defect.save(update_fields=["status", "round"])
    _defect_event(defect, action=action, actor=actor, at=at, before=before, note=note)
    _open_send_deadline(defect, at)


@transaction.atomic
def defect_inspect(*, defect_id: int, actor, passed: bool, note: str = "", now=None) -> Defect:
    """Staff inspect the developer's fix: pass → the owner re-accepts; fail → rework."""
    now = now or timezone.now()
    defect = _locked_defect(defect_id)
    if passed and defect.status == Defect.Status.AWAITING_OWNER:
        return defect  # the same pass sent twice
    if defect.status != Defect.Status.FIXED:
        raise StateError(_("Only a defect reported fixed can be inspected."))
    if passed:
        _defect_move(
            defect,
            Defect.Status.AWAITING_OWNER,
            allowed_from={Defect.Status.FIXED},
            action="inspection_passed",
            actor=actor,
            at=now,
            note=note.strip(),
        )
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say what is still wrong.")})
        _back_to_rework(defect, actor=actor, at=now, action="inspection_failed", note=note.strip())
    return defect


@transaction.atomic
def defect_owner_review(
    *, defect_id: int, actor, accepted: bool, note: str = "", now=None
) -> Defect:
    """The owner re-accepts the fix (done) or refuses it (another round of rework)."""
    now = now or timezone.now()
    defect = _locked_defect(defect_id)
    if defect.status == Defect.Status.ACCEPTED:
        return defect
    if defect.status != Defect.Status.AWAITING_OWNER:
        raise StateError(_("The owner reviews the fix after our inspection has passed."))
    if accepted:
        defect.accepted_at = now
        _defect_move(
            defect,
            Defect.Status.ACCEPTED,
            allowed_from={Defect.Status.AWAITING_OWNER},
            action="owner_accepted",
            actor=actor,
            at=now,
            note=note.strip(),
        )
        if defect.visit_id:
            visit_resolve(
                visit_id=defect.visit_id,
                actor=actor,
                resolution=_("Defect %(number)s fixed and accepted by the owner.")
                % {"number": defect.number},
                now=now,
            )
    else:
        if not note.strip():
            raise ValidationError({"note": _("Write what the owner refused.")})
        _back_to_rework(defect, actor=actor, at=now, action="owner_refused", note=note.strip())
    return defect


# --- lost and found ------------------------------------------------------------------------------


@transaction.atomic
def lost_item_register(
    *,
    estate,
    actor,
    description: str,
    found_where: str,
    found_by: str,
    found_at=None,
    kept_where: str = "",
    now=None,
) -> LostItem:
    now = now or timezone.now()
    found_at = found_at or now
    if found_at > now + dt.timedelta(minutes=1):
        raise ValidationError({"found_at": _("The time found cannot be in the future.")})
    item = LostItem(
        estate=estate,
        description=description.strip(),
        found_at=found_at,
        found_where=found_where.strip(),
        found_by=found_by.strip(),
        kept_where=kept_where.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def lost_item_return(
    *,
    item_id: int,
    actor,
    claimant_name: str,
    claimant_phone: str = "",
    claimant_proof: str = "",
    now=None,
) -> LostItem:
    """The owner collects the item: who, how ownership was checked."""
    now = now or timezone.now()
    item = LostItem.objects.select_for_update().get(pk=item_id)
    if item.status == LostItem.Status.RETURNED:
        return item
    if item.status != LostItem.Status.HELD:
        raise StateError(_("This item is no longer held at the desk."))
    if not claimant_name.strip():
        raise ValidationError({"claimant_name": _("Who collected it?")})
    if not claimant_proof.strip():
        raise ValidationError(
            {"claimant_proof": _("Say how you checked that it is theirs (ID, description).")}
        )
    item.status = LostItem.Status.RETURNED
    item.claimant_name, item.claimant_phone = claimant_name.strip(), claimant_phone.strip()
    item.claimant_proof, item.closed_at, item.closed_by = claimant_proof.strip(), now, actor
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def lost_item_dispose(*, item_id: int, actor, note: str, now=None) -> LostItem:
    now = now or timezone.now()
    item = LostItem.objects.select_for_update().get(pk=item_id)
    if item.status == LostItem.Status.DISPOSED:
        return item
    if item.status != LostItem.Status.HELD:
        raise StateError(_("This item is no longer held at the desk."))
    if not note.strip():
        raise ValidationError({"note": _("Say where the item went (e.g. handed to the police).")})
    item.status, item.closed_at, item.closed_by, item.close_note = (
        LostItem.Status.DISPOSED,
        now,
        actor,
        note.strip()[:200],
    )
    item.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    return item


# --- incidents -----------------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    estate,
    actor,
    kind: str,
    location: str,
    description: str,
    actions_taken: str = "",
    occurred_at=None,
    plan_activated: bool = True,
    now=None,
) -> Incident:
    """Record a major incident and tell every manager of the estate at once."""
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=1):
        raise ValidationError({"occurred_at": _("The time cannot be in the future.")})
    incident = Incident(
        estate=estate,
        kind=kind,
        occurred_at=occurred_at,
        location=location.strip(),
        description=description.strip(),
        actions_taken=actions_taken.strip(),
        plan_activated=plan_activated,
        recorded_by=actor,
        recorded_at=now,
    )
    incident.full_clean()
    incident.save()
    notify(
        staff_of(estate, *MANAGER_ROLES),
        title=_("Major incident: %(kind)s at %(where)s")
        % {"kind": incident.get_kind_display(), "where": incident.location},
        body=incident.description,
        url=incident.get_absolute_url(),
        estate=estate,
        level="alert",
        dedupe_key=f"incident:{incident.pk}",
    )
    return incident


@transaction.atomic
def incident_close(*, incident_id: int, actor, outcome: str, now=None) -> Incident:
    now = now or timezone.now()
    if not has_role(actor, *access.MANAGER_ROLES):
        raise PermissionDenied(_("Only a manager closes an incident."))
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if incident.closed_at:
        return incident
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write how the incident ended.")})
    incident.closed_at, incident.closed_by, incident.outcome = now, actor, outcome.strip()
    incident.save(update_fields=["closed_at", "closed_by", "outcome"])
    return incident


# --- notices -------------------------------------------------------------------------------------


def _call_list(notice: Notice) -> list[NoticeCall]:
    """One row per household: the unit's owner first, then other current residents."""
    residents = (
        Resident.objects.current()
        .filter(estate=notice.estate)
        .select_related("unit")
        .order_by("unit_id", "role", "pk")
    )
    if notice.building_id:
        residents = residents.filter(unit__building=notice.building_id)
    rank = {Resident.Role.OWNER: 0, Resident.Role.TENANT: 1, Resident.Role.FAMILY: 2}
    chosen: dict[int, Resident] = {}
    for resident in residents:
        current = chosen.get(resident.unit_id)
        usable = resident.phone and not resident.phone_invalid
        if current is None or (
            usable and (not current.phone or rank[resident.role] < rank[current.role])
        ):
            chosen[resident.unit_id] = resident
    return [
        NoticeCall(notice=notice, unit_id=unit_id, resident=r, phone=r.phone)
        for unit_id, r in chosen.items()
    ]


@transaction.atomic
def notice_create(
    *,
    estate,
    actor,
    kind: str,
    title: str,
    body: str,
    emergency: bool = False,
    building=None,
    valid_from=None,
    valid_until=None,
    now=None,
) -> Notice:
    now = now or timezone.now()
    if building is not None and building.estate_id != estate.pk:
        raise ValidationError({"building": _("Choose a building of this estate.")})
    if kind == Notice.Kind.POSTED and (valid_from is None or valid_until is None):
        raise ValidationError({"valid_until": _("A posted notice needs its validity dates.")})
    notice = Notice(
        estate=estate,
        building=building,
        kind=kind,
        emergency=emergency,
        title=title.strip(),
        body=body.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
        created_at=now,
    )
    notice.full_clean()
    notice.save()
    if kind == Notice.Kind.PHONE:
        NoticeCall.objects.bulk_create(_call_list(notice))
    if emergency:
        deadline_open(
            subject=notice,
            estate=estate,
            kind=rules.EMERGENCY_NOTICE,
            started_at=now,
            now=now,
            rule={"unit": "minutes", "amount": estate.service_settings.emergency_notice_minutes},
        )
    if kind == Notice.Kind.POSTED:
        notify(
            staff_of(estate, Role.PROJECT_MANAGER),
            title=(
                _("Urgent: approve emergency notice “%(title)s”")
                if emergency
                else _("Notice to approve: “%(title)s”")
            )
            % {"title": notice.title},
            body=notice.body[:500],
            url=notice.get_absolute_url(),
            estate=estate,
            level="alert" if emergency else "info",
            dedupe_key=f"notice:{notice.pk}:approve",
        )
    return notice


def _locked_notice(notice_id: int) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).select_related("estate").get(pk=notice_id)


@transaction.atomic
def notice_approve(*, notice_id: int, actor, now=None) -> Notice:
    """The project manager approves a posted notice; it gets the estate's next number."""
    now = now or timezone.now()
    if not has_role(actor, Role.PROJECT_MANAGER):
        raise PermissionDenied(_("Only the project manager approves notices."))
    notice = _locked_notice(notice_id)
    if notice.approved_at:
        return notice
    if notice.status != Notice.Status.DRAFT:
        raise StateError(_("Only a draft notice can be approved."))
    notice.approved_by, notice.approved_at = actor, now
    notice.status = Notice.Status.APPROVED
    fields = ["approved_by", "approved_at", "status"]
    if notice.kind == Notice.Kind.POSTED:
        # Numbers run per estate and year without gaps: the estate row serialises approvals.
        Estate.objects.select_for_update().get(pk=notice.estate_id)
        year = timezone.localtime(now).year
        last = Notice.objects.filter(estate=notice.estate, year=year).aggregate(m=Max("seq"))["m"]
        notice.year, notice.seq = year, (last or 0) + 1
        fields += ["year", "seq"]
    notice.save(update_fields=fields)
    return notice


@transaction.atomic
def notice_publish(*, notice_id: int, actor, now=None) -> Notice:
    """Posted on the boards / put in the mailboxes / calls started. A posted notice must have
    been approved first."""
    now = now or timezone.now()
    if not has_role(actor, *DESK_ROLES):
        raise PermissionDenied(_("Only front-desk staff publish notices."))
    notice = _locked_notice(notice_id)
    if notice.status == Notice.Status.PUBLISHED:
        return notice
    if notice.status == Notice.Status.WITHDRAWN:
        raise StateError(_("A withdrawn notice cannot be published."))
    if notice.kind == Notice.Kind.POSTED and not notice.approved_at:
        raise StateError(_("A posted notice needs the project manager's approval first."))
    notice.status, notice.published_at, notice.published_by = (
        Notice.Status.PUBLISHED,
        now,
        actor,
    )
    notice.save(update_fields=["status", "published_at", "published_by"])
    deadline_meet(subject=notice, kind=rules.EMERGENCY_NOTICE, at=now)
    return notice


@transaction.atomic
def notice_withdraw(*, notice_id: int, actor, now=None) -> Notice:
    now = now or timezone.now()
    if not has_role(actor, Role.SUPERVISOR, Role.PROJECT_MANAGER):
        raise PermissionDenied(_("Only the supervisor or the project manager withdraws a notice."))
    notice = _locked_notice(notice_id)
    if notice.status == Notice.Status.WITHDRAWN:
        return notice
    notice.status, notice.withdrawn_at = Notice.Status.WITHDRAWN, now
    notice.save(update_fields=["status", "withdrawn_at"])
    deadline_cancel(subject=notice, at=now)
    return notice


@transaction.atomic
def notice_record_call(
    *, call_id: int, actor, outcome: str, note: str = "", now=None
) -> NoticeCall:
    """One call of a phone notice; a wrong number is flagged on the resident's record."""
    now = now or timezone.now()
    call = (
        NoticeCall.objects.select_for_update(of=("self",))
        .select_related("notice", "resident")
        .get(pk=call_id)
    )
    if outcome not in NoticeCall.Outcome.values or outcome == NoticeCall.Outcome.PENDING:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    if call.notice.status == Notice.Status.WITHDRAWN:
        raise StateError(_("This notice was withdrawn."))
    NoticeCallAttempt.objects.create(
        call=call, at=now, actor=actor, outcome=outcome, note=note.strip()[:200]
    )
    call.outcome, call.called_at, call.called_by = outcome, now, actor
    call.attempts += 1
    call.note = note.strip()[:200]
    call.save(update_fields=["outcome", "called_at", "called_by", "attempts", "note"])
    if outcome == NoticeCall.Outcome.WRONG_NUMBER and call.resident_id:
        resident = Resident.objects.select_for_update().get(pk=call.resident_id)
        if not resident.phone_invalid and resident.phone == call.phone:
            resident.phone_invalid = True
            resident.save(update_fields=["phone_invalid"])
    return call


# --- the resident's web report -------------------------------------------------------------------


def match_resident(unit: Unit, name: str, phone: str) -> Resident | None:
    """The resident of `unit` with this phone (or, failing that, this name), if any."""
    found = list(
        Resident.objects.current()
        .filter(unit=unit)
        .filter(Q(phone=phone) | Q(name=name))
        .order_by("pk")[:10]  # not the model's ordering (unit code, name): no join for it
    )
    return next((r for r in found if r.phone == phone), None) or (found[0] if found else None)


def web_report_submit(
    *,
    estate,
    unit,
    category,
    name: str,
    phone: str,
    description: str,
    photos=(),
    preferred_visit_at=None,
    now=None,
) -> Repair:
    """A resident's report from the public form: a repair (channel web) with its clocks, on the
    front-desk board at once (the board refreshes itself; an urgent category also rings the
    front desk's and the supervisor's bell through repair_create). Only reads before
    repair_create, which is the one transaction."""
    now = now or timezone.now()
    if unit.estate_id != estate.pk or category.estate_id != estate.pk:
        raise ValidationError(_("The unit and category must belong to the estate."))
    repair = repair_services.repair_create(
        estate=estate,
        category=category,
        description=description,
        unit=unit,
        reporter=match_resident(unit, name, phone),
        reporter_name=name.strip(),
        reporter_phone=phone.strip(),
        channel=Channel.WEB,
        preferred_visit_at=preferred_visit_at,
        photos=photos,
        actor_label=name.strip(),
        now=now,
    )
    return repair


@transaction.atomic
def web_rate_repair(*, repair: Repair, satisfaction: int, comment: str = "", now=None):
    """The resident's one-tap rating on the tracking page: it is the repair's callback."""
    return repair_services.repair_record_callback(
        repair_id=repair.pk,
        satisfaction=satisfaction,
        comment=comment.strip()[:1000],
        confirmed_by_resident=True,
        channel="web",
        actor=None,
        actor_label=repair.reporter_name or _("Resident"),
        at=now,
    )
