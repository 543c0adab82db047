"""One way to show a deadline on every tickets list (board, my jobs, complaints, callbacks):
the time alone when it falls today, with the date otherwise, and "overdue" in words with how
long ago, never a negative countdown (issue 12, item 5)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

register = template.Library()


def deadline_when(due: dt.datetime, now: dt.datetime) -> str:
    """ "14:30" today, "12-05 14:30" another day this year, "2025-12-05 14:30" otherwise."""
    local, today = timezone.localtime(due), timezone.localtime(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


@register.inclusion_tag("tickets/_deadline.html")
def deadline(due, now, label="", state="", countdown=False, provisional=False):
    now = now or timezone.now()
    overdue = due is not None and (due <= now or state == "red")
    return {
        "due": due,
        "label": label,
        "state": state,
        "when": deadline_when(due, now) if due else "",
        "overdue": overdue,
        "late_by": timesince(due, now, depth=2) if overdue and due <= now else "",
        "left": "" if overdue or due is None else timesince(now, due, depth=2),
        "countdown": countdown and not overdue,
        "provisional": provisional,
        "iso": date_format(timezone.localtime(due), "c") if due else "",
    }
