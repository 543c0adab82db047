"""Thin Celery tasks of inspections: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from inspections import services
from propserv.models import Estate


@shared_task(name="inspections.schedule_patrols")
def schedule_patrols() -> int:
    """Open today's renovation patrols in every estate (beat: shortly after midnight)."""
    return sum(services.patrols_schedule(estate=estate) for estate in Estate.objects.all())
