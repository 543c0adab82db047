"""The resident's web report and one-tap rating (no login; docs/domain.md, Repairs): the public
form makes a repair through tickets' own intake service, the rating is the repair's callback."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propserv.models import Resident, Unit
from tickets.models import Channel, Repair
from tickets.services import repairs as repair_services
from visits.services.first_contact import log_web_report


def match_resident(unit: Unit, name: str, phone: str) -> Resident | None:
    """The resident of `unit` with this phone (or, failing that, this name), if any."""
    found = list(
        Resident.objects.current()
        .filter(unit=unit)
        .filter(Q(phone=phone) | Q(name=name))
        .order_by("pk")[:10]  # not the model's ordering (unit code, name): no join for it
    )
    return next((r for r in found if r.phone == phone), None) or (found[0] if found else None)


@transaction.atomic
def web_report_submit(
    *,
    estate,
    unit,
    category,
    name: str,
    phone: str,
    description: str,
    photos=(),
    preferred_visit_at=None,
    now=None,
) -> Repair:
    """A resident's report from the public form: a repair (channel web) with its clocks, on the
    front-desk board at once (the board refreshes itself; an urgent category also rings the
    front desk's and the supervisor's bell through repair_create), and an entry of the duty log
    (channel web, linked to the repair, owned by nobody until the desk takes it), both in one
    transaction. The actor is the resident (no staff login): the public form itself is the
    check (rate limits, honeypot, the estate's own units)."""
    now = now or timezone.now()
    if unit.estate_id != estate.pk or category.estate_id != estate.pk:
        raise ValidationError(_("The unit and category must belong to the estate."))
    repair = repair_services.repair_create(
        estate=estate,
        category=category,
        description=description,
        unit=unit,
        reporter=match_resident(unit, name, phone),
        reporter_name=name.strip(),
        reporter_phone=phone.strip(),
        channel=Channel.WEB,
        preferred_visit_at=preferred_visit_at,
        photos=photos,
        actor_label=name.strip(),
        now=now,
    )
    log_web_report(repair, now=now)
    return repair


@transaction.atomic
def web_rate_repair(*, repair: Repair, satisfaction: int, comment: str = "", now=None):
    """The resident's one-tap rating on the tracking page: it is the repair's callback."""
    return repair_services.repair_record_callback(
        repair_id=repair.pk,
        satisfaction=satisfaction,
        comment=comment.strip()[:1000],
        confirmed_by_resident=True,
        channel="web",
        actor=None,
        actor_label=repair.reporter_name or _("Resident"),
        at=now,
    )
