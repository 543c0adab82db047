"""The drill-down lists as XLSX and CSV (tickets.views.lists and the complaint list): the rows of
the same filtered queryset the page shows, through propserv.exports — headings in the reader's
language, numbers and dates as typed cells, text neutralised. Residents' phone numbers are not
exported.
"""

from __future__ import annotations

import datetime as dt

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from propserv.exports import Column, export_response
from tickets.selectors.lists import minutes_between, page_ids, rows_by_ids
from tickets.selectors.timeliness import VERDICT_LABELS

# A download is for reading in a spreadsheet, not a backup: the newest rows up to this many.
EXPORT_LIMIT = 20_000


def verdict(value: str) -> str:
    return str(VERDICT_LABELS[value]) if value else ""


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


CHUNK = 2000


def _rows(queryset, now, estate_ids):
    """The newest EXPORT_LIMIT rows with their verdicts, a chunk of ids at a time."""
    ids = page_ids(queryset, 0, EXPORT_LIMIT, estate_ids)
    for start in range(0, len(ids), CHUNK):
        yield from rows_by_ids(queryset, ids[start : start + CHUNK], now)


def _stamp(now: dt.datetime) -> str:
    return f"{now:%Y%m%d-%H%M}"


REPAIR_COLUMNS = [
    Column(lambda r: r.number, _("Repair"), width=12),
    Column("received_at", _("Received at"), width=17),
    Column(lambda r: r.estate.name, _("Estate")),
    Column(lambda r: r.unit.code if r.unit_id else "", _("Unit")),
    Column("location", capfirst(_("location")), width=20),
    Column("reporter_name", _("Reported by")),
    Column(lambda r: r.category.name, _("Category")),
    Column("urgent", _("Urgent"), width=8),
    Column(lambda r: r.get_status_display(), _("Status")),
    Column(lambda r: _name(r.technician), _("Technician")),
    Column("arrived_at", capfirst(_("arrived at")), width=17),
    Column(
        lambda r: minutes_between(r.received_at, r.arrived_at), _("Minutes to arrival"), width=10
    ),
    Column(lambda r: verdict(r.arrival_verdict), _("Arrival")),
    Column("completed_at", capfirst(_("completed at")), width=17),
    Column(lambda r: verdict(r.completion_verdict), _("Completion time")),
    Column("reopen_count", _("Times reopened"), width=10),
    Column("fee", capfirst(_("fee charged (¥)")), width=10, number_format="0.00"),
    Column("description", _("Description"), width=40),
]


def repairs_response(queryset, *, fmt: str, now: dt.datetime, estate_ids: list[int]):
    return export_response(
        REPAIR_COLUMNS,
        _rows(queryset, now, estate_ids),
        fmt=fmt,
        filename=f"repairs-{_stamp(now)}",
        title=str(_("Repairs")),
    )


COMPLAINT_COLUMNS = [
    Column(lambda c: c.number, _("Complaint"), width=12),
    Column("received_at", _("Received at"), width=17),
    Column(lambda c: c.estate.name, _("Estate")),
    Column(lambda c: c.who, _("Complainant"), width=18),
    Column(lambda c: c.get_category_display(), _("Category")),
    Column(lambda c: c.get_grade_display() if c.grade else "", _("Grade")),
    Column(lambda c: c.get_status_display(), _("Status")),
    Column("first_reply_at", capfirst(_("first reply at")), width=17),
    Column(lambda c: verdict(c.reply_verdict), _("Reply")),
    Column("repeat_count", capfirst(_("times complained about")), width=10),
    Column("households", _("Households complaining"), width=10),
    Column("closed_at", capfirst(_("closed at")), width=17),
    Column(lambda c: _name(c.owner), _("Owner")),
    Column("description", _("What happened"), width=40),
]


def complaints_response(queryset, *, fmt: str, now: dt.datetime, estate_ids: list[int]):
    return export_response(
        COMPLAINT_COLUMNS,
        _rows(queryset, now, estate_ids),
        fmt=fmt,
        filename=f"complaints-{_stamp(now)}",
        title=str(_("Complaints")),
    )


def _ticket_number(cb) -> str:
    return cb.repair.number if cb.repair_id else cb.complaint.number


def _resident(cb) -> str:
    return cb.repair.reporter_name if cb.repair_id else cb.complaint.complainant_name


def _unit(cb) -> str:
    ticket = cb.repair if cb.repair_id else cb.complaint
    return ticket.unit.code if ticket.unit_id else ""


CALLBACK_COLUMNS = [
    Column(_ticket_number, _("Ticket"), width=12),
    Column(lambda cb: cb.estate.name, _("Estate")),
    Column(_unit, _("Unit")),
    Column(_resident, _("Resident")),
    Column(lambda cb: cb.get_status_display(), _("Status")),
    Column("due_at", _("Due"), width=17),
    Column("completed_at", capfirst(_("called back at")), width=17),
    Column(lambda cb: verdict(cb.timeliness), _("Timeliness")),
    Column("first_attempt", _("Reached on the first attempt"), width=10),
    Column("satisfaction", capfirst(_("satisfaction (1–5)")), width=10),
    Column(lambda cb: _name(cb.assigned_to), _("Who calls")),
    Column("comment", _("Resident's comment"), width=30),
]


def callbacks_response(queryset, *, fmt: str, now: dt.datetime, estate_ids: list[int]):
    return export_response(
        CALLBACK_COLUMNS,
        _rows(queryset, now, estate_ids),
        fmt=fmt,
        filename=f"callbacks-{_stamp(now)}",
        title=str(_("Callbacks")),
    )
