"""Thin Celery tasks of inspections: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from inspections import services
from inspections.services import quality_night
from propserv.models import Estate


@shared_task(name="inspections.schedule_patrols")
def schedule_patrols() -> int:
    """Open today's renovation patrols in every estate (beat: shortly after midnight)."""
    return sum(services.patrols_schedule(estate=estate) for estate in Estate.objects.all())


@shared_task(name="inspections.open_night_check_months")
def open_night_check_months() -> int:
    """Open the current month's night-check clock of every estate (beat: daily; idempotent)."""
    for estate in Estate.objects.all():
        quality_night.night_months_open(estate=estate)
    return Estate.objects.count()
