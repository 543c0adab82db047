"""Closing a cashier's day (finance): the cash counted against the cash expected; a difference
must be explained (docs/domain.md, "Fees"). The close is the hand-over to finance and what the
deposit slip prints."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fees import rules, selectors
from fees.models import DayClose
from fees.services.common import NOT_ALLOWED, lock_cash_day
from propserv.access import check_actor
from propserv.errors import InvalidTransition
from propserv.roles import FEE_FINANCE


def day_close(
    *, estate, cashier, day: dt.date, counted_cash, actor, explanation: str = ""
) -> DayClose:
    check_actor(actor, estate=estate, roles=FEE_FINANCE, message=NOT_ALLOWED)
    counted = rules.check_amount(counted_cash, field="counted_cash", allow_zero=True)
    explanation = (explanation or "").strip()
    try:
        with transaction.atomic():
            # The day's lock, alone: payments of this cashier and day still in flight finish
            # first (and are read below); later ones see the close and are refused.
            lock_cash_day(estate.pk, cashier.pk, day, close=True)
            return _close(estate, cashier, day, counted, explanation, actor)
    except IntegrityError:  # closed at the same moment by someone else
        raise InvalidTransition(_("This cashier's day is already closed.")) from None


def _close(estate, cashier, day, counted, explanation, actor) -> DayClose:
    row = next((r for r in selectors.takings(estate, day) if r["cashier"].pk == cashier.pk), None)
    if row is None:
        raise ValidationError({"cashier": _("This cashier took no payment that day.")})
    if row["closed"] is not None:
        raise InvalidTransition(_("This cashier's day is already closed."))
    if counted != row["expected_cash"] and not explanation:
        raise ValidationError(
            {
                "explanation": _(
                    "The cash counted (¥%(counted)s) differs from the cash expected (¥%(expected)s): explain the difference to close the day."
                )
                % {"counted": counted, "expected": row["expected_cash"]}
            }
        )
    return DayClose.objects.create(
        estate=estate,
        cashier=cashier,
        day=day,
        expected_cash=row["expected_cash"],
        counted_cash=counted,
        explanation=explanation[:200],
        closed_by=actor,
        takings={k: str(v) for k, v in row["by_method"].items()},
    )
