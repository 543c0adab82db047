"""What every fees service shares (docs/architecture.md, "A request that changes something";
docs/domain.md, "Fees"): the account lock, the gapless counters, the ledger append.

The helpers run inside the calling service's transaction. Lock order, always: the unit's
account, then its charges and payments (by id), then the counter row — so concurrent writers
queue instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fees import selectors
from fees.models import Account, Counter, DayClose, LedgerEntry
from propserv.errors import InvalidTransition
from propserv.models import Unit

NOT_ALLOWED = gettext_lazy("Your role may not do this in fees.")


def in_transaction() -> None:
    assert transaction.get_connection().in_atomic_block, "call inside the service's transaction"


def lock_account(unit: Unit) -> Account:
    """The unit's account row, created on first use and locked for the caller's transaction."""
    in_transaction()
    account = Account.objects.select_for_update().filter(pk=unit.pk).first()
    if account is None:
        Account.objects.bulk_create(
            [Account(unit_id=unit.pk, estate_id=unit.estate_id)], ignore_conflicts=True
        )
        account = Account.objects.select_for_update().get(pk=unit.pk)
    return account


def lock_cash_day(estate_id: int, cashier_id: int, day: dt.date, *, close: bool = False) -> None:
    """The lock of one cashier's day: every money movement of the day takes it shared, the close
    takes it alone — so a close waits for the payments in flight and reads them, and a payment
    that comes after the close sees it (and is refused). Held until the transaction ends."""
    in_transaction()
    lock = "pg_advisory_xact_lock" if close else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {lock}(hashtextextended(%s, 0))",
            [f"fees.cash-day:{estate_id}:{cashier_id}:{day.isoformat()}"],
        )


def refuse_closed_day(estate_id: int, cashier_id: int, day: dt.date) -> None:
    """Under the day's shared lock: a closed day takes no more money movements."""
    lock_cash_day(estate_id, cashier_id, day)
    if DayClose.objects.filter(estate_id=estate_id, cashier_id=cashier_id, day=day).exists():
        raise InvalidTransition(
            _("Your cash-desk day %(day)s is closed: nothing more can be taken or paid out on it.")
            % {"day": day.strftime("%Y-%m-%d")},
            code="day_closed",
        )


def next_number(estate, kind: str, year: int) -> int:
    """The next number of `kind` for the estate and year. The counter row stays locked until the
    caller's transaction ends: a rollback gives the number back, so numbers have no gaps."""
    in_transaction()
    estate_id = getattr(estate, "pk", estate)
    sql = (
        f"UPDATE {Counter._meta.db_table} SET last = last + 1 "  # noqa: S608  # nosec B608 - a table name from the model
        "WHERE estate_id = %s AND kind = %s AND year = %s RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [estate_id, kind, year])
        row = cursor.fetchone()
        if row is None:  # the estate's first of the year: the row, then the same update
            Counter.objects.bulk_create(
                [Counter(estate_id=estate_id, kind=kind, year=year, last=0)],
                ignore_conflicts=True,
            )
            cursor.execute(sql, [estate_id, kind, year])
            row = cursor.fetchone()
    return row[0]


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
