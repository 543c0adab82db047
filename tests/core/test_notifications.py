"""Notifications: one row per person and event, the bell's unread count, marking read, e-mail."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
from celery import Celery, current_app
from django.conf import settings as settings_module
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from propserv.access import staff_of
from propserv.models import Notification
from propserv.notifications import DELIVER_TASK, deliver, notify, undelivered_ids
from propserv.tasks import HEARTBEAT_KEY
from tests.conftest import wait_for
from tests.factories import make_staff


def unread_badge(client) -> int | None:
    body = client.get(reverse("home")).content.decode()
    match = re.search(r'data-testid="unread-count">(\d+)<', body)
    return int(match.group(1)) if match else None


@pytest.mark.django_db
def test_notify_once_per_dedupe_key(staff, estate):
    supervisor = staff["supervisor"]
    first = notify([supervisor], title="投诉即将超时", dedupe_key="complaint:1:warn", estate=estate)
    again = notify([supervisor], title="投诉即将超时", dedupe_key="complaint:1:warn", estate=estate)
    assert len(first) == 1 and again == []
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    # Another event, or another person, is another row.
    notify([supervisor], title="投诉已超时", dedupe_key="complaint:1:breach")
    notify([staff["gm"]], title="投诉即将超时", dedupe_key="complaint:1:warn")
    assert Notification.objects.filter(recipient=supervisor).count() == 2
    assert Notification.objects.filter(recipient=staff["gm"]).count() == 1


@pytest.mark.django_db
def test_notify_without_key_skips_repeats_in_one_call_and_inactive_users(staff):
    supervisor, gm = staff["supervisor"], staff["gm"]
    gm.is_active = False
    gm.save()
    created = notify([supervisor, supervisor, gm], title="交接班提醒")
    assert [n.recipient for n in created] == [supervisor]
    notify([supervisor], title="交接班提醒")  # no key: a new event each time
    assert Notification.objects.filter(recipient=supervisor).count() == 2
    assert not Notification.objects.filter(recipient=gm).exists()


@pytest.mark.django_db
def test_staff_with_role_is_scoped_to_the_estate(staff, estate, other_estate):
    elsewhere = make_staff("sup2", "supervisor", estates=[other_estate])
    found = set(staff_of(estate, "supervisor", "project_manager"))
    assert found == {staff["supervisor"], staff["project_manager"]}
    assert list(staff_of(other_estate, "supervisor")) == [elsewhere]


@pytest.mark.django_db
def test_bell_shows_unread_count_and_marking_read_clears_it(client, staff):
    me = staff["frontdesk"]
    client.force_login(me)
    assert unread_badge(client) is None
    notify([me], title="新的报修 3-2-1502", url="/tickets/1/")
    notify([me], title="钥匙借用逾期")
    notify([staff["gm"]], title="someone else's")
    assert unread_badge(client) == 2
    page = client.get(reverse("notifications")).content.decode()
    assert "新的报修 3-2-1502" in page and "钥匙借用逾期" in page
    assert 'href="/tickets/1/"' in page
    assert "someone else&#x27;s" not in page and "someone else's" not in page
    assert client.get(reverse("notifications-read")).status_code == 405  # POST only
    response = client.post(reverse("notifications-read"))
    assert response.status_code == 302
    assert unread_badge(client) is None
    assert not Notification.objects.filter(recipient=me).unread().exists()
    assert Notification.objects.filter(recipient=staff["gm"]).unread().count() == 1


@pytest.mark.django_db
def test_notifications_page_needs_login(client, db):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- outside channels: delivered by a worker, each row once ---------------------------------------


def _delivered(pk) -> bool:
    return Notification.objects.filter(pk=pk, delivered_at__isnull=False).exists()


@pytest.mark.celery_worker
def test_email_is_sent_by_the_worker_once_even_when_the_task_comes_twice(
    settings, staff, celery_worker_real
):
    settings.SITE_URL = "https://propserv.example.com"
    supervisor = staff["supervisor"]
    with transaction.atomic():
        (note,) = notify(
            [supervisor], title="投诉已超时", body="3-2-1502", url="/t/1/", dedupe_key="c1"
        )
        assert mail.outbox == []  # nothing before commit
    assert wait_for(lambda: _delivered(note.pk))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [supervisor.email]
    assert message.subject == "[PropServ] 投诉已超时"
    assert "3-2-1502" in message.body and "https://propserv.example.com/t/1/" in message.body
    # The same task delivered again (a redelivery after a lost ack, a second beat's retry).
    celery_worker_real.send_task(DELIVER_TASK, args=[[note.pk]])
    celery_worker_real.send_task("propserv.redeliver_notifications")
    heartbeat_cleared = cache.delete(HEARTBEAT_KEY) or True
    celery_worker_real.send_task("propserv.heartbeat")  # queued last: the others ran before it
    assert heartbeat_cleared and wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None)
    assert deliver([note.pk]) == 0
    assert len(mail.outbox) == 1
    # A repeat of the same event is no new row and no new mail.
    with transaction.atomic():
        assert notify([supervisor], title="投诉已超时", dedupe_key="c1") == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_never_answers_does_not_hold_the_request(settings, staff):
    """The change commits without touching SMTP: delivery is the worker's job."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    silent.settimeout(0.5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    try:
        with transaction.atomic():
            (note,) = notify([staff["supervisor"]], title="紧急报修 3-2-1502")
        with pytest.raises(TimeoutError):
            silent.accept()  # nobody tried to connect during the request
        assert not _delivered(note.pk)
    finally:
        silent.close()


@pytest.mark.django_db(transaction=True)
def test_broker_down_delivers_inline(private_redis, staff):
    private = Celery("propserv-private", broker=private_redis.url)
    private.conf.broker_transport_options = settings_module.CELERY_BROKER_TRANSPORT_OPTIONS
    private_redis.stop()
    previous = current_app._get_current_object()
    private.set_current()
    try:
        with transaction.atomic():
            (note,) = notify([staff["supervisor"]], title="Redis 不可用时也要送达")
    finally:
        previous.set_current()
    assert _delivered(note.pk)
    assert [m.subject for m in mail.outbox] == ["[PropServ] Redis 不可用时也要送达"]


@pytest.mark.django_db
def test_rolled_back_change_sends_nothing(settings, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([staff["supervisor"]], title="不会发出", dedupe_key="rb")
            raise RuntimeError("the business change failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(dedupe_key="rb").exists()


@pytest.mark.django_db
def test_mail_outage_keeps_the_bell_and_is_retried(settings, staff, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    (note,) = notify([staff["supervisor"]], title="邮件服务器不可用")
    assert deliver([note.pk]) == 0
    note.refresh_from_db()
    # An unreachable server is not the row's fault: no attempt used up, so an outage of any
    # length never makes a row give up.
    assert note.delivered_at is None and note.delivery_attempts == 0
    assert "is unavailable" in caplog.text
    # The mail server is back: beat's retry sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + dt.timedelta(minutes=2)
    assert note.pk in undelivered_ids(now=later)
    assert deliver(undelivered_ids(now=later)) == 1
    assert deliver([note.pk]) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_users_without_an_address_get_no_mail(staff):
    user = staff["patrol"]
    user.email = ""
    user.save()
    (note,) = notify([user], title="巡查提醒")
    assert deliver([note.pk]) == 1  # handled: nothing to send
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=user).count() == 1
