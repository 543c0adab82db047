"""The one export helper: typed cells, neutralised formulas, translated headings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from propserv.exports import (
    Column,
    Table,
    csv_bytes,
    export_response,
    neutralise,
    sections_csv_bytes,
    workbook_bytes,
    xlsx_bytes,
)

COLUMNS = [
    Column("number", _("number")),
    Column("amount", _("amount")),
    Column("on", _("date")),
    Column("at", _("time")),
    Column("text", _("description")),
]
ROW = {
    "number": 7,
    "amount": Decimal("12.50"),
    "on": dt.date(2026, 12, 1),
    "at": timezone.make_aware(dt.datetime(2026, 12, 1, 9, 30)),
    "text": '=HYPERLINK("http://x","点我")',
}


@pytest.mark.parametrize(
    "raw, safe",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("漏水\u0001严重", "漏水严重"),
        ("普通文字", "普通文字"),
    ],
)
def test_neutralise(raw, safe):
    assert neutralise(raw) == safe


def test_xlsx_keeps_numbers_and_dates_typed_and_formulas_dead():
    book = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, [ROW], title="月报")))
    sheet = book["月报"]
    values = [c.value for c in sheet[2]]
    assert values[0] == 7 and isinstance(values[0], int)
    assert values[1] == 12.5
    assert values[2].date() == dt.date(2026, 12, 1)
    assert values[3] == dt.datetime(2026, 12, 1, 9, 30)
    assert values[4].startswith("'=") and sheet.cell(row=2, column=5).data_type == "s"


def test_control_characters_do_not_break_the_workbook():
    body = xlsx_bytes(COLUMNS, [{**ROW, "text": "重复投诉\u0001\u000b"}])
    assert load_workbook(io.BytesIO(body)).active.cell(row=2, column=5).value == "重复投诉"


def test_csv_headings_follow_the_reader_language():
    with translation.override("en"):
        rows = list(csv.reader(io.StringIO(csv_bytes(COLUMNS, [ROW]).decode("utf-8-sig"))))
    assert rows[0] == ["number", "amount", "date", "time", "description"]
    assert rows[1][:4] == ["7", "12.50", "2026-12-01", "2026-12-01 09:30:00"]
    assert rows[1][4].startswith("'=")


def test_export_response_is_an_attachment():
    response = export_response(COLUMNS, [ROW], fmt="csv", filename="report")
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    with pytest.raises(ValueError):
        export_response(COLUMNS, [ROW], fmt="pdf", filename="x")


def test_report_sheets_carry_a_preamble_and_percentages_as_numbers():
    columns = [Column("grade", _("grade")), Column("rate", _("rate"), number_format="0.0%")]
    with translation.override("en"):
        body = workbook_bytes(
            [Table("按等级", columns, [{"grade": "重大", "rate": 0.25}], ["投诉月汇总", "2026-11"])]
        )
    sheet = load_workbook(io.BytesIO(body))["按等级"]
    assert [sheet.cell(row=r, column=1).value for r in (1, 2, 4, 5)] == [
        "投诉月汇总",
        "2026-11",
        "grade",
        "重大",
    ]
    assert sheet.cell(row=5, column=2).value == 0.25
    assert sheet.cell(row=5, column=2).number_format == "0.0%"


def test_sections_follow_each_other_in_one_csv():
    columns = [Column("n", _("number"))]
    with translation.override("en"):
        text = sections_csv_bytes(
            [Table("A", columns, [{"n": 1}], ["报告"]), Table("B", columns, [{"n": "=2"}])]
        ).decode("utf-8-sig")
    assert text.splitlines() == ["报告", "A", "number", "1", "", "B", "number", "'=2"]
