"""The server-side SVG charts: accessible (title, desc with the figures in words), readable in
black and white (dash patterns, markers, hatching; no colour), labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from propserv.charts import svg
from propserv.registry import Chart

NS = "{http://www.w3.org/2000/svg}"


def parse(chart: Chart):
    return ET.fromstring(svg(chart))  # noqa: S314 — our own SVG, built in the test


def test_line_chart_has_title_desc_and_a_dash_pattern_per_series():
    chart = Chart(
        "trend",
        "Per day <test>",
        "line",
        labels=("11-01", "11-02", "11-03"),
        series=(("Received", (3, None, 5)), ("On time", (1, 2, 3))),
        unit="%",
    )
    root = parse(chart)  # well-formed: the "<" in the title is escaped
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Per day <test> (%)"
    assert "Received — 11-01: 3, 11-02: –, 11-03: 5" in root.find(f"{NS}desc").text
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 3  # the first series breaks at the day without data
    assert {line.get("stroke-dasharray") for line in lines} == {None, "6 4"}
    assert all(line.get("stroke") == "#000" for line in lines)


def test_histogram_draws_its_marks_and_hatched_bars():
    chart = Chart(
        "arrival",
        "Minutes",
        "histogram",
        labels=("0–5", "5–10", "10–15", "15–20"),
        series=(("Repairs", (4, 0, 2, 1)),),
        marks=((3, "15 min"),),
    )
    root = parse(chart)
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill", "").startswith("url(#")]
    assert len(bars) == 4
    marks = [line for line in root.iter(f"{NS}line") if line.get("class") == "mark"]
    assert len(marks) == 1 and marks[0].get("stroke-dasharray")
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "15 min" in texts and "4" in texts


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        svg(Chart("x", "x", "pie"))
