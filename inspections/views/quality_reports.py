"""The quality reports: the monthly findings by specialty (月检通报) as a print view, PDF or XLSX,
the per-person summary for appraisal as XLSX or CSV, and the fault transfer form (故障转移单)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.selectors import quality as selectors
from inspections.services.quality_night import month_bounds
from propserv.documents import Document, Fields, Grid, Heading, Signatures, Text, document_response
from propserv.exports import (
    XLSX_TYPE,
    Column,
    Table,
    attachment,
    sections_csv_bytes,
    workbook_bytes,
)

SPECIALTY_COLUMNS = [
    Column("specialty", gettext_lazy("Specialty"), width=20),
    Column("logged", gettext_lazy("Non-conformities logged")),
    Column("exempt", gettext_lazy("Counted, not chased")),
    Column("duty", gettext_lazy("Failures of duty")),
    Column("found", gettext_lazy("Defects found")),
    Column("verified", gettext_lazy("Closure verified")),
    Column("transferred", gettext_lazy("Transferred")),
    Column("open", gettext_lazy("Still open")),
]

STAFF_COLUMNS = [
    Column("name", gettext_lazy("Staff member"), width=20),
    Column("checks", gettext_lazy("Checks done")),
    Column("logged", gettext_lazy("Non-conformities logged")),
    Column("exempt", gettext_lazy("Counted, not chased")),
    Column("duty", gettext_lazy("Failures of duty")),
    Column("defects", gettext_lazy("Defects")),
    Column("on_time", gettext_lazy("Fixed by the deadline")),
    Column("open", gettext_lazy("Still open")),
]


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def defect_rows(estate, month: dt.date) -> list[dict]:
    rows = []
    for defect in selectors.month_defects(estate, month):
        fix = defect.last_fix
        rows.append(
            {
                "found": timezone.localtime(defect.found_at).date(),
                "specialty": defect.get_specialty_display(),
                "description": defect.description,
                "responsible": _person(defect.responsible),
                "due": timezone.localtime(defect.due_at).date(),
                "cause": fix.cause if fix else "",
                "fix": fix.fix if fix else "",
                "status": defect.get_status_display(),
            }
        )
    return rows


DEFECT_COLUMNS = [
    Column("found", gettext_lazy("Found")),
    Column("specialty", gettext_lazy("Specialty"), width=18),
    Column("description", gettext_lazy("Defect"), width=40),
    Column("responsible", gettext_lazy("Responsible")),
    Column("due", gettext_lazy("Fix by")),
    Column("cause", gettext_lazy("Cause"), width=30),
    Column("fix", gettext_lazy("Fix"), width=30),
    Column("status", gettext_lazy("Status"), width=20),
]


def findings_response(request, estate, month: dt.date, fmt: str):
    title = _("Monthly quality findings")
    period = f"{estate.name} · {month:%Y-%m}"
    specialties = selectors.findings_by_specialty(estate, month)
    defects = defect_rows(estate, month)
    if fmt == "xlsx":
        body = workbook_bytes(
            [
                Table(_("By specialty"), SPECIALTY_COLUMNS, specialties, (title, period)),
                Table(_("Defects"), DEFECT_COLUMNS, defects, (title, period)),
            ]
        )
        return attachment(
            body, content_type=XLSX_TYPE, filename=f"quality-{estate.code}-{month:%Y-%m}.xlsx"
        )
    if fmt not in ("html", "pdf"):
        raise Http404
    blocks = [
        Heading(_("By specialty")),
        Grid(
            [str(c.heading) for c in SPECIALTY_COLUMNS],
            [[row[c.key] for c in SPECIALTY_COLUMNS] for row in specialties],
        ),
        Heading(_("Defects")),
        Grid(
            [str(c.heading) for c in DEFECT_COLUMNS],
            [[row[c.key] for c in DEFECT_COLUMNS] for row in defects],
        ),
    ]
    if not specialties:
        blocks.insert(0, Text(_("No findings this month.")))
    blocks.append(Signatures([_("Quality department"), _("Circulated to")]))
    document = Document(
        title=title,
        subtitle=period,
        filename=f"quality-{estate.code}-{month:%Y-%m}",
        blocks=blocks,
    )
    return document_response(request, document, fmt=fmt)


def staff_response(request, estate, month: dt.date, fmt: str):
    _first, start, end = month_bounds(month)
    rows = selectors.staff_summary(estate, start, end)
    title = _("Quality results per staff member")
    table = Table(title, STAFF_COLUMNS, rows, (title, f"{estate.name} · {month:%Y-%m}"))
    name = f"quality-staff-{estate.code}-{month:%Y-%m}"
    if fmt == "xlsx":
        return attachment(workbook_bytes([table]), content_type=XLSX_TYPE, filename=f"{name}.xlsx")
    if fmt == "csv":
        return attachment(
            sections_csv_bytes([table]),
            content_type="text/csv; charset=utf-8",
            filename=f"{name}.csv",
        )
    raise Http404


def transfer_document(defect) -> Document:
    transfer = defect.transfer
    rows = [
        (_("Estate"), defect.estate.name),
        (_("Defect"), defect.description),
        (_("Specialty"), defect.get_specialty_display()),
        (_("Found"), _when(defect.found_at)),
        (_("Fix by"), _when(defect.due_at)),
        (_("Responsible department"), transfer.get_department_display()),
        (_("Department head"), _person(transfer.head)),
        (_("Why the office cannot fix it"), transfer.reason),
        (_("Transferred"), f"{_when(transfer.at)} · {_person(transfer.by)}"),
    ]
    return Document(
        title=_("Fault transfer form"),
        subtitle=defect.estate.name,
        filename=f"fault-transfer-{defect.pk}",
        blocks=[
            Fields(rows),
            Heading(_("Reply of the department")),
            Text("\n\n\n"),
            Signatures([_("Office"), _("Department head"), _("Date")]),
        ],
    )
