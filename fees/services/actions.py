"""What a user may do now (pages offer only these; docs/architecture.md, "Roles and checks")."""

from __future__ import annotations

from fees.models import ArrearsNotice, Charge, Payment
from propserv.access import may
from propserv.roles import ARREARS_NOTICE_APPROVERS, FEE_FINANCE


def allowed_actions(obj, user) -> set[str]:
    actions: set[str] = set()
    if isinstance(obj, Payment):
        # A payment whose whole amount was refunded as credit has nothing left to reverse.
        live = obj.reversed_at is None and obj.refunded < obj.amount
        if live and may(user, obj.estate_id, FEE_FINANCE):
            actions.add("reverse")
    elif isinstance(obj, Charge):
        if obj.cancelled_at is None and obj.paid == 0 and may(user, obj.estate_id, FEE_FINANCE):
            actions.add("cancel")
    elif isinstance(obj, ArrearsNotice):
        if obj.status == ArrearsNotice.Status.DRAFT and may(
            user, obj.estate_id, ARREARS_NOTICE_APPROVERS
        ):
            actions.add("approve")
    return actions
