"""Bar charts drawn server-side as SVG: no script, no CDN, readable by screen readers."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from markupsafe import Markup

from probandi.entrypoints.i18n import _
from probandi.queries.dashboard import Series

WIDTH, HEIGHT, PAD, LABEL = 560, 220, 28, 40


def localized(series: Series) -> Series:
    """The chart's words in the reader's locale: its title, its unit, and the labels that
    are texts of ours (dates and codes stay as they are)."""
    return Series(
        _(series.title),
        _(series.unit),
        tuple((_(label), value) for label, value in series.points),
    )


def charts(series: Iterable[Series]) -> list[tuple[str, Markup]]:
    """(caption, SVG) of each chart, in the reader's locale; the SVGs are built from
    escaped parts."""
    shown = [localized(s) for s in series]
    return [(s.title, Markup(bar_chart(s))) for s in shown]  # noqa: S704 - escaped parts


def bar_chart(series: Series) -> str:
    """An accessible SVG (role=img, a title, and each bar's value as text)."""
    points = series.points or (("none", 0),)
    top = max((v for _, v in points), default=0) or 1
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - PAD - LABEL
    step = inner_w / len(points)
    bars = []
    for i, (label, value) in enumerate(points):
        h = inner_h * value / top
        x = PAD + i * step + step * 0.15
        y = PAD + inner_h - h
        w = step * 0.7
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" class="bar">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{x + w / 2:.1f}" y="{y - 4:.1f}" class="value">{value}</text>'
            f'<text x="{x + w / 2:.1f}" y="{HEIGHT - LABEL + 16:.1f}" class="label">'
            f"{escape(label)}</text>"
        )
    summary = ", ".join(f"{label} {value}" for label, value in points)
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'aria-label="{escape(series.title)}: {escape(summary)} {escape(series.unit)}">'
        f"<title>{escape(series.title)}</title>"
        f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{WIDTH - PAD}" y2="{PAD + inner_h}" '
        f'class="axis"/>{"".join(bars)}</svg>'
    )
