"""Quality checks (docs/domain.md, "Quality checks"): checklist templates, a check recorded from
a phone with its photos and findings, non-conformities closed, weather warnings logged, and each
month's night-check clock (inspections.sla, NIGHT_CHECKS_DUE) opened and met.

A daily or night check's finding is a non-conformity: trivial ones, and recurring litter, closed
within the estate's `quality_exemption_minutes` are counted but not chased; every other one and
every failure of duty names who is responsible. A scored check's finding is a defect with a
deadline (inspections.services.quality_defects closes it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import (
    SCORED_KINDS,
    CheckKind,
    Defect,
    DutyFailure,
    NonConformity,
    QualityCheck,
    QualityCheckPhoto,
    QualityTemplate,
)
from inspections.services.common import now_or
from inspections.services.quality_night import night_month_settle
from inspections.sla import QUALITY_DEFECT_DUE
from inspections.uploads import clean_photo
from propserv.access import check_actor, works_for
from propserv.deadlines import deadline_open
from propserv.errors import InvalidTransition
from propserv.models import Department
from propserv.roles import (
    QUALITY_CLOSERS,
    QUALITY_INSPECTORS,
    QUALITY_SELF_CHECKERS,
    QUALITY_SUPERVISORS,
    QUALITY_TEMPLATE_KEEPERS,
)

MAX_PHOTOS = 6
# Days the office has to fix a defect when the checker names no deadline (a module constant
# until the estate settings carry one).
DEFECT_FIX_DAYS = 7
MAX_SCORE = 100

CHECKERS = {
    CheckKind.SELF: QUALITY_SELF_CHECKERS,
    CheckKind.SUPERVISOR: QUALITY_SUPERVISORS,
    CheckKind.NIGHT: QUALITY_SUPERVISORS,
    CheckKind.MONTHLY: QUALITY_INSPECTORS,
    CheckKind.QUARTERLY: QUALITY_INSPECTORS,
}


# --- templates ---------------------------------------------------------------------------------


def clean_items(kind: str, items: list[dict]) -> list[dict]:
    """The checklist as stored: each item's text, specialty and maximum score (scored checks:
    1–100 each; daily and night lists: 0, pass or fail), numbered i1, i2…"""
    scored = kind in SCORED_KINDS
    out, errors = [], []
    for n, item in enumerate(items or [], start=1):
        text = str(item.get("text") or "").strip()
        specialty = str(item.get("specialty") or Department.OTHER)
        try:
            max_score = int(item.get("max_score") or 0)
        except (TypeError, ValueError):
            max_score = -1
        if not text:
            errors.append(_("Item %(n)s has no text.") % {"n": n})
        if specialty not in Department.values:
            errors.append(_("Item %(n)s: unknown specialty “%(s)s”.") % {"n": n, "s": specialty})
        if scored and not 1 <= max_score <= MAX_SCORE:
            errors.append(
                _("Item %(n)s: a scored check's item needs a maximum score from 1 to 100.")
                % {"n": n}
            )
        out.append(
            {
                "code": f"i{n}",
                "text": text,
                "specialty": specialty,
                "max_score": max_score if scored else 0,
            }
        )
    if not out:
        errors.append(_("A checklist needs at least one item."))
    if errors:
        raise ValidationError({"items": errors})
    return out


@transaction.atomic
def quality_template_save(
    *, estate, kind: str, name: str, items: list[dict], actor, at=None, template=None
) -> QualityTemplate:
    """Create a checklist template, or replace one's items (checks done keep their copy)."""
    check_actor(actor, estate=estate, roles=QUALITY_TEMPLATE_KEEPERS)
    if kind not in CheckKind.values:
        raise ValidationError({"kind": _("Choose the kind of check.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the checklist a name.")})
    items = clean_items(kind, items)
    if template is None:
        return QualityTemplate.objects.create(
            estate=estate,
            kind=kind,
            name=name,
            items=items,
            created_at=now_or(at),
            created_by=actor,
        )
    template = QualityTemplate.objects.select_for_update().get(pk=template.pk, estate=estate)
    template.kind, template.name, template.items = kind, name, items
    template.save(update_fields=["kind", "name", "items"])
    return template


# --- checks --------------------------------------------------------------------------------------


def clean_results(template: QualityTemplate, results: dict) -> tuple[dict, int | None]:
    """Every item answered: a scored check's score within 0…the item's maximum, a daily list's
    "ok" or "fail". Returns (results, total score or None)."""
    results = {str(k): v for k, v in (results or {}).items()}
    out, errors = {}, []
    scored = template.kind in SCORED_KINDS
    for item in template.items:
        code, value = item["code"], results.get(item["code"])
        if value in (None, ""):
            errors.append(_("“%(item)s” is not answered.") % {"item": item["text"]})
            continue
        if scored:
            try:
                score = int(value)
            except (TypeError, ValueError):
                score = -1
            if not 0 <= score <= item["max_score"]:
                errors.append(
                    _("The score of “%(item)s” must be between 0 and %(max)s.")
                    % {"item": item["text"], "max": item["max_score"]}
                )
                continue
            out[code] = score
        elif value in ("ok", "fail"):
            out[code] = value
        else:
            errors.append(_("“%(item)s”: answer OK or failed.") % {"item": item["text"]})
    unknown = sorted(set(results) - {i["code"] for i in template.items})
    if unknown:
        errors.append(_("Unknown checklist entries: %(items)s.") % {"items": ", ".join(unknown)})
    if errors:
        raise ValidationError({"results": errors})
    return out, (sum(out.values()) if scored else None)


def is_exempt(*, duty_failure: str, trivial: bool, litter: bool, found_at, closed_at, minutes):
    """Counted but not chased: a trivial non-conformity or recurring litter closed within the
    exemption time; a failure of staff duty never is."""
    if duty_failure or not (trivial or litter) or closed_at is None:
        return False
    return closed_at - found_at <= dt.timedelta(minutes=minutes)


@dataclass
class Finding:
    """One finding as a form or the API gives it (the shape; the services check the rest)."""

    description: str
    specialty: str = Department.OTHER
    item: str = ""
    responsible: object = None
    duty_failure: str = ""
    trivial: bool = False
    litter: bool = False
    closed_at: dt.datetime | None = None
    closure: str = ""
    due_at: dt.datetime | None = None


def _finding_errors(n: int, f: Finding, template, estate, at, exemption: int) -> list[str]:
    errors = []
    where = {"n": n}
    if not (f.description or "").strip():
        errors.append(_("Finding %(n)s: say what was found.") % where)
    if f.specialty not in Department.values:
        errors.append(_("Finding %(n)s: choose the specialty.") % where)
    if f.item and f.item not in {i["code"] for i in template.items}:
        errors.append(_("Finding %(n)s: no such checklist item.") % where)
    if f.responsible is not None and not works_for(f.responsible, estate):
        errors.append(_("Finding %(n)s: the responsible person does not work here.") % where)
    if template.kind in SCORED_KINDS:
        if f.due_at is not None and f.due_at <= at:
            errors.append(_("Finding %(n)s: the fix-by time must be after the check.") % where)
        return errors
    if f.duty_failure not in DutyFailure.values:
        errors.append(_("Finding %(n)s: unknown failure of duty.") % where)
    if f.closed_at is not None and f.closed_at < at:
        errors.append(_("Finding %(n)s: closed before it was found.") % where)
    exempt = is_exempt(
        duty_failure=f.duty_failure,
        trivial=f.trivial,
        litter=f.litter,
        found_at=at,
        closed_at=f.closed_at,
        minutes=exemption,
    )
    if not exempt and f.responsible is None:
        errors.append(
            _(
                "Finding %(n)s: name who is responsible (only trivial matters and litter closed "
                "within %(minutes)s minutes are not logged, never a failure of duty)."
            )
            % {"n": n, "minutes": exemption}
        )
    if not exempt and f.closed_at is not None and not (f.closure or "").strip():
        errors.append(_("Finding %(n)s: say how it was closed.") % where)
    return errors


@transaction.atomic
def quality_check_record(
    *,
    template: QualityTemplate,
    results: dict,
    findings=(),
    notes: str = "",
    photos=(),
    post: str = "",
    on_duty: str = "",
    actor,
    at: dt.datetime | None = None,
) -> QualityCheck:
    """Record a check done with `template`, its photos and its findings: non-conformities of a
    daily or night check, defects (each with its deadline) of a scored check."""
    estate = template.estate
    check_actor(actor, estate=estate, roles=CHECKERS[template.kind])
    at = now_or(at)
    if not template.active:
        raise InvalidTransition(_("This checklist is no longer in use."))
    clean, score = clean_results(template, results)
    if template.kind == CheckKind.NIGHT and not (post.strip() and on_duty.strip()):
        raise ValidationError(
            {"on_duty": _("A night spot check names the post checked and who was on duty.")}
        )
    settings_row = estate.service_settings
    findings = [f for f in findings if f is not None]
    errors = []
    for n, finding in enumerate(findings, start=1):
        errors += _finding_errors(
            n, finding, template, estate, at, settings_row.quality_exemption_minutes
        )
    if errors:
        raise ValidationError({"findings": errors})
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most 6 photos.")})
    contents = [clean_photo(p) for p in photos]
    check = QualityCheck.objects.create(
        estate=estate,
        template=template,
        kind=template.kind,
        checked_at=at,
        checked_by=actor,
        items=template.items,
        results=clean,
        score=score,
        max_score=template.max_total if template.kind in SCORED_KINDS else None,
        post=post.strip(),
        on_duty=on_duty.strip(),
        notes=(notes or "").strip(),
    )
    for content in contents:
        QualityCheckPhoto.objects.create(quality_check=check, file=content)
    for finding in findings:
        if template.kind in SCORED_KINDS:
            _add_defect(check, finding, at)
        else:
            _add_nonconformity(check, finding, at, settings_row.quality_exemption_minutes, actor)
    if template.kind == CheckKind.NIGHT:
        night_month_settle(estate, timezone.localtime(at).date(), now=at)
    return check


def _add_defect(check: QualityCheck, f: Finding, at) -> Defect:
    due_at = f.due_at or at + dt.timedelta(days=DEFECT_FIX_DAYS)
    defect = Defect.objects.create(
        estate=check.estate,
        quality_check=check,
        item=f.item,
        specialty=f.specialty,
        description=f.description.strip(),
        responsible=f.responsible,
        found_at=at,
        due_at=due_at,
    )
    open_defect_clock(defect, started_at=at, due_at=due_at)
    return defect


def open_defect_clock(defect: Defect, *, started_at, due_at) -> None:
    deadline_open(
        subject=defect,
        estate=defect.estate,
        kind=QUALITY_DEFECT_DUE,
        started_at=started_at,
        rule={"unit": "at", "due_at": due_at.isoformat()},
        now=started_at,
    )


def _add_nonconformity(check, f: Finding, at, minutes: int, actor) -> NonConformity:
    exempt = is_exempt(
        duty_failure=f.duty_failure,
        trivial=f.trivial,
        litter=f.litter,
        found_at=at,
        closed_at=f.closed_at,
        minutes=minutes,
    )
    return NonConformity.objects.create(
        estate=check.estate,
        quality_check=check,
        item=f.item,
        specialty=f.specialty,
        description=f.description.strip(),
        duty_failure=f.duty_failure,
        trivial=f.trivial,
        litter=f.litter,
        exempt=exempt,
        responsible=f.responsible,
        found_at=at,
        closed_at=f.closed_at,
        closure=(f.closure or "").strip(),
        closed_by=actor if f.closed_at else None,
    )


@transaction.atomic
def nonconformity_close(
    *, nonconformity: NonConformity, closure: str, actor, at=None
) -> NonConformity:
    """Record how a logged non-conformity was closed (idempotent once closed)."""
    check_actor(actor, estate=nonconformity.estate_id, roles=QUALITY_CLOSERS)
    closure = (closure or "").strip()
    if not closure:
        raise ValidationError({"closure": _("Say how it was closed.")})
    nc = NonConformity.objects.select_for_update().get(pk=nonconformity.pk)
    if nc.closed_at is not None:
        return nc
    nc.closed_at, nc.closure, nc.closed_by = now_or(at), closure, actor
    nc.save(update_fields=["closed_at", "closure", "closed_by"])
    return nc
