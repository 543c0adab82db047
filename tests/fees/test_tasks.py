"""The billing task on a real Celery worker (the page's "Issue" enqueues it): redelivered or
sent twice, each charge is billed once, and the run's progress reaches 100 %."""

import datetime as dt

import pytest

from fees import services
from fees.models import BillingRun, Charge
from tests.conftest import wait_for
from tests.fees.helpers import units

APR = dt.date(2026, 4, 1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_billing_task_on_a_real_worker(celery_worker_real, estate, item, staff):
    units(estate, 5)
    run = services.billing_start(estate=estate, period=APR, actor=staff["finance"])
    for _ in range(2):  # the page's task and a redelivery
        celery_worker_real.send_task("fees.billing_issue", args=[run.pk, staff["finance"].pk])
    assert wait_for(lambda: Charge.objects.count() == 5 and BillingRun.objects.get().percent == 100)
    run.refresh_from_db()
    assert run.status == BillingRun.Status.DONE and Charge.objects.count() == 5
