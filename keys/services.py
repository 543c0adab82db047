"""Every write of the key cabinet (DESIGN.md "Data flow").

Each service locks the key row first (then the loan or incident), re-checks the state, returns
early when the change is already applied, writes the change and one or more `KeyEvent` rows —
the ledger the key's state is derived from. Invalid transitions raise `InvalidTransition` (the API
answers 409); bad input raises `ValidationError` (400); a wrong role raises `PermissionDenied`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keys import rules
from keys.deadlines import LOAN_RETURN, configure_loan_deadline
from keys.models import (
    Contractor,
    ContractorPerson,
    Entrustment,
    Key,
    KeyEvent,
    KeyIncident,
    KeyLoan,
    KeyReceipt,
    KeyReceiptLine,
    LoanInspection,
    OwnerCall,
    Rectification,
    VacantInspection,
)
from keys.permissions import (
    APPROVE_ROLES,
    CUSTODIAN_ROLES,
    DESK_ROLES,
    INSPECT_ROLES,
    has_estate_role,
    require,
    works_for,
)
from propserv.access import staff_of
from propserv.deadlines import deadline_cancel, deadline_meet, deadline_open
from propserv.models import Resident, Unit
from propserv.notifications import notify
from propserv.phones import phone_validator
from propserv.roles import Role
from propserv.workdays import WorkCalendar

ID_LAST4_RE = re.compile(r"^\d{3}[\dXx]$")
INTAKE_REPEAT_WINDOW = dt.timedelta(minutes=10)  # a repeated intake within this is a double submit
TAG_RE = re.compile(r"^[^\s/?#%]{1,40}$")  # printed and put in a URL: no spaces or slashes


def waiver_text() -> str:
    """The waiver the owner signs, stored in the office's language as it was shown."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "The management office keeps this key at the owner's request and takes no "
            "responsibility for any property inside the unit."
        )


class InvalidTransition(ValidationError):
    """The key or loan is not in a state that allows this change (the API answers 409)."""


# --- helpers ----------------------------------------------------------------------------------


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def since(moment: dt.datetime, now: dt.datetime) -> str:
    """HH:MM for today, MM-DD HH:MM for an earlier day."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%m-%d %H:%M")


def _event(key: Key, kind: str, *, at, actor, **fields) -> KeyEvent:
    return KeyEvent.objects.create(
        estate_id=key.estate_id, key=key, kind=kind, at=at, actor=actor, **fields
    )


def _lock_key(key: Key | int) -> Key:
    pk = key.pk if isinstance(key, Key) else key
    return Key.objects.select_for_update(of=("self",)).select_related("estate", "unit").get(pk=pk)


def _check_id_last4(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if not ID_LAST4_RE.match(value):
        raise ValidationError(
            {field: _("Enter the last 4 characters of the identity card, e.g. 1234 or 123X.")}
        )
    return value


def _check_phone(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("Enter the borrower's phone number.")})
    try:
        phone_validator(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return value


def _check_count(count, field: str = "count", most: int | None = None) -> int:
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of keys.")}) from None
    if count < 1:
        raise ValidationError({field: _("The number of keys must be at least 1.")})
    if most is not None and count > most:
        raise ValidationError({field: _("The bunch holds only %(most)s keys.") % {"most": most}})
    return count


def _check_slot_free(estate, slot: str, *, exclude: Key | None = None) -> str:
    slot = (slot or "").strip().upper()
    if not slot:
        raise ValidationError({"slot": _("Enter the cabinet slot, e.g. A-12.")})
    taken = Key.objects.filter(estate=estate, slot=slot, state__in=["in_cabinet", "on_loan"])
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    other = taken.first()
    if other is not None:
        raise ValidationError(
            {
                "slot": _("Slot %(slot)s already holds key %(tag)s.")
                % {"slot": slot, "tag": other.tag_code}
            }
        )
    return slot


def _next_tag(estate, unit, area: str) -> str:
    if unit is not None:
        n = Key.objects.filter(estate=estate, unit=unit).count() + 1
        make = lambda n: f"{unit.code}-K{n}".upper()  # noqa: E731
    else:
        n = Key.objects.filter(estate=estate, unit__isnull=True).count() + 1
        make = lambda n: f"C-{n:03d}"  # noqa: E731
    while Key.objects.filter(estate=estate, tag_code=make(n)).exists():
        n += 1
    return make(n)


def _create_key(**fields) -> Key:
    """Insert a key; a lost race on a tag or slot becomes a clear error, not a 500."""
    try:
        with transaction.atomic():
            return Key.objects.create(**fields)
    except IntegrityError as exc:
        if "key_slot_holds_one_key" in str(exc):
            raise ValidationError({"slot": _("This cabinet slot was just taken.")}) from exc
        if "key_tag_unique" in str(exc):
            raise ValidationError({"tag_code": _("This tag code is already in use.")}) from exc
        raise


def _save_key_slot(key: Key, fields: list[str]) -> None:
    """Save a key that takes a cabinet slot; a slot taken by a racing request in the meantime
    becomes a clear error on the slot field, not a 500."""
    try:
        with transaction.atomic():
            key.save(update_fields=fields)
    except IntegrityError as exc:
        if "key_slot_holds_one_key" in str(exc):
            raise ValidationError({"slot": _("This cabinet slot was just taken.")}) from exc
        raise


def _open_loan_message(loan: KeyLoan, now) -> str:
    text = _("Key %(tag)s is already on loan to %(name)s since %(since)s.") % {
        "tag": loan.key.tag_code,
        "name": loan.borrower_name,
        "since": since(loan.lent_at, now),
    }
    if loan.status != KeyLoan.Status.OUT:
        text += " " + _(
            "It is back in the cabinet, but the loan stays open until the unit passes its inspection."
        )
    return text


# --- registering keys -------------------------------------------------------------------------


@transaction.atomic
def key_register(
    *,
    estate,
    kind: str,
    count,
    slot: str,
    actor,
    at: dt.datetime | None = None,
    unit: Unit | None = None,
    area: str = "",
    tag_code: str = "",
    description: str = "",
    reason: str = "",
) -> Key:
    """Put a developer-handed or common-area key into the cabinet. Idempotent on the tag code."""
    require(actor, estate, DESK_ROLES)
    at = at or timezone.now()
    area = (area or "").strip()
    if kind == Key.Kind.COMMON:
        if not area or unit is not None:
            raise ValidationError({"area": _("Name the common area this key opens.")})
    elif kind == Key.Kind.DEVELOPER:
        if unit is None:
            raise ValidationError({"unit": _("Choose the unit this key opens.")})
        if unit.estate_id != estate.pk:
            raise ValidationError({"unit": _("The unit is not in this estate.")})
        area = ""
    else:
        raise ValidationError(
            {"kind": _("Owner-entrusted keys are taken in through an entrustment.")}
        )
    count = _check_count(count)
    tag_code = (tag_code or "").strip().upper()
    if tag_code and not TAG_RE.match(tag_code):
        raise ValidationError(
            {"tag_code": _("A tag code has no spaces or slashes, e.g. 3-2-1502-K1.")}
        )
    if tag_code:
        existing = Key.objects.filter(estate=estate, tag_code=tag_code).first()
        if existing is not None:
            if existing.unit_id == (unit.pk if unit else None) and existing.area == area:
                return existing  # already registered
            raise ValidationError({"tag_code": _("This tag code is already in use.")})
    slot = _check_slot_free(estate, slot)
    key = _create_key(
        estate=estate,
        tag_code=tag_code or _next_tag(estate, unit, area),
        unit=unit,
        area=area,
        kind=kind,
        description=description.strip(),
        count=count,
        in_cabinet_count=count,
        slot=slot,
        state=Key.State.IN_CABINET,
        registered_at=at,
        registered_by=actor,
    )
    _event(
        key,
        KeyEvent.Kind.REGISTERED,
        at=at,
        actor=actor,
        from_party=_("Developer") if kind == Key.Kind.DEVELOPER else "",
        to_party=_("Cabinet slot %(slot)s") % {"slot": slot},
        reason=reason or _("Registered"),
        count=count,
        slot=slot,
    )
    return key


@transaction.atomic
def key_move(*, key: Key, slot: str, actor, reason: str = "", at: dt.datetime | None = None) -> Key:
    key = _lock_key(key)
    require(actor, key.estate, DESK_ROLES)
    at = at or timezone.now()
    if key.state not in (Key.State.IN_CABINET, Key.State.ON_LOAN):
        raise InvalidTransition(_("Only a key kept in the cabinet has a slot to move."))
    new = (slot or "").strip().upper()
    if new == key.slot:
        return key
    new = _check_slot_free(key.estate, new, exclude=key)
    old = key.slot
    key.slot = new
    _save_key_slot(key, ["slot"])
    _event(
        key,
        KeyEvent.Kind.MOVED,
        at=at,
        actor=actor,
        from_party=old,
        to_party=new,
        reason=reason,
        slot=new,
    )
    return key


# --- owner entrustment ------------------------------------------------------------------------


@transaction.atomic
def entrustment_intake(
    *,
    owner: Resident,
    count,
    reason: str,
    owner_id_last4: str,
    identity_checked: bool,
    waiver_accepted: bool,
    actor,
    at: dt.datetime | None = None,
    description: str = "",
) -> Entrustment:
    """The owner leaves keys at the front desk (业主留钥匙登记表)."""
    estate = owner.estate
    require(actor, estate, DESK_ROLES)
    at = at or timezone.now()
    if owner.role != Resident.Role.OWNER:
        raise ValidationError({"owner": _("Only the owner may entrust the keys of a unit.")})
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the owner's identity first.")})
    if not waiver_accepted:
        raise ValidationError(
            {"waiver_accepted": _("The owner must sign the waiver before we keep the key.")}
        )
    id_last4 = _check_id_last4(owner_id_last4, "owner_id_last4")
    count = _check_count(count)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the owner leaves the key.")})
    # A double submit: the same owner's keys, taken in by the same person a moment ago and still
    # at the desk, are the same entrustment. The owner's row is locked so two racing submits
    # queue here.
    Resident.objects.select_for_update().filter(pk=owner.pk).first()
    recent = (
        Entrustment.objects.filter(
            owner=owner,
            received_by=actor,
            received_at__gte=at - INTAKE_REPEAT_WINDOW,
            received_at__lte=at,
            key__unit=owner.unit,
            key__state=Key.State.AT_DESK,
            key__count=count,
            key__description=description.strip(),
            reason=reason.strip(),
        )
        .select_related("key")
        .order_by("-received_at", "-pk")
        .first()
    )
    if recent is not None:
        return recent
    key = _create_key(
        estate=estate,
        tag_code=_next_tag(estate, owner.unit, ""),
        unit=owner.unit,
        kind=Key.Kind.ENTRUSTED,
        description=description.strip(),
        count=count,
        in_cabinet_count=0,
        state=Key.State.AT_DESK,
        owner=owner,
        registered_at=at,
        registered_by=actor,
    )
    entrustment = Entrustment.objects.create(
        estate=estate,
        key=key,
        owner=owner,
        owner_id_last4=id_last4,
        identity_checked=True,
        reason=reason.strip(),
        waiver_accepted=True,
        waiver_text=waiver_text(),
        received_at=at,
        received_by=actor,
    )
    _event(
        key,
        KeyEvent.Kind.ENTRUSTED,
        at=at,
        actor=actor,
        from_party=_("Owner %(name)s") % {"name": owner.name},
        to_party=_("Front desk: %(name)s") % {"name": person(actor)},
        reason=reason.strip(),
        count=count,
    )
    return entrustment


@transaction.atomic
def entrustment_handover(
    *,
    entrustment: Entrustment,
    handed_by,
    handed_to,
    slot: str,
    actor,
    at: dt.datetime | None = None,
) -> Entrustment:
    """The front desk hands the entrusted key to the area administrator; both are named."""
    key = _lock_key(entrustment.key_id)
    entrustment = Entrustment.objects.select_for_update().get(pk=entrustment.pk)
    if entrustment.handed_over_at:
        return entrustment
    estate = key.estate
    require(actor, estate, DESK_ROLES)
    at = at or timezone.now()
    if key.state != Key.State.AT_DESK:
        raise InvalidTransition(_("This key is no longer at the front desk."))
    if not has_estate_role(handed_by, estate, (Role.FRONT_DESK, *DESK_ROLES)):
        raise ValidationError(
            {"handed_by": _("Choose the front-desk receptionist handing it over.")}
        )
    if not has_estate_role(handed_to, estate, CUSTODIAN_ROLES):
        raise ValidationError({"handed_to": _("Choose the area administrator receiving the key.")})
    if handed_by.pk == handed_to.pk:
        raise ValidationError({"handed_to": _("The key must pass between two different people.")})
    slot = _check_slot_free(estate, slot)
    key.state, key.in_cabinet_count, key.slot = Key.State.IN_CABINET, key.count, slot
    _save_key_slot(key, ["state", "in_cabinet_count", "slot"])
    entrustment.handed_over_at, entrustment.handed_by, entrustment.handed_to = (
        at,
        handed_by,
        handed_to,
    )
    entrustment.save(update_fields=["handed_over_at", "handed_by", "handed_to"])
    _event(
        key,
        KeyEvent.Kind.HANDED_OVER,
        at=at,
        actor=actor,
        from_party=_("Front desk: %(name)s") % {"name": person(handed_by)},
        to_party=_("Area administrator: %(name)s") % {"name": person(handed_to)},
        reason=_("Into cabinet slot %(slot)s") % {"slot": slot},
        count=key.count,
        slot=slot,
    )
    return entrustment


@transaction.atomic
def owner_call_log(
    *,
    key: Key,
    phone: str,
    confirmed: bool,
    collector_name: str,
    actor,
    note: str = "",
    at: dt.datetime | None = None,
) -> OwnerCall:
    """Log the call to the owner about someone else collecting the key (whatever the answer)."""
    key = _lock_key(key)
    require(actor, key.estate, DESK_ROLES)
    at = at or timezone.now()
    if key.kind != Key.Kind.ENTRUSTED or key.owner_id is None:
        raise InvalidTransition(_("Only an owner-entrusted key is returned to its owner."))
    phone = _check_phone(phone, "phone")
    collector_name = (collector_name or "").strip()
    if not collector_name:
        raise ValidationError({"collector_name": _("Name the person who will collect the key.")})
    call = OwnerCall.objects.create(
        estate_id=key.estate_id,
        key=key,
        owner=key.owner,
        phone=phone,
        called_at=at,
        called_by=actor,
        confirmed=bool(confirmed),
        collector_name=collector_name,
        note=note.strip(),
    )
    _event(
        key,
        KeyEvent.Kind.OWNER_CALL,
        at=at,
        actor=actor,
        from_party=_("Owner %(name)s") % {"name": key.owner.name},
        to_party=collector_name,
        reason=(_("Owner confirmed") if confirmed else _("Owner did NOT confirm"))
        + (f": {note.strip()}" if note.strip() else ""),
    )
    return call


CALL_VALID_FOR = dt.timedelta(hours=24)


@transaction.atomic
def entrustment_release(
    *,
    entrustment: Entrustment,
    collector_is_owner: bool,
    collector_name: str,
    collector_id_last4: str,
    identity_checked: bool,
    actor,
    call: OwnerCall | None = None,
    at: dt.datetime | None = None,
) -> Entrustment:
    """Return an entrusted key. Someone other than the owner needs a confirmed, logged call."""
    key = _lock_key(entrustment.key_id)
    entrustment = (
        Entrustment.objects.select_for_update().select_related("owner").get(pk=entrustment.pk)
    )
    if entrustment.released_at:
        return entrustment
    require(actor, key.estate, DESK_ROLES)
    at = at or timezone.now()
    if key.state == Key.State.ON_LOAN:
        loan = key.open_loan()
        raise InvalidTransition(
            _(
                "The key is out on loan to %(name)s; it must be back before it is returned to the owner."
            )
            % {"name": loan.borrower_name if loan else "?"}
        )
    if key.state not in (Key.State.IN_CABINET, Key.State.AT_DESK):
        raise InvalidTransition(
            _("This key is %(state)s and cannot be returned.") % {"state": key.get_state_display()}
        )
    if key.incidents.exclude(status=KeyIncident.Status.CLOSED).exists():
        raise InvalidTransition(_("This key has an open lost or damaged report."))
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the collector's identity first.")})
    id_last4 = _check_id_last4(collector_id_last4, "collector_id_last4")
    collector_name = (collector_name or "").strip()
    if collector_is_owner:
        collector_name = collector_name or entrustment.owner.name
        call = None
    else:
        if not collector_name:
            raise ValidationError({"collector_name": _("Name the person collecting the key.")})
        if call is None:
            raise ValidationError(
                {
                    "call": _(
                        "Someone other than the owner is collecting: phone the owner and log the call first."
                    )
                }
            )
        call = OwnerCall.objects.select_for_update().get(pk=call.pk)
        if call.key_id != key.pk:
            raise ValidationError({"call": _("That call was about another key.")})
        if not call.confirmed:
            raise ValidationError({"call": _("The owner did not confirm on that call.")})
        if at - call.called_at > CALL_VALID_FOR or call.called_at > at + dt.timedelta(minutes=5):
            raise ValidationError(
                {"call": _("That call is more than a day old; phone the owner again.")}
            )
        if call.collector_name.strip().lower() != collector_name.lower():
            raise ValidationError(
                {
                    "collector_name": _("The owner named %(name)s on the call.")
                    % {"name": call.collector_name}
                }
            )
        if hasattr(call, "release"):
            raise ValidationError({"call": _("That call was already used for a collection.")})
    entrustment.released_at = at
    entrustment.released_by = actor
    entrustment.collector_is_owner = bool(collector_is_owner)
    entrustment.collector_name = collector_name
    entrustment.collector_id_last4 = id_last4
    entrustment.release_call = call
    entrustment.save(
        update_fields=[
            "released_at",
            "released_by",
            "collector_is_owner",
            "collector_name",
            "collector_id_last4",
            "release_call",
        ]
    )
    key.state, key.in_cabinet_count = Key.State.RETURNED_TO_OWNER, 0
    key.save(update_fields=["state", "in_cabinet_count"])
    _event(
        key,
        KeyEvent.Kind.RETURNED_TO_OWNER,
        at=at,
        actor=actor,
        from_party=_("Cabinet slot %(slot)s") % {"slot": key.slot} if key.slot else _("Front desk"),
        to_party=(
            _("Owner %(name)s") % {"name": collector_name}
            if collector_is_owner
            else _("%(name)s for the owner (confirmed by phone)") % {"name": collector_name}
        ),
        reason=_("Identity checked, ID card ending %(last4)s") % {"last4": id_last4},
        count=key.count,
    )
    return entrustment


# --- move-in keys -----------------------------------------------------------------------------


@transaction.atomic
def keys_issue_to_owner(
    *,
    unit: Unit,
    owner: Resident,
    keys: list[Key],
    owner_id_last4: str,
    identity_checked: bool,
    actor,
    at: dt.datetime | None = None,
) -> KeyReceipt:
    """Hand the developer keys to the new owner at move-in, with a two-copy receipt."""
    from inspections.models import UnitHandover

    require(actor, unit.estate, DESK_ROLES)
    at = at or timezone.now()
    if not keys:
        raise ValidationError({"keys": _("Choose the keys to hand over.")})
    locked = [_lock_key(k) for k in sorted(keys, key=lambda k: k.pk)]
    receipts = {getattr(k, "receipt_line", None) and k.receipt_line.receipt_id for k in locked}
    if len(receipts) == 1 and None not in receipts:
        return KeyReceipt.objects.get(pk=receipts.pop())  # already issued together
    if not UnitHandover.objects.filter(unit=unit).exists():
        raise InvalidTransition(
            _(
                "The hand-over of unit %(unit)s is not recorded yet: move-in keys are issued only after the hand-over formalities."
            )
            % {"unit": unit.code}
        )
    if owner.unit_id != unit.pk or owner.role != Resident.Role.OWNER:
        raise ValidationError({"owner": _("Choose an owner registered for this unit.")})
    if not identity_checked:
        raise ValidationError({"identity_checked": _("Check the owner's identity first.")})
    id_last4 = _check_id_last4(owner_id_last4, "owner_id_last4")
    for key in locked:
        if key.unit_id != unit.pk or key.kind != Key.Kind.DEVELOPER:
            raise ValidationError(
                {
                    "keys": _("Key %(tag)s is not a developer key of this unit.")
                    % {"tag": key.tag_code}
                }
            )
        if key.state != Key.State.IN_CABINET:
            raise InvalidTransition(
                _("Key %(tag)s is %(state)s, not in the cabinet.")
                % {"tag": key.tag_code, "state": key.get_state_display()}
            )
        if key.loans.filter(closed_at__isnull=True).exists():
            raise InvalidTransition(
                _("Key %(tag)s still has an open loan.") % {"tag": key.tag_code}
            )
    receipt = KeyReceipt.objects.create(
        estate_id=unit.estate_id,
        unit=unit,
        owner=owner,
        owner_id_last4=id_last4,
        issued_at=at,
        issued_by=actor,
    )
    for key in locked:
        KeyReceiptLine.objects.create(receipt=receipt, key=key, count=key.count)
        key.state, key.in_cabinet_count = Key.State.RETURNED_TO_OWNER, 0
        key.save(update_fields=["state", "in_cabinet_count"])
        _event(
            key,
            KeyEvent.Kind.ISSUED_TO_OWNER,
            at=at,
            actor=actor,
            from_party=_("Cabinet slot %(slot)s") % {"slot": key.slot},
            to_party=_("Owner %(name)s") % {"name": owner.name},
            reason=_("Move-in, receipt %(number)s") % {"number": receipt.number},
            count=key.count,
        )
    return receipt


# --- loans ------------------------------------------------------------------------------------


def _check_due(estate, lent_at, due_at, approved_by):
    due_at = due_at or rules.default_due(lent_at)
    if due_at <= lent_at:
        raise ValidationError({"due_at": _("The key must be due back after it is lent.")})
    max_days = estate.service_settings.key_loan_max_days
    if rules.loan_needs_approval(lent_at, due_at, max_days):
        if approved_by is None:
            limit = timezone.localtime(rules.latest_due_without_approval(lent_at, max_days))
            raise ValidationError(
                {
                    "due_at": _(
                        "A loan due back after %(limit)s (more than %(days)s days) needs a supervisor's approval."
                    )
                    % {"limit": limit.strftime("%Y-%m-%d %H:%M"), "days": max_days}
                }
            )
        if not has_estate_role(approved_by, estate, APPROVE_ROLES):
            raise ValidationError(
                {
                    "approved_by": _(
                        "Only a customer-service supervisor or the project manager may approve a longer loan."
                    )
                }
            )
        return due_at, approved_by
    return due_at, None


def _open_deadline(loan: KeyLoan, at) -> None:
    deadline = deadline_open(
        subject=loan,
        estate=loan.estate,
        kind=LOAN_RETURN,
        started_at=at,
        rule={"unit": "at", "due_at": loan.due_at.isoformat()},
        now=at,
    )
    configure_loan_deadline(deadline)


@transaction.atomic
def loan_lend(
    *,
    key: Key,
    count,
    reason: str,
    phone: str,
    actor,
    borrower_staff=None,
    borrower_person: ContractorPerson | None = None,
    related_ref: str = "",
    due_at: dt.datetime | None = None,
    approved_by=None,
    approval_note: str = "",
    at: dt.datetime | None = None,
) -> KeyLoan:
    """Lend a key to a staff member or a contractor's registered responsible person."""
    at = at or timezone.now()
    key = _lock_key(key)
    estate = key.estate
    require(actor, estate, DESK_ROLES)
    open_loan = key.loans.filter(closed_at__isnull=True).select_related("key").first()
    if open_loan is not None:
        raise InvalidTransition(_open_loan_message(open_loan, at), code="already_on_loan")
    if key.state != Key.State.IN_CABINET:
        raise InvalidTransition(
            _("Key %(tag)s is %(state)s and cannot be lent.")
            % {"tag": key.tag_code, "state": key.get_state_display()},
            code="not_lendable",
        )
    if key.incidents.exclude(status=KeyIncident.Status.CLOSED).exists():
        raise InvalidTransition(
            _("Key %(tag)s has an open lost or damaged report and cannot be lent.")
            % {"tag": key.tag_code},
            code="not_lendable",
        )
    if (borrower_staff is None) == (borrower_person is None):
        raise ValidationError(
            {
                "borrower": _(
                    "Choose one borrower: a staff member or a contractor's responsible person."
                )
            }
        )
    if borrower_staff is not None:
        if not works_for(borrower_staff, estate):
            raise ValidationError(
                {"borrower_staff": _("The borrower does not work for this estate.")}
            )
        kind, name = KeyLoan.BorrowerKind.STAFF, person(borrower_staff)
    else:
        borrower_person = ContractorPerson.objects.select_related("contractor").get(
            pk=borrower_person.pk
        )
        if (
            borrower_person.contractor.estate_id != estate.pk
            or not borrower_person.active
            or not borrower_person.contractor.active
        ):
            raise ValidationError(
                {
                    "borrower_person": _(
                        "Only a registered, active responsible person of a contractor working in this estate may borrow keys."
                    )
                }
            )
        kind = KeyLoan.BorrowerKind.CONTRACTOR
        name = f"{borrower_person.name} ({borrower_person.contractor.name})"
    count = _check_count(count, most=key.count)
    phone = _check_phone(phone, "phone")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the key is borrowed.")})
    due_at, approved_by = _check_due(estate, at, due_at, approved_by)
    try:
        with transaction.atomic():
            loan = KeyLoan.objects.create(
                estate=estate,
                key=key,
                borrower_kind=kind,
                borrower_staff=borrower_staff,
                borrower_person=borrower_person,
                borrower_name=name,
                borrower_phone=phone,
                reason=reason,
                related_ref=(related_ref or "").strip(),
                count=count,
                lent_at=at,
                lent_by=actor,
                due_at=due_at,
                approved_by=approved_by,
                approval_note=(approval_note or "").strip() if approved_by else "",
            )
    except IntegrityError as exc:  # the database's one-open-loan rule caught a race
        if "key_one_open_loan" not in str(exc):
            raise
        other = (
            KeyLoan.objects.filter(key=key, closed_at__isnull=True).select_related("key").first()
        )
        raise InvalidTransition(
            _open_loan_message(other, at)
            if other
            else _("Key %(tag)s is already on loan.") % {"tag": key.tag_code},
            code="already_on_loan",
        ) from exc
    key.in_cabinet_count -= count
    key.state = Key.State.ON_LOAN
    key.save(update_fields=["in_cabinet_count", "state"])
    _event(
        key,
        KeyEvent.Kind.LENT,
        at=at,
        actor=actor,
        from_party=_("Cabinet slot %(slot)s") % {"slot": key.slot},
        to_party=name,
        reason=reason,
        count=count,
        loan=loan,
    )
    _open_deadline(loan, at)
    return loan


@transaction.atomic
def loan_return(*, loan: KeyLoan, count, actor, at: dt.datetime | None = None) -> KeyLoan:
    """Take a key back: the count must match the loan. A contractor's loan then waits for the
    unit inspection; a staff loan closes."""
    at = at or timezone.now()
    key = _lock_key(loan.key_id)
    loan = KeyLoan.objects.select_for_update().get(pk=loan.pk)
    if loan.status != KeyLoan.Status.OUT:
        return loan  # already back
    require(actor, key.estate, DESK_ROLES)
    try:
        counted = int(count)
    except (TypeError, ValueError):
        raise ValidationError({"count": _("Enter how many keys you counted.")}) from None
    if counted != loan.count:
        raise ValidationError(
            {
                "count": _(
                    "Counted %(counted)s keys but %(lent)s were lent. Count again; if a key is missing, report it lost."
                )
                % {"counted": counted, "lent": loan.count}
            }
        )
    loan.returned_at, loan.returned_count, loan.received_by = at, counted, actor
    fields = ["returned_at", "returned_count", "received_by", "status"]
    if loan.is_contractor:
        loan.status = KeyLoan.Status.AWAITING_INSPECTION
    else:
        loan.status, loan.closed_at = KeyLoan.Status.CLOSED, at
        fields.append("closed_at")
    loan.save(update_fields=fields)
    key.in_cabinet_count += counted
    if key.in_cabinet_count == key.count:
        key.state = Key.State.IN_CABINET
    key.save(update_fields=["in_cabinet_count", "state"])
    _event(
        key,
        KeyEvent.Kind.RETURNED,
        at=at,
        actor=actor,
        from_party=loan.borrower_name,
        to_party=_("Cabinet slot %(slot)s, received by %(name)s")
        % {"slot": key.slot, "name": person(actor)},
        reason=_("Count checked")
        if not loan.is_contractor
        else _("Count checked; unit inspection due"),
        count=counted,
        loan=loan,
    )
    deadline_meet(subject=loan, kind=LOAN_RETURN, at=at)
    if loan.is_contractor:
        notify(
            staff_of(key.estate, Role.PATROL),
            title=_("Inspect unit %(unit)s after a contractor's key loan") % {"unit": key.opens},
            body=_(
                "%(name)s returned key %(tag)s. The loan closes when the unit passes the inspection."
            )
            % {"name": loan.borrower_name, "tag": key.tag_code},
            url=loan.get_absolute_url(),
            estate=key.estate,
            dedupe_key=f"keyloan:{loan.pk}:inspect:{at.isoformat()}",
        )
    return loan


@transaction.atomic
def loan_inspect(
    *,
    loan: KeyLoan,
    facilities_intact: bool,
    clean: bool,
    actor,
    notes: str = "",
    rectification: str = "",
    at: dt.datetime | None = None,
) -> LoanInspection:
    """The patrol guard's inspection after a contractor's loan: pass closes the loan, a failure
    raises a rectification item and the loan waits for re-inspection."""
    at = at or timezone.now()
    key = _lock_key(loan.key_id)
    loan = (
        KeyLoan.objects.select_for_update(of=("self",))
        .select_related("borrower_person__contractor")
        .get(pk=loan.pk)
    )
    require(actor, key.estate, INSPECT_ROLES)
    if not loan.is_contractor:
        raise InvalidTransition(_("Only a contractor's loan needs a unit inspection."))
    if loan.status == KeyLoan.Status.OUT:
        raise InvalidTransition(
            _("The key is still out with %(name)s; record its return first.")
            % {"name": loan.borrower_name}
        )
    if loan.status == KeyLoan.Status.CLOSED:
        raise InvalidTransition(_("This loan is already closed."))
    passed = bool(facilities_intact) and bool(clean)
    if not passed and loan.status == KeyLoan.Status.RECTIFYING:
        # Already failed, and the key has not been back with the contractor since: a repeated
        # submit of the same failure, not a new inspection.
        last = loan.inspections.filter(passed=False).order_by("-inspected_at", "-pk").first()
        if last is not None and (loan.returned_at is None or last.inspected_at >= loan.returned_at):
            return last
    rectification = (rectification or "").strip()
    if not passed and not rectification:
        raise ValidationError({"rectification": _("Describe what the contractor must put right.")})
    inspection = LoanInspection.objects.create(
        loan=loan,
        inspected_at=at,
        inspector=actor,
        facilities_intact=bool(facilities_intact),
        clean=bool(clean),
        passed=passed,
        notes=(notes or "").strip(),
    )
    if passed:
        loan.rectifications.filter(cleared_at__isnull=True).update(
            cleared_by=inspection, cleared_at=at
        )
        loan.status, loan.closed_at = KeyLoan.Status.CLOSED, at
        loan.close_note = _("Unit inspection passed")
        loan.save(update_fields=["status", "closed_at", "close_note"])
    else:
        Rectification.objects.create(loan=loan, raised_by=inspection, description=rectification)
        loan.status = KeyLoan.Status.RECTIFYING
        loan.save(update_fields=["status"])
    _event(
        key,
        KeyEvent.Kind.INSPECTED,
        at=at,
        actor=actor,
        to_party=loan.borrower_name,
        reason=(_("Passed") if passed else _("Failed: %(what)s") % {"what": rectification})
        + (f" — {inspection.notes}" if inspection.notes else ""),
        loan=loan,
    )
    if passed:
        _event(
            key,
            KeyEvent.Kind.LOAN_CLOSED,
            at=at,
            actor=actor,
            to_party=loan.borrower_name,
            reason=loan.close_note,
            loan=loan,
        )
    else:
        contact = loan.borrower_person.contractor.liaison or loan.lent_by
        notify(
            [contact],
            title=_("Rectification needed: unit %(unit)s") % {"unit": key.opens},
            body=_("The inspection after %(name)s's key loan failed: %(what)s")
            % {"name": loan.borrower_name, "what": rectification},
            url=loan.get_absolute_url(),
            estate=key.estate,
            dedupe_key=f"keyloan:{loan.pk}:rectify:{inspection.pk}",
        )
    return inspection


@transaction.atomic
def loan_reissue(
    *,
    loan: KeyLoan,
    actor,
    due_at: dt.datetime | None = None,
    approved_by=None,
    at: dt.datetime | None = None,
) -> KeyLoan:
    """Lend the key again to the same responsible person so the contractor can rectify."""
    at = at or timezone.now()
    key = _lock_key(loan.key_id)
    loan = KeyLoan.objects.select_for_update().get(pk=loan.pk)
    require(actor, key.estate, DESK_ROLES)
    if loan.status != KeyLoan.Status.RECTIFYING:
        raise InvalidTransition(
            _("The key goes back to the contractor only while a rectification is open.")
        )
    if key.state != Key.State.IN_CABINET:
        raise InvalidTransition(
            _("Key %(tag)s is %(state)s and cannot be lent.")
            % {"tag": key.tag_code, "state": key.get_state_display()}
        )
    due_at, approved_by = _check_due(key.estate, at, due_at, approved_by)
    loan.status, loan.due_at = KeyLoan.Status.OUT, due_at
    loan.approved_by = approved_by or loan.approved_by
    loan.save(update_fields=["status", "due_at", "approved_by"])
    key.in_cabinet_count -= loan.count
    key.state = Key.State.ON_LOAN
    key.save(update_fields=["in_cabinet_count", "state"])
    _event(
        key,
        KeyEvent.Kind.LENT,
        at=at,
        actor=actor,
        from_party=_("Cabinet slot %(slot)s") % {"slot": key.slot},
        to_party=loan.borrower_name,
        reason=_("Back to the contractor to rectify"),
        count=loan.count,
        loan=loan,
    )
    _open_deadline(loan, at)
    return loan


# --- lost or damaged --------------------------------------------------------------------------


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
    key = _lock_key(key)
    require(actor, key.estate, DESK_ROLES)
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
    if kind == KeyIncident.Kind.LOST:
        loan = key.loans.filter(status=KeyLoan.Status.OUT).first()
        holder = loan.borrower_name if loan else _("Cabinet slot %(slot)s") % {"slot": key.slot}
        if loan is not None:
            loan = KeyLoan.objects.select_for_update().get(pk=loan.pk)
            loan.status, loan.closed_at, loan.returned_count = KeyLoan.Status.CLOSED, at, 0
            loan.close_note = _("Key reported lost")
            loan.save(update_fields=["status", "closed_at", "returned_count", "close_note"])
            deadline_cancel(subject=loan, kind=LOAN_RETURN, at=at)
        key.state, key.in_cabinet_count = Key.State.LOST, 0
        key.save(update_fields=["state", "in_cabinet_count"])
        _event(
            key,
            KeyEvent.Kind.REPORTED_LOST,
            at=at,
            actor=actor,
            from_party=holder,
            reason=description,
            count=key.count,
            loan=loan,
        )
    else:
        _event(key, KeyEvent.Kind.REPORTED_DAMAGED, at=at, actor=actor, reason=description)
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
    key = _lock_key(incident.key_id)
    incident = KeyIncident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != KeyIncident.Status.REPORTED:
        return incident
    require(actor, key.estate, DESK_ROLES)
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
    _event(
        key,
        KeyEvent.Kind.OWNER_CONSENT,
        at=at,
        actor=actor,
        from_party=consent_by,
        reason=consent_how,
    )
    return incident


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
    key = _lock_key(incident.key_id)
    incident = KeyIncident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == KeyIncident.Status.CLOSED:
        return incident
    require(actor, key.estate, DESK_ROLES)
    if incident.status != KeyIncident.Status.CONSENTED:
        raise InvalidTransition(_("Record the owner's consent before the lock change."))
    if key.state == Key.State.ON_LOAN:
        raise InvalidTransition(_("The damaged key is out on loan; take it back first."))
    lock_changed_by = (lock_changed_by or "").strip()
    if not lock_changed_by:
        raise ValidationError({"lock_changed_by": _("Name who changed the lock.")})
    new_count = _check_count(new_count, "new_count")
    new_slot = _check_slot_free(key.estate, (new_slot or "").strip() or key.slot, exclude=key)
    tag = (new_tag_code or "").strip().upper()
    if tag and not TAG_RE.match(tag):
        raise ValidationError(
            {"new_tag_code": _("A tag code has no spaces or slashes, e.g. 3-2-1502-K1.")}
        )
    _event(
        key,
        KeyEvent.Kind.LOCK_CHANGED,
        at=at,
        actor=actor,
        from_party=lock_changed_by,
        reason=incident.description,
    )
    key.state, key.in_cabinet_count = Key.State.RETIRED, 0
    key.save(update_fields=["state", "in_cabinet_count"])
    _event(
        key, KeyEvent.Kind.RETIRED, at=at, actor=actor, reason=_("Lock changed"), count=key.count
    )
    tag = tag or _next_tag(key.estate, key.unit, key.area)
    new_key = _create_key(
        estate=key.estate,
        tag_code=tag,
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
        old = Entrustment.objects.filter(key=key).first()
        if old is not None:
            Entrustment.objects.create(
                estate_id=key.estate_id,
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
    _event(
        new_key,
        KeyEvent.Kind.REGISTERED,
        at=at,
        actor=actor,
        from_party=lock_changed_by,
        to_party=_("Cabinet slot %(slot)s") % {"slot": new_slot},
        reason=_("New lock; replaces key %(tag)s") % {"tag": key.tag_code},
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


# --- contractors ------------------------------------------------------------------------------


@transaction.atomic
def contractor_register(*, estate, name: str, phone: str = "", liaison=None, actor) -> Contractor:
    require(actor, estate, DESK_ROLES)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the company name.")})
    if phone:
        phone = _check_phone(phone, "phone")
    if liaison is not None and not works_for(liaison, estate):
        raise ValidationError({"liaison": _("The contact person does not work for this estate.")})
    contractor, created = Contractor.objects.get_or_create(
        estate=estate, name=name, defaults={"phone": phone, "liaison": liaison}
    )
    return contractor


@transaction.atomic
def contractor_person_register(
    *, contractor: Contractor, name: str, phone: str, id_last4: str, actor
) -> ContractorPerson:
    require(actor, contractor.estate, DESK_ROLES)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the responsible person's name.")})
    phone = _check_phone(phone, "phone")
    id_last4 = _check_id_last4(id_last4, "id_last4")
    existing = contractor.people.filter(name=name, phone=phone).first()
    if existing is not None:
        return existing
    return ContractorPerson.objects.create(
        contractor=contractor, name=name, phone=phone, id_last4=id_last4
    )


# --- vacant units -----------------------------------------------------------------------------


def vacant_units_with_keys(estate):
    """Unoccupied units (vacant or sold, not moved in) whose keys the office holds."""
    return (
        Unit.objects.filter(
            estate=estate,
            status__in=[Unit.Status.VACANT, Unit.Status.SOLD],
            keys__state__in=Key.HELD_STATES,
        )
        .distinct()
        .order_by("code")
    )


@transaction.atomic
def vacant_plan_generate(*, estate, month: dt.date, actor) -> int:
    """The month's inspection plan: each unoccupied unit whose key we hold, spread over the
    month's working days. Idempotent: units already planned keep their dates."""
    if not (
        has_estate_role(actor, estate, DESK_ROLES) or has_estate_role(actor, estate, INSPECT_ROLES)
    ):
        require(actor, estate, DESK_ROLES)
    month = rules.first_of_month(month)
    cal = WorkCalendar()
    days, day = [], month
    while day.month == month.month:
        if cal.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    units = list(vacant_units_with_keys(estate))
    planned = set(
        VacantInspection.objects.filter(estate=estate, month=month).values_list(
            "unit_id", flat=True
        )
    )
    todo = [u for u in units if u.pk not in planned]
    created = 0
    for unit, on in rules.spread_over(todo, days or [month]):
        _obj, was_created = VacantInspection.objects.get_or_create(
            unit=unit, month=month, defaults={"estate": estate, "planned_on": on}
        )
        created += was_created
    return created


@transaction.atomic
def vacant_inspection_record(
    *,
    inspection: VacantInspection,
    clean: bool,
    facilities_ok: bool,
    actor,
    problem: str = "",
    referred_to: str = "",
    at: dt.datetime | None = None,
) -> VacantInspection:
    at = at or timezone.now()
    inspection = (
        VacantInspection.objects.select_for_update().select_related("estate").get(pk=inspection.pk)
    )
    if inspection.inspected_at:
        return inspection
    if not has_estate_role(actor, inspection.estate, INSPECT_ROLES):
        require(actor, inspection.estate, DESK_ROLES)
    problem, referred_to = (problem or "").strip(), (referred_to or "").strip()
    if (not clean or not facilities_ok or problem) and not (problem and referred_to):
        raise ValidationError(
            {
                "problem": _(
                    "Describe the problem and the department it goes to; it is followed until fixed."
                )
            }
        )
    inspection.inspected_at, inspection.inspected_by = at, actor
    inspection.clean, inspection.facilities_ok = bool(clean), bool(facilities_ok)
    inspection.problem, inspection.referred_to = problem, referred_to
    inspection.save(
        update_fields=[
            "inspected_at",
            "inspected_by",
            "clean",
            "facilities_ok",
            "problem",
            "referred_to",
        ]
    )
    return inspection


@transaction.atomic
def vacant_problem_resolve(
    *, inspection: VacantInspection, actor, at: dt.datetime | None = None
) -> VacantInspection:
    at = at or timezone.now()
    inspection = (
        VacantInspection.objects.select_for_update().select_related("estate").get(pk=inspection.pk)
    )
    if inspection.resolved_at or not inspection.problem:
        return inspection
    if not has_estate_role(actor, inspection.estate, INSPECT_ROLES):
        require(actor, inspection.estate, DESK_ROLES)
    inspection.resolved_at = at
    inspection.save(update_fields=["resolved_at"])
    return inspection
