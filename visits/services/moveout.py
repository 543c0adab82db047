"""Move-out (撤租, docs/domain.md, "Front-desk services"): a tenant leaving settles the unit's
fees, returns keys and passes and has the unit inspected; only then does the residency close
(propserv.Resident.moved_out_on). A move-out with an unpaid balance is refused, nothing written."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fees.selectors import balance
from fees.services import lock_account
from inspections.models import Renovation, WorkerPass
from keys.models import Key, KeyLoan
from propserv.access import check_actor, may
from propserv.errors import InvalidTransition
from propserv.models import Resident
from propserv.roles import RECEPTION
from visits.models import MoveOut


def outstanding_keys(tenant: Resident) -> list[Key]:
    """Keys of the unit out on loan (the key register shows them out), and any key the office
    still holds in the tenant's name."""
    entrusted = Key.objects.filter(owner=tenant, state__in=Key.HELD_STATES)
    on_loan = Key.objects.filter(
        unit_id=tenant.unit_id,
        loans__status=KeyLoan.Status.OUT,
    )
    return list((entrusted | on_loan).distinct().order_by("tag_code"))


def outstanding_passes(unit, today: dt.date) -> list[WorkerPass]:
    """Renovation worker passes of the unit still valid: taken back before the tenant leaves."""
    return list(
        WorkerPass.objects.filter(
            renovation__unit=unit,
            renovation__status__in=Renovation.ACTIVE,
            revoked_at__isnull=True,
            confiscated_at__isnull=True,
            valid_until__gte=today,
        ).order_by("number")
    )


def checklist(move_out: MoveOut, today: dt.date | None = None) -> dict:
    """The move-out's checklist as it stands now: each item done or not, with what blocks it."""
    today = today or timezone.localdate()
    owed = balance(move_out.unit)
    keys = outstanding_keys(move_out.tenant)
    passes = outstanding_passes(move_out.unit, today)
    return {
        "balance": owed,
        "fees_settled": owed <= 0,
        "keys": keys,
        "passes": passes,
        "keys_returned": move_out.keys_returned_at is not None,
        "inspected": move_out.inspected_at is not None,
        "ready": owed <= 0
        and move_out.keys_returned_at is not None
        and move_out.inspected_at is not None,
    }


def allowed_actions(move_out: MoveOut, user) -> set[str]:
    if move_out.status != MoveOut.Status.OPEN or not may(user, move_out.estate_id, RECEPTION):
        return set()
    return {"keys", "inspect", "complete"}


@transaction.atomic
def move_out_start(*, tenant: Resident, actor, planned_on: dt.date, now=None) -> MoveOut:
    """Open the checklist of a tenant who is leaving (asking again returns the open one)."""
    check_actor(actor, estate=tenant.estate_id, roles=RECEPTION)
    tenant = Resident.objects.select_for_update().get(pk=tenant.pk)
    if tenant.role != Resident.Role.TENANT:
        raise ValidationError({"tenant": _("Only a tenant moves out here.")})
    if tenant.moved_out_on is not None:
        raise InvalidTransition(_("This tenant has already moved out."))
    existing = MoveOut.objects.filter(tenant=tenant, status=MoveOut.Status.OPEN).first()
    if existing is not None:
        return existing
    if tenant.moved_in_on and planned_on < tenant.moved_in_on:
        raise ValidationError({"planned_on": _("The tenant cannot leave before moving in.")})
    return MoveOut.objects.create(
        estate_id=tenant.estate_id,
        unit_id=tenant.unit_id,
        tenant=tenant,
        planned_on=planned_on,
        started_at=now or timezone.now(),
        started_by=actor,
    )


def _lock(move_out_id: int, actor) -> MoveOut:
    move_out = (
        MoveOut.objects.select_for_update().select_related("unit", "tenant").get(pk=move_out_id)
    )
    check_actor(actor, estate=move_out.estate_id, roles=RECEPTION)
    if move_out.status != MoveOut.Status.OPEN:
        raise InvalidTransition(_("This move-out is finished."))
    return move_out


@transaction.atomic
def move_out_keys_returned(*, move_out_id: int, actor, note: str = "", now=None) -> MoveOut:
    """The tenant handed back keys, access cards and passes. Refused while the office's key
    register or the renovation passes still show something out."""
    move_out = _lock(move_out_id, actor)
    keys = outstanding_keys(move_out.tenant)
    if keys:
        raise ValidationError(
            _("Keys still out: %(keys)s. Return them in the key register first.")
            % {"keys": ", ".join(k.tag_code for k in keys)}
        )
    passes = outstanding_passes(move_out.unit, timezone.localdate(now))
    if passes:
        raise ValidationError(
            _("Worker passes still valid: %(passes)s. Take them back first.")
            % {"passes": ", ".join(p.number for p in passes)}
        )
    if move_out.keys_returned_at:
        return move_out
    move_out.keys_returned_at, move_out.keys_returned_by = now or timezone.now(), actor
    move_out.keys_note = note.strip()[:200]
    move_out.save(update_fields=["keys_returned_at", "keys_returned_by", "keys_note"])
    return move_out


@transaction.atomic
def move_out_inspected(*, move_out_id: int, actor, note: str, now=None) -> MoveOut:
    """The unit was inspected with the tenant; the findings are written down."""
    move_out = _lock(move_out_id, actor)
    if not note.strip():
        raise ValidationError({"note": _("Write what the inspection found (or “all in order”).")})
    move_out.inspected_at, move_out.inspected_by = now or timezone.now(), actor
    move_out.inspection_note = note.strip()[:300]
    move_out.save(update_fields=["inspected_at", "inspected_by", "inspection_note"])
    return move_out


@transaction.atomic
def move_out_complete(
    *, move_out_id: int, actor, moved_out_on: dt.date | None = None, now=None
) -> MoveOut:
    """Close the tenant's residency on `moved_out_on` once every checklist item is done. An
    unpaid balance on the unit's account refuses it."""
    now = now or timezone.now()
    move_out = _lock(move_out_id, actor)
    moved_out_on = moved_out_on or timezone.localdate(now)
    # Under the account's lock: a charge or a reversal cannot land between this check and the
    # residency closing.
    lock_account(move_out.unit)
    owed = balance(move_out.unit)
    if owed > 0:
        raise ValidationError(
            _("The unit's account still owes ¥%(amount)s: settle the fees before moving out.")
            % {"amount": owed}
        )
    if move_out.keys_returned_at is None:
        raise ValidationError(_("Keys and passes have not been returned yet."))
    if move_out.inspected_at is None:
        raise ValidationError(_("The unit has not been inspected yet."))
    tenant = Resident.objects.select_for_update().get(pk=move_out.tenant_id)
    if tenant.moved_in_on and moved_out_on < tenant.moved_in_on:
        raise ValidationError({"moved_out_on": _("The tenant cannot leave before moving in.")})
    tenant.moved_out_on = moved_out_on
    tenant.save(update_fields=["moved_out_on"])
    move_out.status, move_out.completed_at, move_out.completed_by = (
        MoveOut.Status.DONE,
        now,
        actor,
    )
    move_out.moved_out_on = moved_out_on
    move_out.save(update_fields=["status", "completed_at", "completed_by", "moved_out_on"])
    return move_out
