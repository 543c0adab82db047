"""Every printable (letters, permits, receipts, notices, passes) is one `Document`, shown two ways
by this one helper: an HTML print view (A4, the browser prints it) and a PDF.

The PDF is made by reportlab alone (pure pip, no system install). Chinese text uses reportlab's
built-in CID font STSong-Light, which needs no font file: the reader's PDF viewer supplies the
glyphs. A document is built from a few kinds of block, so both forms always say the same thing.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from propserv.charts import svg
from propserv.exports import attachment
from propserv.registry import Chart

FONT = "STSong-Light"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph; line breaks are kept."""

    text: str


@dataclass(frozen=True)
class Fields:
    """Label / value pairs, two columns."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table with a heading row."""

    headings: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Signatures:
    """Blank lines to sign on, one per label."""

    labels: list[str]


@dataclass(frozen=True)
class Picture:
    """A PNG (a QR code, a photo) with its size on paper in millimetres."""

    png: bytes
    width_mm: float = 30


@dataclass(frozen=True)
class ChartBlock:
    """A chart (`registry.Chart`): SVG in the print view, vector lines and bars in the PDF."""

    chart: Chart


@dataclass
class Document:
    title: str
    filename: str  # without extension
    blocks: list[Any] = field(default_factory=list)
    subtitle: str = ""


def document_response(request, document: Document, *, fmt: str = "html") -> HttpResponse:
    """The print view (`fmt="html"`) or the PDF (`fmt="pdf"`) of `document`."""
    if fmt == "pdf":
        return attachment(
            pdf_bytes(document),
            content_type="application/pdf",
            filename=f"{document.filename}.pdf",
        )
    if fmt != "html":
        raise ValueError(f"unknown document format {fmt!r}")
    html = render_to_string(
        "propserv/document.html", {"document": document, "blocks": _html_blocks(document)}, request
    )
    return HttpResponse(html)


def _html_blocks(document: Document) -> list[dict]:
    out = []
    for block in document.blocks:
        kind = type(block).__name__.lower()
        data = {"kind": kind, "block": block}
        if isinstance(block, Picture):
            data["src"] = "data:image/png;base64," + base64.b64encode(block.png).decode()
        if isinstance(block, ChartBlock):
            data["svg"] = mark_safe(svg(block.chart))  # noqa: S308 — charts.svg escapes every text  # nosec B308 B703 - charts.svg escapes every text
        out.append(data)
    return out


def _styles() -> dict[str, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=16, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, alignment=1),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=20, spaceBefore=6),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=13),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    escaped = (
        str(text if text is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )
    return Paragraph(escaped, style)


def pdf_bytes(document: Document) -> bytes:
    styles = _styles()
    story: list[Any] = [_p(document.title, styles["title"])]
    if document.subtitle:
        story.append(_p(document.subtitle, styles["subtitle"]))
    story.append(Spacer(1, 6 * mm))
    grid_style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(_p(block.text, styles["heading"]))
        elif isinstance(block, Text):
            story.append(_p(block.text, styles["body"]))
            story.append(Spacer(1, 2 * mm))
        elif isinstance(block, Fields):
            rows = [[_p(k, styles["cell"]), _p(v, styles["cell"])] for k, v in block.rows]
            if rows:
                story.append(Table(rows, colWidths=[40 * mm, 130 * mm], style=grid_style))
                story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Grid):
            rows = [[_p(h, styles["cell"]) for h in block.headings]]
            rows += [[_p(v, styles["cell"]) for v in row] for row in block.rows]
            story.append(Table(rows, repeatRows=1, style=grid_style))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Signatures):
            cells = [[_p(f"{label}：________________", styles["body"]) for label in block.labels]]
            story.append(Spacer(1, 8 * mm))
            story.append(Table(cells))
        elif isinstance(block, Picture):
            image = PdfImage(io.BytesIO(block.png))
            ratio = image.imageHeight / image.imageWidth
            image.drawWidth = block.width_mm * mm
            image.drawHeight = block.width_mm * mm * ratio
            story.append(image)
        elif isinstance(block, ChartBlock):
            story.append(_pdf_chart(block.chart))
            story.append(Spacer(1, 3 * mm))
        else:
            raise TypeError(f"unknown document block {block!r}")
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=document.title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return out.getvalue()


def _pdf_chart(chart: Chart, width: float = 170 * mm, height: float = 65 * mm) -> Drawing:
    """The chart drawn with reportlab's shapes: black lines with different dash patterns, grey
    bars with black outlines, dashed marks, every label in the CID font (Chinese shows)."""
    left, bottom, top_pad = 12 * mm, 12 * mm, 8 * mm
    plot_w, plot_h = width - left - 4 * mm, height - bottom - top_pad
    drawing = Drawing(width, height)
    unit = f" ({chart.unit})" if chart.unit else ""
    drawing.add(String(0, height - 10, f"{chart.title}{unit}", fontName=FONT, fontSize=10))
    values = [float(v) for _n, series in chart.series for v in series if v is not None]
    peak = 100.0 if chart.unit == "%" else max(values or [1.0]) or 1.0
    n = max(len(chart.labels), 1)
    slot = plot_w / n
    drawing.add(Line(left, bottom, left + plot_w, bottom))
    for i in range(5):
        y = bottom + plot_h * i / 4
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=colors.lightgrey, strokeWidth=0.3))
        drawing.add(
            String(
                left - 2, y - 3, f"{peak * i / 4:.0f}", fontName=FONT, fontSize=7, textAnchor="end"
            )
        )
    dashes = (None, [4, 2], [1, 2], [6, 2, 1, 2])
    for index, (name, series) in enumerate(chart.series):
        if chart.kind == "line":
            points = []
            for i, v in enumerate(series):
                if v is not None:
                    points += [left + slot * (i + 0.5), bottom + plot_h * float(v) / peak]
            if len(points) >= 4:
                drawing.add(
                    PolyLine(
                        points,
                        strokeColor=colors.black,
                        strokeWidth=1,
                        strokeDashArray=dashes[index % len(dashes)],
                    )
                )
        else:
            gap = 0 if chart.kind == "histogram" else slot * 0.2
            for i, v in enumerate(series):
                h = 0 if v is None else plot_h * float(v) / peak
                drawing.add(
                    Rect(
                        left + slot * i + gap / 2,
                        bottom,
                        slot - gap,
                        h,
                        fillColor=colors.lightgrey,
                        strokeColor=colors.black,
                        strokeWidth=0.5,
                    )
                )
                if v is not None and slot > 14:
                    drawing.add(
                        String(
                            left + slot * (i + 0.5),
                            bottom + h + 1,
                            str(v),
                            fontName=FONT,
                            fontSize=6,
                            textAnchor="middle",
                        )
                    )
        drawing.add(
            String(left + 4 + index * 120, height - 20, str(name), fontName=FONT, fontSize=8)
        )
    for position, label in chart.marks:
        x = left + slot * float(position)
        drawing.add(Line(x, bottom, x, bottom + plot_h, strokeDashArray=[3, 2], strokeWidth=1.2))
        drawing.add(String(x + 2, bottom + plot_h - 8, str(label), fontName=FONT, fontSize=7))
    every = max(1, n // 12)
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            drawing.add(
                String(
                    left + slot * (i + 0.5),
                    bottom - 9,
                    str(label),
                    fontName=FONT,
                    fontSize=6,
                    textAnchor="middle",
                )
            )
    return drawing
