"""The fees models, one module per family (docs/domain.md, "Fees")."""

from fees.models.accounts import Account, OwnerChange
from fees.models.arrears import ArrearsNotice, Reminder
from fees.models.cashdesk import DayClose
from fees.models.charges import BillingRun, Charge, ClosedPeriod
from fees.models.common import CENT, money_field, month_start
from fees.models.ledger import LedgerEntry
from fees.models.payments import Allocation, Counter, Method, Payment
from fees.models.tariffs import ChargeItem, Subscription, Tariff

__all__ = [
    "CENT",
    "Account",
    "Allocation",
    "ArrearsNotice",
    "BillingRun",
    "Charge",
    "ChargeItem",
    "ClosedPeriod",
    "Counter",
    "DayClose",
    "LedgerEntry",
    "Method",
    "OwnerChange",
    "Payment",
    "Reminder",
    "Subscription",
    "Tariff",
    "money_field",
    "month_start",
]
