"""The fault suite's quick mode (`make faults`, bench/README.md "Faults"): real PostgreSQL, Redis,
gunicorn, Celery worker and beat of its own, killed and restarted. Whatever the faults, nothing
answered is lost, every due deadline is flagged, nothing is escalated, notified or mailed twice,
and every notification is mailed. Recovery times are reported by the suite, not asserted here
(the machine may be loaded)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from bench.faults.mail import MailSink
from bench.faults.run import ZEROS
from propserv.models import Notification
from propserv.notifications import deliver, notify, undelivered_ids

SCENARIOS = 6


@pytest.mark.celery_worker
@pytest.mark.timeout(1200)
def test_quick_fault_suite_loses_nothing_and_repeats_nothing(tmp_path):
    out = tmp_path / "faults.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.faults.run", "--quick", f"--json={out}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    rows = report["rows"]
    assert len(rows) == SCENARIOS, result.stdout[-3000:]
    for row in rows:
        assert "error" not in row, row
        assert {key: row[key] for key in ZEROS} == dict.fromkeys(ZEROS, 0), row
    by_name = {row["scenario"][0]: row for row in rows}
    # Each fault really happened and each scenario really worked on something.
    assert by_name["1"]["deadlines"]["due"] > 0 and by_name["1"]["notifications"]["mails_expected"]
    assert by_name["2"]["deadlines"]["due"] > 0
    assert by_name["3"]["sent"] > 0 and by_name["3"]["during_outage"]["sent"] > 0
    assert by_name["3"]["api"]["error_with_record"] == 0
    assert by_name["3"]["api"]["duplicated"] == 0
    assert by_name["4"]["api"]["error_with_record"] == 0
    assert by_name["4"]["html_errors"] == 0
    # A killed web worker: every create retried with its key until answered, one repair per key.
    assert by_name["5"]["repairs"] == by_name["5"]["distinct_keys_answered"] > 0
    assert by_name["5"]["api"]["duplicated"] == 0
    assert by_name["6"]["sink_connections"] > 0 and by_name["6"]["deadlines"]["due"] > 0
    assert result.returncode == 0, report["failures"]


@pytest.mark.django_db
def test_a_silent_mail_server_costs_one_timeout_then_mail_waits_for_the_retry(settings, staff):
    """The pause behind scenario 6: the first mail times out and pauses the server for this
    process; the rest of the batch and the next batches return at once without connecting (no
    attempt used up), and once the server answers every row is mailed exactly once."""
    sink = MailSink(mood="hang")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 1
    settings.NOTIFICATION_PAUSE_SECONDS = 3600
    try:
        notes = [
            notify([staff["supervisor"]], title=f"静默邮件服务器 {n}", dedupe_key=f"silent:{n}")[0]
            for n in range(4)
        ]
        ids = [n.pk for n in notes]
        assert deliver(ids) == 0
        assert deliver(ids) == 0
        assert sink.connections == 1  # one timeout, then paused: nobody else connected
        assert set(
            Notification.objects.filter(pk__in=ids).values_list("delivery_attempts", flat=True)
        ) == {0}
        # The server answers; the pause is per server, so here a new port stands for "after the
        # pause" (the same server after NOTIFICATION_PAUSE_SECONDS in production).
        answering = MailSink()
        settings.EMAIL_PORT = answering.port
        later = timezone.now() + dt.timedelta(minutes=2)
        assert sorted(undelivered_ids(now=later)) == sorted(ids)
        assert deliver(undelivered_ids(now=later)) == 4
        assert deliver(ids) == 0
        assert sorted(answering.counts().values()) == [1, 1, 1, 1]
        assert mail.outbox == []
        answering.close()
    finally:
        sink.close()
