"""Live figures of a period: one figure per center and period on every staff page.

A period that is not published has no result to keep: its stored snapshots are a working
copy, refreshed from the rollups and the verified results whenever a staff page reads them
(only the centers whose figures moved are written), so that the center dashboard, its
counter table, the ratings page and the province dashboard give the same n at the same
moment; the pages label them "live, at <time>".

A published period keeps its published figures (a change needs a new revision of the
result, never a silent rewrite); beside them, the staff pages show what the rollups hold
now, labelled live with its time, when it differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..ratings.models import RollupScope
from ..scoring import rules
from ..shared.timeutils import now_utc, today_local
from .satisfaction import satisfaction_figures
from .scoring_settings import settings_for
from .snapshots import has_snapshots, period_window, recompute_snapshots


@dataclass(frozen=True)
class Freshness:
    """Whether a page shows live figures (an unpublished period) and when they were read."""

    live: bool
    at: datetime


def is_published(period: AssessmentPeriod) -> bool:
    return settings_for(period).is_published


def refresh(period: AssessmentPeriod, *, today: date | None = None) -> Freshness:
    """Bring an unpublished period's snapshots up to the rollups (no-op when published)."""
    if is_published(period):
        return Freshness(False, now_utc())
    if has_snapshots(period):
        recompute_snapshots(period, actor=None, today=today)
    return Freshness(True, now_utc())


def live_window(period: AssessmentPeriod, *, today: date | None = None) -> tuple[date, date]:
    """The days whose ratings count now: from the period's first day to today or its end."""
    today = today or today_local()
    return period.opens_on, max(period.opens_on, min(period.closes_on, today))


def counting_window(period: AssessmentPeriod) -> tuple[date, date]:
    """The days the period's results count (the published cut, if any)."""
    return period_window(period, settings_for(period))


def live_satisfaction(period: AssessmentPeriod, center: Center) -> rules.Satisfaction:
    """The center's satisfaction over the period's counting window, from the rollups now."""
    start, end = counting_window(period)
    return satisfaction_figures(RollupScope.CENTER, [center.id], start, end)[center.id]
