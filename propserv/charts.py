"""Charts drawn on the server as SVG (the dashboard, the monthly report's print view): no script,
no CDN, readable in black and white and by a screen reader.

- every chart has a `<title>` and a `<desc>` that states its figures in words (role="img");
- series are told apart by dash pattern and marker shape, bars by a hatch pattern, never by
  colour alone; every value is printed as a label where there is room;
- a histogram's marks (the 15- and 30-minute arrival limits) are dashed vertical lines with their
  label; a mark's x is in bin units (0 = the left edge of the first bin).

Pure functions of a `registry.Chart`: no database, no request.
"""

from __future__ import annotations

from html import escape

from propserv.registry import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 56
DASHES = ("", "6 4", "2 3", "10 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _scale_max(values) -> float:
    top = max([v for v in values if v is not None] or [0])
    if top <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 5:
            return float(step * 5) if top > step * 4 else float(step * (int(top // step) + 1))
    return float(top * 1.1)


def _frame(chart: Chart, top: float, body: list[str], desc: str) -> str:
    uid = escape(chart.key)
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        grid.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#bbb" stroke-width="0.5"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
            f"{escape(_fmt(value))}</text>"
        )
    unit = f" ({escape(chart.unit)})" if chart.unit else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart chart-{escape(chart.kind)}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="sans-serif">'
        f'<title id="{uid}-title">{escape(str(chart.title))}{unit}</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>'
        "<defs>"
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/></pattern>'
        "</defs>"
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">'
        f"{escape(str(chart.title))}{unit}</text>"
        + "".join(grid)
        + f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#000"/>' + "".join(body) + "</svg>"
    )


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#000"/>'
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y + 3:.1f} L{x - 4:.1f} {y + 3:.1f} Z"/>'
        )
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y:.1f} L{x:.1f} {y + 4:.1f} L{x - 4:.1f} {y:.1f} Z"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#000"/>'


def _x_labels(labels, xs, every: int) -> list[str]:
    out = []
    y = HEIGHT - BOTTOM + 14
    for i, (label, x) in enumerate(zip(labels, xs, strict=False)):
        if i % every == 0:
            out.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="end" font-size="10" '
                f'transform="rotate(-40 {x:.1f} {y})">{escape(str(label))}</text>'
            )
    return out


def _describe(chart: Chart) -> str:
    parts = []
    for name, values in chart.series:
        pairs = ", ".join(
            f"{label}: {_fmt(v)}" for label, v in zip(chart.labels, values, strict=False)
        )
        parts.append(f"{name} — {pairs}" if pairs else str(name))
    marks = "; ".join(str(label) for _x, label in chart.marks)
    return ". ".join(parts) + (f". {marks}" if marks else "")


def line_svg(chart: Chart) -> str:
    values = [v for _n, series in chart.series for v in series]
    top = 100.0 if chart.unit == "%" else _scale_max(values)
    n = max(len(chart.labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xs = [LEFT + plot_w * (i + 0.5) / n for i in range(n)]
    body = []
    for index, (name, series) in enumerate(chart.series):
        dash, shape = DASHES[index % len(DASHES)], MARKERS[index % len(MARKERS)]
        points, segments = [], []
        for x, v in zip(xs, series, strict=False):
            if v is None:  # no data that day: the line breaks
                if points:
                    segments.append(points)
                points = []
                continue
            points.append((x, TOP + plot_h - plot_h * min(float(v), top) / top))
        if points:
            segments.append(points)
        for seg in segments:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="1.5"'
                f"{dash_attr}/>"
            )
            if n <= 62:
                body.extend(_marker(shape, x, y) for x, y in seg)
        legend_x = LEFT + 8 + index * 150
        body.append(
            f'<g class="legend">{_marker(shape, legend_x, TOP + 6)}'
            f'<text x="{legend_x + 8}" y="{TOP + 10}" font-size="11">{escape(str(name))}</text></g>'
        )
    body.extend(_x_labels(chart.labels, xs, max(1, n // 16)))
    return _frame(chart, top, body, _describe(chart))


def bar_svg(chart: Chart) -> str:
    series = chart.series[0][1] if chart.series else ()
    top = 100.0 if chart.unit == "%" else _scale_max(series)
    n = max(len(chart.labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    gap = 0 if chart.kind == "histogram" else slot * 0.2
    body, xs = [], []
    for i, v in enumerate(series):
        x = LEFT + slot * i + gap / 2
        xs.append(LEFT + slot * (i + 0.5))
        h = 0 if v is None else plot_h * min(float(v), top) / top
        y = TOP + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - gap:.1f}" height="{h:.1f}" '
            f'fill="url(#{escape(chart.key)}-hatch)" stroke="#000" stroke-width="1"/>'
        )
        if slot >= 18:
            body.append(
                f'<text x="{x + (slot - gap) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{escape(_fmt(v))}</text>'
            )
    for position, label in chart.marks:
        x = LEFT + slot * float(position)
        body.append(
            f'<line class="mark" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" '
            'stroke="#000" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x + 3:.1f}" y="{TOP + 10}" font-size="11">{escape(str(label))}</text>'
        )
    body.extend(_x_labels(chart.labels, xs, max(1, n // 16)))
    return _frame(chart, top, body, _describe(chart))


def svg(chart: Chart) -> str:
    """The chart as an inline SVG element (safe to mark safe: every text is escaped here)."""
    if chart.kind == "line":
        return line_svg(chart)
    if chart.kind in ("bar", "histogram"):
        return bar_svg(chart)
    raise ValueError(f"unknown chart kind {chart.kind!r}")
