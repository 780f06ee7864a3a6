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

The signatures below are used by the exports (PDF) package: keep them stable.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence

Number = Callable[[float], str]

#: Geometry shared by the vertical charts (bars, line). Tests map values to heights with these.
WIDTH = 480
PLOT_TOP = 16
PLOT_HEIGHT = 200
PLOT_LEFT = 40
PLOT_RIGHT = 8
FONT = "font-family=\"'Segoe UI',Arial,Helvetica,sans-serif\""

#: Colours with enough contrast on white; 'self' and 'verified' also differ by pattern (outline).
INK = "#1f2933"
GRID = "#d9dee3"
PRIMARY = "#1d5fa8"
SECONDARY = "#c2571a"
MUTED = "#6b7785"

_ID_RE = re.compile(r"[^A-Za-z0-9_-]")


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


def _open(chart_id: str, title: str, height: int, width: int = WIDTH) -> list[str]:
    ident = _ident(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{ident}-title" '
        f'class="chart" style="max-width:100%;height:auto" {FONT} font-size="12">',
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


def _nice_max(value: float) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 × 10^k so the grid lines are round numbers."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exp
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exp + 1))


def y_of(value: float, y_max: float) -> float:
    """The SVG y coordinate of ``value`` on a vertical axis 0..y_max (clamped to the plot)."""
    ratio = 0.0 if y_max <= 0 else max(0.0, min(1.0, value / y_max))
    return PLOT_TOP + PLOT_HEIGHT * (1 - ratio)


def _y_axis(out: list[str], y_max: float, number: Number, plot_right: float) -> None:
    for i in range(5):
        tick = y_max * i / 4
        y = y_of(tick, y_max)
        out.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{plot_right:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{PLOT_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}" '
            f'font-size="11">{esc(number(tick))}</text>'
        )


def _label_step(count: int, room: float) -> int:
    """Show every k-th x label so that labels do not overlap (about 34 units per label)."""
    per = room / max(count, 1)
    return max(1, math.ceil(34 / per)) if per < 34 else 1


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
) -> str:
    """Vertical bars, one per ``(label, value)``: the distribution of classes, ratings by hour.

    ``y_max`` fixes the axis (e.g. 100 for percentages); by default it is a round number above
    the largest value. A ``None`` value draws no bar (the label stays so the gap is visible).
    """
    values = [v for _, v in bars if v is not None]
    if not bars or not values or all(v == 0 for v in values) and y_max is None:
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    top = y_max if y_max is not None else _nice_max(max(values))
    height = PLOT_TOP + PLOT_HEIGHT + 30
    out = _open(chart_id, title, height)
    plot_right = WIDTH - PLOT_RIGHT
    _y_axis(out, top, number, plot_right)
    room = plot_right - PLOT_LEFT
    slot = room / len(bars)
    bar_w = max(2.0, slot * 0.7)
    step = _label_step(len(bars), room)
    base = PLOT_TOP + PLOT_HEIGHT
    for i, (label, value) in enumerate(bars):
        cx = PLOT_LEFT + slot * (i + 0.5)
        if value is not None:
            y = y_of(value, top)
            out.append(
                f'<rect class="bar" x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{base - y:.1f}" fill="{color}" data-value="{esc(value)}">'
                f"<title>{esc(label)}: {esc(number(value))}</title></rect>"
            )
            if show_values and slot >= 22:
                out.append(
                    f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="{INK}" '
                    f'font-size="11">{esc(number(value))}</text>'
                )
        if i % step == 0:
            out.append(
                f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle" fill="{INK}" '
                f'font-size="11">{esc(_short(label, max(3, int(slot * step / 7))))}</text>'
            )
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
) -> str:
    """A line over ``(label, value, n)`` points, e.g. satisfaction (CSAT %) by month with its n.

    A ``None`` value (a month without ratings) breaks the line; n is printed under each label
    so a reader can see how much a point rests on.
    """
    if not points or all(v is None for _, v, _ in points):
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    height = PLOT_TOP + PLOT_HEIGHT + 44
    out = _open(chart_id, title, height)
    plot_right = WIDTH - PLOT_RIGHT
    _y_axis(out, y_max, number, plot_right)
    room = plot_right - PLOT_LEFT
    slot = room / len(points)
    step = _label_step(len(points), room)
    base = PLOT_TOP + PLOT_HEIGHT
    segments: list[list[tuple[float, float]]] = [[]]
    marks: list[str] = []
    for i, (label, value, n) in enumerate(points):
        cx = PLOT_LEFT + slot * (i + 0.5)
        if value is None:
            if segments[-1]:
                segments.append([])
        else:
            y = y_of(value, y_max)
            segments[-1].append((cx, y))
            marks.append(
                f'<circle class="point" cx="{cx:.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}" '
                f'data-value="{esc(value)}"><title>{esc(label)}: {esc(number(value))} '
                f"({esc(n_label)} = {esc(vn_number(n))})</title></circle>"
            )
            if slot >= 30:
                marks.append(
                    f'<text x="{cx:.1f}" y="{y - 8:.1f}" text-anchor="middle" fill="{INK}" '
                    f'font-size="11">{esc(number(value))}</text>'
                )
        if i % step == 0:
            out.append(
                f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle" fill="{INK}" '
                f'font-size="11">{esc(_short(label, max(3, int(slot * step / 7))))}</text>'
            )
            out.append(
                f'<text x="{cx:.1f}" y="{base + 32}" text-anchor="middle" fill="{MUTED}" '
                f'font-size="10">{esc(n_label)}={esc(vn_number(n))}</text>'
            )
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
    height = legend_h + HBAR_ROW * len(rows) + 6
    out = _open(chart_id, title, height)
    out.append(f'<rect x="{HBAR_LEFT}" y="4" width="12" height="12" fill="{PRIMARY}"/>')
    out.append(f'<text x="{HBAR_LEFT + 16}" y="14" fill="{INK}">{esc(series[0])}</text>')
    mid = WIDTH / 2
    out.append(
        f'<rect x="{mid:g}" y="4" width="12" height="12" fill="#f6dccb" stroke="{SECONDARY}" '
        f'stroke-width="2"/>'
    )
    out.append(f'<text x="{mid + 16:g}" y="14" fill="{INK}">{esc(series[1])}</text>')
    for i, (label, first, second) in enumerate(rows):
        top = legend_h + HBAR_ROW * i
        out.append(
            f'<text x="{HBAR_LEFT}" y="{top + 13}" fill="{INK}">{esc(_short(label, 70))}</text>'
        )
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
) -> str:
    """Ratings by hour of day: ``counts[h]`` ratings in hour h (0..23, local time)."""
    if len(counts) != 24:
        raise ValueError("hour_chart needs 24 counts, one per hour of day")
    if not any(counts):
        return no_data_svg(title=title, no_data=no_data, chart_id=chart_id)
    bars = [(f"{h}h", float(c)) for h, c in enumerate(counts)]
    return bar_chart(
        bars, title=title, no_data=no_data, chart_id=chart_id, number=number, show_values=False
    )
