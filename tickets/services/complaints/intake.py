"""Logging a complaint: the proposed grade, repeats, the reply clock (docs/domain.md, Complaints)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import staff_of, staff_or_none
from propserv.deadlines import deadline_open
from propserv.models import Resident
from propserv.notifications import notify
from propserv.roles import (
    Role,
)
from tickets.models import Complaint, ComplaintEvent
from tickets.rules import complaints as crules
from tickets.rules.intake import check_received_at
from tickets.services.complaints.core import COLLECTIVE_HOUSEHOLDS, check_handler, label


@transaction.atomic
def complaint_create(
    *,
    estate,
    description: str,
    actor=None,
    channel: str = "phone",
    complainant_kind: str = Complaint.ComplainantKind.RESIDENT,
    complainant=None,
    complainant_name: str = "",
    complainant_phone: str = "",
    unit=None,
    occurred_at=None,
    occurred_place: str = "",
    department: str = Complaint.Department.OTHER,
    against: str = "",
    request: str = "",
    category: str = Complaint.Category.OTHER,
    written: bool | None = None,
    households: int = 1,
    injury_or_loss: bool = False,
    promise_broken: bool = False,
    apologised: bool = False,
    requested_by=None,
    received_at: dt.datetime | None = None,
    same_matter_as=None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Log a complaint, propose its grade, flag repeats and start the reply clock."""
    now = now or timezone.now()
    received_at = received_at or now
    if actor is not None:  # None: a system import
        check_handler(actor, estate)
    problem = check_received_at(received_at, now)
    if problem == "future":
        raise ValidationError({"received_at": _("The time received cannot be in the future.")})
    if problem == "too_old":
        raise ValidationError({"received_at": _("A call can be backdated by at most 24 hours.")})
    if unit is not None and unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("The unit must belong to the estate.")})
    if same_matter_as is not None and same_matter_as.estate_id != estate.pk:
        raise ValidationError({"same_matter_as": _("That complaint is of another estate.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what happened.")})
    if complainant_kind == Complaint.ComplainantKind.STAFF and category == Complaint.Category.STAFF:
        raise ValidationError(
            {"category": _("A staff member's complaint about staff conduct goes to HR.")}
        )
    complainant_phone = (complainant_phone or "").strip()
    if complainant is None and unit is not None and complainant_phone:
        complainant = Resident.objects.filter(unit=unit, phone=complainant_phone).first()
    complainant_name = (complainant_name or "").strip() or (complainant.name if complainant else "")
    if unit is None and not complainant_name:
        raise ValidationError({"complainant_name": _("Give the complainant's name or the unit.")})
    if requested_by is not None and requested_by <= received_at:
        raise ValidationError(
            {"requested_by": _("The time the resident asks for must be after the complaint.")}
        )
    proposal = crules.propose_grade(
        households=households,
        injury_or_loss=injury_or_loss,
        promise_broken=promise_broken,
        category=category,
        collective_threshold=COLLECTIVE_HOUSEHOLDS,
    )
    complaint = Complaint(
        estate=estate,
        channel=channel,
        complainant_kind=complainant_kind,
        complainant=complainant,
        complainant_name=complainant_name,
        complainant_phone=complainant_phone or (complainant.phone if complainant else ""),
        unit=unit,
        occurred_at=occurred_at,
        occurred_place=occurred_place.strip(),
        department=department,
        against=against.strip(),
        description=description.strip(),
        request=request.strip(),
        category=category,
        written=channel in ("letter", "email") if written is None else written,
        households=households,
        injury_or_loss=injury_or_loss,
        promise_broken=promise_broken,
        apologised=apologised,
        requested_by=requested_by,
        proposed_grade=proposal.grade,
        proposed_reasons=list(proposal.reasons),
        received_at=received_at,
        received_by=staff_or_none(actor),
        owner=staff_or_none(actor),  # first-contact ownership (首问负责制)
    )
    complaint.full_clean()
    complaint.save()
    data = {"proposed_grade": proposal.grade, "reasons": list(proposal.reasons)}
    if received_at < now - dt.timedelta(minutes=1):
        data["backdated_from"] = now.isoformat()
    ComplaintEvent.record(
        complaint,
        action="created",
        actor=actor,
        at=now,
        to_status=complaint.status,
        note=complaint.description,
        data=data,
        actor_label=complaint.complainant_name,
    )
    settings_row = estate.service_settings
    deadline_open(
        subject=complaint,
        estate=estate,
        kind=crules.REPLY,
        started_at=received_at,
        now=now,
        rule=crules.reply_rule(settings=settings_row),
    )
    _detect_repeat(complaint, same_matter_as=same_matter_as, settings_row=settings_row, at=now)
    return complaint


def _detect_repeat(complaint: Complaint, *, same_matter_as, settings_row, at) -> None:
    """The same matter complained about again within the window: same unit (or, without one,
    the same phone), same category, same department; or the complaint staff linked it to."""
    window_start = complaint.received_at - dt.timedelta(days=settings_row.repeat_window_days)
    root = same_matter_as
    if root is None:
        candidates = Complaint.objects.filter(
            estate=complaint.estate,
            category=complaint.category,
            department=complaint.department,
            received_at__gte=window_start,
            received_at__lte=complaint.received_at,
        ).exclude(pk=complaint.pk)
        if complaint.unit_id:
            candidates = candidates.filter(unit=complaint.unit)
        elif complaint.complainant_phone:
            candidates = candidates.filter(complainant_phone=complaint.complainant_phone)
        else:
            return
        previous = candidates.order_by("-received_at", "-id").first()
        if previous is None:
            return
        root = previous
    if root.same_matter_as_id:
        root = root.same_matter_as
    count = (
        Complaint.objects.filter(Q(pk=root.pk) | Q(same_matter_as=root))
        .filter(received_at__gte=window_start)
        .exclude(pk=complaint.pk)
        .count()
        + 1
    )
    complaint.same_matter_as = root
    complaint.repeat_count = count
    complaint.repeat_flagged = count >= settings_row.repeat_complaint_count
    complaint.save(update_fields=["same_matter_as", "repeat_count", "repeat_flagged"])
    if complaint.repeat_flagged:
        ComplaintEvent.record(
            complaint,
            action="repeat",
            at=at,
            data={"count": count, "first": root.pk, "first_number": root.number},
        )
        notify(
            staff_of(complaint.estate, Role.SUPERVISOR, Role.PROJECT_MANAGER),
            title=_("Repeat complaint: %(what)s") % {"what": label(complaint)},
            body=_("Same matter complained about %(count)s times (first: %(first)s).")
            % {"count": count, "first": root.number},
            url=complaint.get_absolute_url(),
            estate=complaint.estate,
            level="warning",
            dedupe_key=f"complaint:{complaint.pk}:repeat",
        )


# --- grade ----------------------------------------------------------------------------------------
