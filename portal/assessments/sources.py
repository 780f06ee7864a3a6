"""Automatic sources: figures the portal computes from its own data for some criteria.

They are shown to the manager and the inspector as hints beside the criterion;
they never overwrite an answer. Rating figures come from the daily rollups over
the period's dates (up to today while it runs): only reportable ratings count,
as in the scores (held-for-review and staff-assisted ratings are left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from ..centers.models import Center
from ..ratings.models import RollupScope
from ..ratings.services import rollup_counts
from ..scoring.rules import satisfaction
from ..settings import services as settings
from .models import AssessmentPeriod


@dataclass(frozen=True)
class SourceValue:
    available: bool
    text: str


def _active(items) -> int:
    return sum(1 for item in items if item.is_active)


def _counters(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = _active(center.counters)
    text = ngettext(
        "%(num)d active counter registered in the portal.",
        "%(num)d active counters registered in the portal.",
        n,
    )
    return SourceValue(True, text)


def _officers(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = _active(center.officers)
    text = ngettext(
        "%(num)d active officer registered in the portal.",
        "%(num)d active officers registered in the portal.",
        n,
    )
    return SourceValue(True, text)


def _opening_hours(center: Center, period: AssessmentPeriod) -> SourceValue:
    if center.opening_hours.strip():
        return SourceValue(
            True, _("Opening hours published in the portal: %(hours)s", hours=center.opening_hours)
        )
    return SourceValue(True, _("No opening hours are published in the portal yet."))


def _period_counts(center: Center, period: AssessmentPeriod) -> tuple[int, ...]:
    from .services import today_local

    end = min(period.closes_on, today_local())
    counts = rollup_counts(str(RollupScope.CENTER), [center.id], period.opens_on, end)
    return counts.get(center.id, (0, 0, 0, 0, 0))


def _qr_ratings(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = sum(_period_counts(center, period))
    if n == 0:
        return SourceValue(True, _("No citizen rating has been collected in this period yet."))
    return SourceValue(
        True,
        ngettext(
            "%(num)d citizen rating collected through the portal in this period.",
            "%(num)d citizen ratings collected through the portal in this period.",
            n,
        ),
    )


def _satisfaction(center: Center, period: AssessmentPeriod) -> SourceValue:
    s = satisfaction(_period_counts(center, period))
    min_n = settings.get("rating_min_n")
    if s.n < min_n:
        return SourceValue(
            False,
            _(
                "Not enough ratings yet: %(n)d of the %(min)d needed for a reliable share.",
                n=s.n,
                min=min_n,
            ),
        )
    return SourceValue(
        True,
        _(
            "%(csat)s%% satisfied (ratings 4–5) out of %(n)s ratings in this period; "
            "95%% lower bound %(lower)s%%.",
            csat=format_decimal(s.csat * 100, format="0.0"),
            n=format_decimal(s.n),
            lower=format_decimal(s.wilson_lower * 100, format="0.0"),
        ),
    )


SOURCES = {
    "counters_active": _counters,
    "officers_active": _officers,
    "opening_hours_published": _opening_hours,
    "qr_ratings_collected": _qr_ratings,
    "satisfaction_csat": _satisfaction,
}


def compute(key: str | None, center: Center, period: AssessmentPeriod) -> SourceValue | None:
    if not key or key not in SOURCES:
        return None
    return SOURCES[key](center, period)
