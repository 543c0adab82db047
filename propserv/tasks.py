"""Celery tasks of the core. Thin: each calls one function and tolerates running twice."""

import datetime as dt
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from propserv import deadlines, notifications
from propserv.models import IdempotencyRecord

HEARTBEAT_KEY = "propserv:beat-heartbeat"


@shared_task(name="propserv.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat, run by a worker: /healthz reads its age to tell that both are alive."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


@shared_task(
    name="propserv.sweep_deadlines", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def sweep_deadlines() -> int:
    return deadlines.sweep()


@shared_task(
    name=notifications.DELIVER_TASK, ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def deliver_notifications(ids: list[int]) -> int:
    return notifications.deliver(ids)


@shared_task(
    name="propserv.redeliver_notifications",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def redeliver_notifications() -> int:
    """Beat's safety net: rows whose task was lost (or whose channel failed) are tried again."""
    return notifications.deliver(
        notifications.undelivered_ids(older_than_seconds=settings.NOTIFICATION_RETRY_SECONDS)
    )


@shared_task(name="propserv.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Idempotency keys are a retry window, not history (propserv.idempotency)."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
