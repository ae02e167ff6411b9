"""Charts drawn on the server as SVG (no script, no asset from the internet); the numbers go in a table beside."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = 18
GAP = 6
LABEL_WIDTH = 190
PLOT_WIDTH = 360


def bars(title: str, items: list[tuple[str, float | None, str]], maximum: float | None = None) -> Markup:
    """A horizontal bar chart: (label, value, value as shown); a missing value draws no bar and shows "—"."""
    values = [v for _, v, _ in items if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    height = len(items) * (BAR + GAP) + 30
    width = LABEL_WIDTH + PLOT_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-chart="{escape(title)}" class="figure-chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value, shown) in enumerate(items):
        y = 24 + i * (BAR + GAP)
        length = 0 if value is None else max(1.0, PLOT_WIDTH * min(value, top) / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR - 5}" font-size="12" text-anchor="end">{escape(label)}</text>'
        )
        if value is not None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}" fill="#0d6efd">'
                f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR - 5}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, labels: list[str], series: list[tuple[str, str, list[int]]]) -> Markup:
    """A grouped column chart of counts: labels along the bottom, one colour per series (name, colour, values)."""
    top = max((v for _, _, values in series for v in values), default=0) or 1
    group = len(series) * 12 + 10
    width, plot = max(360, len(labels) * group + 60), 160
    height = plot + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" data-chart="{escape(title)}" class="figure-chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for s, (name, colour, _) in enumerate(series):
        parts.append(f'<rect x="{200 + s * 90}" y="4" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{214 + s * 90}" y="13" font-size="11">{escape(name)}</text>')
    for i, label in enumerate(labels):
        x = 40 + i * group
        for s, (name, colour, values) in enumerate(series):
            h = plot * values[i] / top
            parts.append(
                f'<rect x="{x + s * 12}" y="{24 + plot - h:.1f}" width="10" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} {escape(name)}: {values[i]}</title></rect>"
            )
        parts.append(f'<text x="{x}" y="{plot + 40}" font-size="10">{escape(label)}</text>')
    parts.append(f'<line x1="36" y1="{24 + plot}" x2="{width}" y2="{24 + plot}" stroke="#888"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
