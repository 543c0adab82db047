"""Renovation patrols (docs/domain.md, "Renovation"): every active renovation needs
`renovation_patrols_per_day` patrols a day within the estate's seasonal patrol hours. Each
slot is a `Patrol` row with a deadline (inspections.sla); a slot that ends unpatrolled is
flagged to the supervisor once by the sweep. The guard records the checklist on a phone, in
the slot the moment falls in: outside patrol hours, or twice in one slot, is refused."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import rules
from inspections.models import Patrol, PatrolItem, PatrolPhoto, Renovation, Verdict
from inspections.services.common import NOT_ALLOWED, lock_renovation, now_or, record
from inspections.services.rectifications import issue_notice
from inspections.sla import PATROL_DUE
from inspections.uploads import clean_photo
from propserv.access import check_actor
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.roles import PATROLLERS

MAX_PHOTOS = 6


def patrol_hours(estate_settings) -> rules.PatrolHours:
    s = estate_settings
    return rules.PatrolHours(
        summer_from_month=s.summer_from_month,
        summer_to_month=s.summer_to_month,
        summer_start=s.summer_patrol_start,
        summer_end=s.summer_patrol_end,
        winter_start=s.winter_patrol_start,
        winter_end=s.winter_patrol_end,
    )


def day_slots(estate, day: dt.date) -> list[rules.Slot]:
    s = estate.service_settings
    return rules.patrol_slots(
        day, patrol_hours(s), s.renovation_patrols_per_day, timezone.get_current_timezone()
    )


def needs_patrol(renovation: Renovation, day: dt.date) -> bool:
    return renovation.status in Renovation.ACTIVE and day >= renovation.planned_start


def schedule_day(renovation: Renovation, day: dt.date, now: dt.datetime) -> list[Patrol]:
    """Open the day's patrol slots of `renovation` that have not ended yet, each with its
    deadline; idempotent. Runs inside the caller's transaction."""
    opened = []
    if not needs_patrol(renovation, day):
        return opened
    for slot in day_slots(renovation.estate, day):
        if slot.end <= now:
            continue
        patrol, _created = Patrol.objects.get_or_create(
            renovation=renovation,
            day=day,
            slot=slot.code,
            defaults={"window_start": slot.start, "window_end": slot.end},
        )
        if patrol.done_at is None:
            deadline_open(
                subject=patrol,
                estate=renovation.estate,
                kind=PATROL_DUE,
                started_at=slot.start,
                rule={"unit": "at", "due_at": slot.end.isoformat()},
                now=now,
            )
        opened.append(patrol)
    return opened


def patrols_schedule(*, estate, day: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """The system opens the day's patrols of every active renovation of `estate` (the daily task
    `inspections.schedule_patrols`, and approval for its own day). Returns the slots open."""
    now = now_or(now)
    day = day or timezone.localtime(now).date()
    count = 0
    for pk in Renovation.objects.filter(estate=estate).active().values_list("pk", flat=True):
        with transaction.atomic():
            renovation = lock_renovation(pk)
            count += len(schedule_day(renovation, day, now))
    return count


def cancel_open_patrols(renovation: Renovation, at: dt.datetime) -> None:
    """A finished renovation needs no more patrols (inside the caller's transaction)."""
    for patrol in Patrol.objects.filter(
        renovation=renovation, done_at__isnull=True, window_end__gt=at
    ):
        deadline_cancel(subject=patrol, kind=PATROL_DUE, at=at)


def check_items(items: dict) -> dict:
    """The checklist as recorded: every item with a verdict, nothing else (patrols and the
    acceptance inspection)."""
    items = {str(k): str(v) for k, v in (items or {}).items()}
    missing = [code for code in PatrolItem.values if code not in items]
    if missing:
        raise ValidationError(
            {
                "items": _("Check every item of the list: %(items)s.")
                % {"items": "、".join(str(PatrolItem(c).label) for c in missing)}
            }
        )
    unknown = [k for k, v in items.items() if k not in PatrolItem.values or v not in Verdict.values]
    if unknown:
        raise ValidationError(
            {"items": _("Unknown checklist entries: %(items)s.") % {"items": ", ".join(unknown)}}
        )
    return {code: items[code] for code in PatrolItem.values}


@transaction.atomic
def patrol_record(
    *,
    renovation: Renovation,
    items: dict,
    notes: str = "",
    photos=(),
    serious: bool = False,
    due_at: dt.datetime | None = None,
    actor,
    at: dt.datetime | None = None,
) -> Patrol:
    """Record the patrol of the slot `at` falls in. A violation found issues a rectification
    notice (due `due_at`, by default a day later); `serious` also stops the work."""
    check_actor(actor, estate=renovation.estate_id, roles=PATROLLERS, message=NOT_ALLOWED)
    at = now_or(at)
    items = check_items(items)
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most 6 photos.")})
    contents = [clean_photo(p) for p in photos]
    renovation = lock_renovation(renovation)
    local = timezone.localtime(at)
    if not needs_patrol(renovation, local.date()):
        raise InvalidTransition(_("This renovation is not under way: there is nothing to patrol."))
    slot = rules.slot_at(day_slots(renovation.estate, local.date()), local)
    if slot is None:
        raise ValidationError(
            _("%(time)s is outside the estate's patrol hours.") % {"time": local.strftime("%H:%M")},
            code="outside_patrol_hours",
        )
    patrol, _created = Patrol.objects.select_for_update().get_or_create(
        renovation=renovation,
        day=local.date(),
        slot=slot.code,
        defaults={"window_start": slot.start, "window_end": slot.end},
    )
    if patrol.done_at is not None:
        raise InvalidTransition(
            _("The %(slot)s patrol of this renovation was already recorded at %(time)s.")
            % {
                "slot": patrol.get_slot_display(),
                "time": timezone.localtime(patrol.done_at).strftime("%H:%M"),
            },
            code="already_patrolled",
        )
    patrol.done_at, patrol.done_by, patrol.items, patrol.notes = at, actor, items, notes.strip()
    patrol.save(update_fields=["done_at", "done_by", "items", "notes"])
    for content in contents:
        PatrolPhoto.objects.create(patrol=patrol, file=content)
    deadline_meet(subject=patrol, kind=PATROL_DUE, at=at)
    record(
        renovation,
        "patrolled",
        actor=actor,
        at=at,
        note=patrol.notes,
        slot=patrol.slot,
        failed=patrol.failed_items,
    )
    failed = patrol.failed_items
    if failed:
        labels = "、".join(str(PatrolItem(code).label) for code in failed)
        issue_notice(
            renovation,
            items=failed,
            description=patrol.notes or labels,
            serious=serious,
            due_at=due_at or at + dt.timedelta(days=1),
            actor=actor,
            at=at,
            patrol=patrol,
        )
    return patrol
