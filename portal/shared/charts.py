"""Server-side SVG charts: pure functions from plain numbers to an SVG string.

No Flask, no database, no JavaScript. Callers pass numbers and labels that are already
translated; every label is escaped here, so the SVG is safe to embed with ``|safe``/``Markup``.
Each SVG has a ``viewBox`` and ``width="100%"`` so it scales to the width of a phone or an old
office monitor, ``role="img"`` and a ``<title>`` referenced by ``aria-labelledby``. The numbers
behind a chart belong in a table next to it (see ``templates/macros/charts.html``).

Empty data (no bars, or every value ``None``) renders a small "no data" SVG with the caller's
``no_data`` text instead of an empty plot.

Numbers are printed with ``number`` (a ``float -> str`` callable); the default writes Vietnamese
style (``1.234,5``) so a chart in a PDF reads like the pages. Pass ``portal.i18n``'s formatter
if the request locale should decide.

Readable at every size: month labels are whole (``month_label``: "T1/2026", "Jan 2026"),
x labels are wrapped or thinned so that no two overlap (never cut to "01/2…"), count axes
(``integer=True``) have whole-number ticks, and ``unit`` names the unit above the y axis.
``Figure`` bundles a chart with its caption and table of numbers for the pages.

Why hand-written and not pygal (evaluated for issue 20 with pygal 3.1.3 from PyPI): pygal
styles every element through a ``<style>`` block of CSS classes, which fpdf2's SVG renderer
ignores, so a pygal chart embedded in a PDF comes out as a solid black rectangle; the PDFs
would need a second, raster path (cairosvg and the system cairo library). pygal also always
writes an inline ``<script>`` with its config (even with ``js=[]``), which the portal's CSP
blocks, and its defaults give fractional ticks on count axes (0,2 0,4 …), cut category
labels ("Xuất s…") and do not thin crowded x labels. The rules above fit in this module and
the same SVG serves the pages and the PDFs.

The signatures below are used by the exports (PDF) package: keep them stable.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Number = Callable[[float], str]

#: Geometry shared by the vertical charts (bars, line). Tests map values to heights with these.
#: 400 units wide: on a 360 px phone the chart is drawn ~330 px wide, so 12-unit text stays
#: ~10 px; on a desktop the figure is capped (``max-width`` in the stylesheet).
WIDTH = 400
PLOT_TOP = 22
PLOT_HEIGHT = 200
PLOT_LEFT = 44
PLOT_RIGHT = 8
FONT = "font-family=\"'Segoe UI',Arial,Helvetica,sans-serif\""
#: Text sizes (SVG units): axis labels, tick numbers and the small "n=" line.
LABEL_SIZE = 12
TICK_SIZE = 11
SMALL_SIZE = 10
#: Average advance of a character as a share of the font size. Arial/DejaVu digits are 0.55-0.64
#: em; a generous 0.62 keeps the thinning below on the safe side for Vietnamese text too.
CHAR_EM = 0.62
#: Room kept free between two neighbouring labels.
LABEL_GAP = 6

#: Colours with enough contrast on white; 'self' and 'verified' also differ by pattern (outline).
INK = "#1f2933"
GRID = "#d9dee3"
PRIMARY = "#1d5fa8"
SECONDARY = "#c2571a"
MUTED = "#5b6670"

_ID_RE = re.compile(r"[^A-Za-z0-9_-]")

#: English month abbreviations, so a label never depends on the server's C locale.
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(day, locale: str = "vi") -> str:
    """A month as an axis label, never cut: ``T1/2026`` in Vietnamese, ``Jan 2026`` in English."""
    if str(locale).startswith("en"):
        return f"{_EN_MONTHS[day.month - 1]} {day.year}"
    return f"T{day.month}/{day.year}"


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """An upper estimate of the drawn width of ``text`` at ``size`` (no font metrics needed)."""
    return len(str(text)) * size * CHAR_EM


def vn_number(value: float, digits: int = 1) -> str:
    """1234.5 → '1.234,5' (thousands '.', decimals ','); integers print without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if float(value).is_integer():
        digits = 0
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def esc(text: object) -> str:
    """Escape text for SVG/XML content and attributes."""
    return html.escape(str(text), quote=True)


def _ident(chart_id: str) -> str:
    return _ID_RE.sub("-", chart_id) or "chart"


def _short(label: str, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: max(1, limit - 1)].rstrip() + "…"


def _wrap(label: str, room: float, size: float = LABEL_SIZE, lines: int = 2) -> list[str]:
    """``label`` broken at spaces into at most ``lines`` lines of about ``room`` units.

    A word is never cut; only text beyond the last line is shortened with "…" (and then the
    full label is still in the chart's ``<title>`` tooltips and in the table of numbers).
    """
    words = str(label).split()
    if not words:
        return [""]
    per_line = max(3, int(room / (size * CHAR_EM)))
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and len(candidate) > per_line:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    if len(out) > lines:
        out = out[: lines - 1] + [_short(" ".join(out[lines - 1 :]), per_line)]
    return out


def _open(chart_id: str, title: str, height: int, width: int = WIDTH) -> list[str]:
    ident = _ident(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{ident}-title" '
        f'class="chart" style="max-width:100%;height:auto" {FONT} font-size="{LABEL_SIZE}">',
        f'<title id="{ident}-title">{esc(title)}</title>',
    ]


def no_data_svg(*, title: str, no_data: str, chart_id: str = "chart") -> str:
    """The 'no data' state: a framed message, so a reader knows the chart is empty on purpose."""
    out = _open(chart_id, title, 80)
    out.append(
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="78" fill="#f5f7f9" stroke="{GRID}"/>'
    )
    out.append(
        f'<text x="{WIDTH / 2:g}" y="45" text-anchor="middle" fill="{MUTED}" '
        f'class="chart-empty">{esc(no_data)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _nice_max(value: float, integer: bool = False) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 × 10^k so the grid lines are round numbers."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exp
        if candidate >= value and (not integer or float(candidate).is_integer()):
            return float(candidate)
    return float(10 ** (exp + 1))


nice_max = _nice_max


def tick_values(y_max: float, *, integer: bool = False) -> list[float]:
    """Round tick values 0..y_max: 3 to 6 intervals of 1, 2, 2.5 or 5 × 10^k.

    For counts (``integer``) every tick is a whole number: an axis of ratings or centers
    never shows 12,5 or 3,8. ``y_max`` itself is always the last tick.
    """
    if y_max <= 0:
        return [0.0, 1.0]
    exp = math.floor(math.log10(y_max)) - 1
    for _ in range(4):
        for mult in (1, 2, 2.5, 5):
            step = mult * 10.0**exp
            if integer and not (step.is_integer() and step >= 1):
                continue
            count = y_max / step
            if count <= 6 + 1e-9 and abs(count - round(count)) < 1e-9:
                return [round(step * i, 10) for i in range(round(count) + 1)]
        exp += 1
    if integer:
        step = max(1.0, float(math.ceil(y_max / 5)))
        return [step * i for i in range(math.ceil(y_max / step) + 1)]
    return [y_max * i / 4 for i in range(5)]


def y_of(value: float, y_max: float) -> float:
    """The SVG y coordinate of ``value`` on a vertical axis 0..y_max (clamped to the plot)."""
    ratio = 0.0 if y_max <= 0 else max(0.0, min(1.0, value / y_max))
    return PLOT_TOP + PLOT_HEIGHT * (1 - ratio)


def _y_axis(
    out: list[str],
    y_max: float,
    number: Number,
    plot_right: float,
    *,
    integer: bool = False,
    unit: str | None = None,
) -> float:
    """Grid lines and tick numbers; the axis maximum actually used (the last tick)."""
    ticks = tick_values(y_max, integer=integer)
    top = ticks[-1]
    for tick in ticks:
        y = y_of(tick, top)
        out.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{plot_right:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text class="tick" x="{PLOT_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}" font-size="{TICK_SIZE}">{esc(number(tick))}</text>'
        )
    if unit:
        out.append(
            f'<text class="unit" x="{PLOT_LEFT - 4}" y="{PLOT_TOP - 9}" text-anchor="start" '
            f'fill="{MUTED}" font-size="{TICK_SIZE}">{esc(unit)}</text>'
        )
    return top


def _label_step(count: int, room: float, widest: float = 34) -> int:
    """Show every k-th x label so that labels of ``widest`` units never overlap."""
    per = room / max(count, 1)
    return max(1, math.ceil((widest + LABEL_GAP) / per))


def _x_labels(
    labels: Sequence[str],
    centers: Sequence[float],
    slot: float,
    base: float,
    *,
    sub: Sequence[str] | None = None,
) -> tuple[list[str], int]:
    """The x-axis labels under ``base`` and the number of text lines they take.

    Every label shows in full on one line when there is room; else (category labels, no
    ``sub``) broken onto two lines at spaces; else every k-th label (always the first) so that
    no two drawn labels overlap. ``sub`` is a smaller second line per label (e.g. "n=1.544"),
    thinned with its label.
    """
    single = [[str(label)] for label in labels]
    widest = max(text_width(label) for label in labels)
    if sub is not None:
        widest = max(widest, max(text_width(s, SMALL_SIZE) for s in sub))
    rows, step = single, 1
    if widest + LABEL_GAP > slot:
        wrapped = None if sub is not None else [_wrap(x, slot - LABEL_GAP, lines=3) for x in labels]
        if wrapped and max(text_width(x) for w in wrapped for x in w) + LABEL_GAP <= slot:
            rows = wrapped
        else:
            step = _label_step(len(labels), slot * len(labels), widest)
    lines = max(len(r) for r in rows)
    out: list[str] = []
    for i, (parts, cx) in enumerate(zip(rows, centers, strict=True)):
        if i % step:
            continue
        for j, line in enumerate(parts):
            out.append(
                f'<text class="x-label" x="{cx:.1f}" y="{base + 16 + 14 * j}" '
                f'text-anchor="middle" fill="{INK}" font-size="{LABEL_SIZE}">{esc(line)}</text>'
            )
        if sub is not None:
            out.append(
                f'<text class="x-sub" x="{cx:.1f}" y="{base + 16 + 14 * lines}" '
                f'text-anchor="middle" fill="{MUTED}" font-size="{SMALL_SIZE}">'
                f"{esc(sub[i])}</text>"
            )
    return out, lines + (1 if sub is not None else 0)


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    no_data: str,
    y_max: float | None = None,
    chart_id: str = "bars",
    number: Number = vn_number,
    color: str = PRIMARY,
    show_values: bool = True,
    integer: bool = False,
    unit: str | None = None,
) -> str:
    """Vertical bars, one per ``(label, value)``: the distribution of classes, ratings by hour.

    ``y_max`` fixes the axis (e.g. 100 for percentages); by default it is a round number above
    the largest value. A ``None`` value draws no bar (the label stays so the gap is visible).
    ``integer`` marks counts: whole-number ticks only. ``unit`` is written above the axis.
    """
    values = [v for _, v in bars if v is not None]
    if not bars or not values or all(v == 0 for v in values) and y_max is None:
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    top = y_max if y_max is not None else _nice_max(max(values), integer)
    plot_right = WIDTH - PLOT_RIGHT
    room = plot_right - PLOT_LEFT
    slot = room / len(bars)
    base = PLOT_TOP + PLOT_HEIGHT
    centers = [PLOT_LEFT + slot * (i + 0.5) for i in range(len(bars))]
    labels, lines = _x_labels([label for label, _ in bars], centers, slot, base)
    out = _open(chart_id, title, base + 8 + 14 * lines + 4)
    top = _y_axis(out, top, number, plot_right, integer=integer, unit=unit)
    bar_w = max(2.0, slot * 0.7)
    widest_value = max(text_width(number(v), TICK_SIZE) for v in values)
    values_fit = show_values and widest_value + 2 <= slot
    for (label, value), cx in zip(bars, centers, strict=True):
        if value is None:
            continue
        y = y_of(value, top)
        out.append(
            f'<rect class="bar" x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{base - y:.1f}" fill="{color}" data-value="{esc(value)}">'
            f"<title>{esc(label)}: {esc(number(value))}</title></rect>"
        )
        if values_fit:
            out.append(
                f'<text class="value" x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'fill="{INK}" font-size="{TICK_SIZE}">{esc(number(value))}</text>'
            )
    out.extend(labels)
    out.append(f'<line x1="{PLOT_LEFT}" y1="{base}" x2="{plot_right}" y2="{base}" stroke="{INK}"/>')
    out.append("</svg>")
    return "".join(out)


def line_chart(
    points: Sequence[tuple[str, float | None, int]],
    *,
    title: str,
    no_data: str,
    y_max: float = 100.0,
    chart_id: str = "line",
    number: Number = vn_number,
    n_label: str = "n",
    unit: str | None = None,
) -> str:
    """A line over ``(label, value, n)`` points, e.g. satisfaction (CSAT %) by month with its n.

    A ``None`` value (a month without ratings) breaks the line; n is printed under each label
    so a reader can see how much a point rests on. Labels, their n and the values above the
    points are thinned together, so none overlaps another however many months there are.
    """
    if not points or all(v is None for _, v, _ in points):
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    plot_right = WIDTH - PLOT_RIGHT
    room = plot_right - PLOT_LEFT
    slot = room / len(points)
    base = PLOT_TOP + PLOT_HEIGHT
    centers = [PLOT_LEFT + slot * (i + 0.5) for i in range(len(points))]
    subs = [f"{n_label}={vn_number(n)}" for _, _, n in points]
    labels, lines = _x_labels([label for label, _, _ in points], centers, slot, base, sub=subs)
    out = _open(chart_id, title, base + 8 + 14 * lines + 4)
    y_max = _y_axis(out, y_max, number, plot_right, unit=unit)
    values = [number(v) for _, v, _ in points if v is not None]
    value_step = _label_step(len(points), room, max(text_width(v, TICK_SIZE) for v in values))
    segments: list[list[tuple[float, float]]] = [[]]
    marks: list[str] = []
    for i, ((label, value, n), cx) in enumerate(zip(points, centers, strict=True)):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        y = y_of(value, y_max)
        segments[-1].append((cx, y))
        marks.append(
            f'<circle class="point" cx="{cx:.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}" '
            f'data-value="{esc(value)}"><title>{esc(label)}: {esc(number(value))} '
            f"({esc(n_label)} = {esc(vn_number(n))})</title></circle>"
        )
        if i % value_step == 0:
            marks.append(
                f'<text class="value" x="{cx:.1f}" y="{max(y - 8, 10):.1f}" '
                f'text-anchor="middle" fill="{INK}" font-size="{TICK_SIZE}">'
                f"{esc(number(value))}</text>"
            )
    out.extend(labels)
    for seg in segments:
        if len(seg) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{PRIMARY}" stroke-width="2"/>'
            )
    out.extend(marks)
    out.append(f'<line x1="{PLOT_LEFT}" y1="{base}" x2="{plot_right}" y2="{base}" stroke="{INK}"/>')
    out.append("</svg>")
    return "".join(out)


#: Geometry of the horizontal paired bars.
HBAR_LEFT = 8
HBAR_WIDTH = WIDTH - HBAR_LEFT - 56
HBAR_ROW = 50


def x_of_hbar(value: float, x_max: float) -> float:
    """Length of a horizontal bar for ``value`` on 0..x_max."""
    ratio = 0.0 if x_max <= 0 else max(0.0, min(1.0, value / x_max))
    return HBAR_WIDTH * ratio


def paired_hbar_chart(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    title: str,
    no_data: str,
    series: tuple[str, str],
    x_max: float = 100.0,
    chart_id: str = "hbars",
    number: Number = vn_number,
) -> str:
    """Two horizontal bars per ``(label, first, second)`` row, e.g. area score self vs verified.

    The label sits above its bars (full width), so long Vietnamese area names stay readable on
    a phone. The second series is drawn as an outlined bar so it differs without colour too.
    """
    if not rows or all(a is None and b is None for _, a, b in rows):
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    legend_h = 22
    names = [_wrap(label, HBAR_WIDTH + 40) for label, _, _ in rows]
    tops = []
    y = legend_h
    for lines in names:
        tops.append(y)
        y += HBAR_ROW + 14 * (len(lines) - 1)
    out = _open(chart_id, title, y + 6)
    out.append(f'<rect x="{HBAR_LEFT}" y="4" width="12" height="12" fill="{PRIMARY}"/>')
    out.append(f'<text x="{HBAR_LEFT + 16}" y="14" fill="{INK}">{esc(series[0])}</text>')
    mid = WIDTH / 2
    out.append(
        f'<rect x="{mid:g}" y="4" width="12" height="12" fill="#f6dccb" stroke="{SECONDARY}" '
        f'stroke-width="2"/>'
    )
    out.append(f'<text x="{mid + 16:g}" y="14" fill="{INK}">{esc(series[1])}</text>')
    for (label, first, second), lines, row_top in zip(rows, names, tops, strict=True):
        for j, line in enumerate(lines):
            out.append(
                f'<text class="row-label" x="{HBAR_LEFT}" y="{row_top + 13 + 14 * j}" '
                f'fill="{INK}">{esc(line)}</text>'
            )
        top = row_top + 14 * (len(lines) - 1)
        for j, (value, bar_y) in enumerate(((first, top + 17), (second, top + 32))):
            klass = "bar-first" if j == 0 else "bar-second"
            if value is None:
                out.append(
                    f'<text x="{HBAR_LEFT}" y="{bar_y + 10}" fill="{MUTED}" font-size="11">–</text>'
                )
                continue
            length = x_of_hbar(value, x_max)
            style = (
                f'fill="{PRIMARY}"'
                if j == 0
                else f'fill="#f6dccb" stroke="{SECONDARY}" stroke-width="2"'
            )
            out.append(
                f'<rect class="{klass}" x="{HBAR_LEFT}" y="{bar_y}" width="{length:.1f}" '
                f'height="12" {style} data-value="{esc(value)}">'
                f"<title>{esc(label)} – {esc(series[j])}: {esc(number(value))}</title></rect>"
            )
            out.append(
                f'<text x="{HBAR_LEFT + length + 4:.1f}" y="{bar_y + 10}" fill="{INK}" '
                f'font-size="11">{esc(number(value))}</text>'
            )
    out.append("</svg>")
    return "".join(out)


#: Geometry of the scatter (square plot).
SCATTER_SIZE = 300
SCATTER_LEFT = 44
SCATTER_TOP = 12


def scatter_chart(
    points: Sequence[tuple[str, float, float]],
    *,
    title: str,
    no_data: str,
    x_label: str,
    y_label: str,
    axis_max: float = 100.0,
    chart_id: str = "scatter",
    number: Number = vn_number,
    diagonal: bool = True,
) -> str:
    """Points ``(label, x, y)`` on 0..axis_max, e.g. C_self (x) vs C_verified (y).

    The diagonal y = x is drawn: a center on it assessed itself honestly; far below it, the
    self-assessment was higher than what the inspectors verified.
    """
    if not points:
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    width = SCATTER_LEFT + SCATTER_SIZE + 16
    height = SCATTER_TOP + SCATTER_SIZE + 40
    out = _open(chart_id, title, height, width=width)

    def sx(value: float) -> float:
        return SCATTER_LEFT + SCATTER_SIZE * max(0.0, min(1.0, value / axis_max))

    def sy(value: float) -> float:
        return SCATTER_TOP + SCATTER_SIZE * (1 - max(0.0, min(1.0, value / axis_max)))

    for i in range(5):
        tick = axis_max * i / 4
        out.append(
            f'<line x1="{SCATTER_LEFT}" y1="{sy(tick):.1f}" x2="{SCATTER_LEFT + SCATTER_SIZE}" '
            f'y2="{sy(tick):.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<line x1="{sx(tick):.1f}" y1="{SCATTER_TOP}" x2="{sx(tick):.1f}" '
            f'y2="{SCATTER_TOP + SCATTER_SIZE}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{SCATTER_LEFT - 4}" y="{sy(tick) + 4:.1f}" text-anchor="end" '
            f'fill="{MUTED}" font-size="11">{esc(number(tick))}</text>'
        )
        out.append(
            f'<text x="{sx(tick):.1f}" y="{SCATTER_TOP + SCATTER_SIZE + 14}" '
            f'text-anchor="middle" fill="{MUTED}" font-size="11">{esc(number(tick))}</text>'
        )
    if diagonal:
        out.append(
            f'<line class="diagonal" x1="{sx(0):.1f}" y1="{sy(0):.1f}" x2="{sx(axis_max):.1f}" '
            f'y2="{sy(axis_max):.1f}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
        )
    for label, x, y in points:
        out.append(
            f'<circle class="point" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{PRIMARY}" '
            f'fill-opacity="0.7" data-x="{esc(x)}" data-y="{esc(y)}"><title>{esc(label)}: '
            f"{esc(x_label)} {esc(number(x))}, {esc(y_label)} {esc(number(y))}</title></circle>"
        )
    out.append(
        f'<text x="{SCATTER_LEFT + SCATTER_SIZE / 2:g}" y="{height - 6}" text-anchor="middle" '
        f'fill="{INK}">{esc(x_label)}</text>'
    )
    out.append(
        f'<text x="12" y="{SCATTER_TOP + SCATTER_SIZE / 2:g}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 12 {SCATTER_TOP + SCATTER_SIZE / 2:g})">{esc(y_label)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def hour_chart(
    counts: Sequence[int],
    *,
    title: str,
    no_data: str,
    chart_id: str = "hours",
    number: Number = vn_number,
    unit: str | None = None,
) -> str:
    """Ratings by hour of day: ``counts[h]`` ratings in hour h (0..23, local time)."""
    if len(counts) != 24:
        raise ValueError("hour_chart needs 24 counts, one per hour of day")
    if not any(counts):
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    bars = [(f"{h}h", float(c)) for h, c in enumerate(counts)]
    return bar_chart(
        bars,
        title=title,
        no_data=no_data,
        chart_id=chart_id,
        number=number,
        show_values=False,
        integer=True,
        unit=unit,
    )


@dataclass
class Figure:
    """What ``macros/charts.html`` renders: the SVG, a visible caption and the numbers as a
    table (headers, rows of text) so the chart is readable without seeing it."""

    id: str
    caption: str
    svg: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
