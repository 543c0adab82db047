"""Key milestones of a hand-over project (关键点评审, docs/domain.md, "Hand-over and move-in"):
set with an owner and a due date (a deadline row that breaches once), then marked done."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Milestone
from inspections.services.predelivery import NOT_ALLOWED
from inspections.sla import MILESTONE_DUE
from propserv.access import check_actor, works_for
from propserv.deadline_rules import end_of_day
from propserv.deadlines import deadline_meet, deadline_open
from propserv.roles import HANDOVER_PLANNERS


@transaction.atomic
def milestone_set(
    *, estate, project: str, name: str, owner, due_on: dt.date, actor, at=None
) -> Milestone:
    check_actor(actor, estate=estate, roles=HANDOVER_PLANNERS, message=NOT_ALLOWED)
    project, name = (project or "").strip(), (name or "").strip()
    if not project or not name:
        raise ValidationError({"name": _("Name the project and the milestone.")})
    if owner is None or not works_for(owner, estate):
        raise ValidationError({"owner": _("Choose a staff member of this estate.")})
    at = at or timezone.now()
    milestone = Milestone.objects.create(
        estate=estate,
        project=project[:100],
        name=name[:200],
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    due_at = end_of_day(timezone.localtime(at), due_on)
    deadline_open(
        subject=milestone,
        estate=estate,
        kind=MILESTONE_DUE,
        started_at=at,
        rule={"unit": "at", "due_at": due_at.isoformat()},
        now=at,
    )
    return milestone


@transaction.atomic
def milestone_done(*, milestone: Milestone, actor, note: str = "", at=None) -> Milestone:
    check_actor(actor, estate=milestone.estate_id, roles=HANDOVER_PLANNERS, message=NOT_ALLOWED)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        return milestone
    at = at or timezone.now()
    milestone.done_at, milestone.done_by = at, actor
    milestone.note = (note or "").strip()[:300] or milestone.note
    milestone.save(update_fields=["done_at", "done_by", "note"])
    deadline_meet(subject=milestone, kind=MILESTONE_DUE, at=at)
    return milestone
