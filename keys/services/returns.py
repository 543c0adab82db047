"""Taking a key back, the patrol guard's unit inspection after a contractor's loan, and lending
it again to rectify (docs/domain.md, Keys: a contractor's loan closes only when the unit passes)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keys import selectors
from keys.models import Key, KeyEvent, KeyLoan, LoanInspection, Rectification, coded
from keys.services.common import NOT_ALLOWED, lock_key, person, record_event
from keys.services.loans import check_due, open_return_deadline
from keys.sla import LOAN_RETURN
from propserv.access import check_actor
from propserv.deadlines import deadline_meet
from propserv.errors import InvalidTransition
from propserv.notifications import notify
from propserv.roles import KEY_DESK, KEY_INSPECTORS


def lock_loan(loan: KeyLoan | int) -> KeyLoan:
    pk = loan.pk if isinstance(loan, KeyLoan) else loan
    return (
        KeyLoan.objects.select_for_update(of=("self",))
        .select_related("borrower_person__contractor")
        .get(pk=pk)
    )


@transaction.atomic
def loan_return(*, loan: KeyLoan, count, actor, at: dt.datetime | None = None) -> KeyLoan:
    """Take a key back: the count must match the loan. A contractor's loan then waits for the
    unit inspection; a staff loan closes."""
    at = at or timezone.now()
    key = lock_key(loan.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    loan = lock_loan(loan)
    if loan.status != KeyLoan.Status.OUT:
        return loan  # already back
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
    record_event(
        key,
        KeyEvent.Kind.RETURNED,
        at=at,
        actor=actor,
        from_party=loan.borrower_name,
        target=coded("slot_received_by", slot=key.slot, name=person(actor)),
        why=coded("count_checked_inspection_due" if loan.is_contractor else "count_checked"),
        count=counted,
        loan=loan,
    )
    deadline_meet(subject=loan, kind=LOAN_RETURN, at=at)
    if loan.is_contractor:
        with translation.override(settings.LANGUAGE_CODE):  # a stored message: the office's
            notify(
                # The people the desk is told will inspect: the patrol guards, or, in an estate
                # without one, the others who may record the inspection.
                selectors.inspectors_of(key.estate),
                title=_("Inspect unit %(unit)s after a contractor's key loan")
                % {"unit": key.opens},
                body=_(
                    "%(name)s returned key %(tag)s. The loan closes when the unit passes the inspection."
                )
                % {"name": loan.borrower_name, "tag": key.tag_code},
                url=loan.get_absolute_url(),
                estate=key.estate,
                dedupe_key=f"keyloan:{loan.pk}:inspect:{at.isoformat()}",
            )
    return loan


def _repeated_failure(loan: KeyLoan) -> LoanInspection | None:
    """The last failed inspection when the key has not been back with the contractor since
    (a repeated submit of the same failure, not a new inspection)."""
    last = loan.inspections.filter(passed=False).order_by("-inspected_at", "-pk").first()
    if last is not None and (loan.returned_at is None or last.inspected_at >= loan.returned_at):
        return last
    return None


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
    key = lock_key(loan.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_INSPECTORS, message=NOT_ALLOWED)
    loan = lock_loan(loan)
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
        repeated = _repeated_failure(loan)
        if repeated is not None:
            return repeated
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
        loan.close_reason = KeyLoan.CloseReason.INSPECTION_PASSED
        loan.save(update_fields=["status", "closed_at", "close_reason"])
    else:
        Rectification.objects.create(loan=loan, raised_by=inspection, description=rectification)
        loan.status = KeyLoan.Status.RECTIFYING
        loan.save(update_fields=["status"])
    record_event(
        key,
        KeyEvent.Kind.INSPECTED,
        at=at,
        actor=actor,
        to_party=loan.borrower_name,
        why=coded("inspection_passed")
        if passed
        else coded("inspection_failed", what=rectification),
        reason=inspection.notes,
        loan=loan,
    )
    if passed:
        record_event(
            key,
            KeyEvent.Kind.LOAN_CLOSED,
            at=at,
            actor=actor,
            to_party=loan.borrower_name,
            why=coded("unit_inspection_passed"),
            loan=loan,
        )
    else:
        contact = loan.borrower_person.contractor.liaison or loan.lent_by
        with translation.override(settings.LANGUAGE_CODE):  # a stored message: the office's
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
    key = lock_key(loan.key_id)
    check_actor(actor, estate=key.estate, roles=KEY_DESK, message=NOT_ALLOWED)
    loan = lock_loan(loan)
    if loan.status != KeyLoan.Status.RECTIFYING:
        raise InvalidTransition(
            _("The key goes back to the contractor only while a rectification is open.")
        )
    if key.state != Key.State.IN_CABINET:
        raise InvalidTransition(
            _("Key %(tag)s is %(state)s and cannot be lent.")
            % {"tag": key.tag_code, "state": key.get_state_display()}
        )
    due_at, approved_by = check_due(key.estate, at, due_at, approved_by)
    loan.status, loan.due_at = KeyLoan.Status.OUT, due_at
    loan.approved_by = approved_by or loan.approved_by
    loan.save(update_fields=["status", "due_at", "approved_by"])
    key.in_cabinet_count -= loan.count
    key.state = Key.State.ON_LOAN
    key.save(update_fields=["in_cabinet_count", "state"])
    record_event(
        key,
        KeyEvent.Kind.LENT,
        at=at,
        actor=actor,
        source=coded("slot", slot=key.slot),
        to_party=loan.borrower_name,
        why=coded("back_to_rectify"),
        count=loan.count,
        loan=loan,
    )
    open_return_deadline(loan, at)
    return loan
