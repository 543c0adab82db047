"""Linking a neighbour's complaint (tickets) to the renovation it is about."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import Renovation, RenovationComplaint
from inspections.services.common import NOT_ALLOWED, lock_renovation, now_or, record
from propserv.access import check_actor
from propserv.roles import COMPLAINT_HANDLERS
from tickets.models import Complaint


@transaction.atomic
def complaint_link(
    *, renovation: Renovation, complaint: Complaint, actor, at: dt.datetime | None = None
) -> RenovationComplaint:
    """Link `complaint` to `renovation` (same estate); idempotent."""
    check_actor(actor, estate=renovation.estate_id, roles=COMPLAINT_HANDLERS, message=NOT_ALLOWED)
    if complaint.estate_id != renovation.estate_id:
        raise ValidationError({"complaint": _("The complaint belongs to another estate.")})
    at = now_or(at)
    renovation = lock_renovation(renovation)
    link, created = RenovationComplaint.objects.get_or_create(
        renovation=renovation,
        complaint=complaint,
        defaults={"linked_at": at, "linked_by": actor},
    )
    if created:
        record(renovation, "complaint_linked", actor=actor, at=at, complaint=complaint.pk)
    return link
