"""The Celery app and its beat schedule (one beat process only: see the launcher and compose)."""

import functools
import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler
from celery.worker.consumer import Consumer
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propserv.settings")


logger = logging.getLogger(__name__)


def _reconnect_intervals() -> dict[str, float]:
    """Retry a lost broker every BROKER_RECONNECT_MAX_SECONDS at most, instead of kombu's back-off
    (2, 4, 6 … 30 s, which let breaches due in a 60-s Redis outage wait up to 16 s more for the
    worker, and as long again for beat): the deadline sweep resumes within seconds of Redis
    returning (bench/README.md, "Faults")."""
    most = settings.BROKER_RECONNECT_MAX_SECONDS
    return {"interval_start": most / 4, "interval_step": most / 4, "interval_max": most}


class PromptReconnectConsumer(Consumer):
    """The worker's broker consumer (settings.CELERY_WORKER_CONSUMER), reconnecting promptly."""

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(conn.ensure_connection, **_reconnect_intervals())
        return super().ensure_connected(conn)


class PromptReconnectScheduler(PersistentScheduler):
    """Beat's scheduler (settings.CELERY_BEAT_SCHEDULER), reconnecting promptly."""

    def _ensure_connected(self):
        def error_handler(exc, interval):
            logger.error("beat: Connection error: %s. Trying again in %s seconds...", exc, interval)

        return self.connection.ensure_connection(
            error_handler, self.app.conf.broker_connection_max_retries, **_reconnect_intervals()
        )


app = Celery("propserv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_periodic_tasks(sender, **kwargs):
    sender.add_periodic_task(
        settings.BEAT_HEARTBEAT_SECONDS,
        sender.signature("propserv.heartbeat"),
        name="beat heartbeat",
    )
    sender.add_periodic_task(
        settings.DEADLINE_SWEEP_SECONDS,
        sender.signature("propserv.sweep_deadlines"),
        name="deadline sweep",
        # A sweep queued while the worker was away is stale: the next one does its work.
        expires=settings.DEADLINE_SWEEP_SECONDS * 10,
    )
    sender.add_periodic_task(
        settings.NOTIFICATION_RETRY_SECONDS,
        sender.signature("propserv.redeliver_notifications"),
        name="notification retry",
    )
    sender.add_periodic_task(
        3600, sender.signature("propserv.purge_idempotency_keys"), name="idempotency keys"
    )
    # Opens the day's renovation patrol slots (idempotent; missed ones are flagged by the sweep).
    sender.add_periodic_task(
        600, sender.signature("inspections.schedule_patrols"), name="renovation patrols"
    )
    # Opens each month's night-check clock per estate (idempotent; a month short of its night
    # spot checks is flagged by the sweep at its end).
    sender.add_periodic_task(
        3600, sender.signature("inspections.open_night_check_months"), name="night-check months"
    )
    # Opens the day's common-area rounds (idempotent; a missed round is flagged by the sweep).
    sender.add_periodic_task(
        600, sender.signature("visits.open_common_patrols"), name="common-area patrols"
    )
    # Fees: bill the periods that are due (idempotent per unit, item and period) and charge the
    # completed paid repairs not charged yet (once each).
    sender.add_periodic_task(3600, sender.signature("fees.bill_due_periods"), name="fee billing")
    sender.add_periodic_task(
        600, sender.signature("fees.charge_repairs"), name="paid repairs to charges"
    )
    sender.add_periodic_task(600, sender.signature("tickets.upgrade_complaints"))  # 1-month upgrade
    sender.add_periodic_task(3600, sender.signature("tickets.complaint_reports"))  # month summary
    # Routine callbacks: the period's household visits, repair-works follow-ups once each, and
    # the afternoon tally to the supervisors (once a day per estate).
    sender.add_periodic_task(
        6 * 3600, sender.signature("tickets.routine_visits"), name="routine visits"
    )
    sender.add_periodic_task(
        3600, sender.signature("tickets.repair_followups"), name="repair follow-ups"
    )
    sender.add_periodic_task(
        3600, sender.signature("tickets.callback_tally"), name="callback tally"
    )
