"""Every write to a repair goes through one of these services (web, API, tasks alike).

Each: one transaction, the repair row locked, state re-checked, idempotent when already applied,
a RepairEvent for the timeline, deadlines opened/met through the core engine, side effects on commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import (
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_reschedule,
    deadlines_open,
)
from propserv.models import Deadline
from propserv.notifications import notify
from propserv.roles import Role, has_role
from tickets import rules
from tickets.models import Callback, PriceItem, Repair, RepairChargeLine, RepairEvent, RepairPhoto


class TransitionError(Exception):
    """The repair is not in a state that allows this (HTTP 409 in the API)."""

    def __init__(self, repair: Repair, to: str, message: str | None = None):
        self.repair, self.to = repair, to
        super().__init__(
            message
            or _("A repair that is “%(status)s” cannot become “%(to)s”.")
            % {"status": repair.get_status_display(), "to": Repair.Status(to).label}
        )


def _locked(repair_id: int) -> Repair:
    return (
        Repair.objects.select_for_update(of=("self",))
        .select_related("estate", "category", "unit")
        .get(pk=repair_id)
    )


# Who may do what (DOMAIN.md §2, §4): the desk runs the job, the assigned technician works it,
# the administrators call back — never the technician who did the work.
DESK_ROLES = (Role.FRONT_DESK, Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER)
CALLBACK_ROLES = DESK_ROLES


def _require_desk(actor) -> None:
    if not has_role(actor, *DESK_ROLES):
        raise PermissionDenied(
            _(
                "Only the front desk, area administrators, supervisors and project managers may do this."
            )
        )


def _require_on_site(actor, repair: Repair) -> None:
    """The assigned technician, or the desk recording what the technician reported."""
    if actor is not None and actor.pk == repair.technician_id:
        return
    if not has_role(actor, *DESK_ROLES):
        raise PermissionDenied(
            _("Only the technician assigned to this repair or the front desk may do this.")
        )


def _require_caller(actor, repair: Repair) -> None:
    """Callbacks by the administrators; None is the resident rating through their own signed link."""
    if actor is None:
        return
    if actor.pk == repair.technician_id or not has_role(actor, *CALLBACK_ROLES):
        raise PermissionDenied(
            _("The callback is made by the administrators, not by the technician who did the work.")
        )


def _move(repair: Repair, to: str, *, actor, at, action: str, note: str = "", data=None) -> None:
    if not repair.can_transition(to):
        raise TransitionError(repair, to)
    before = repair.status
    repair.status = to
    RepairEvent.record(
        repair,
        action=action,
        actor=actor,
        at=at,
        from_status=before,
        to_status=to,
        note=note,
        data=data,
    )


@transaction.atomic
def repair_create(
    *,
    estate,
    category,
    description: str,
    actor=None,
    unit=None,
    location: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    channel: str = "phone",
    received_at: dt.datetime | None = None,
    urgent: bool | None = None,
    urgency_reason: str = "",
    difficulty: str = Repair.Difficulty.GENERAL,
    preferred_visit_at=None,
    photos=(),
    actor_label: str = "",
    now: dt.datetime | None = None,
) -> Repair:
    """Log a repair and start its arrival and completion clocks from `received_at`."""
    now = now or timezone.now()
    received_at = received_at or now
    problem = rules.check_received_at(received_at, now)
    if problem == "future":
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if problem == "too_old":
        raise ValidationError({"received_at": _("A call can be backdated by at most 24 hours.")})
    if category.estate_id != estate.pk or (unit is not None and unit.estate_id != estate.pk):
        raise ValidationError(_("The unit and category must belong to the estate."))
    if unit is None and not location.strip():
        raise ValidationError(
            {"location": _("Give the unit or describe the common-area location.")}
        )
    if not description.strip():
        raise ValidationError({"description": _("Describe the fault.")})
    if urgent is not None and urgent != category.urgent and not urgency_reason.strip():
        raise ValidationError(
            {"urgency_reason": _("Say why the urgency differs from the category's.")}
        )
    repair = Repair(
        estate=estate,
        category=category,
        description=description.strip(),
        unit=unit,
        location=location.strip(),
        reporter=reporter,
        reporter_name=reporter_name or (reporter.name if reporter else ""),
        reporter_phone=reporter_phone or (reporter.phone if reporter else ""),
        channel=channel,
        received_at=received_at,
        received_by=staff_or_none(actor),
        urgent=category.urgent if urgent is None else urgent,
        urgency_reason=urgency_reason.strip(),
        difficulty=difficulty,
        preferred_visit_at=preferred_visit_at,
    )
    # Field values only (lengths, phone, choices): the related objects were looked up by the
    # caller and the constraints are PostgreSQL's, so no extra queries per create.
    repair.clean_fields(
        exclude=["tracking_code", "estate", "unit", "reporter", "category", "received_by"]
    )
    repair.save()
    data = {}
    if received_at < now - dt.timedelta(minutes=1):
        data["backdated_from"] = now.isoformat()
    RepairEvent.record(
        repair,
        action="created",
        actor=actor,
        at=now,
        to_status=repair.status,
        note=repair.description,
        data=data,
        actor_label=actor_label or repair.reporter_name,
    )
    for upload in photos:
        RepairPhoto.objects.create(repair=repair, image=upload)
    settings_row = estate.service_settings
    deadlines_open(
        subject=repair,
        estate=estate,
        started_at=received_at,
        now=now,
        rules={
            rules.ARRIVAL: rules.arrival_rule(urgent=repair.urgent, settings=settings_row),
            rules.COMPLETION: rules.completion_rule(
                difficult=difficulty == Repair.Difficulty.DIFFICULT, settings=settings_row
            ),
        },
    )
    if repair.urgent or repair.category.major_incident:
        notify(
            staff_of(estate, Role.FRONT_DESK, Role.SUPERVISOR),
            title=_("Urgent repair: %(what)s") % {"what": f"{repair.category.name} {repair.place}"},
            body=repair.description,
            url=repair.get_absolute_url(),
            estate=estate,
            level="alert",
            dedupe_key=f"repair:{repair.pk}:urgent",
        )
    return repair


@transaction.atomic
def repair_set_urgency(*, repair_id: int, urgent: bool, reason: str, actor, now=None) -> Repair:
    """Raise or lower the urgency (with a reason); the arrival clock follows if not yet breached."""
    now = now or timezone.now()
    repair = _locked(repair_id)
    _require_desk(actor)
    if repair.urgent == urgent:
        return repair
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the urgency is changed.")})
    repair.urgent, repair.urgency_reason = urgent, reason.strip()
    repair.save(update_fields=["urgent", "urgency_reason"])
    RepairEvent.record(
        repair, action="urgency", actor=actor, at=now, note=reason, data={"urgent": urgent}
    )
    arrival = Deadline.objects.for_subject(repair).open().filter(kind=rules.ARRIVAL).first()
    if arrival and arrival.rule.get("unit") == "minutes":
        deadline_reschedule(
            deadline=arrival,
            now=now,
            rule=rules.arrival_rule(urgent=urgent, settings=repair.estate.service_settings),
        )
    return repair


@transaction.atomic
def repair_dispatch(*, repair_id: int, technician, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_desk(actor)
    if repair.technician_id == technician.pk and repair.status == Repair.Status.DISPATCHED:
        return repair
    if (
        not technician.groups.filter(name=Role.TECHNICIAN).exists()
        or not technician.staff.estates.filter(pk=repair.estate_id).exists()
    ):
        raise ValidationError({"technician": _("Choose a technician of this estate.")})
    _move(
        repair,
        Repair.Status.DISPATCHED,
        actor=actor,
        at=at,
        action="dispatched",
        note=technician.get_full_name() or technician.username,
        data={"technician": technician.pk},
    )
    repair.technician, repair.dispatched_at = technician, at
    repair.save(update_fields=["status", "technician", "dispatched_at"])
    notify(
        [technician],
        title=_("New job: %(what)s") % {"what": f"{repair.category.name} {repair.place}"},
        body=repair.description,
        url=repair.get_absolute_url(),
        estate=repair.estate,
        level="alert" if repair.urgent else "info",
        dedupe_key=f"repair:{repair.pk}:dispatch:{at.isoformat()}",
    )
    return repair


@transaction.atomic
def repair_mark_arrived(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if repair.status == Repair.Status.ON_SITE:
        return repair
    _move(repair, Repair.Status.ON_SITE, actor=actor, at=at, action="arrived")
    repair.arrived_at = at
    repair.save(update_fields=["status", "arrived_at"])
    deadline_meet(subject=repair, kind=rules.ARRIVAL, at=at)
    return repair


@transaction.atomic
def repair_quote(*, repair_id: int, lines: list[tuple[int, Decimal]], actor, at=None) -> Repair:
    """Price a chargeable job from the published price list (never above it)."""
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if repair.status in (
        Repair.Status.COMPLETED,
        Repair.Status.CALLED_BACK,
        Repair.Status.CLOSED,
        Repair.Status.CANCELLED,
    ):
        raise TransitionError(repair, repair.status, _("A finished repair cannot be quoted."))
    if repair.consent_at:
        raise TransitionError(
            repair, repair.status, _("The resident already agreed to the quote; it cannot change.")
        )
    if not lines:
        raise ValidationError({"lines": _("Add at least one item from the price list.")})
    items = {
        p.pk: p
        for p in PriceItem.objects.filter(
            estate=repair.estate, active=True, pk__in=[pk for pk, _q in lines]
        )
    }
    total = Decimal("0.00")
    new_lines = []
    for pk, quantity in lines:
        item = items.get(pk)
        quantity = Decimal(quantity)
        if item is None:
            raise ValidationError(
                {"lines": _("Only items of this estate's price list can be charged.")}
            )
        if quantity <= 0:
            raise ValidationError({"lines": _("Quantities must be more than zero.")})
        amount = (item.price * quantity).quantize(Decimal("0.01"))
        total += amount
        new_lines.append(
            RepairChargeLine(
                repair=repair,
                price_item=item,
                quantity=quantity,
                unit_price=item.price,
                amount=amount,
            )
        )
    # A new quote supersedes the old one; every quote given stays on record.
    repair.charge_lines.filter(superseded_at__isnull=True).update(superseded_at=at)
    RepairChargeLine.objects.bulk_create(new_lines)
    repair.chargeable, repair.quoted_amount = True, total
    repair.save(update_fields=["chargeable", "quoted_amount"])
    RepairEvent.record(
        repair,
        action="quoted",
        actor=actor,
        at=at,
        note=f"¥{total}",
        data={
            "lines": [[ln.price_item.name, str(ln.quantity), str(ln.amount)] for ln in new_lines]
        },
    )
    return repair


@transaction.atomic
def repair_record_consent(*, repair_id: int, resident_name: str, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if not repair.chargeable or repair.quoted_amount is None:
        raise ValidationError(_("There is no quote to agree to."))
    if repair.consent_at:
        return repair
    if not resident_name.strip():
        raise ValidationError({"resident_name": _("Who agreed to the price?")})
    repair.consent_at, repair.consent_by = at, resident_name.strip()
    repair.save(update_fields=["consent_at", "consent_by"])
    RepairEvent.record(
        repair,
        action="consent",
        actor=actor,
        at=at,
        note=f"{resident_name} ¥{repair.quoted_amount}",
    )
    return repair


@transaction.atomic
def repair_start(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if repair.status == Repair.Status.IN_PROGRESS:
        return repair
    if repair.chargeable and not repair.consent_at:
        raise TransitionError(
            repair,
            Repair.Status.IN_PROGRESS,
            _("Paid work starts only after the resident has agreed to the quoted price."),
        )
    _move(repair, Repair.Status.IN_PROGRESS, actor=actor, at=at, action="started")
    repair.started_at = repair.started_at or at
    fields = ["status", "started_at"]
    if repair.arrived_at is None:  # resumed straight into work: being there is arriving
        repair.arrived_at = at
        fields.append("arrived_at")
        deadline_meet(subject=repair, kind=rules.ARRIVAL, at=at)
    repair.save(update_fields=fields)
    return repair


@transaction.atomic
def repair_complete(
    *,
    repair_id: int,
    actor,
    labour_minutes: int,
    materials: str = "",
    signed_by: str = "",
    fee: Decimal | None = None,
    at=None,
) -> Repair:
    """Work done and tested in front of the resident: stops the completion clock and starts the
    48-hour callback clock."""
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if repair.status == Repair.Status.COMPLETED:
        return repair
    if labour_minutes is None or labour_minutes < 0:
        raise ValidationError({"labour_minutes": _("Record the labour time in minutes.")})
    if not signed_by.strip():
        raise ValidationError(
            {"signed_by": _("The resident signs the service form: enter who signed.")}
        )
    if repair.chargeable:
        fee = repair.quoted_amount if fee is None else Decimal(fee)
        if fee > repair.quoted_amount:
            raise ValidationError({"fee": _("The fee cannot be more than the agreed quote.")})
    elif fee:
        raise ValidationError({"fee": _("This job was not quoted as paid work.")})
    _move(
        repair,
        Repair.Status.COMPLETED,
        actor=actor,
        at=at,
        action="completed",
        data={"labour_minutes": labour_minutes, "fee": str(fee) if fee is not None else None},
    )
    repair.completed_at, repair.labour_minutes = at, labour_minutes
    repair.materials, repair.signed_by, repair.fee = materials.strip(), signed_by.strip(), fee
    repair.save(
        update_fields=["status", "completed_at", "labour_minutes", "materials", "signed_by", "fee"]
    )
    deadline_meet(subject=repair, kind=rules.COMPLETION, at=at)
    from tickets.services.callbacks import second_handling_finish  # import cycle

    for pending in repair.second_handlings.filter(done_at__isnull=True):
        second_handling_finish(
            second_handling_id=pending.pk, outcome=_("Rework completed."), actor=actor, at=at
        )
    settings_row = repair.estate.service_settings
    callback_deadline = deadline_open(
        subject=repair,
        estate=repair.estate,
        kind=rules.CALLBACK,
        started_at=at,
        rule=rules.callback_rule(settings=settings_row),
        now=at,
    )
    caller = staff_of(repair.estate, Role.AREA_ADMIN).first()
    Callback.objects.get_or_create(
        repair=repair,
        status=Callback.Status.PENDING,
        defaults={
            "estate": repair.estate,
            "due_at": callback_deadline.due_at,
            "assigned_to": caller,
        },
    )
    return repair


@transaction.atomic
def repair_hold(*, repair_id: int, reason: str, until: dt.datetime, actor, at=None) -> Repair:
    """Not finished (or not reachable) now: record why and the new time agreed with the resident;
    the open clocks move to that time."""
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is on hold.")})
    if until is None or until <= at:
        raise ValidationError({"until": _("Agree a new time in the future with the resident.")})
    previous = repair.status
    _move(
        repair,
        Repair.Status.ON_HOLD,
        actor=actor,
        at=at,
        action="on_hold",
        note=reason,
        data={"until": until.isoformat(), "resume_to": previous},
    )
    repair.hold_reason, repair.hold_until = reason.strip(), until
    repair.save(update_fields=["status", "hold_reason", "hold_until"])
    for deadline in (
        Deadline.objects.for_subject(repair)
        .open()
        .filter(kind__in=[rules.ARRIVAL, rules.COMPLETION])
    ):
        if not deadline.breached_at and deadline.due_at < until:
            deadline_reschedule(
                deadline=deadline, rule={"unit": "at", "due_at": until.isoformat()}, now=at
            )
    return repair


@transaction.atomic
def repair_resume(*, repair_id: int, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_on_site(actor, repair)
    if repair.status != Repair.Status.ON_HOLD:
        return repair
    last = repair.events.filter(action="on_hold").order_by("-at", "-id").first()
    back_to = (last.data.get("resume_to") if last else None) or Repair.Status.DISPATCHED
    if back_to not in Repair.TRANSITIONS[Repair.Status.ON_HOLD]:
        back_to = Repair.Status.DISPATCHED if repair.technician_id else Repair.Status.RECEIVED
    if back_to == Repair.Status.RECEIVED:
        raise TransitionError(
            repair, back_to, _("Dispatch a technician to take the repair off hold.")
        )
    _move(repair, back_to, actor=actor, at=at, action="resumed")
    repair.save(update_fields=["status"])
    return repair


@transaction.atomic
def repair_cancel(*, repair_id: int, reason: str, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_desk(actor)
    if repair.status == Repair.Status.CANCELLED:
        return repair
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is cancelled.")})
    _move(repair, Repair.Status.CANCELLED, actor=actor, at=at, action="cancelled", note=reason)
    repair.cancel_reason, repair.closed_at = reason.strip(), at
    repair.save(update_fields=["status", "cancel_reason", "closed_at"])
    deadline_cancel(subject=repair, at=at)
    for pending in repair.second_handlings.filter(done_at__isnull=True):
        deadline_cancel(subject=pending, at=at)
    return repair


@transaction.atomic
def repair_reopen(
    *, repair_id: int, reason: str, actor=None, at=None, actor_label: str = ""
) -> Repair:
    """Rework after a failed callback or a re-report: new arrival and completion clocks."""
    at = at or timezone.now()
    repair = _locked(repair_id)
    if actor is not None:  # None: the resident's own rating, through the callback
        _require_desk(actor)
    if repair.status == Repair.Status.REOPENED:
        return repair
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is reopened.")})
    _move(repair, Repair.Status.REOPENED, actor=actor, at=at, action="reopened", note=reason)
    repair.reopen_count += 1
    repair.closed_at = None
    repair.save(update_fields=["status", "reopen_count", "closed_at"])
    for kind in (rules.ARRIVAL, rules.COMPLETION):  # rework gets fresh clocks
        deadline_cancel(subject=repair, kind=kind, at=at)
    deadline_cancel(subject=repair, kind=rules.CALLBACK, at=at)
    Callback.objects.filter(repair=repair, status=Callback.Status.PENDING).update(
        status=Callback.Status.CANCELLED
    )
    settings_row = repair.estate.service_settings
    deadline_open(
        subject=repair,
        estate=repair.estate,
        kind=rules.ARRIVAL,
        started_at=at,
        now=at,
        rule=rules.arrival_rule(urgent=repair.urgent, settings=settings_row),
    )
    deadline_open(
        subject=repair,
        estate=repair.estate,
        kind=rules.COMPLETION,
        started_at=at,
        now=at,
        rule=rules.completion_rule(
            difficult=repair.difficulty == Repair.Difficulty.DIFFICULT, settings=settings_row
        ),
    )
    notify(
        staff_of(repair.estate, Role.AREA_ADMIN, Role.SUPERVISOR),
        title=_("Repair reopened: %(what)s") % {"what": f"{repair.number} {repair.place}"},
        body=reason,
        url=repair.get_absolute_url(),
        estate=repair.estate,
        level="warning",
        dedupe_key=f"repair:{repair.pk}:reopen:{repair.reopen_count}",
    )
    return repair


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
) -> Callback:
    """The callback done: meets the 48-hour clock. Satisfied -> closed; dissatisfied (≤ 2) -> reopened."""
    at = at or timezone.now()
    repair = _locked(repair_id)
    _require_caller(actor, repair)
    if not 1 <= int(satisfaction) <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is a score from 1 to 5.")})
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
        raise TransitionError(
            repair, Repair.Status.CALLED_BACK, _("This repair has no callback due.")
        )
    callback.status, callback.satisfaction, callback.comment = (
        Callback.Status.DONE,
        int(satisfaction),
        comment,
    )
    callback.confirmed_by_resident, callback.channel = confirmed_by_resident, channel
    callback.completed_at = at
    callback.completed_by = staff_or_none(actor)
    callback.save()
    _move(
        repair,
        Repair.Status.CALLED_BACK,
        actor=actor,
        at=at,
        action="called_back",
        note=comment,
        data={"satisfaction": int(satisfaction), "channel": channel},
    )
    repair.save(update_fields=["status"])
    deadline_meet(subject=repair, kind=rules.CALLBACK, at=at)
    if rules.is_dissatisfied(int(satisfaction)):
        repair_reopen(
            repair_id=repair.pk,
            reason=_("Resident dissatisfied at callback (%(score)s/5): %(comment)s")
            % {"score": satisfaction, "comment": comment},
            actor=actor,
            at=at,
            actor_label=actor_label,
        )
        from tickets.services.callbacks import second_handling_open  # import cycle

        second_handling_open(callback_id=callback.pk, actor=actor, at=at)
    else:
        _move(repair, Repair.Status.CLOSED, actor=actor, at=at, action="closed")
        repair.closed_at = at
        repair.save(update_fields=["status", "closed_at"])
    return callback
