"""Lending keys (钥匙借用登记表): to a staff member or a contractor's registered responsible
person, due back the same day unless a supervisor approves longer (docs/domain.md, Keys)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keys import rules
from keys.models import ContractorPerson, Key, KeyEvent, KeyIncident, KeyLoan, coded
from keys.services.common import (
    NOT_ALLOWED,
    check_count,
    check_phone,
    in_transaction,
    lock_key,
    open_loan_message,
    person,
    record_event,
)
from keys.sla import LOAN_RETURN
from propserv.access import check_actor, may, works_for
from propserv.deadlines import deadline_open
from propserv.errors import InvalidTransition
from propserv.roles import KEY_DESK, KEY_LOAN_APPROVERS


def check_due(estate, lent_at, due_at, approved_by):
    """(due_at, approver): the end of the day by default; past the estate's limit only with a
    supervisor's or the project manager's approval."""
    due_at = due_at or rules.default_due(lent_at)
    if due_at <= lent_at:
        raise ValidationError({"due_at": _("The key must be due back after it is lent.")})
    max_days = estate.service_settings.key_loan_max_days
    if not rules.loan_needs_approval(lent_at, due_at, max_days):
        return due_at, None
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
    if not may(approved_by, estate, KEY_LOAN_APPROVERS):
        raise ValidationError(
            {
                "approved_by": _(
                    "Only a customer-service supervisor or the project manager may approve a longer loan."
                )
            }
        )
    return due_at, approved_by


def open_return_deadline(loan: KeyLoan, at) -> None:
    """The overdue chase of the loan; its ladder comes from KeyLoanReturnPolicy (keys.sla)."""
    in_transaction()
    deadline_open(
        subject=loan,
        estate=loan.estate,
        kind=LOAN_RETURN,
        started_at=at,
        rule={"unit": "at", "due_at": loan.due_at.isoformat()},
        now=at,
    )


def _borrower(estate, borrower_staff, borrower_person):
    """(kind, name, person) of the one borrower, checked against the estate."""
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
        return KeyLoan.BorrowerKind.STAFF, person(borrower_staff), None
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
    name = f"{borrower_person.name} ({borrower_person.contractor.name})"
    return KeyLoan.BorrowerKind.CONTRACTOR, name, borrower_person


def check_lendable(key: Key, at) -> None:
    """Refuse (InvalidTransition) unless `key` sits in the cabinet, free to lend."""
    open_loan = key.loans.filter(closed_at__isnull=True).select_related("key").first()
    if open_loan is not None:
        raise InvalidTransition(open_loan_message(open_loan, at), code="already_on_loan")
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
    key = lock_key(key)
    estate = key.estate
    check_actor(actor, estate=estate, roles=KEY_DESK, message=NOT_ALLOWED)
    check_lendable(key, at)
    kind, name, borrower_person = _borrower(estate, borrower_staff, borrower_person)
    count = check_count(count, most=key.count)
    phone = check_phone(phone, "phone")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the key is borrowed.")})
    due_at, approved_by = check_due(estate, at, due_at, approved_by)
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
            open_loan_message(other, at)
            if other
            else _("Key %(tag)s is already on loan.") % {"tag": key.tag_code},
            code="already_on_loan",
        ) from exc
    key.in_cabinet_count -= count
    key.state = Key.State.ON_LOAN
    key.save(update_fields=["in_cabinet_count", "state"])
    record_event(
        key,
        KeyEvent.Kind.LENT,
        at=at,
        actor=actor,
        source=coded("slot", slot=key.slot),
        to_party=name,
        reason=reason,
        count=count,
        loan=loan,
    )
    open_return_deadline(loan, at)
    return loan
