"""Officers' classification: the citizen-satisfaction component of a civil servant's
annual appraisal, per period or per year. Visible to the center's manager and to
inspectors, never public.

Each officer's reportable ratings (the officer rollups, never the ratings table) give n,
CSAT, the index S and the Wilson bound (``rules.satisfaction``). S_adj shrinks S toward
the index of the officer's center over the same days, with the period's m
(``rules.adjusted_index_exact``): a few ratings say little, so the officer starts from
the center. The class reads S_adj as shown on the configurable bands (operational
settings; default after the civil-servant rubric of DOMAIN.md §3) and is given only from
the period's minimum n.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from ..accounts.models import Role
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center, Officer
from ..ratings.models import RollupScope
from ..scoring import rules
from ..settings import services as operational
from ..shared.timeutils import today_local
from .satisfaction import OfficerRow, officer_rows, satisfaction_figures
from .scoring_settings import settings_for
from .snapshots import period_window
from .years import year_periods

#: Who may open the officers' figures (their page and sheet); the center in their scope.
OFFICER_SHEET_VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)

OFFICER_CLASS_LABELS = {
    rules.OfficerClass.EXCELLENT: _l("Excellent (hoàn thành xuất sắc)"),
    rules.OfficerClass.GOOD: _l("Good (hoàn thành tốt)"),
    rules.OfficerClass.DONE: _l("Done (hoàn thành)"),
    rules.OfficerClass.NOT_DONE: _l("Not done (không hoàn thành)"),
}


def bands() -> tuple[float, float, float]:
    """The officers' bands in force: excellent (>), good (>), done (≥)."""
    return (
        operational.get("officer_band_excellent"),
        operational.get("officer_band_good"),
        operational.get("officer_band_done"),
    )


@dataclass(frozen=True)
class Scope:
    """What the figures cover: a period, or a calendar year (label, days, m and min n)."""

    label: str
    code: str
    start: date
    end: date
    prior_weight: int
    min_n: int


def period_scope(period: AssessmentPeriod) -> Scope:
    settings = settings_for(period)
    start, end = period_window(period, settings)
    end = min(end, max(start, today_local()))
    return Scope(period.label, period.code, start, end, settings.prior_weight, settings.min_n)


def year_scope(year: int) -> Scope | None:
    """The calendar year to today, with the settings of its latest period."""
    periods = year_periods(year)
    if not periods:
        return None
    settings = settings_for(periods[-1])
    end = min(date(year, 12, 31), today_local())
    return Scope(str(year), str(year), date(year, 1, 1), end, settings.prior_weight, settings.min_n)


@dataclass
class OfficerClassRow:
    row: OfficerRow
    center: Center
    center_index: Fraction | None
    adjusted: Fraction | None
    klass: rules.OfficerClass | None

    @property
    def officer(self) -> Officer:
        return self.row.officer

    @property
    def figures(self) -> rules.Satisfaction:
        return self.row.figures

    @property
    def adjusted_shown(self) -> float | None:
        return None if self.adjusted is None else float(rules.shown(self.adjusted))

    @property
    def center_index_shown(self) -> float | None:
        return None if self.center_index is None else float(rules.shown(self.center_index))

    @property
    def class_label(self) -> str:
        return "" if self.klass is None else str(OFFICER_CLASS_LABELS[self.klass])


def officer_classes(
    centers: list[Center], scope: Scope, *, band_values: tuple | None = None
) -> list[OfficerClassRow]:
    """Every officer of ``centers`` with n, CSAT, S, S_adj, the Wilson bound, ranks and class."""
    band_values = band_values or bands()
    by_center = {c.id: c for c in centers}
    center_sat = satisfaction_figures(RollupScope.CENTER, list(by_center), scope.start, scope.end)
    out: list[OfficerClassRow] = []
    for province in sorted({c.province_code for c in centers}):
        rows = officer_rows(province, scope.start, scope.end, min_n=scope.min_n)
        for r in rows:
            center = by_center.get(r.officer.center_id)
            if center is None:
                continue
            center_index = center_sat[center.id].index_exact
            adjusted = None
            if r.figures.n > 0:
                adjusted = rules.adjusted_index_exact(
                    r.figures.n, r.figures.index_exact, center_index, scope.prior_weight
                )
            klass = None
            if adjusted is not None and r.figures.n >= scope.min_n:
                klass = rules.officer_class(adjusted, band_values)
            out.append(OfficerClassRow(r, center, center_index, adjusted, klass))
    out.sort(key=lambda x: (x.center.code, x.officer.full_name, x.officer.id))
    return out
