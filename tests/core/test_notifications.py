"""Notifications: one row per person and event, the bell's unread count, marking read, e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from propserv.access import staff_of
from propserv.models import Notification
from propserv.notifications import notify
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
    found = list(staff_of(estate, "supervisor", "project_manager"))
    assert found == [staff["supervisor"], staff["project_manager"]]
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


@pytest.mark.django_db
def test_email_channel_sends_once_after_commit(settings, staff, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://propserv.example.com"
    supervisor = staff["supervisor"]
    with django_capture_on_commit_callbacks(execute=True):
        notify([supervisor], title="投诉已超时", body="3-2-1502", url="/t/1/", dedupe_key="c1")
        assert mail.outbox == []  # nothing before commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [supervisor.email]
    assert message.subject == "[PropServ] 投诉已超时"
    assert "3-2-1502" in message.body and "https://propserv.example.com/t/1/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        notify([supervisor], title="投诉已超时", dedupe_key="c1")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_rolled_back_change_sends_nothing(settings, staff, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([staff["supervisor"]], title="不会发出", dedupe_key="rb")
            raise RuntimeError("the business change failed")
    assert mail.outbox == []
    assert not Notification.objects.filter(dedupe_key="rb").exists()


@pytest.mark.django_db
def test_mail_outage_keeps_the_bell(settings, staff, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([staff["supervisor"]], title="邮件服务器不可用")
    assert Notification.objects.filter(pk=created[0].pk).exists()
    assert "e-mail notification" in caplog.text and "failed" in caplog.text


@pytest.mark.django_db
def test_users_without_an_address_get_no_mail(settings, staff, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = staff["patrol"]
    user.email = ""
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], title="巡查提醒")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=user).count() == 1
