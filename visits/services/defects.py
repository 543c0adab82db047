"""After-sales defects (物业返修联系单, docs/domain.md, Reception): the form goes to the
developer's after-sales team the next working morning; their fix is inspected by us, then
re-accepted by the owner; a failed inspection or a refusal is another round of rework."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may
from propserv.deadlines import deadline_meet, deadline_open
from propserv.errors import InvalidTransition
from propserv.roles import RECEPTION
from propserv.workdays import WorkCalendar
from visits import rules
from visits.models import Defect, DefectEvent, Visit, VisitEvent
from visits.services.reception import lock_visit, resolve_locked_visit

A = DefectEvent.Action
S = Defect.Status

# The steps of the rework loop (the page's buttons), by the state each starts from.
STEPS_FROM = {
    "send": S.TO_SEND,
    "fixed": S.WITH_DEVELOPER,
    "inspection-pass": S.FIXED,
    "inspection-fail": S.FIXED,
    "owner-accept": S.AWAITING_OWNER,
    "owner-refuse": S.AWAITING_OWNER,
}


def allowed_actions(defect: Defect, user) -> set[str]:
    if not may(user, defect.estate_id, RECEPTION):
        return set()
    return {step for step, status in STEPS_FROM.items() if defect.status == status}


def _event(defect, *, action, actor, at, before="", note="") -> None:
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
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    if unit is None or unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("Choose a unit of this estate.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the defect.")})
    if visit is not None:
        visit = lock_visit(visit.pk)
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
    _event(defect, action=A.CREATED, actor=actor, at=now, note=defect.description)
    if visit is not None:
        VisitEvent.record(
            visit,
            action=VisitEvent.Action.TO_DEFECT,
            actor=actor,
            at=now,
            data={"defect": defect.pk, "number": defect.number},
        )
    _open_send_deadline(defect, now)
    return defect


def lock_defect(defect_id: int) -> Defect:
    return (
        Defect.objects.select_for_update(of=("self",))
        .select_related("estate", "unit")
        .get(pk=defect_id)
    )


def _locked_and_checked(defect_id: int, actor) -> Defect:
    defect = lock_defect(defect_id)
    check_actor(actor, estate=defect.estate, roles=RECEPTION)
    return defect


def _move(defect, to, *, allowed_from, action, actor, at, note="") -> bool:
    """Move the defect on; False when it is already there (idempotent), InvalidTransition
    otherwise."""
    if defect.status == to:
        return False
    if defect.status not in allowed_from:
        raise InvalidTransition(
            _("A defect form that is “%(status)s” cannot do that.")
            % {"status": defect.get_status_display()}
        )
    before = defect.status
    defect.status = to
    defect.save(update_fields=["status", "round", "accepted_at"])
    _event(defect, action=action, actor=actor, at=at, before=before, note=note)
    return True


@transaction.atomic
def defect_send(*, defect_id: int, actor, note: str = "", now=None) -> Defect:
    now = now or timezone.now()
    defect = _locked_and_checked(defect_id, actor)
    if _move(
        defect,
        S.WITH_DEVELOPER,
        allowed_from={S.TO_SEND},
        action=A.SENT,
        actor=actor,
        at=now,
        note=note.strip(),
    ):
        deadline_meet(subject=defect, kind=rules.DEFECT_SEND, at=now)
    return defect


@transaction.atomic
def defect_report_fixed(*, defect_id: int, actor, note: str = "", now=None) -> Defect:
    now = now or timezone.now()
    defect = _locked_and_checked(defect_id, actor)
    _move(
        defect,
        S.FIXED,
        allowed_from={S.WITH_DEVELOPER},
        action=A.FIXED,
        actor=actor,
        at=now,
        note=note.strip(),
    )
    return defect


def _back_to_rework(defect, *, actor, at, action, note) -> None:
    before = defect.status
    defect.status = S.TO_SEND
    defect.round += 1
    defect.save(update_fields=["status", "round"])
    _event(defect, action=action, actor=actor, at=at, before=before, note=note)
    _open_send_deadline(defect, at)


@transaction.atomic
def defect_inspect(*, defect_id: int, actor, passed: bool, note: str = "", now=None) -> Defect:
    """Staff inspect the developer's fix: pass → the owner re-accepts; fail → rework."""
    now = now or timezone.now()
    defect = _locked_and_checked(defect_id, actor)
    if passed and defect.status == S.AWAITING_OWNER:
        return defect  # the same pass sent twice
    if defect.status != S.FIXED:
        raise InvalidTransition(_("Only a defect reported fixed can be inspected."))
    if passed:
        _move(
            defect,
            S.AWAITING_OWNER,
            allowed_from={S.FIXED},
            action=A.INSPECTION_PASSED,
            actor=actor,
            at=now,
            note=note.strip(),
        )
    else:
        if not note.strip():
            raise ValidationError({"note": _("Say what is still wrong.")})
        _back_to_rework(defect, actor=actor, at=now, action=A.INSPECTION_FAILED, note=note.strip())
    return defect


@transaction.atomic
def defect_owner_review(
    *, defect_id: int, actor, accepted: bool, note: str = "", now=None
) -> Defect:
    """The owner re-accepts the fix (done) or refuses it (another round of rework)."""
    now = now or timezone.now()
    defect = _locked_and_checked(defect_id, actor)
    if defect.status == S.ACCEPTED:
        return defect
    if defect.status != S.AWAITING_OWNER:
        raise InvalidTransition(_("The owner reviews the fix after our inspection has passed."))
    if accepted:
        defect.accepted_at = now
        _move(
            defect,
            S.ACCEPTED,
            allowed_from={S.AWAITING_OWNER},
            action=A.OWNER_ACCEPTED,
            actor=actor,
            at=now,
            note=note.strip(),
        )
        if defect.visit_id:
            resolve_locked_visit(
                lock_visit(defect.visit_id),
                actor=actor,
                at=now,
                resolution=_("Defect %(number)s fixed and accepted by the owner.")
                % {"number": defect.number},
                data={"defect_accepted": defect.number},
            )
    else:
        if not note.strip():
            raise ValidationError({"note": _("Write what the owner refused.")})
        _back_to_rework(defect, actor=actor, at=now, action=A.OWNER_REFUSED, note=note.strip())
    return defect
