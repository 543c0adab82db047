"""Celery beat tasks of tickets. Thin: each calls one function and tolerates running twice."""

from celery import shared_task

from tickets.reports.filing import file_due_reports
from tickets.services.complaints import complaints_auto_upgrade


@shared_task(
    name="tickets.upgrade_complaints",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def upgrade_complaints() -> int:
    """Effective complaints still open after a month become major (idempotent)."""
    return complaints_auto_upgrade()


@shared_task(
    name="tickets.complaint_reports", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def complaint_reports() -> int:
    """File each estate's monthly complaint summary once its report day has come (idempotent per
    estate and month: a unique row)."""
    return file_due_reports()
