"""Sending notifications: every channel named in settings.NOTIFICATION_CHANNELS gets each one.

The in-app row is written inside the caller's transaction (with a dedupe key, so the same event
never reaches the same person twice); the other channels (e-mail now, SMS or WeCom later) are
handed the saved rows after commit, so a rolled-back change never sends anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string

from propserv.inserts import insert_new
from propserv.models import Notification, Role

logger = logging.getLogger(__name__)


class Channel:
    """A delivery channel. `deliver` runs after commit with the in-app rows just created."""

    def deliver(self, notifications: list[Notification]) -> None:
        raise NotImplementedError


class InAppChannel(Channel):
    """The bell: the rows themselves are the in-app notification; nothing more to do."""

    def deliver(self, notifications: list[Notification]) -> None:
        return None


class EmailChannel(Channel):
    def deliver(self, notifications: list[Notification]) -> None:
        for note in notifications:
            address = note.recipient.email
            if not address:
                continue
            link = f"{settings.SITE_URL.rstrip('/')}{note.url}" if note.url else ""
            try:
                send_mail(
                    f"[PropServ] {note.title}",
                    f"{note.body}\n\n{link}".strip(),
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                )
            except Exception:  # a mail outage must not undo the business change; the bell has it
                logger.exception("e-mail notification %s to %s failed", note.pk, address)


def _channels() -> list[Channel]:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]


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
        transaction.on_commit(lambda: _deliver(ids))
    return created


def _deliver(ids: list[int]) -> None:
    notes = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
    with translation.override(settings.LANGUAGE_CODE):
        for channel in _channels():
            channel.deliver(notes)


def staff_with_role(estate, *roles: str):
    """Active staff of `estate` holding any of `roles` (group names from Role)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=list(roles), staff__estates=estate)
        .distinct()
        .order_by("pk")
    )


__all__ = ["Channel", "EmailChannel", "InAppChannel", "Role", "notify", "staff_with_role"]
