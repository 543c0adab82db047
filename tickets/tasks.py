"""Celery beat tasks of tickets. Thin: each calls one function and tolerates running twice."""

from celery import shared_task

from tickets.reports.filing import file_due_reports
from tickets.services.complaints import complaints_auto_upgrade
from tickets.services.routine import (
    do_notify_daily_tally,
    do_plan_repair_followups,
    do_plan_routine_visits,
)


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


@shared_task(
    name="tickets.repair_followups",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def plan_repair_followups() -> int:
    """Daily: repairs completed one to two months ago get their follow-up call, once per repair
    (a unique constraint)."""
    return do_plan_repair_followups()


@shared_task(
    name="tickets.callback_tally", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def callback_tally() -> int:
    """Hourly: from 16:00 the supervisors get the day's callback tally, once a day per estate."""
    return do_notify_daily_tally()


@shared_task(
    name="tickets.routine_visits", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def plan_routine_visits() -> int:
    """Every few hours: the quarter's household visits and the office head's, planned once each
    (a unique constraint per kind, unit and period)."""
    return do_plan_routine_visits()
