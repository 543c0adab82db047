"""The key cabinet's card on the managers' dashboard: keys out now, overdue, awaiting the unit
inspection after a contractor's loan, and loans lent in the period (docs/domain.md, "Keys").
One statement of conditional counts; registered in `KeysConfig.ready`."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keys.models import KeyLoan
from propserv.registry import Kpi, KpiCard, KpiProvider
from propserv.roles import MANAGERS

S = KeyLoan.Status


def figures(estate_ids: list[int], period, now=None) -> dict:
    now = now or timezone.now()
    return KeyLoan.objects.filter(estate_id__in=estate_ids).aggregate(
        out=Count("id", filter=Q(status=S.OUT)),
        overdue=Count("id", filter=Q(status=S.OUT, due_at__lt=now)),
        awaiting=Count("id", filter=Q(status__in=[S.AWAITING_INSPECTION, S.RECTIFYING])),
        lent=Count("id", filter=Q(lent_at__gte=period.start, lent_at__lt=period.end)),
        lent_before=Count(
            "id", filter=Q(lent_at__gte=period.previous_start, lent_at__lt=period.previous_end)
        ),
    )


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    f = figures(estate_ids, period, now)
    loans = reverse("keys:loans")
    kpis = (
        Kpi("out", _("Keys out now"), f["out"], url=loans),
        Kpi(
            "overdue",
            _("Keys overdue"),
            f["overdue"],
            target=0,
            better="lower",
            url=reverse("keys:overdue"),
        ),
        Kpi(
            "awaiting",
            _("Returned, unit inspection pending"),
            f["awaiting"],
            url=f"{loans}?awaiting=1",
        ),
        Kpi("lent", _("Keys lent in the period"), f["lent"], f["lent_before"]),
    )
    return [KpiCard("keys", _("Keys"), kpis=kpis, order=40)]


PROVIDER = KpiProvider("keys", compute, roles=MANAGERS, order=40)
