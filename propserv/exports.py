"""The one way a list leaves the system as a spreadsheet (CSV or XLSX).

- headings in the reader's language (columns carry lazy translations, rendered here);
- numbers as numbers, dates as dates (XLSX cells typed; CSV in ISO form);
- text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is neutralised with a
  leading apostrophe, and control characters XLSX cannot hold are dropped, so a complainant's
  description can neither become a live formula nor break the file;
- phone numbers go through `propserv.phones.phone_for` before they get here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column: `key` picks the value from a row (a mapping key or an attribute; a callable
    is called with the row), `heading` is a lazy translation; `number_format` is the XLSX format
    of its numbers ("0.0%" for a fraction shown as a percentage)."""

    key: Any
    heading: Any
    width: int = 14
    number_format: str | None = None


class Table(NamedTuple):
    """One titled table: a sheet of a workbook, or a section of a CSV. `preamble` lines (a
    report's title, its period) stand above the headings."""

    title: Any
    columns: Sequence[Column]
    rows: Iterable[Any]
    preamble: Sequence[Any] = ()


class Formatted(NamedTuple):
    """A value that chose its own cell: a number with its XLSX format, and the text a CSV shows
    (a rate: 0.5 formatted "0.0%", text "50.0%"). Values offer it by a `spreadsheet_cell()`
    method returning these three."""

    value: Any
    number_format: str | None
    text: str


def neutralise(text: str) -> str:
    """Spreadsheet-safe text: no formula, no control character."""
    text = _CONTROL.sub("", ILLEGAL_CHARACTERS_RE.sub("", text))
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates kept typed, everything else safe text."""
    if value is None:
        return ""
    if hasattr(value, "spreadsheet_cell"):
        number, number_format, text = value.spreadsheet_cell()
        return Formatted(cell_value(number), number_format, neutralise(str(text)))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    return neutralise(str(value))


def _pick(row: Any, key: Any) -> Any:
    if callable(key):
        return key(row)
    if isinstance(row, Mapping):
        return row.get(key)
    if isinstance(row, Sequence) and isinstance(key, int):
        return row[key]
    return getattr(row, key, None)


def table(columns: Sequence[Column], rows: Iterable[Any]) -> tuple[list[str], list[list[Any]]]:
    """(headings in the active language, rows of typed cell values)."""
    headings = [neutralise(str(c.heading)) for c in columns]
    return headings, [[cell_value(_pick(row, c.key)) for c in columns] for row in rows]


def csv_bytes(columns: Sequence[Column], rows: Iterable[Any]) -> bytes:
    return sections_csv_bytes([Table("", columns, rows)])


def sections_csv_bytes(tables: Iterable[Table | tuple]) -> bytes:
    """Tables one after another in one CSV, each under its preamble and title when it has them."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, columns, rows, preamble) in enumerate(map(_as_table, tables)):
        if index:
            writer.writerow([])
        for line in [*preamble, *([title] if str(title) else [])]:
            writer.writerow([neutralise(str(line))])
        headings, body = table(columns, rows)
        writer.writerow(headings)
        for row in body:
            writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _csv_text(value: Any) -> Any:
    if isinstance(value, Formatted):
        return value.text
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Any], *, title: str = "") -> bytes:
    return workbook_bytes([Table(title or "Sheet1", columns, rows)])


def _as_table(item: Table | tuple) -> Table:
    return item if isinstance(item, Table) else Table(*item)


def workbook_bytes(sheets: Iterable[Table | tuple]) -> bytes:
    """Several sheets in one workbook: Tables, or (title, columns, rows) tuples."""
    book = Workbook()
    book.remove(book.active)
    for title, columns, rows, preamble in map(_as_table, sheets):
        sheet = book.create_sheet(neutralise(str(title))[:31] or "Sheet")
        for line in preamble:
            sheet.append([neutralise(str(line))])
        if preamble:
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
            sheet.append([])
        heading_row = sheet.max_row + 1 if preamble else 1
        headings, body = table(columns, rows)
        sheet.append(headings)
        for cell in sheet[heading_row]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append([v.value if isinstance(v, Formatted) else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Formatted) and value.number_format:
                    cell.number_format = value.number_format
        for index, column in enumerate(columns, start=1):
            letter = sheet.cell(row=heading_row, column=index).column_letter
            sheet.column_dimensions[letter].width = column.width
            for (cell,) in sheet.iter_rows(min_row=heading_row + 1, min_col=index, max_col=index):
                if column.number_format and isinstance(cell.value, int | float | Decimal):
                    cell.number_format = column.number_format
                elif isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(
    columns: Sequence[Column], rows: Iterable[Any], *, fmt: str, filename: str, title: str = ""
) -> HttpResponse:
    """An attachment of `rows` as `fmt` ("csv" or "xlsx"); `filename` without its extension."""
    if fmt == "xlsx":
        body, content_type = xlsx_bytes(columns, rows, title=title), XLSX_TYPE
    elif fmt == "csv":
        body, content_type = csv_bytes(columns, rows), "text/csv; charset=utf-8"
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return attachment(body, content_type=content_type, filename=f"{filename}.{fmt}")


def attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
