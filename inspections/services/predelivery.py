"""Pre-hand-over inspection (内部验房, docs/domain.md, "Hand-over and move-in"): the estate's
defect taxonomy, inspection rounds, problems entered in bulk on a phone, fixed with evidence and
re-checked. The owner's inspection at move-in adds problems through `problems_add` too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import DefectType, InspectionRound, MoveInAppointment, Problem
from inspections.uploads import clean_photo
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.models import Building, Unit
from propserv.roles import HANDOVER_INSPECTORS, HANDOVER_PLANNERS

NOT_ALLOWED = gettext_lazy("Your role may not do this for a hand-over.")
MAX_BATCH = 50  # problems in one bulk entry


@dataclass
class NewProblem:
    """One row of a bulk entry."""

    unit: Unit
    location: str
    defect_type: DefectType
    severity: str = Problem.Severity.MINOR
    description: str = ""
    photo: object = None


def defect_type_add(*, estate, name: str, actor) -> DefectType:
    """A new entry of the estate's defect taxonomy (idempotent by name)."""
    check_actor(actor, estate=estate, roles=HANDOVER_PLANNERS, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the defect type.")})
    item, _created = DefectType.objects.get_or_create(estate=estate, name=name[:64])
    return item


@transaction.atomic
def round_open(*, building: Building, name: str, started_on: dt.date, actor) -> InspectionRound:
    """A new inspection round over `building`."""
    check_actor(actor, estate=building.estate_id, roles=HANDOVER_INSPECTORS, message=NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the inspection round.")})
    return InspectionRound.objects.create(
        estate_id=building.estate_id,
        building=building,
        name=name[:64],
        started_on=started_on,
        created_by=actor,
    )


def problems_add(
    *,
    estate,
    rows: list[NewProblem],
    actor,
    round: InspectionRound | None = None,
    appointment: MoveInAppointment | None = None,
    at: dt.datetime | None = None,
) -> list[Problem]:
    """Several problems at once (a phone entry, the owner's inspection). Any bad row refuses
    the whole entry with the row's number, and nothing is written."""
    check_actor(actor, estate=estate, roles=HANDOVER_INSPECTORS, message=NOT_ALLOWED)
    at = at or timezone.now()
    if not rows:
        raise ValidationError(_("Enter at least one problem."))
    if len(rows) > MAX_BATCH:
        raise ValidationError(
            _("Enter at most %(n)s problems at a time.") % {"n": MAX_BATCH}, code="too_many"
        )
    estate_id = getattr(estate, "pk", estate)
    if round is not None and round.estate_id != estate_id:
        raise ValidationError({"round": _("Choose a round of this estate.")})
    cleaned = []
    for number, row in enumerate(rows, start=1):
        where = _("Problem %(n)s: ") % {"n": number}
        if row.unit is None or row.unit.estate_id != estate_id:
            raise ValidationError(where + _("choose a unit of this estate."))
        if round is not None and row.unit.building_id != round.building_id:
            raise ValidationError(
                where
                + _("unit %(unit)s is not in this round's building.") % {"unit": row.unit.code}
            )
        if appointment is not None and row.unit.pk != appointment.unit_id:
            raise ValidationError(where + _("choose the appointment's unit."))
        if row.defect_type is None or row.defect_type.estate_id != estate_id:
            raise ValidationError(where + _("choose a defect type of this estate."))
        location = (row.location or "").strip()
        if not location:
            raise ValidationError(where + _("say where in the unit."))
        if row.severity not in Problem.Severity.values:
            raise ValidationError(where + _("choose a severity."))
        if row.photo and hasattr(row.photo, "seek"):
            row.photo.seek(0)  # a retried entry reads its upload again
        photo = clean_photo(row.photo) if row.photo else None
        cleaned.append((row, location[:100], photo))
    created = []
    with transaction.atomic():
        for row, location, photo in cleaned:
            problem = Problem(
                estate_id=estate_id,
                unit=row.unit,
                source=Problem.Source.MOVE_IN if appointment else Problem.Source.INSPECTION,
                round=round,
                appointment=appointment,
                location=location,
                defect_type=row.defect_type,
                severity=row.severity,
                description=(row.description or "").strip()[:500],
                created_at=at,
                created_by=actor,
            )
            if photo is not None:
                problem.photo.save("problem.jpg", photo, save=False)
            problem.save()
            created.append(problem)
    return created


def _lock(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().select_related("unit").get(pk=problem.pk)


@transaction.atomic
def problem_fix(
    *, problem: Problem, evidence: str, actor, photo=None, at: dt.datetime | None = None
) -> Problem:
    """The builder fixed the problem: the evidence (a note, a photo) goes with it for the
    re-check. Reporting a fixed problem again changes nothing."""
    check_actor(actor, estate=problem.estate_id, roles=HANDOVER_INSPECTORS, message=NOT_ALLOWED)
    problem = _lock(problem)
    if problem.status == Problem.Status.FIXED:
        return problem
    if problem.status == Problem.Status.CLOSED:
        raise InvalidTransition(_("Problem %(n)s is closed already.") % {"n": problem.number})
    evidence = (evidence or "").strip()
    if not evidence and not photo:
        raise ValidationError({"evidence": _("Describe or photograph the fix.")})
    content = clean_photo(photo) if photo else None
    problem.status, problem.fixed_at, problem.fixed_by = (
        Problem.Status.FIXED,
        at or timezone.now(),
        actor,
    )
    problem.evidence = evidence[:500]
    fields = ["status", "fixed_at", "fixed_by", "evidence"]
    if content is not None:
        problem.evidence_photo.save("fix.jpg", content, save=False)
        fields.append("evidence_photo")
    problem.save(update_fields=fields)
    return problem


@transaction.atomic
def problem_recheck(
    *, problem: Problem, passed: bool, actor, at: dt.datetime | None = None
) -> Problem:
    """Re-check a fixed problem: passed closes it, failed sends it back open."""
    check_actor(actor, estate=problem.estate_id, roles=HANDOVER_INSPECTORS, message=NOT_ALLOWED)
    problem = _lock(problem)
    if problem.status == Problem.Status.CLOSED and passed:
        return problem
    if problem.status != Problem.Status.FIXED:
        raise InvalidTransition(
            _("Only a problem reported fixed can be re-checked (%(n)s is “%(status)s”).")
            % {"n": problem.number, "status": problem.get_status_display()}
        )
    if passed:
        problem.status, problem.closed_at, problem.closed_by = (
            Problem.Status.CLOSED,
            at or timezone.now(),
            actor,
        )
        problem.save(update_fields=["status", "closed_at", "closed_by"])
    else:
        problem.status = Problem.Status.OPEN
        problem.recheck_failures += 1
        problem.save(update_fields=["status", "recheck_failures"])
    return problem
