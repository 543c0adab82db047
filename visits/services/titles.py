"""Title certificates (产权服务, docs/domain.md, "Title certificates"): owners who have paid in
full are put on the waiting list (from fees, or imported from a CSV/XLSX list), each certificate
moves through its stages with their dates, and when it is issued the desk is notified to tell the
owner, who then collects it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.access import check_actor, may, staff_of
from propserv.errors import InvalidTransition
from propserv.imports import ImportFailed, read_table
from propserv.models import Resident
from propserv.notifications import notify
from propserv.roles import DESK, Role
from visits.models import TitleCertificate, TitleEvent
from visits.selectors.titles import paid_in_full_owners

T = TitleCertificate.Stage
STAGE_FIELDS = dict(TitleCertificate.STAGE_DATES)


def _list(estate, owner: Resident, source: str, actor, today: dt.date) -> TitleCertificate | None:
    cert, created = TitleCertificate.objects.get_or_create(
        unit=owner.unit,
        owner=owner,
        defaults={"estate": estate, "source": source, "listed_on": today},
    )
    if not created:
        return None
    TitleEvent.record(
        cert,
        action=TitleEvent.Action.LISTED,
        actor=actor,
        to_status=T.LISTED,
        data={"source": source},
    )
    return cert


@transaction.atomic
def titles_list_paid_in_full(*, estate, actor, today: dt.date | None = None) -> int:
    """Put every owner paid in full (fees) on the waiting list; idempotent. Returns how many
    were added."""
    check_actor(actor, estate=estate, roles=DESK)
    today = today or timezone.localdate()
    owners = list(paid_in_full_owners(estate))
    return sum(
        _list(estate, o, TitleCertificate.Source.FEES, actor, today) is not None for o in owners
    )


@transaction.atomic
def titles_import(*, estate, actor, file, filename: str, today: dt.date | None = None) -> int:
    """Owners paid in full from a list (columns unit/房号 and name/姓名). Every row is checked
    first: one unknown unit or owner and nothing is written."""
    check_actor(actor, estate=estate, roles=DESK)
    today = today or timezone.localdate()
    try:
        rows = read_table(file, filename)
    except ImportFailed as exc:
        raise ValidationError({"file": [text for _row, text in exc.errors]}) from exc
    owners = {
        (r.unit.code, r.name): r
        for r in Resident.objects.filter(
            estate=estate, role=Resident.Role.OWNER, moved_out_on__isnull=True
        ).select_related("unit")
    }
    errors, found = [], []
    for row in rows:
        key = ((row.get("unit") or row.get("code") or "").strip(), (row.get("name") or "").strip())
        owner = owners.get(key)
        if owner is None:
            errors.append(
                _("Row %(row)s: no owner %(name)s in unit %(unit)s of this estate.")
                % {"row": row["_row"], "name": key[1] or "?", "unit": key[0] or "?"}
            )
        else:
            found.append(owner)
    if errors:
        raise ValidationError({"file": errors})
    return sum(
        _list(estate, o, TitleCertificate.Source.IMPORT, actor, today) is not None for o in found
    )


def lock_certificate(certificate_id: int) -> TitleCertificate:
    return (
        TitleCertificate.objects.select_for_update(of=("self",))
        .select_related("estate", "unit", "owner")
        .get(pk=certificate_id)
    )


@transaction.atomic
def title_advance(
    *, certificate_id: int, actor, stage: str, on: dt.date, now=None
) -> TitleCertificate:
    """Move a certificate to its next stage on the date `on`. Issued: the desk is notified to
    tell the owner it is ready."""
    now = now or timezone.now()
    cert = lock_certificate(certificate_id)
    check_actor(actor, estate=cert.estate, roles=DESK)
    if cert.stage == stage and stage != T.LISTED:
        return cert
    if stage not in STAGE_FIELDS or stage != cert.next_stage:
        raise InvalidTransition(
            _("A certificate moves one stage at a time: next is %(stage)s.")
            % {"stage": T(cert.next_stage).label if cert.next_stage else "—"}
        )
    if on is None or on > timezone.localdate(now):
        raise ValidationError({"on": _("The date cannot be in the future.")})
    earlier = [getattr(cert, f) for f in STAGE_FIELDS.values() if getattr(cert, f)]
    if earlier and on < max(earlier):
        raise ValidationError({"on": _("The date cannot be before the previous stage's.")})
    before = cert.stage
    setattr(cert, STAGE_FIELDS[stage], on)
    cert.stage = stage
    cert.save(update_fields=["stage", STAGE_FIELDS[stage]])
    TitleEvent.record(
        cert,
        action=stage,
        actor=actor,
        at=now,
        from_status=before,
        to_status=stage,
        data={"on": on.isoformat()},
    )
    if stage == T.ISSUED:
        notify(
            staff_of(cert.estate, Role.FRONT_DESK, Role.AREA_ADMIN),
            title=_("Title certificate ready: tell %(owner)s (%(unit)s)")
            % {"owner": cert.owner.name, "unit": cert.unit.code},
            body=_("Issued on %(date)s; the owner collects it at the desk.")
            % {"date": on.isoformat()},
            url=cert.get_absolute_url(),
            estate=cert.estate,
            dedupe_key=f"title:{cert.pk}:issued",
        )
    return cert


@transaction.atomic
def title_owner_notified(*, certificate_id: int, actor, now=None) -> TitleCertificate:
    """The owner has been told the certificate is ready."""
    now = now or timezone.now()
    cert = lock_certificate(certificate_id)
    check_actor(actor, estate=cert.estate, roles=DESK)
    if cert.owner_notified_at:
        return cert
    if cert.stage != T.ISSUED:
        raise InvalidTransition(_("Only an issued certificate is ready for the owner."))
    cert.owner_notified_at = now
    cert.save(update_fields=["owner_notified_at"])
    TitleEvent.record(cert, action=TitleEvent.Action.NOTIFIED, actor=actor, at=now)
    return cert


def allowed_actions(cert: TitleCertificate, user) -> set[str]:
    if not may(user, cert.estate_id, DESK):
        return set()
    actions = {"advance"} if cert.next_stage else set()
    if cert.stage == T.ISSUED and not cert.owner_notified_at:
        actions.add("notified")
    return actions
