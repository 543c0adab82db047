"""Quality's card on the managers' dashboard (docs/domain.md, "Quality checks"): checks done in
the period, night spot checks of the period against the estates' monthly target, defects open
and past their deadline, logged non-conformities still open. Four statements whatever the
period; registered in `InspectionsConfig.ready`."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import CheckKind, Defect, NonConformity, QualityCheck
from propserv.models import EstateSettings
from propserv.registry import Kpi, KpiCard, KpiProvider
from propserv.roles import QUALITY_VIEWERS


def figures(estate_ids: list[int], period, now=None) -> dict:
    now = now or timezone.now()

    def within(start, end):
        return Q(checked_at__gte=start, checked_at__lt=end)

    night = Q(kind=CheckKind.NIGHT)
    checks = QualityCheck.objects.filter(estate_id__in=estate_ids).aggregate(
        checks=Count("id", filter=within(period.start, period.end)),
        checks_before=Count("id", filter=within(period.previous_start, period.previous_end)),
        night=Count("id", filter=night & within(period.start, period.end)),
        night_before=Count("id", filter=night & within(period.previous_start, period.previous_end)),
    )
    defects = (
        Defect.objects.filter(estate_id__in=estate_ids)
        .open()
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now) & ~Q(status=Defect.Status.FIXED)),
        )
    )
    ncs = NonConformity.objects.filter(estate_id__in=estate_ids).open().count()
    target = EstateSettings.objects.filter(estate_id__in=estate_ids).aggregate(
        n=Sum("night_checks_per_month")
    )["n"]
    return {**checks, **defects, "nonconformities": ncs, "night_target": target}


def compute(user, estate_ids: list[int], period, now=None) -> list[KpiCard]:
    if not estate_ids:
        return []
    f = figures(estate_ids, period, now)
    url = reverse("inspections:quality")
    kpis = (
        Kpi("checks", _("Quality checks done"), f["checks"], f["checks_before"], url=url),
        Kpi(
            "night_checks",
            _("Night spot checks (target a month)"),
            f["night"],
            f["night_before"],
            target=f["night_target"],
            url=url,
        ),
        Kpi("defects_open", _("Defects open"), f["open"], url=url),
        Kpi(
            "defects_overdue",
            _("Defects past their deadline"),
            f["overdue"],
            target=0,
            better="lower",
            url=url,
        ),
        Kpi(
            "nonconformities_open",
            _("Non-conformities not yet closed"),
            f["nonconformities"],
            target=0,
            better="lower",
            url=url,
        ),
    )
    return [KpiCard("quality", _("Quality checks"), kpis=kpis, order=55)]


PROVIDER = KpiProvider("inspections.quality", compute, roles=QUALITY_VIEWERS, order=55)
