"""Bar charts as inline SVG, made at build time. Pure, no Pelican, no JavaScript.

The SVG has no viewBox: positions across are percentages of the chart's width and
heights are CSS pixels, so the chart fills its column at any width while its text keeps
the size of the page's text. Colours are ``currentColor`` presentation attributes that the
stylesheet refines through classes (a Content-Security-Policy forbids style attributes),
so a chart follows light, dark and print styles. Screen readers get ``role="img"``, a
title and a description that holds every number; the page shows the same numbers in a
table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

ROW_HEIGHT = 32  # px
BAR_HEIGHT = 20
LABEL_SHARE = 34.0  # % of the width for the labels
BAR_SHARE = 54.0  # % for the longest bar; the rest holds its value


def _percent(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, int]],
    *,
    scale: int | None = None,
    number: Callable[[int], str] = str,
) -> str:
    """An SVG of horizontal bars, one per (label, value) row.

    ``scale`` is the value of a full-length bar (default: the largest value), so that
    charts placed together can share one; ``number`` formats values for the reader's
    language. The description ends with every row's label and value.
    """
    largest = max([scale or 0, *(value for _, value in rows)]) or 1
    height = ROW_HEIGHT * len(rows) + 4
    listed = "; ".join(f"{label}: {number(value)}" for label, value in rows)
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" width="100%" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(listed)}.</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        top = ROW_HEIGHT * index + 2
        baseline = top + ROW_HEIGHT / 2 + 5
        width = BAR_SHARE * value / largest
        parts += [
            '<g class="chart__row">',
            f'<text class="chart__label" x="0" y="{baseline:g}" fill="currentColor" '
            f'font-size="14">{escape(label)}</text>',
            f'<rect class="chart__bar" x="{_percent(LABEL_SHARE)}" '
            f'y="{top + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}" width="{_percent(width)}" '
            f'height="{BAR_HEIGHT}" rx="2" fill="currentColor"/>',
            f'<text class="chart__value" x="{_percent(LABEL_SHARE + width)}" dx="6" '
            f'y="{baseline:g}" fill="currentColor" font-size="14">{escape(number(value))}</text>',
            "</g>",
        ]
    parts += [
        f'<line class="chart__axis" x1="{_percent(LABEL_SHARE)}" x2="{_percent(LABEL_SHARE)}" '
        f'y1="0" y2="{height}" stroke="currentColor" stroke-width="1"/>',
        "</svg>",
    ]
    return "\n".join(parts)
