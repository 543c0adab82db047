"""Thin Celery tasks of fees: take ids, re-fetch, call one service."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from fees import services
from fees.models import BillingRun


@shared_task(name="fees.billing_issue", acks_late=True)
def billing_issue(run_id: int, actor_id: int) -> int:
    """Issue a billing run (safe to redeliver: each charge is billed once). Returns charges
    issued by the run so far."""
    run = BillingRun.objects.select_related("estate").get(pk=run_id)
    actor = get_user_model().objects.get(pk=actor_id)
    return services.billing_issue(run=run, actor=actor).charges_issued


@shared_task(
    name="fees.bill_due_periods", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def bill_due_periods() -> int:
    """Fees' hourly round: the current period's billing run of every estate (idempotent per
    unit, item and period), then the arrears-reminder clocks (opened once per unit)."""
    issued = services.bill_due_periods()
    services.arrears_reminders_sweep()
    return issued


@shared_task(
    name="fees.arrears_reminders", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def arrears_reminders() -> dict:
    """A reminder clock for every unit in arrears without one; none for a unit paid up."""
    return services.arrears_reminders_sweep()


@shared_task(
    name="fees.charge_repairs", ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def charge_repairs() -> int:
    """Completed chargeable repairs become charges on their units' accounts, once each."""
    return services.charge_completed_repairs()
