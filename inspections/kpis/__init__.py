"""Renovation's card on the managers' dashboard: active renovations, those with a patrol missed
in the period, rectification notices open and past their deadline (docs/domain.md,
"Renovation"). Conditional counts in the database, one statement each of three; registered in
`InspectionsConfig.ready`."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import Patrol, Rectification, Renovation
from propserv.registry import Kpi, KpiCard, KpiProvider
from propserv.roles import MANAGERS


def figures(estate_ids: list[int], period, now=None) -> dict:
    now = now or timezone.now()
    active = Renovation.objects.filter(estate_id__in=estate_ids, status__in=Renovation.ACTIVE)
    missed = Patrol.objects.filter(
        renovation__estate_id__in=estate_ids, done_at__isnull=True, window_end__lt=now
    )

    def missed_in(start, end):
        return Q(window_end__gte=start, window_end__lt=end)

    patrols = missed.aggregate(
        missed=Count("id", filter=missed_in(period.start, period.end)),
        missed_before=Count("id", filter=missed_in(period.previous_start, period.previous_end)),
        renovations=Count("renovation", distinct=True, filter=missed_in(period.start, period.end)),
        renovations_before=Count(
            "renovation",
            distinct=True,
            filter=missed_in(period.previous_start, period.previous_end),
        ),
    )
    notices = Rectification.objects.filter(
        renovation__estate_id__in=estate_ids, status=Rectification.Status.OPEN
    ).aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    return {"active": active.count(), **patrols, **notices}


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    f = figures(estate_ids, period, now)
    url = reverse("inspections:renovations")
    kpis = (
        Kpi("active", _("Renovations under way"), f["active"], url=url),
        Kpi(
            "missed_renovations",
            _("Renovations with a patrol missed"),
            f["renovations"],
            f["renovations_before"],
            target=0,
            better="lower",
            url=url,
        ),
        Kpi(
            "missed_patrols",
            _("Patrols missed"),
            f["missed"],
            f["missed_before"],
            target=0,
            better="lower",
            url=url,
        ),
        Kpi("rectifications_open", _("Rectification notices open"), f["open"], url=url),
        Kpi(
            "rectifications_overdue",
            _("Rectification notices past their deadline"),
            f["overdue"],
            target=0,
            better="lower",
            url=url,
        ),
    )
    return [KpiCard("renovations", _("Renovations"), kpis=kpis, order=50)]


PROVIDER = KpiProvider("inspections", compute, roles=MANAGERS, order=50)
