"""Charts drawn on the server as accessible SVG.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described
by its ``<desc>``, with every value written as a text label, so nothing is
conveyed by length or colour alone. Pages always put a data table beside a
chart: the chart is for a glance, the table is the record.

Colours come from CSS classes in ``assets/scss/app.scss``
(``app-chart__bar`` and the ``--fully``/``--partially``/``--not`` variants);
no inline styles, so the content security policy needs no exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

ACHIEVEMENT_SERIES: tuple[tuple[str, str, str], ...] = (
    ("fully", "Fully achieved", "app-chart__bar--fully"),
    ("partially", "Partially achieved", "app-chart__bar--partially"),
    ("not_achieved", "Not achieved", "app-chart__bar--not"),
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""

    @property
    def shown(self) -> str:
        return self.text or _number(self.value)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    return format_html(
        '<svg class="app-chart" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
    )


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return format_html(
        '<text class="app-chart__label" x="{}" y="{}" text-anchor="{}">{}</text>',
        round(x, 1),
        round(y, 1),
        anchor,
        text,
    )


def _rect(x: float, y: float, w: float, h: float, css: str) -> str:
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>',
        css,
        round(x, 1),
        round(y, 1),
        round(max(w, 0), 1),
        round(max(h, 0), 1),
    )


def describe(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.shown}" for bar in bars) or "No data"


def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    maximum: float | None = None,
    label_width: int = 330,
    width: int = 640,
    description: str = "",
) -> SafeString:
    """One bar per row, the label on the left and the value after the bar.

    ``description``: the chart's description in full, when the bars' labels
    are shortened to fit (otherwise it is written from the bars).
    """
    row_height, gap = 26, 10
    height = max(len(bars), 1) * (row_height + gap) + gap
    top = max([maximum or 0, *(bar.value for bar in bars)]) or 1
    plot = width - label_width - 70
    parts = [_open(chart_id, title, description or describe(bars), width, height)]
    for index, bar in enumerate(bars):
        y = gap + index * (row_height + gap)
        length = plot * bar.value / top
        parts.append(_text(label_width - 8, y + row_height * 0.7, bar.label, "end"))
        parts.append(_rect(label_width, y, length, row_height, "app-chart__bar"))
        parts.append(_text(label_width + length + 6, y + row_height * 0.7, bar.shown))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def column_chart(
    *, chart_id: str, title: str, bars: Sequence[Bar], width: int = 640
) -> SafeString:
    """Vertical bars over time (months or quarters), values above each bar."""
    height, bottom, top_pad = 260, 44, 24
    count = max(len(bars), 1)
    slot = (width - 20) / count
    bar_width = max(slot * 0.6, 4)
    top = max([bar.value for bar in bars] + [1])
    plot = height - bottom - top_pad
    parts = [_open(chart_id, title, describe(bars), width, height)]
    for index, bar in enumerate(bars):
        x = 10 + index * slot + (slot - bar_width) / 2
        length = plot * bar.value / top
        y = height - bottom - length
        parts.append(_rect(x, y, bar_width, length, "app-chart__bar"))
        parts.append(_text(x + bar_width / 2, y - 6, bar.shown, "middle"))
        parts.append(
            _text(
                x + bar_width / 2,
                height - bottom + 18 + (14 if index % 2 and count > 8 else 0),
                _short(bar.label),
                "middle",
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def _short(label: str) -> str:
    """Month labels like "Apr 2026" shortened to "Apr 26" so they fit."""
    if len(label) >= 8 and label[-4:].isdigit():
        return f"{label[:-4]}{label[-2:]}"
    return label


def stacked_achievement(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[dict],
    label_key: str = "label",
    label_width: int = 200,
    width: int = 640,
) -> SafeString:
    """One bar per row split into fully / partially / not achieved, as shares.

    The counts are written after each bar; the description and the data
    table beside the chart give every number too.
    """
    row_height, gap, legend = 26, 10, 34
    height = legend + max(len(rows), 1) * (row_height + gap) + gap
    plot = width - label_width - 180
    descriptions = []
    parts = []
    for index, row in enumerate(rows):
        total = sum(row[key] for key, _l, _c in ACHIEVEMENT_SERIES)
        y = legend + gap + index * (row_height + gap)
        baseline = y + row_height * 0.7
        parts.append(_text(label_width - 8, baseline, row[label_key], "end"))
        summary = ", ".join(
            f"{row[key]} {label.split()[0].lower()}"
            for key, label, _c in ACHIEVEMENT_SERIES
        )
        descriptions.append(f"{row[label_key]}: {summary}")
        if not total:
            parts.append(_text(label_width, baseline, "None evaluated"))
            continue
        x = label_width
        for key, _label, css in ACHIEVEMENT_SERIES:
            length = plot * row[key] / total
            if length:
                parts.append(_rect(x, y, length, row_height, css))
            x += length
        parts.append(_text(label_width + plot + 8, baseline, summary))
    head = [_open(chart_id, title, "; ".join(descriptions) or "No data", width, height)]
    x = label_width
    for _key, label, css in ACHIEVEMENT_SERIES:
        head.append(_rect(x, 6, 16, 16, css))
        head.append(_text(x + 22, 19, label))
        x += 22 + 7 * len(label) + 20
    return mark_safe("".join([*head, *parts, "</svg>"]))  # noqa: S308 - escaped
