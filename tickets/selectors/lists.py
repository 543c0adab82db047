"""The drill-down lists behind the dashboard's figures: all repairs, complaints and all callbacks
of the estates a user covers, filtered by the lists' query parameters (tickets.forms.lists) with
the same timeliness definitions as the figures (tickets.selectors.timeliness).

Each list function returns a lazy queryset, newest first, with everything a row shows joined;
`rows` then reads a page in a fixed number of statements whatever its length (the page's ids —
one statement per estate covered — then those rows with their verdicts). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.utils import timezone

from propserv.models import Estate
from tickets.models import Callback, Complaint, Repair
from tickets.selectors import timeliness as t
from tickets.selectors.complaints import deadline_state_filter

REPAIR_NUMBER = re.compile(r"^(?:BX)?0*(\d{1,12})$", re.IGNORECASE)
COMPLAINT_NUMBER = re.compile(r"^(?:TS)?0*(\d{1,12})$", re.IGNORECASE)


def day_bounds(first: dt.date | None, last: dt.date | None) -> tuple:
    """[first 00:00, the day after last 00:00) in local time: both dates inclusive."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz) if first else None
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if last else None
    return start, end


def _in_days(qs, field: str, first, last):
    start, end = day_bounds(first, last)
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _yes_no(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _scoped(model, user, filters: dict):
    qs = model.objects.for_user(user)
    if filters.get("estate") is not None:
        qs = qs.filter(estate=filters["estate"])
    return qs


def _number_q(pattern: re.Pattern, text: str, field: str = "pk") -> Q:
    match = pattern.match(text)
    return Q(**{field: int(match.group(1))}) if match else Q(pk__in=[])


# --- repairs ------------------------------------------------------------------------------------


def repair_search_q(text: str, prefix: str = "") -> Q:
    """Repair number (BX000123 or 123), tracking code, unit code or the reporter's name."""
    return (
        _number_q(REPAIR_NUMBER, text, f"{prefix}pk")
        | Q(**{f"{prefix}tracking_code__iexact": text})
        | Q(**{f"{prefix}unit__code__icontains": text})
        | Q(**{f"{prefix}reporter_name__icontains": text})
    )


def repair_list(user, filters: dict, now: dt.datetime):
    """All repairs (open and closed) of `user`'s estates matching `filters` (RepairListForm's
    cleaned data), newest first; `rows` adds `arrival_verdict` and `completion_verdict`."""
    qs = _scoped(Repair, user, filters)
    if filters.get("status"):
        qs = qs.filter(status__in=filters["status"])
    urgent = _yes_no(filters.get("urgent"))
    if urgent is not None:
        qs = qs.filter(urgent=urgent)
    if filters.get("category") is not None:
        qs = qs.filter(category=filters["category"])
    if filters.get("building") is not None:
        qs = qs.filter(unit__building=filters["building"])
    if filters.get("technician") is not None:
        qs = qs.filter(technician=filters["technician"])
    qs = _in_days(qs, "received_at", filters.get("received_from"), filters.get("received_to"))
    if filters.get("arrival"):
        qs = qs.filter(t.repair_arrival_q(filters["arrival"], now))
    if filters.get("completion"):
        qs = qs.filter(t.repair_completion_q(filters["completion"], now))
    reopened = _yes_no(filters.get("reopened"))
    if reopened is True:
        qs = qs.filter(reopen_count__gt=0)
    elif reopened is False:
        qs = qs.filter(reopen_count=0)
    if filters.get("q"):
        qs = qs.filter(repair_search_q(filters["q"]))
    return qs.select_related("estate", "unit__building", "category", "technician").order_by(
        "-received_at", "-id"
    )


# What each list's rows show beside their columns, computed for the shown rows only.
ANNOTATE = {
    Repair: t.annotate_repair_timeliness,
    Complaint: t.annotate_complaint_reply,
    Callback: t.annotate_callback_timeliness,
}


def estate_ids_in(user, filters: dict) -> list[int]:
    """The estates a list covers: the one asked for, else all of the user's."""
    if filters.get("estate") is not None:
        return [filters["estate"].pk]
    return list(Estate.objects.for_user(user).values_list("pk", flat=True))


def page_ids(queryset, start: int, stop: int, estate_ids: list[int]) -> list[int]:
    """The ids of rows `start`..`stop` in the list's order (newest first). Across several
    estates each estate's newest `stop` rows are read along its (estate, time) index and merged
    here: one short statement per estate instead of sorting every row of all of them."""
    if len(estate_ids) <= 1:
        return list(queryset.values_list("pk", flat=True)[start:stop])
    field = queryset.query.order_by[0].lstrip("-")
    candidates = []
    for estate_id in estate_ids:
        candidates += queryset.filter(estate_id=estate_id).values_list(field, "pk")[:stop]
    candidates.sort(reverse=True)
    return [pk for _, pk in candidates[start:stop]]


def rows(queryset, start: int, stop: int, now: dt.datetime, estate_ids: list[int]) -> list:
    """Rows `start`..`stop` of a list with their verdicts: the ids of the slice first (the sort
    reads only the ordering columns), then those rows with their `Exists` verdicts — so the
    verdicts are computed for the shown rows, never for every row the sort looks at."""
    return rows_by_ids(queryset, page_ids(queryset, start, stop, estate_ids), now)


def rows_by_ids(queryset, ids: list[int], now: dt.datetime) -> list:
    if not ids:
        return []
    annotate = ANNOTATE[queryset.model]
    found = {obj.pk: obj for obj in annotate(queryset.filter(pk__in=ids).order_by(), now)}
    return [found[pk] for pk in ids if pk in found]


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


# --- complaints ---------------------------------------------------------------------------------


def complaint_search_q(text: str) -> Q:
    """Complaint number (TS000123 or 123), unit code or the complainant's name."""
    return (
        _number_q(COMPLAINT_NUMBER, text)
        | Q(unit__code__icontains=text)
        | Q(complainant_name__icontains=text)
    )


def complaint_list(user, filters: dict, now: dt.datetime):
    """The complaints of `user`'s estates matching `filters` (ComplaintListForm's cleaned data),
    newest first; `rows` adds `reply_verdict`."""
    qs = _scoped(Complaint, user, filters)
    status = filters.get("status")
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if filters.get("grade"):
        qs = qs.filter(grade__in=["" if g == "none" else g for g in filters["grade"]])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    qs = _in_days(qs, "received_at", filters.get("received_from"), filters.get("received_to"))
    if filters.get("reply"):
        qs = qs.filter(t.complaint_reply_q(filters["reply"], now))
    if filters.get("repeat"):
        qs = qs.filter(repeat_flagged=True)
    if filters.get("deadline"):
        qs = deadline_state_filter(qs, filters["deadline"], now)
    if filters.get("q"):
        qs = qs.filter(complaint_search_q(filters["q"]))
    return qs.select_related("estate", "unit", "owner", "graded_by").order_by("-received_at", "-id")


# --- callbacks ----------------------------------------------------------------------------------


def callback_list(user, filters: dict, now: dt.datetime):
    """All callbacks of `user`'s estates matching `filters` (CallbackListForm's cleaned data),
    the latest due first; `rows` adds `timeliness` and `first_attempt`."""
    qs = _scoped(Callback, user, filters)
    # The callbacks card counts problem callbacks; routine ones have their own card.
    if filters.get("kind") == "problem":
        qs = qs.filter(kind=Callback.Kind.PROBLEM)
    elif filters.get("kind") == "routine":
        qs = qs.exclude(kind=Callback.Kind.PROBLEM)
    elif filters.get("kind") == "repair":
        qs = qs.filter(repair__isnull=False)
    elif filters.get("kind") == "complaint":
        qs = qs.filter(complaint__isnull=False)
    if filters.get("status"):
        qs = qs.filter(status__in=filters["status"])
    qs = _in_days(qs, "due_at", filters.get("due_from"), filters.get("due_to"))
    if filters.get("timeliness"):
        qs = qs.filter(t.callback_q(filters["timeliness"], now))
    first = _yes_no(filters.get("first_attempt"))
    if first is True:
        qs = qs.filter(t.callback_first_attempt_q())
    elif first is False:
        qs = qs.exclude(t.callback_first_attempt_q())
    satisfied = _yes_no(filters.get("satisfied"))
    if satisfied is True:
        qs = qs.filter(satisfaction__gte=t.SATISFIED_FROM)
    elif satisfied is False:
        qs = qs.filter(satisfaction__lt=t.SATISFIED_FROM)
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(
            Q(repair__isnull=False) & repair_search_q(text, "repair__")
            | Q(complaint__isnull=False)
            & (
                _number_q(COMPLAINT_NUMBER, text, "complaint__pk")
                | Q(complaint__unit__code__icontains=text)
                | Q(complaint__complainant_name__icontains=text)
            )
        )
    qs = qs.select_related(
        "estate",
        "repair__unit",
        "repair__category",
        "complaint__unit",
        "unit",
        "contact",
        "assigned_to",
        "completed_by",
    )
    return qs.order_by("-due_at", "-id")
