"""The monthly complaint summary as XLSX and CSV downloads, in Chinese (the summary goes to the
project manager), through propserv.exports: counts and rates are numbers (a rate is a fraction
with a percent format in XLSX), and every text cell is neutralised, so a complainant's
description that starts with "=" stays text and never becomes a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from propserv.exports import XLSX_TYPE, attachment, cell_value, neutralise
from tickets.models import Complaint
from tickets.reports.summary import (
    Rate,
    grade_headings,
    indicator_values,
    matrix_rows,
    period_label,
    title,
)

EXPORT_LANGUAGE = "zh-hans"


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


def _xlsx_cell(value: Any) -> tuple[Any, str | None]:
    """(cell value, number format) of one report value."""
    if isinstance(value, Rate):
        fraction = value.fraction
        return (fraction, value.number_format) if fraction is not None else (str(value), None)
    return cell_value(value), None


def to_xlsx(data: dict) -> bytes:
    with translation.override(EXPORT_LANGUAGE):
        workbook = Workbook()
        sheet = workbook.active
        for index, (name, rows) in enumerate(_sections(data)):
            if index:
                sheet = workbook.create_sheet()
            sheet.title = neutralise(name)[:31]
            sheet.append([neutralise(title(data))])
            sheet.append([neutralise(period_label(data))])
            sheet["A1"].font = Font(bold=True, size=14)
            sheet.append([])
            for i, row in enumerate(rows):
                cells = [_xlsx_cell(v) for v in row]
                sheet.append([value for value, _format in cells])
                for cell, (_value, number_format) in zip(sheet[sheet.max_row], cells, strict=False):
                    if number_format:
                        cell.number_format = number_format
                    if i == 0:
                        cell.font = Font(bold=True)
            sheet.column_dimensions["A"].width = 34
            for col in "BCDEFG":
                sheet.column_dimensions[col].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(data: dict) -> str:
    """One CSV with the sections one after another; a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    with translation.override(EXPORT_LANGUAGE):
        writer.writerow([neutralise(title(data))])
        writer.writerow([neutralise(period_label(data))])
        for name, rows in _sections(data):
            writer.writerow([])
            writer.writerow([neutralise(name)])
            for row in rows:
                writer.writerow([str(v) if isinstance(v, Rate) else cell_value(v) for v in row])
    return out.getvalue()


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
