"""Common-area patrols (公共区域巡查, docs/domain.md, "Common-area patrol"): the estate's
checklist of places, the day's two rounds opened with a deadline each (the daily task
`visits.open_common_patrols`), and a round recorded on a phone — every problem becomes a repair
(tickets) or an information-relay item for a department head (visits.services.relay)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Department
from propserv.roles import DESK_LEADS, Role
from tickets.models import Channel, RepairCategory
from tickets.services import repairs as repair_services
from visits.models import CommonPatrol, CommonPatrolProblem, PatrolPlace, RelayItem
from visits.services.relay import open_item
from visits.sla import COMMON_PATROL

# Who walks the rounds: the area administrators (and their supervisor standing in).
COMMON_PATROLLERS = frozenset({Role.AREA_ADMIN, Role.SUPERVISOR, Role.PROJECT_MANAGER})
R = CommonPatrol.Result


@dataclass
class Check:
    """One line of a recorded round: the place, its result and, for a problem, what is wrong
    and where it goes (a repair category, or a department)."""

    place: PatrolPlace
    result: str
    problem: str = ""
    category: RepairCategory | None = None
    department: str = ""


def places(estate) -> list[PatrolPlace]:
    return list(PatrolPlace.objects.filter(estate=estate, active=True))


@transaction.atomic
def patrol_place_add(*, estate, actor, name: str, look_at: str = "", order: int = 0):
    check_actor(actor, estate=estate, roles=DESK_LEADS)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the place.")})
    existing = PatrolPlace.objects.filter(estate=estate, name=name).first()
    if existing is not None and existing.active:
        raise ValidationError({"name": _("This place is already on the checklist.")})
    if existing is not None:
        existing.active, existing.look_at, existing.order = True, look_at.strip(), order
        existing.save(update_fields=["active", "look_at", "order"])
        return existing
    return PatrolPlace.objects.create(
        estate=estate, name=name[:100], look_at=look_at.strip()[:200], order=order
    )


@transaction.atomic
def patrol_place_retire(*, place_id: int, actor) -> PatrolPlace:
    place = PatrolPlace.objects.select_for_update().get(pk=place_id)
    check_actor(actor, estate=place.estate_id, roles=DESK_LEADS)
    if place.active:
        place.active = False
        place.save(update_fields=["active"])
    return place


def round_times(estate, day: dt.date) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """{slot: (start, due)} of the day's rounds in the estate's local time."""
    s = estate.service_settings
    tz = timezone.get_current_timezone()
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    morning = dt.datetime.combine(day, s.common_patrol_morning_by, tzinfo=tz)
    afternoon = dt.datetime.combine(day, s.common_patrol_afternoon_by, tzinfo=tz)
    return {CommonPatrol.Slot.AM: (midnight, morning), CommonPatrol.Slot.PM: (morning, afternoon)}


def common_patrols_open(*, estate, day: dt.date | None = None, now=None) -> int:
    """The system opens the day's rounds whose time has not passed, each with its deadline;
    idempotent. An estate without a checklist has no rounds. Returns the rounds open."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    if not PatrolPlace.objects.filter(estate=estate, active=True).exists():
        return 0
    count = 0
    for slot, (start, due) in round_times(estate, day).items():
        if due <= now:
            continue
        with transaction.atomic():
            patrol, _created = CommonPatrol.objects.get_or_create(
                estate=estate, day=day, slot=slot, defaults={"due_at": due}
            )
            if patrol.done_at is None:
                deadline_open(
                    subject=patrol,
                    estate=estate,
                    kind=COMMON_PATROL,
                    started_at=start,
                    rule={"unit": "at", "due_at": due.isoformat()},
                    now=now,
                )
            count += 1
    return count


def _clean_checks(estate, checks: list[Check]) -> list[Check]:
    wanted = {p.pk: p for p in places(estate)}
    given = {c.place.pk: c for c in checks if c.place is not None}
    if any(c.place.estate_id != estate.pk for c in given.values()):
        raise ValidationError({"checks": _("A place of another estate is on this round.")})
    missing = [p.name for pk, p in wanted.items() if pk not in given]
    if missing:
        raise ValidationError(
            {"checks": _("Check every place: %(places)s.") % {"places": "、".join(missing)}}
        )
    for check in given.values():
        name = check.place.name
        if check.result not in R.values:
            raise ValidationError({"checks": _("%(place)s: choose a result.") % {"place": name}})
        check.problem = (check.problem or "").strip()
        if check.result == R.OK:
            continue
        if not check.problem:
            raise ValidationError(
                {"checks": _("%(place)s: describe the problem.") % {"place": name}}
            )
        if check.result == R.REPAIR and (
            check.category is None or check.category.estate_id != estate.pk
        ):
            raise ValidationError(
                {"checks": _("%(place)s: choose the repair category.") % {"place": name}}
            )
        if check.result == R.RELAY and check.department not in Department.values:
            raise ValidationError(
                {"checks": _("%(place)s: choose the department.") % {"place": name}}
            )
    return list(given.values())


@transaction.atomic
def common_patrol_record(
    *, estate, actor, slot: str, checks: list[Check], notes: str = "", at=None
) -> CommonPatrol:
    """Record today's `slot` round: every place checked; each problem becomes a repair or a
    relay item. A round is recorded once."""
    check_actor(
        actor,
        estate=estate,
        roles=COMMON_PATROLLERS,
        message=_(
            "Only area administrators, supervisors and the project manager record common-area rounds."
        ),
    )
    at = at or timezone.now()
    if slot not in CommonPatrol.Slot.values:
        raise ValidationError({"slot": _("Choose the morning or the afternoon round.")})
    checks = _clean_checks(estate, checks)
    day = timezone.localdate(at)
    start, due = round_times(estate, day)[slot]
    if at < start:
        raise ValidationError({"slot": _("The afternoon round starts after the morning one.")})
    patrol, _created = CommonPatrol.objects.select_for_update().get_or_create(
        estate=estate, day=day, slot=slot, defaults={"due_at": due}
    )
    if patrol.done_at is not None:
        raise InvalidTransition(
            _("The %(slot)s of today was already recorded at %(time)s.")
            % {
                "slot": patrol.get_slot_display(),
                "time": timezone.localtime(patrol.done_at).strftime("%H:%M"),
            }
        )
    patrol.done_at, patrol.done_by, patrol.notes = at, actor, (notes or "").strip()[:500]
    patrol.results = {str(c.place.pk): c.result for c in checks}
    patrol.save(update_fields=["done_at", "done_by", "notes", "results"])
    for check in checks:
        if check.result == R.OK:
            continue
        text = f"{check.place.name}: {check.problem}"
        if check.result == R.REPAIR:
            repair = repair_services.repair_create(
                estate=estate,
                category=check.category,
                description=text,
                actor=actor,
                location=check.place.name,
                channel=Channel.PATROL,
                now=at,
            )
            CommonPatrolProblem.objects.create(
                patrol=patrol, place=check.place, description=check.problem[:500], repair=repair
            )
        else:
            item = open_item(
                estate=estate,
                actor=actor,
                summary=text,
                department=check.department,
                source=RelayItem.Source.COMMON_PATROL,
                location=check.place.name,
                channel=Channel.PATROL,
                now=at,
            )
            CommonPatrolProblem.objects.create(
                patrol=patrol, place=check.place, description=check.problem[:500], relay=item
            )
    deadline_meet(subject=patrol, kind=COMMON_PATROL, at=at)
    return patrol
