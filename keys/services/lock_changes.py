"""A lost or damaged key: report → the owner's consent → the responsible party changes the lock
→ the old key is retired and the new one registered (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keys.models import Entrustment, Key, KeyEvent, KeyIncident, KeyLoan, coded
from keys.services.common import (
    NOT_ALLOWED,
    check_count,
    check_slot_free,
    check_tag,
    create_key,
    lock_key,
    next_tag,
    record_event,
)
from keys.sla import LOAN_RETURN
from propserv.access import check_actor
from propserv.deadlines import deadline_cancel
from propserv.errors import InvalidTransition
from propserv.roles import KEY_DESK


def lock_incident(incident: KeyIncident) -> KeyIncident:
    return KeyIncident.objects.select_for_update().get(pk=incident.pk)


def _close_loan_of_lost_key(key: Key, at) -> KeyLoan | None:
    """The key was lost while out: its loan closes (nothing comes back) and the chase stops."""
    loan = key.loans.filter(status=KeyLoan.Status.OUT).first()
    if loan is None:
        return None
    loan = KeyLoan.objects.select_for_update().get(pk=loan.pk)
    loan.status, loan.closed_at, loan.returned_count = KeyLoan.Status.CLOSED, at, 0
    loan.close_reason = KeyLoan.CloseReason.KEY_LOST
    loan.save(update_fields=["status", "closed_at", "returned_count", "close_reason"])
    deadline_cancel(subject=loan, kind=LOAN_RETURN, at=at)
    return loan


@transaction.atomic
def incident_report(
    *,
    key: Key,
    kind: str,
    description: str,
    responsible_party: str,
    actor,
    at: dt.datetime | None = None,
) -> KeyIncident:
    at = at or timezone.now()
    key = lock_key(key)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    if kind not in KeyIncident.Kind.values:
        raise ValidationError({"kind": _("Say whether the key is lost or damaged.")})
    existing = key.incidents.exclude(status=KeyIncident.Status.CLOSED).first()
    if existing is not None:
        if existing.kind == kind:
            return existing
        raise InvalidTransition(_("This key already has an open lost or damaged report."))
    if not key.is_held:
        raise InvalidTransition(
            _("Key %(tag)s is %(state)s; the office no longer holds it.")
            % {"tag": key.tag_code, "state": key.get_state_display()}
        )
    description, responsible_party = (description or "").strip(), (responsible_party or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe what happened.")})
    if not responsible_party:
        raise ValidationError(
            {"responsible_party": _("Name who is responsible for the lock change.")}
        )
    incident = KeyIncident.objects.create(
        estate_id=key.estate_id,
        key=key,
        kind=kind,
        description=description,
        responsible_party=responsible_party,
        reported_at=at,
        reported_by=actor,
    )
    if kind != KeyIncident.Kind.LOST:
        record_event(key, KeyEvent.Kind.REPORTED_DAMAGED, at=at, actor=actor, reason=description)
        return incident
    loan = _close_loan_of_lost_key(key, at)
    slot = key.slot
    key.state, key.in_cabinet_count = Key.State.LOST, 0
    key.save(update_fields=["state", "in_cabinet_count"])
    record_event(
        key,
        KeyEvent.Kind.REPORTED_LOST,
        at=at,
        actor=actor,
        source=None if loan else coded("slot", slot=slot),
        from_party=loan.borrower_name if loan else "",
        reason=description,
        count=key.count,
        loan=loan,
    )
    return incident


@transaction.atomic
def incident_consent(
    *,
    incident: KeyIncident,
    consent_by: str,
    consent_how: str,
    actor,
    at: dt.datetime | None = None,
) -> KeyIncident:
    at = at or timezone.now()
    key = lock_key(incident.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    incident = lock_incident(incident)
    if incident.status != KeyIncident.Status.REPORTED:
        return incident
    consent_by, consent_how = (consent_by or "").strip(), (consent_how or "").strip()
    if not consent_by:
        raise ValidationError(
            {
                "consent_by": _(
                    "Name who consented (the owner, or for a common area the project manager)."
                )
            }
        )
    if not consent_how:
        raise ValidationError(
            {"consent_how": _("Say how consent was given, e.g. signed the register, by phone.")}
        )
    incident.consent_by, incident.consent_how, incident.consent_at = consent_by, consent_how, at
    incident.status = KeyIncident.Status.CONSENTED
    incident.save(update_fields=["consent_by", "consent_how", "consent_at", "status"])
    record_event(
        key,
        KeyEvent.Kind.OWNER_CONSENT,
        at=at,
        actor=actor,
        from_party=consent_by,
        reason=consent_how,
    )
    return incident


def _carry_entrustment(old_key: Key, new_key: Key, *, at, actor) -> None:
    """A replaced entrusted key stays entrusted: the owner's register line carries over."""
    old = Entrustment.objects.filter(key=old_key).first()
    if old is None:
        return
    Entrustment.objects.create(
        estate_id=old_key.estate_id,
        key=new_key,
        owner=old.owner,
        owner_id_last4=old.owner_id_last4,
        identity_checked=True,
        reason=old.reason,
        waiver_accepted=True,
        waiver_text=old.waiver_text,
        received_at=at,
        received_by=actor,
        handed_over_at=at,
        handed_by=actor,
        handed_to=actor,
    )


@transaction.atomic
def incident_lock_change(
    *,
    incident: KeyIncident,
    lock_changed_by: str,
    new_count,
    new_slot: str,
    actor,
    new_tag_code: str = "",
    at: dt.datetime | None = None,
) -> KeyIncident:
    """The responsible party changed the lock: the old key is retired, the new one registered."""
    at = at or timezone.now()
    key = lock_key(incident.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    incident = lock_incident(incident)
    if incident.status == KeyIncident.Status.CLOSED:
        return incident
    if incident.status != KeyIncident.Status.CONSENTED:
        raise InvalidTransition(_("Record the owner's consent before the lock change."))
    if key.state == Key.State.ON_LOAN:
        raise InvalidTransition(_("The damaged key is out on loan; take it back first."))
    lock_changed_by = (lock_changed_by or "").strip()
    if not lock_changed_by:
        raise ValidationError({"lock_changed_by": _("Name who changed the lock.")})
    new_count = check_count(new_count, "new_count")
    new_slot = check_slot_free(key.estate, (new_slot or "").strip() or key.slot, exclude=key)
    tag = check_tag(new_tag_code, "new_tag_code")
    record_event(
        key,
        KeyEvent.Kind.LOCK_CHANGED,
        at=at,
        actor=actor,
        from_party=lock_changed_by,
        reason=incident.description,
    )
    key.state, key.in_cabinet_count = Key.State.RETIRED, 0
    key.save(update_fields=["state", "in_cabinet_count"])
    record_event(
        key,
        KeyEvent.Kind.RETIRED,
        at=at,
        actor=actor,
        why=coded("lock_changed"),
        count=key.count,
    )
    new_key = create_key(
        estate=key.estate,
        tag_code=tag or next_tag(key.estate, key.unit),
        unit=key.unit,
        area=key.area,
        kind=key.kind,
        description=key.description,
        count=new_count,
        in_cabinet_count=new_count,
        slot=new_slot,
        state=Key.State.IN_CABINET,
        owner=key.owner,
        replaces=key,
        registered_at=at,
        registered_by=actor,
    )
    if key.kind == Key.Kind.ENTRUSTED:
        _carry_entrustment(key, new_key, at=at, actor=actor)
    record_event(
        new_key,
        KeyEvent.Kind.REGISTERED,
        at=at,
        actor=actor,
        from_party=lock_changed_by,
        target=coded("slot", slot=new_slot),
        why=coded("new_lock", tag=key.tag_code),
        count=new_count,
        slot=new_slot,
    )
    incident.lock_changed_by, incident.lock_changed_at, incident.new_key = (
        lock_changed_by,
        at,
        new_key,
    )
    incident.status = KeyIncident.Status.CLOSED
    incident.save(update_fields=["lock_changed_by", "lock_changed_at", "new_key", "status"])
    return incident
