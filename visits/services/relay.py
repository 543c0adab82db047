"""Information relay (信息传递, docs/domain.md, "Information relay"): a report reaches the desk as
an entry of the reception log — its receiver owns it (首问负责制) — and a relay item routes it to
the head of the department that must act. The head (or the desk for them) reports it done, the
desk checks it, the entry is resolved, and its owner calls the reporter back through the entry.
A large job gets an expected completion date, and the resident is told.

Common-area patrols and vacant-unit inspections open items through `open_item` (the caller has
checked its actor); keys fires the hook "vacant.problem_found", registered in visits.extensions.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, works_for
from propserv.errors import InvalidTransition
from propserv.models import Department, DepartmentHead
from propserv.notifications import notify
from propserv.roles import DESK_LEADS, RECEPTION, has_role
from tickets.models import Channel
from visits.models import RelayEvent, RelayItem, Visit, VisitEvent
from visits.services import reception

A = RelayEvent.Action
S = RelayItem.Status

# What a free-text department name (as keys' vacant-unit inspection records it) means.
DEPARTMENT_WORDS = (
    ("工程", Department.ENGINEERING),
    ("维修", Department.ENGINEERING),
    ("engineer", Department.ENGINEERING),
    ("repair", Department.ENGINEERING),
    ("保安", Department.SECURITY),
    ("安保", Department.SECURITY),
    ("秩序", Department.SECURITY),
    ("secur", Department.SECURITY),
    ("保洁", Department.CLEANING),
    ("清洁", Department.CLEANING),
    ("clean", Department.CLEANING),
    ("绿化", Department.LANDSCAPING),
    ("landscap", Department.LANDSCAPING),
    ("客服", Department.CUSTOMER_SERVICE),
    ("customer", Department.CUSTOMER_SERVICE),
    ("管理处", Department.MANAGEMENT),
    ("management", Department.MANAGEMENT),
)


def department_from_text(text: str) -> str:
    text = (text or "").strip().lower()
    if text in Department.values:
        return text
    for word, department in DEPARTMENT_WORDS:
        if word in text:
            return department
    return Department.OTHER


def head_of(estate, department: str):
    row = DepartmentHead.objects.filter(estate=estate, department=department).first()
    return row.head if row is not None and row.head.is_active else None


def lock_item(item_id: int) -> RelayItem:
    return (
        RelayItem.objects.select_for_update(of=("self",))
        .select_related("estate", "visit", "head")
        .get(pk=item_id)
    )


def is_head(user, item: RelayItem) -> bool:
    return user.is_authenticated and item.head_id == user.pk


def allowed_actions(item: RelayItem, user) -> set[str]:
    if not works_for(user, item.estate_id):
        return set()
    desk = has_role(user, RECEPTION)
    actions: set[str] = set()
    if desk and item.status in (S.REPORTED, S.ROUTED):
        actions.add("route")
    if (desk or is_head(user, item)) and item.status == S.ROUTED:
        actions.update({"expected", "done"})
    if desk and item.status == S.DONE:
        actions.add("check")
    if desk and item.status == S.CHECKED and item.visit.status == Visit.Status.RESOLVED:
        actions.add("callback")
    return actions


# --- department heads (the supervisor's page) -----------------------------------------------


@transaction.atomic
def department_head_set(*, estate, department: str, head, actor) -> DepartmentHead:
    check_actor(
        actor,
        estate=estate,
        roles=DESK_LEADS,
        message=_("Only a supervisor or the project manager sets department heads."),
    )
    if department not in Department.values:
        raise ValidationError({"department": _("Choose a department.")})
    if head is None or not works_for(head, estate):
        raise ValidationError({"head": _("Choose a colleague of this estate.")})
    row = DepartmentHead.objects.select_for_update().filter(estate=estate, department=department)
    row = row.first()
    if row is None:
        return DepartmentHead.objects.create(estate=estate, department=department, head=head)
    if row.head_id != head.pk:
        row.head = head
        row.save(update_fields=["head", "updated_at"])
    return row


# --- opening an item --------------------------------------------------------------------------


def _log_entry(*, estate, actor, channel, summary, unit, resident, caller_name, caller_phone, now):
    """The reception-log entry of a report. A desk colleague who writes it owns it; a report by
    someone outside the desk (a patrol guard's vacant-unit find) waits for the desk to take it,
    as a resident's web report does."""
    if has_role(actor, RECEPTION):
        return reception.visit_create(
            estate=estate,
            actor=actor,
            channel=channel,
            category=Visit.Category.OTHER,
            summary=summary,
            unit=unit,
            resident=resident,
            caller_name=caller_name,
            caller_phone=caller_phone,
            now=now,
        )
    visit = Visit.objects.create(
        estate=estate,
        channel=channel,
        category=Visit.Category.OTHER,
        received_at=now,
        received_by=None,
        owner=None,
        unit=unit,
        caller_name=caller_name[:64],
        summary=summary[:1000],
    )
    VisitEvent.record(visit, action=VisitEvent.Action.RECEIVED, actor=actor, at=now, note=summary)
    return visit


def _route(item: RelayItem, *, head, actor, at) -> None:
    before = item.status
    item.head, item.status, item.routed_at = head, S.ROUTED, at
    item.save(update_fields=["head", "status", "routed_at"])
    event = RelayEvent.record(
        item,
        action=A.ROUTED,
        actor=actor,
        at=at,
        from_status=before,
        to_status=S.ROUTED,
        data={"department": item.department, "head": head.get_username()},
    )
    notify(
        [head],
        title=_("%(number)s for your department: %(summary)s")
        % {"number": item.number, "summary": item.visit.summary[:80]},
        body=item.location or (item.visit.unit.code if item.visit.unit_id else ""),
        url=item.get_absolute_url(),
        estate=item.estate,
        dedupe_key=f"relay:{item.pk}:routed:{event.pk}",
    )


def open_item(
    *,
    estate,
    actor,
    summary: str,
    department: str,
    source: str,
    reporter: str = RelayItem.Reporter.STAFF,
    reported_by=None,
    unit=None,
    resident=None,
    caller_name: str = "",
    caller_phone: str = "",
    location: str = "",
    channel: str = Channel.WALK_IN,
    vacant_inspection=None,
    now: dt.datetime | None = None,
) -> RelayItem:
    """Log the report and open its relay item, routed at once when the department has a head.
    Runs inside the caller's transaction; the caller has checked `actor`."""
    now = now or timezone.now()
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Write what was reported.")})
    if department not in Department.values:
        raise ValidationError({"department": _("Choose a department.")})
    if reporter not in RelayItem.Reporter.values:
        raise ValidationError({"reporter": _("Say who reported it.")})
    if unit is None and resident is None and not location.strip():
        raise ValidationError({"location": _("Give the unit or the place.")})
    if unit is not None and unit.estate_id != estate.pk:
        raise ValidationError({"unit": _("There is no such unit in this estate.")})
    if reporter == RelayItem.Reporter.STAFF:
        reported_by = reported_by or actor
        if not works_for(reported_by, estate):
            raise ValidationError({"reported_by": _("Choose a colleague of this estate.")})
        caller_name = caller_name or reported_by.get_full_name() or reported_by.get_username()
    elif not (caller_name.strip() or resident is not None):
        raise ValidationError({"caller_name": _("Name the resident who reported it.")})
    visit = _log_entry(
        estate=estate,
        actor=actor,
        channel=channel,
        summary=summary,
        unit=unit,
        resident=resident,
        caller_name=caller_name.strip(),
        caller_phone=caller_phone.strip(),
        now=now,
    )
    item = RelayItem.objects.create(
        estate=estate,
        visit=visit,
        source=source,
        reporter=reporter,
        reported_by=reported_by if reporter == RelayItem.Reporter.STAFF else None,
        location=location.strip()[:120],
        department=department,
        vacant_inspection=vacant_inspection,
    )
    RelayEvent.record(item, action=A.REPORTED, actor=actor, at=now, to_status=S.REPORTED)
    head = head_of(estate, department)
    if head is not None:
        _route(item, head=head, actor=actor, at=now)
    return item


@transaction.atomic
def relay_report(*, estate, actor, now=None, **fields) -> RelayItem:
    """The desk writes down what a resident or a colleague reported (fields: see open_item)."""
    check_actor(actor, estate=estate, roles=RECEPTION)
    fields.setdefault("source", RelayItem.Source.DESK)
    if fields["source"] != RelayItem.Source.DESK:
        raise ValidationError({"source": _("Patrols and inspections open their own items.")})
    return open_item(estate=estate, actor=actor, now=now, **fields)


# --- following it -----------------------------------------------------------------------------


@transaction.atomic
def relay_route(*, item_id: int, actor, department: str, now=None) -> RelayItem:
    """Pass the item to the head of `department` (again, or to another department)."""
    now = now or timezone.now()
    item = lock_item(item_id)
    check_actor(actor, estate=item.estate, roles=RECEPTION)
    if item.status not in (S.REPORTED, S.ROUTED):
        raise InvalidTransition(_("The department has already reported this done."))
    if department not in Department.values:
        raise ValidationError({"department": _("Choose a department.")})
    head = head_of(item.estate, department)
    if head is None:
        raise ValidationError(
            {
                "department": _(
                    "No head is set for %(department)s: a supervisor sets it on the "
                    "department heads page."
                )
                % {"department": Department(department).label}
            }
        )
    if item.status == S.ROUTED and item.department == department and item.head_id == head.pk:
        return item
    if item.department != department:
        item.department = department
        item.save(update_fields=["department"])
    _route(item, head=head, actor=actor, at=now)
    return item


def _check_head_or_desk(item: RelayItem, actor) -> None:
    """The department head (whatever their role) or the front desk."""
    if is_head(actor, item) and works_for(actor, item.estate):
        return
    check_actor(
        actor,
        estate=item.estate,
        roles=RECEPTION,
        message=_("Only the department head or the front desk may do this."),
    )


@transaction.atomic
def relay_set_expected(
    *, item_id: int, actor, expected_on: dt.date, resident_told: bool, now=None
) -> RelayItem:
    """A large job that cannot be done at once: its expected completion date, told to the
    resident."""
    now = now or timezone.now()
    item = lock_item(item_id)
    _check_head_or_desk(item, actor)
    if item.status != S.ROUTED:
        raise InvalidTransition(_("Only an item with its department can get a completion date."))
    if expected_on is None or expected_on < timezone.localdate(now):
        raise ValidationError({"expected_on": _("The expected completion cannot be in the past.")})
    if not resident_told:
        raise ValidationError(
            {"resident_told": _("Tell the reporter the expected date, then record it.")}
        )
    item.expected_on, item.resident_told_at = expected_on, now
    item.save(update_fields=["expected_on", "resident_told_at"])
    RelayEvent.record(
        item, action=A.EXPECTED, actor=actor, at=now, data={"expected_on": expected_on.isoformat()}
    )
    return item


@transaction.atomic
def relay_mark_done(*, item_id: int, actor, note: str, now=None) -> RelayItem:
    """The department reports the job done (the head, or the desk on the head's word)."""
    now = now or timezone.now()
    item = lock_item(item_id)
    _check_head_or_desk(item, actor)
    if item.status in (S.DONE, S.CHECKED):
        return item
    if item.status != S.ROUTED:
        raise InvalidTransition(_("Pass the item to a department head first."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was done.")})
    item.status, item.done_at, item.done_note = S.DONE, now, note.strip()[:500]
    item.save(update_fields=["status", "done_at", "done_note"])
    RelayEvent.record(
        item,
        action=A.DONE,
        actor=actor,
        at=now,
        from_status=S.ROUTED,
        to_status=S.DONE,
        note=item.done_note,
    )
    return item


@transaction.atomic
def relay_check(*, item_id: int, actor, passed: bool, note: str = "", now=None) -> RelayItem:
    """The desk checks the work: passed resolves the reception entry (its owner then calls the
    reporter back); failed sends it back to the head."""
    now = now or timezone.now()
    item = lock_item(item_id)
    check_actor(actor, estate=item.estate, roles=RECEPTION)
    if item.status == S.CHECKED:
        return item
    if item.status != S.DONE:
        raise InvalidTransition(_("The department has not reported this done yet."))
    note = (note or "").strip()
    if not passed:
        if not note:
            raise ValidationError({"note": _("Say what is still wrong.")})
        item.status, item.done_at = S.ROUTED, None
        item.save(update_fields=["status", "done_at"])
        event = RelayEvent.record(
            item,
            action=A.CHECK_FAILED,
            actor=actor,
            at=now,
            from_status=S.DONE,
            to_status=S.ROUTED,
            note=note,
        )
        notify(
            [item.head],
            title=_("%(number)s is not finished: %(note)s") % {"number": item.number, "note": note},
            url=item.get_absolute_url(),
            estate=item.estate,
            dedupe_key=f"relay:{item.pk}:failed:{event.pk}",
        )
        return item
    item.status, item.checked_at, item.checked_by = S.CHECKED, now, actor
    item.save(update_fields=["status", "checked_at", "checked_by"])
    RelayEvent.record(
        item,
        action=A.CHECKED,
        actor=actor,
        at=now,
        from_status=S.DONE,
        to_status=S.CHECKED,
        note=note,
    )
    visit = reception.lock_visit(item.visit_id)
    reception.resolve_locked_visit(visit, actor=actor, at=now, resolution=note or item.done_note)
    if visit.owner_id and visit.owner_id != actor.pk:
        notify(
            [visit.owner],
            title=_("%(number)s done and checked: call the reporter back")
            % {"number": visit.number},
            body=visit.summary[:200],
            url=visit.get_absolute_url(),
            estate=item.estate,
            dedupe_key=f"relay:{item.pk}:callback",
        )
    return item


def relay_callback(*, item_id: int, actor, note: str = "", now=None) -> Visit:
    """The reporter has been called back: the reception entry closes (its own service)."""
    item = RelayItem.objects.select_related("visit").get(pk=item_id)
    if item.status != S.CHECKED:
        check_actor(actor, estate=item.estate_id, roles=RECEPTION)
        raise InvalidTransition(_("Check the work before calling the reporter back."))
    return reception.visit_record_callback(visit_id=item.visit_id, actor=actor, note=note, now=now)


# --- the hook keys fires (registered in visits.extensions) -----------------------------------


def on_vacant_problem(*, inspection, actor, at=None, **_kwargs) -> RelayItem | None:
    """A vacant-unit inspection found a problem: it becomes a relay item (inside keys'
    transaction; keys has checked the inspector)."""
    if not inspection.problem or RelayItem.objects.filter(vacant_inspection=inspection).exists():
        return None
    summary = _("Vacant unit %(unit)s: %(problem)s") % {
        "unit": inspection.unit.code,
        "problem": inspection.problem,
    }
    return open_item(
        estate=inspection.estate,
        actor=actor,
        summary=summary,
        department=department_from_text(inspection.referred_to),
        source=RelayItem.Source.VACANT_INSPECTION,
        reporter=RelayItem.Reporter.STAFF,
        reported_by=actor,
        unit=inspection.unit,
        channel=Channel.PATROL,
        vacant_inspection=inspection,
        now=at,
    )
