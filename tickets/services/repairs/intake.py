"""Logging a repair, its urgency, dispatch, cancelling and reopening (docs/domain.md, Repairs)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import (
    deadline_cancel,
    deadline_open,
    deadline_reschedule,
    deadlines_open,
)
from propserv.models import Deadline
from propserv.notifications import notify
from propserv.roles import Role
from tickets.models import Callback, Repair, RepairEvent, RepairPhoto
from tickets.rules import repairs as rules
from tickets.rules.intake import check_received_at
from tickets.services.repairs.core import check_desk, lock_repair, move


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
    """Log a repair and start its arrival and completion clocks from `received_at`. `actor`
    None: the resident's own report through the public form."""
    if actor is not None:
        check_desk(actor, estate)
    now = now or timezone.now()
    received_at = received_at or now
    problem = check_received_at(received_at, now)
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
    repair = lock_repair(repair_id)
    check_desk(actor, repair.estate)
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
    repair = lock_repair(repair_id)
    check_desk(actor, repair.estate)
    if repair.technician_id == technician.pk and repair.status == Repair.Status.DISPATCHED:
        return repair
    if (
        not technician.groups.filter(name=Role.TECHNICIAN).exists()
        or not technician.staff.estates.filter(pk=repair.estate_id).exists()
    ):
        raise ValidationError({"technician": _("Choose a technician of this estate.")})
    move(
        repair,
        Repair.Status.DISPATCHED,
        actor=actor,
        at=at,
        action="dispatched",
        data={
            "technician": technician.pk,
            "name": technician.get_full_name() or technician.username,
        },
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
def repair_cancel(*, repair_id: int, reason: str, actor, at=None) -> Repair:
    at = at or timezone.now()
    repair = lock_repair(repair_id)
    check_desk(actor, repair.estate)
    if repair.status == Repair.Status.CANCELLED:
        return repair
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is cancelled.")})
    move(repair, Repair.Status.CANCELLED, actor=actor, at=at, action="cancelled", note=reason)
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
    repair = lock_repair(repair_id)
    if actor is not None:  # None: the resident's own rating, through the callback
        check_desk(actor, repair.estate)
    if repair.status == Repair.Status.REOPENED:
        return repair
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the repair is reopened.")})
    do_reopen(repair, actor=actor, at=at, note=reason.strip(), body=reason.strip())
    return repair


def do_reopen(repair: Repair, *, actor, at, note: str, body: str, data=None) -> None:
    move(
        repair, Repair.Status.REOPENED, actor=actor, at=at, action="reopened", note=note, data=data
    )
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
        body=body,
        url=repair.get_absolute_url(),
        estate=repair.estate,
        level="warning",
        dedupe_key=f"repair:{repair.pk}:reopen:{repair.reopen_count}",
    )
