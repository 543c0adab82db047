"""Celery tasks of the core. Thin: each calls one function and tolerates running twice."""

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "propserv:beat-heartbeat"


@shared_task(name="propserv.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat, run by a worker: /healthz reads its age to tell that both are alive."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


@shared_task(
    name="propserv.sweep_deadlines", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def sweep_deadlines() -> int:
    from propserv.deadlines import sweep

    return sweep()
