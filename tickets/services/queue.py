"""The callback queue's one entry for a call's outcome: it routes the callback to its ticket's
own service, which closes or reopens the ticket (docs/domain.md, Callbacks).

The top of the tickets services: it calls the repair and the complaint services, which call the
callback helpers below them; nothing imports this module but the views and the API.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from propserv.errors import InvalidTransition
from tickets.models import Callback
from tickets.services.callbacks import check_satisfaction
from tickets.services.complaints import complaint_record_callback
from tickets.services.repairs import repair_record_callback
from tickets.services.routine import routine_complete


@transaction.atomic
def callback_complete(
    *,
    callback_id: int,
    satisfaction: int,
    actor,
    comment: str = "",
    confirmed_by_resident: bool = False,
    channel: str = "phone",
    at=None,
) -> Callback:
    """The resident reached and asked: satisfaction 1–5, comment, confirmation. Satisfied closes
    the ticket; dissatisfied (≤ 2) reopens it and opens a second handling. A routine callback
    (no ticket) is recorded by `tickets.services.routine`."""
    satisfaction = check_satisfaction(satisfaction)
    found = Callback.objects.only("kind", "repair_id", "complaint_id", "status").get(pk=callback_id)
    if found.status == Callback.Status.DONE:
        return found  # a double submit
    if found.status != Callback.Status.PENDING:
        raise InvalidTransition(_("This callback has already been completed or cancelled."))
    kwargs = {
        "satisfaction": satisfaction,
        "actor": actor,
        "comment": comment,
        "confirmed_by_resident": confirmed_by_resident,
        "channel": channel,
        "at": at,
    }
    if found.is_routine:
        routine_complete(callback_id=found.pk, **kwargs)
    elif found.repair_id:
        repair_record_callback(repair_id=found.repair_id, reached=True, **kwargs)
    else:
        complaint_record_callback(complaint_id=found.complaint_id, **kwargs)
    found.refresh_from_db()
    return found
