"""What every key-cabinet service shares: locking a key, writing a ledger event, checking the
typed values (docs/architecture.md, "A request that changes something"; docs/domain.md,
Keys).

The helpers here run inside the calling service's transaction: `lock_key` asserts it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keys.models import Key, KeyEvent, KeyLoan
from propserv.phones import phone_validator

ID_LAST4_RE = re.compile(r"^\d{3}[\dXx]$")
TAG_RE = re.compile(r"^[^\s/?#%]{1,40}$")  # printed and put in a URL: no spaces or slashes
# Every refusal of a key-cabinet service for a role that may not (check_actor's message).
NOT_ALLOWED = gettext_lazy("You may not do this in the key cabinet.")


def in_transaction() -> None:
    """The private helpers change rows the caller locked: they run inside its transaction."""
    assert transaction.get_connection().in_atomic_block, "call inside the service's transaction"


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def since(moment: dt.datetime, now: dt.datetime) -> str:
    """HH:MM for today, MM-DD HH:MM for an earlier day."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%m-%d %H:%M")


def record_event(key: Key, kind: str, *, at, actor, **fields) -> KeyEvent:
    """Append one event to the key's ledger (see KeyEvent.record)."""
    in_transaction()
    return KeyEvent.record(key, kind, at=at, actor=actor, **fields)


def lock_key(key: Key | int) -> Key:
    """The key row, locked for the rest of the caller's transaction."""
    in_transaction()
    pk = key.pk if isinstance(key, Key) else key
    return Key.objects.select_for_update(of=("self",)).select_related("estate", "unit").get(pk=pk)


def check_id_last4(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    if not ID_LAST4_RE.match(value):
        raise ValidationError(
            {field: _("Enter the last 4 characters of the identity card, e.g. 1234 or 123X.")}
        )
    return value


def check_phone(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("Enter the borrower's phone number.")})
    try:
        phone_validator(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return value


def check_count(count, field: str = "count", most: int | None = None) -> int:
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of keys.")}) from None
    if count < 1:
        raise ValidationError({field: _("The number of keys must be at least 1.")})
    if most is not None and count > most:
        raise ValidationError({field: _("The bunch holds only %(most)s keys.") % {"most": most}})
    return count


def check_tag(tag_code: str, field: str) -> str:
    tag_code = (tag_code or "").strip().upper()
    if tag_code and not TAG_RE.match(tag_code):
        raise ValidationError({field: _("A tag code has no spaces or slashes, e.g. 3-2-1502-K1.")})
    return tag_code


def check_slot_free(estate, slot: str, *, exclude: Key | None = None) -> str:
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


def next_tag(estate, unit) -> str:
    """The next free tag code: 3-2-1502-K2 for a unit's key, C-007 for a common area's."""
    if unit is not None:
        n = Key.objects.filter(estate=estate, unit=unit).count() + 1

        def make(n: int) -> str:
            return f"{unit.code}-K{n}".upper()
    else:
        n = Key.objects.filter(estate=estate, unit__isnull=True).count() + 1

        def make(n: int) -> str:
            return f"C-{n:03d}"

    while Key.objects.filter(estate=estate, tag_code=make(n)).exists():
        n += 1
    return make(n)


def create_key(**fields) -> Key:
    """Insert a key; a lost race on a tag or slot becomes a clear error, not a 500."""
    in_transaction()
    try:
        with transaction.atomic():
            return Key.objects.create(**fields)
    except IntegrityError as exc:
        if "key_slot_holds_one_key" in str(exc):
            raise ValidationError({"slot": _("This cabinet slot was just taken.")}) from exc
        if "key_tag_unique" in str(exc):
            raise ValidationError({"tag_code": _("This tag code is already in use.")}) from exc
        raise


def save_key_slot(key: Key, fields: list[str]) -> None:
    """Save a key that takes a cabinet slot; a slot taken by a racing request in the meantime
    becomes a clear error on the slot field, not a 500."""
    in_transaction()
    try:
        with transaction.atomic():
            key.save(update_fields=fields)
    except IntegrityError as exc:
        if "key_slot_holds_one_key" in str(exc):
            raise ValidationError({"slot": _("This cabinet slot was just taken.")}) from exc
        raise


def open_loan_message(loan: KeyLoan, now) -> str:
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
