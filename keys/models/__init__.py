"""The key cabinet's models (钥匙管理, docs/domain.md, Keys), one module per family.

PostgreSQL enforces what must never happen: two open loans of one key, negative counts, a lost or
retired key lent, a ledger event edited or deleted (migration 0002).
"""

from keys.models.cabinet import Key, KeyQuerySet
from keys.models.contractors import Contractor, ContractorPerson
from keys.models.incidents import KeyIncident
from keys.models.ledger import PARTIES, REASONS, KeyEvent, coded
from keys.models.loans import KeyLoan, LoanInspection, Rectification
from keys.models.owners import Entrustment, KeyReceipt, KeyReceiptLine, OwnerCall
from keys.models.vacant import VacantInspection

__all__ = [
    "PARTIES",
    "REASONS",
    "Contractor",
    "ContractorPerson",
    "Entrustment",
    "Key",
    "KeyEvent",
    "KeyIncident",
    "KeyLoan",
    "KeyQuerySet",
    "KeyReceipt",
    "KeyReceiptLine",
    "LoanInspection",
    "OwnerCall",
    "Rectification",
    "VacantInspection",
    "coded",
]
