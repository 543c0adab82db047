"""Sending notifications: the in-app bell and every outside channel (e-mail now, SMS or WeCom
later, named in settings.NOTIFICATION_CHANNELS).

The in-app row is written inside the caller's transaction, with a dedupe key so the same event
never reaches the same person twice. Outside channels never run inside a request or the deadline
sweep: after commit the new rows' ids are handed to the Celery task `propserv.deliver_notifications`,
which claims each row under a row lock and stamps `delivered_at` in the same transaction as the
send — a duplicate task finds the row claimed or stamped and sends nothing; a worker killed
mid-send rolls back, and the redelivered task (acks_late) or the beat's retry sends it. When the
broker cannot be reached the rows are delivered inline instead. See docs/architecture.md,
"Notifications".
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from propserv.inserts import insert_new
from propserv.models import Notification

logger = logging.getLogger(__name__)

DELIVER_TASK = "propserv.deliver_notifications"
# Delivery attempts before a row is left for a person to look at (the bell still has it).
MAX_ATTEMPTS = 5


class ChannelUnavailable(Exception):
    """The channel's server cannot be reached or does not answer (not this message's fault)."""


class Channel:
    """An outside delivery channel. `deliver` sends one notification or raises; it raises
    ChannelUnavailable when its server is down, and the delivery pauses (see `_pause`)."""

    def deliver(self, note: Notification) -> None:
        raise NotImplementedError

    def server(self) -> str:
        """What the channel talks to: a pause after an outage is per server."""
        return self.__class__.__name__


class InAppChannel(Channel):
    """The bell: the row itself is the in-app notification; nothing more to do."""

    def deliver(self, note: Notification) -> None:
        return None


class EmailChannel(Channel):
    def deliver(self, note: Notification) -> None:
        address = note.recipient.email
        if not address:
            return
        link = f"{settings.SITE_URL.rstrip('/')}{note.url}" if note.url else ""
        message = EmailMessage(
            f"[PropServ] {note.title}",
            f"{note.body}\n\n{link}".strip(),
            settings.DEFAULT_FROM_EMAIL,
            [address],
            # One Message-ID per notification: if a send is repeated because its stamp could not
            # be committed (the database went away right after the server took the mail),
            # the receiving side sees the same message again and can drop it.
            headers={
                "Message-ID": f"<notification-{note.pk}@{urlsplit(settings.SITE_URL).hostname}>"
            },
        )
        try:
            message.send()
        except (
            TimeoutError,
            ConnectionError,
            socket.gaierror,
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
        ) as exc:
            raise ChannelUnavailable(str(exc) or exc.__class__.__name__) from exc

    def server(self) -> str:
        return f"{settings.EMAIL_BACKEND} {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


def _outside_channels() -> list[Channel]:
    channels = [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]
    return [c for c in channels if not isinstance(c, InAppChannel)]


def notify(
    recipients: Iterable,
    *,
    title: str,
    body: str = "",
    url: str = "",
    estate=None,
    level: str = Notification.Level.INFO,
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each recipient once; returns the rows actually created (none for repeats).

    One INSERT for all recipients: with a dedupe key, a recipient who already has it is skipped
    by the unique (recipient, dedupe_key) constraint, so concurrent sweeps cannot double it."""
    rows: dict[int, Notification] = {}
    for user in recipients:
        if user.pk in rows or not user.is_active:
            continue
        rows[user.pk] = Notification(
            recipient=user,
            title=str(title)[:200],
            body=str(body),
            url=url,
            estate=estate,
            level=level,
            dedupe_key=dedupe_key,
        )
    created = insert_new(list(rows.values()), key=("recipient_id",))
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: schedule_delivery(ids), robust=True)
    return created


def mark_read(user, *, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notifications read (all, or those of `ids`); returns how many."""
    qs = Notification.objects.filter(recipient=user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def schedule_delivery(ids: list[int]) -> None:
    """Hand the rows to a worker; deliver them here when the broker cannot be reached."""
    if not _outside_channels():
        Notification.objects.filter(pk__in=ids, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        return
    try:
        current_app.send_task(DELIVER_TASK, args=[ids], retry=False)
    except Exception:  # the broker is down: the change is committed, so deliver now
        logger.warning("broker unreachable; delivering notifications %s inline", ids)
        deliver(ids)


# server → monotonic time until which this process leaves it alone (see `_pause`).
_paused: dict[str, float] = {}


def _pause(channel: Channel) -> None:
    """A server that timed out is left alone for NOTIFICATION_PAUSE_SECONDS by this process: the
    rest of the batch and the next tasks return at once (their rows wait for beat's retry), so a
    silent mail server costs a worker one EMAIL_TIMEOUT per pause, not one per mail — and the
    deadline sweep, queued behind those tasks, keeps its pace."""
    _paused[channel.server()] = time.monotonic() + settings.NOTIFICATION_PAUSE_SECONDS


def _available(channels: list[Channel]) -> bool:
    now = time.monotonic()
    return all(_paused.get(c.server(), 0) <= now for c in channels)


def deliver(ids: Iterable[int]) -> int:
    """Deliver each undelivered row of `ids` once; returns how many were sent now."""
    sent = 0
    channels = _outside_channels()
    with translation.override(settings.LANGUAGE_CODE):
        for pk in ids:
            if not _available(channels):
                break  # left undelivered: beat's retry sends them once the server answers
            sent += _deliver_one(pk, channels)
    return sent


def _deliver_one(pk: int, channels: list[Channel]) -> int:
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=pk, delivered_at__isnull=True)
            .first()
        )
        if note is None:  # delivered already, being delivered by another worker, or gone
            return 0
        channel = None
        try:
            for channel in channels:
                channel.deliver(note)
        except ChannelUnavailable as exc:
            # Not this row's fault: no attempt is counted, so an outage never uses them up.
            logger.warning(
                "notification %s not delivered, %s is unavailable: %s", pk, channel.server(), exc
            )
            _pause(channel)
            return 0
        except Exception:
            logger.exception("notification %s could not be delivered", pk)
            Notification.objects.filter(pk=pk).update(delivery_attempts=note.delivery_attempts + 1)
            return 0
        note.delivered_at = timezone.now()
        note.delivery_attempts += 1
        note.save(update_fields=["delivered_at", "delivery_attempts"])
        return 1


def undelivered_ids(now: dt.datetime | None = None, older_than_seconds: int = 60) -> list[int]:
    """Rows a lost task or an outage left undelivered (retried by beat)."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            delivered_at__isnull=True,
            delivery_attempts__lt=MAX_ATTEMPTS,
            created_at__lte=now - dt.timedelta(seconds=older_than_seconds),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
