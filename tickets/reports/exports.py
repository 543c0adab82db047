"""The monthly complaint summary as XLSX and CSV downloads in the reader's language, through
propserv.exports: counts and rates are numbers (a rate is a fraction with a percent format in
XLSX), and every text cell is neutralised, so a complainant's description that starts with "="
stays text and never becomes a formula.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from propserv.exports import (
    XLSX_TYPE,
    Column,
    Table,
    attachment,
    sections_csv_bytes,
    workbook_bytes,
)
from tickets.models import Complaint
from tickets.reports.summary import (
    grade_headings,
    indicator_values,
    matrix_rows,
    period_label,
    title,
)


def _sections(data: dict) -> list[tuple[str, list[list[Any]]]]:
    """The report as titled tables (first row of each: the headings), values still typed."""
    labels = dict(Complaint.Category.choices)
    return [
        (
            pgettext("monthly report sheet", "Summary"),
            [[_("Indicator"), _("Value"), _("Detail")], *map(list, indicator_values(data))],
        ),
        (
            _("By category and grade"),
            [[_("Complaint category"), *grade_headings(), _("Total")], *matrix_rows(data)],
        ),
        (
            _("Repeat complaints"),
            [
                [
                    _("Complaint"),
                    _("Same matter as"),
                    _("Times"),
                    _("Category"),
                    _("Complainant"),
                    _("What happened"),
                ],
                *[
                    [
                        r["number"],
                        r["first"],
                        r["count"],
                        str(labels[r["category"]]),
                        r["who"],
                        r["summary"],
                    ]
                    for r in data["repeat_complaints"]
                ],
            ],
        ),
        (
            _("Repeat repairs"),
            [
                [_("Unit"), _("Repair category"), _("Times"), _("Repairs")],
                *[
                    [r["unit"], r["category"], r["count"], " ".join(r["numbers"])]
                    for r in data["repeat_repairs"]
                ],
            ],
        ),
    ]


def tables(data: dict) -> list[Table]:
    """The report as titled tables for propserv.exports, under the report's title and period."""
    preamble = [title(data), period_label(data)]
    return [
        Table(
            name,
            [Column(i, h, width=34 if i == 0 else 16) for i, h in enumerate(rows[0])],
            rows[1:],
            preamble,
        )
        for name, rows in _sections(data)
    ]


def to_xlsx(data: dict) -> bytes:
    """One sheet per table, headings in the reader's language."""
    return workbook_bytes(tables(data))


def to_csv(data: dict) -> str:
    """The tables one after another, the title and period once at the top."""
    sections = [t if i == 0 else t._replace(preamble=()) for i, t in enumerate(tables(data))]
    return sections_csv_bytes(sections).decode("utf-8")


def export_response(data: dict, *, fmt: str, filename: str):
    """The summary as an attachment ("xlsx" or "csv"); `filename` without its extension."""
    if fmt == "xlsx":
        return attachment(to_xlsx(data), content_type=XLSX_TYPE, filename=f"{filename}.xlsx")
    if fmt == "csv":
        return attachment(
            to_csv(data).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            filename=f"{filename}.csv",
        )
    raise ValueError(f"unknown export format {fmt!r}")
