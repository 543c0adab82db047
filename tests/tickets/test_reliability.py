"""The deadline engine against real failures: a real Celery worker, Redis stopping, a killed sweeper."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from propserv.models import Deadline, DeadlineEscalation, Notification
from tests.conftest import api_as, wait_for
from tickets import rules
from tickets.services import repairs as services

pytestmark = pytest.mark.django_db(transaction=True)


def backdated_urgent_repair(estate, unit, category, actor, minutes=20):
    now = timezone.now()
    return services.repair_create(
        estate=estate,
        unit=unit,
        category=category,
        description="燃气泄漏",
        actor=actor,
        received_at=now - dt.timedelta(minutes=minutes),
        now=now,
    )


@pytest.mark.celery_worker
def test_real_worker_sweep_flags_breach_and_notifies_supervisor_once(
    celery_worker_real, estate, unit, categories, staff
):
    from propserv.tasks import sweep_deadlines

    repair = backdated_urgent_repair(estate, unit, categories["gas"], staff["frontdesk"])
    deadline = Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL)
    for _ in range(3):  # a second beat or a redelivery must be harmless
        sweep_deadlines.delay()
    assert wait_for(lambda: Deadline.objects.get(pk=deadline.pk).breached_at is not None)
    time.sleep(0.5)
    assert (
        Notification.objects.filter(
            recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
        ).count()
        == 1
    )
    assert DeadlineEscalation.objects.filter(deadline=deadline).count() == 1


@pytest.mark.celery_worker
def test_redis_down_repair_still_saved_and_flagged_after_it_returns(
    private_redis, estate, unit, categories, staff
):
    private_redis.stop()
    response = api_as(staff["frontdesk"]).post(
        "/api/v1/repairs/",
        {
            "unit": unit.code,
            "category": "water",
            "description": "水管爆裂",
            "received_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    deadline = Deadline.objects.get(object_id=response.json()["id"], kind=rules.ARRIVAL)
    assert deadline.breached_at is None

    private_redis.start()
    app = Celery("propserv-private", broker=private_redis.url)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = private_redis.url
    import propserv.tasks  # noqa: F401 – registers the shared tasks on every app

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("propserv.sweep_deadlines")
        assert wait_for(
            lambda: Deadline.objects.get(pk=deadline.pk).breached_at is not None,
            settings.DEADLINE_SWEEP_SECONDS + 10,
        )


SWEEPER_KILLED_MID_ESCALATION = """
import os, signal, django
django.setup()
from propserv import deadlines
original = deadlines._escalate
def escalate_then_die(deadline, level, now):
    original(deadline, level, now)          # rows written inside the open transaction...
    os.kill(os.getpid(), signal.SIGKILL)    # ...and the process dies before it commits
deadlines._escalate = escalate_then_die
deadlines.sweep()
"""


def test_sweeper_killed_mid_task_loses_nothing_and_duplicates_nothing(
    estate, unit, categories, staff
):
    repair = backdated_urgent_repair(estate, unit, categories["water"], staff["frontdesk"])
    deadline = Deadline.objects.for_subject(repair).get(kind=rules.ARRIVAL)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "propserv.settings",
        "DATABASE_URL": _test_database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-c", SWEEPER_KILLED_MID_ESCALATION],
        env=env,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert result.returncode == -9  # it really was killed
    assert not DeadlineEscalation.objects.filter(deadline=deadline).exists()
    assert Deadline.objects.get(pk=deadline.pk).breached_at is None

    from propserv.deadlines import sweep

    sweep()
    sweep()
    assert DeadlineEscalation.objects.filter(deadline=deadline, level=1).count() == 1
    assert (
        Notification.objects.filter(
            recipient=staff["supervisor"], dedupe_key=f"deadline:{deadline.pk}:1"
        ).count()
        == 1
    )


def _test_database_url() -> str:
    """The test database, for a child process (the embedded server's socket is in OPTIONS)."""
    s = connection.settings_dict
    host = s["HOST"] or s["OPTIONS"].get("host", "")
    port = f"&port={s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@/{s['NAME']}?host={host}{port}"
