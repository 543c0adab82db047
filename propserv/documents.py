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
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from propserv.exports import attachment

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
