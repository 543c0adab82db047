"""Thin Celery tasks of visits: take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from propserv.models import Estate
from visits.services import patrols


@shared_task(name="visits.open_common_patrols")
def open_common_patrols() -> int:
    """Open today's common-area rounds in every estate (beat: every 10 minutes; idempotent)."""
    return sum(patrols.common_patrols_open(estate=estate) for estate in Estate.objects.all())
