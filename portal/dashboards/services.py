"""Charts of the dashboards: figures from ``rankings.dashboards`` → SVG + the table of numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..i18n import format_number
from ..rankings.models import CLASS_LABELS
from ..scoring import rules
from ..shared import charts


@dataclass
class Chart:
    """What ``macros/charts.html`` renders: the SVG, a caption and the data as a table."""

    id: str
    caption: str
    svg: Markup
    headers: list[str]
    rows: list[list[str]]


def number(value: float) -> str:
    """A chart's number in the request's locale (1.234,5 in Vietnamese)."""
    return format_number(value, 1, trim=True)


def month(day) -> str:
    """A month label in the request's language: "T1/2026" or "Jan 2026", never cut."""
    return charts.month_label(day, str(get_locale() or "vi"))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{number(value * 100)} %"


def _chart(
    draw: Callable[..., str],
    data,
    chart_id: str,
    caption: str,
    *,
    no_data: str,
    headers: list[str],
    rows: list[list[str]],
    **options,
) -> Chart:
    """``draw`` (a ``shared.charts`` function) over ``data``, titled ``caption``, in the
    request's number format; ``headers`` and ``rows`` are the chart's table."""
    svg = draw(data, title=caption, no_data=no_data, chart_id=chart_id, number=number, **options)
    # The charts escape every label they draw.
    return Chart(chart_id, caption, Markup(svg), headers, rows)  # noqa: S704


def satisfaction_chart(chart_id: str, caption: str, months) -> Chart:
    """CSAT (%) per month with n; ``months`` is [(first day, rules.Satisfaction)]."""
    return _chart(
        charts.line_chart,
        [(month(m), None if s.csat is None else s.csat * 100, s.n) for m, s in months],
        chart_id,
        caption,
        no_data=_("No ratings in these months."),
        headers=[_("Month"), _("Satisfied (CSAT)"), _("Index S"), _("Number of ratings")],
        rows=[
            [month(m), _pct(s.csat), "–" if s.index is None else number(s.index), str(s.n)]
            for m, s in months
        ],
        unit="%",
    )


def class_chart(chart_id: str, caption: str, by_class: dict[str, int]) -> Chart:
    bars = [(str(CLASS_LABELS[k]), float(by_class.get(str(k), 0))) for k in rules.Classification]
    return _chart(
        charts.bar_chart,
        bars,
        chart_id,
        caption,
        no_data=_("No verified center in this period."),
        headers=[_("Class"), _("Centers")],
        rows=[[label, str(int(v))] for label, v in bars],
        integer=True,
        unit=_("centers"),
    )


def honesty_chart(chart_id: str, caption: str, points) -> Chart:
    return _chart(
        charts.scatter_chart,
        points,
        chart_id,
        caption,
        no_data=_("No verified center in this period."),
        headers=[_("Center"), _("C_self"), _("C_verified"), _("Gap")],
        rows=[[name, number(s), number(v), number(s - v)] for name, s, v in points],
        x_label=_("C_self"),
        y_label=_("C_verified"),
    )


def area_chart(chart_id: str, caption: str, rows: list[tuple[str, float | None, float | None]]):
    def show(v):
        return "–" if v is None else number(v)

    return _chart(
        charts.paired_hbar_chart,
        rows,
        chart_id,
        caption,
        no_data=_("No verified result in this period."),
        headers=[_("Area"), _("Self-assessed"), _("Verified"), _("Gap")],
        rows=[
            [name, show(a), show(b), show(None if a is None or b is None else a - b)]
            for name, a, b in rows
        ],
        series=(_("Self-assessed"), _("Verified")),
    )


def hour_chart(chart_id: str, caption: str, counts: list[int]) -> Chart:
    return _chart(
        charts.hour_chart,
        counts,
        chart_id,
        caption,
        no_data=_("No ratings in this period."),
        headers=[_("Hour"), _("Number of ratings")],
        rows=[[f"{h}:00–{h}:59", str(n)] for h, n in enumerate(counts) if n],
        unit=_("ratings"),
    )
