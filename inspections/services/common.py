"""What the renovation services share: locking a renovation, writing its timeline, the
refusal message for a role that may not (docs/architecture.md, "A request that changes
something"). The helpers run inside the calling service's transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import Renovation, RenovationEvent
from propserv.errors import InvalidTransition

NOT_ALLOWED = gettext_lazy("Your role may not do this for a renovation.")


def in_transaction() -> None:
    assert transaction.get_connection().in_atomic_block, "call inside the service's transaction"


def lock_renovation(renovation: Renovation | int) -> Renovation:
    """The renovation row, locked for the rest of the caller's transaction."""
    in_transaction()
    pk = getattr(renovation, "pk", renovation)
    return (
        Renovation.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "owner", "contractor", "responsible")
        .get(pk=pk)
    )


def record(renovation: Renovation, action: str, *, actor, at, before: str = "", **data):
    """Append one event to the renovation's timeline (codes and parameters only)."""
    in_transaction()
    return RenovationEvent.record(
        renovation,
        action=action,
        actor=actor,
        at=at,
        from_status=before,
        to_status=renovation.status if before else "",
        note=data.pop("note", ""),
        data={k: v for k, v in data.items() if v is not None},
    )


def move(renovation: Renovation, to: str, fields: list[str], *, actor, at, action, **data):
    """Change the locked renovation's status along `Renovation.TRANSITIONS`, save `fields` and
    record `action`."""
    before = renovation.status
    if to not in Renovation.TRANSITIONS[before]:
        raise InvalidTransition(
            _("A renovation that is “%(status)s” cannot be changed this way.")
            % {"status": renovation.get_status_display()}
        )
    renovation.status = to
    renovation.save(update_fields=["status", *fields])
    return record(renovation, action, actor=actor, at=at, before=before, **data)


def now_or(at):
    return at or timezone.now()
