"""The desk's registers (docs/domain.md, Reception): lost and found (物品招领登记), held at the
desk until its owner collects it, and the incident record (突发事件记录): major incidents that
trigger the emergency plan and reach every manager at once."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may, staff_of
from propserv.errors import InvalidTransition
from propserv.notifications import notify
from propserv.roles import INCIDENT_CLOSERS, INCIDENT_RECORDERS, MANAGERS, RECEPTION
from visits.models import Incident, LostItem


def lost_item_allowed_actions(item: LostItem, user) -> set[str]:
    if item.status != LostItem.Status.HELD or not may(user, item.estate_id, RECEPTION):
        return set()
    return {"return", "dispose"}


def incident_allowed_actions(incident: Incident, user) -> set[str]:
    if incident.closed_at or not may(user, incident.estate_id, INCIDENT_CLOSERS):
        return set()
    return {"close"}


@transaction.atomic
def lost_item_register(
    *,
    estate,
    actor,
    description: str,
    found_where: str,
    found_by: str,
    found_at=None,
    kept_where: str = "",
    now=None,
) -> LostItem:
    check_actor(actor, estate=estate, roles=RECEPTION)
    now = now or timezone.now()
    found_at = found_at or now
    if found_at > now + dt.timedelta(minutes=1):
        raise ValidationError({"found_at": _("The time found cannot be in the future.")})
    item = LostItem(
        estate=estate,
        description=description.strip(),
        found_at=found_at,
        found_where=found_where.strip(),
        found_by=found_by.strip(),
        kept_where=kept_where.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def lost_item_return(
    *,
    item_id: int,
    actor,
    claimant_name: str,
    claimant_phone: str = "",
    claimant_proof: str = "",
    now=None,
) -> LostItem:
    """The owner collects the item: who, how ownership was checked."""
    now = now or timezone.now()
    item = LostItem.objects.select_for_update().select_related("estate").get(pk=item_id)
    check_actor(actor, estate=item.estate, roles=RECEPTION)
    if item.status == LostItem.Status.RETURNED:
        return item
    if item.status != LostItem.Status.HELD:
        raise InvalidTransition(_("This item is no longer held at the desk."))
    if not claimant_name.strip():
        raise ValidationError({"claimant_name": _("Who collected it?")})
    if not claimant_proof.strip():
        raise ValidationError(
            {"claimant_proof": _("Say how you checked that it is theirs (ID, description).")}
        )
    item.status = LostItem.Status.RETURNED
    item.claimant_name, item.claimant_phone = claimant_name.strip(), claimant_phone.strip()
    item.claimant_proof, item.closed_at, item.closed_by = claimant_proof.strip(), now, actor
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def lost_item_dispose(*, item_id: int, actor, note: str, now=None) -> LostItem:
    now = now or timezone.now()
    item = LostItem.objects.select_for_update().select_related("estate").get(pk=item_id)
    check_actor(actor, estate=item.estate, roles=RECEPTION)
    if item.status == LostItem.Status.DISPOSED:
        return item
    if item.status != LostItem.Status.HELD:
        raise InvalidTransition(_("This item is no longer held at the desk."))
    if not note.strip():
        raise ValidationError({"note": _("Say where the item went (e.g. handed to the police).")})
    item.status, item.closed_at, item.closed_by, item.close_note = (
        LostItem.Status.DISPOSED,
        now,
        actor,
        note.strip()[:200],
    )
    item.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    return item


@transaction.atomic
def incident_record(
    *,
    estate,
    actor,
    kind: str,
    location: str,
    description: str,
    actions_taken: str = "",
    occurred_at=None,
    plan_activated: bool = True,
    now=None,
) -> Incident:
    """Record a major incident and tell every manager of the estate at once."""
    check_actor(actor, estate=estate, roles=INCIDENT_RECORDERS)
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=1):
        raise ValidationError({"occurred_at": _("The time cannot be in the future.")})
    incident = Incident(
        estate=estate,
        kind=kind,
        occurred_at=occurred_at,
        location=location.strip(),
        description=description.strip(),
        actions_taken=actions_taken.strip(),
        plan_activated=plan_activated,
        recorded_by=actor,
        recorded_at=now,
    )
    incident.full_clean()
    incident.save()
    notify(
        staff_of(estate, MANAGERS),
        title=_("Major incident: %(kind)s at %(where)s")
        % {"kind": incident.get_kind_display(), "where": incident.location},
        body=incident.description,
        url=incident.get_absolute_url(),
        estate=estate,
        level="alert",
        dedupe_key=f"incident:{incident.pk}",
    )
    return incident


@transaction.atomic
def incident_close(*, incident_id: int, actor, outcome: str, now=None) -> Incident:
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().select_related("estate").get(pk=incident_id)
    check_actor(
        actor,
        estate=incident.estate,
        roles=INCIDENT_CLOSERS,
        message=_("Only a manager closes an incident."),
    )
    if incident.closed_at:
        return incident
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write how the incident ended.")})
    incident.closed_at, incident.closed_by, incident.outcome = now, actor, outcome.strip()
    incident.save(update_fields=["closed_at", "closed_by", "outcome"])
    return incident
