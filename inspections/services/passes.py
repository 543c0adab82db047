"""Worker passes (临时出入证): issued to a renovation's registered workers while its permit is in
force, expiring no later than the permit's planned end; revoked by the desk; expired or revoked
passes are taken back at the gate (docs/domain.md, "Renovation")."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import rules
from inspections.models import Renovation, WorkerPass
from inspections.services.common import NOT_ALLOWED, lock_renovation, now_or, record
from inspections.uploads import clean_photo
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import RENOVATION_DESK, RENOVATION_VIEWERS

ID_LAST4_RE = re.compile(r"^\d{3}[\dX]$")
FINISHED = (Renovation.Status.COMPLETED, Renovation.Status.REJECTED)


def pass_state(worker_pass: WorkerPass, now: dt.datetime) -> str:
    """valid / expired / revoked / suspended / not_yet, as the gate shows it."""
    return rules.pass_state(
        today=timezone.localtime(now).date(),
        valid_from=worker_pass.valid_from,
        valid_until=worker_pass.valid_until,
        revoked=worker_pass.revoked_at is not None,
        work_allowed=worker_pass.renovation.work_allowed,
        finished=worker_pass.renovation.status in FINISHED,
    )


@transaction.atomic
def pass_issue(
    *,
    renovation: Renovation,
    name: str,
    id_last4: str,
    trade: str,
    valid_until: dt.date,
    photo=None,
    actor,
    at: dt.datetime | None = None,
) -> WorkerPass:
    """Register a worker and issue the pass."""
    check_actor(actor, estate=renovation.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED)
    at = now_or(at)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the worker's name.")})
    id_last4 = (id_last4 or "").strip().upper()
    if not ID_LAST4_RE.match(id_last4):
        raise ValidationError(
            {"id_last4": _("Enter the last 4 characters of the identity card, e.g. 1234 or 123X.")}
        )
    if trade not in WorkerPass.Trade.values:
        raise ValidationError({"trade": _("Choose the worker's trade.")})
    content = clean_photo(photo) if photo else None
    renovation = lock_renovation(renovation)
    if renovation.status != Renovation.Status.APPROVED:
        raise InvalidTransition(
            _("Passes are issued only while the permit is in force and work is not stopped."),
            code="no_permit",
        )
    today = timezone.localtime(at).date()
    if valid_until > renovation.planned_end:
        raise ValidationError(
            {
                "valid_until": _("A pass cannot outlast the permit, which ends on %(end)s.")
                % {"end": renovation.planned_end.isoformat()}
            }
        )
    if valid_until < today:
        raise ValidationError({"valid_until": _("The expiry date has already passed.")})
    sequence = WorkerPass.objects.filter(renovation=renovation).count() + 1
    worker_pass = WorkerPass(
        renovation=renovation,
        number=rules.pass_number(renovation.permit_number, sequence),
        name=name,
        id_last4=id_last4,
        trade=trade,
        valid_from=max(today, renovation.planned_start),
        valid_until=valid_until,
        issued_at=at,
        issued_by=actor,
    )
    if worker_pass.valid_from > valid_until:
        worker_pass.valid_from = today
    if content is not None:
        worker_pass.photo.save(content.name, content, save=False)
    worker_pass.save()
    record(renovation, "pass_issued", actor=actor, at=at, **{"pass": worker_pass.number})
    return worker_pass


def _lock_pass(worker_pass: WorkerPass) -> WorkerPass:
    return (
        WorkerPass.objects.select_for_update(of=("self",))
        .select_related("renovation")
        .get(pk=worker_pass.pk)
    )


@transaction.atomic
def pass_revoke(*, worker_pass: WorkerPass, reason: str, actor, at=None) -> WorkerPass:
    """Revoke a pass: it fails at the gate from the next scan on."""
    check_actor(
        actor, estate=worker_pass.renovation.estate_id, roles=RENOVATION_DESK, message=NOT_ALLOWED
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the pass is revoked.")})
    at = now_or(at)
    worker_pass = _lock_pass(worker_pass)
    if worker_pass.revoked_at is not None:
        return worker_pass
    worker_pass.revoked_at, worker_pass.revoked_reason = at, reason
    worker_pass.save(update_fields=["revoked_at", "revoked_reason"])
    record(
        worker_pass.renovation,
        "pass_revoked",
        actor=actor,
        at=at,
        note=reason,
        **{"pass": worker_pass.number},
    )
    return worker_pass


@transaction.atomic
def pass_confiscate(*, worker_pass: WorkerPass, actor, at=None) -> WorkerPass:
    """The gate took back an expired or revoked pass."""
    check_actor(
        actor,
        estate=worker_pass.renovation.estate_id,
        roles=RENOVATION_VIEWERS,
        message=NOT_ALLOWED,
    )
    at = now_or(at)
    worker_pass = _lock_pass(worker_pass)
    if worker_pass.confiscated_at is not None:
        return worker_pass
    if pass_state(worker_pass, at) not in (rules.EXPIRED, rules.REVOKED):
        raise InvalidTransition(_("Only an expired or revoked pass is taken back."))
    worker_pass.confiscated_at = at
    worker_pass.save(update_fields=["confiscated_at"])
    record(
        worker_pass.renovation,
        "pass_confiscated",
        actor=actor,
        at=at,
        **{"pass": worker_pass.number},
    )
    return worker_pass
