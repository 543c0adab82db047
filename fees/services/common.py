"""What every fees service shares (docs/architecture.md, "A request that changes something";
docs/domain.md, "Fees"): the account lock, the gapless counters, the ledger append.

The helpers run inside the calling service's transaction. Lock order, always: the unit's
account, then its charges and payments (by id), then the counter row — so concurrent writers
queue instead of deadlocking.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy

from fees import selectors
from fees.models import Account, Counter, LedgerEntry
from propserv.models import Unit

NOT_ALLOWED = gettext_lazy("Your role may not do this in fees.")


def in_transaction() -> None:
    assert transaction.get_connection().in_atomic_block, "call inside the service's transaction"


def lock_account(unit: Unit) -> Account:
    """The unit's account row, created on first use and locked for the caller's transaction."""
    in_transaction()
    Account.objects.bulk_create(
        [Account(unit_id=unit.pk, estate_id=unit.estate_id)], ignore_conflicts=True
    )
    return Account.objects.select_for_update().get(pk=unit.pk)


def next_number(estate, kind: str, year: int) -> int:
    """The next number of `kind` for the estate and year. The counter row stays locked until the
    caller's transaction ends: a rollback gives the number back, so numbers have no gaps."""
    in_transaction()
    Counter.objects.bulk_create(
        [Counter(estate=estate, kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    counter = Counter.objects.select_for_update().get(estate=estate, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def append(unit: Unit, kind: str, amount: Decimal, *, at, actor=None, **fields) -> LedgerEntry:
    """One ledger row; the sign comes from the kind (charges and give-backs owe, payments and
    cancellations credit)."""
    in_transaction()
    signed = abs(amount) if kind in LedgerEntry.DEBITS else -abs(amount)
    return LedgerEntry.objects.create(
        estate_id=unit.estate_id, unit=unit, kind=kind, amount=signed, at=at, actor=actor, **fields
    )


# What the unit owes (negative: credit held): the sum of its ledger. One definition, the
# selector's.
balance_of = selectors.balance
