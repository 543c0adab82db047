"""The Celery app and its beat schedule (one beat process only: see the launcher and compose)."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propserv.settings")

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
        60, sender.signature("propserv.redeliver_notifications"), name="notification retry"
    )
    sender.add_periodic_task(
        3600, sender.signature("propserv.purge_idempotency_keys"), name="idempotency keys"
    )
    # Opens the day's renovation patrol slots (idempotent; missed ones are flagged by the sweep).
    sender.add_periodic_task(
        600, sender.signature("inspections.schedule_patrols"), name="renovation patrols"
    )
    # Fees: bill the periods that are due (idempotent per unit, item and period) and charge the
    # completed paid repairs not charged yet (once each).
    sender.add_periodic_task(3600, sender.signature("fees.bill_due_periods"), name="fee billing")
    sender.add_periodic_task(
        600, sender.signature("fees.charge_repairs"), name="paid repairs to charges"
    )
    sender.add_periodic_task(600, sender.signature("tickets.upgrade_complaints"))  # 1-month upgrade
    sender.add_periodic_task(3600, sender.signature("tickets.complaint_reports"))  # month summary
