"""Automatic sources: figures the portal computes from its own data for some criteria.

They are shown to the manager and the inspector as hints beside the criterion;
they never overwrite an answer. Sources that need data the portal does not
collect yet say so instead of inventing a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from ..centers.models import Center
from .models import AssessmentPeriod


@dataclass(frozen=True)
class SourceValue:
    available: bool
    text: str


def _counters(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = sum(1 for c in center.counters if c.is_active)
    return SourceValue(
        True,
        ngettext(
            "%(num)d active counter registered in the portal.",
            "%(num)d active counters registered in the portal.",
            n,
        ),
    )


def _officers(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = sum(1 for o in center.officers if o.is_active)
    return SourceValue(
        True,
        ngettext(
            "%(num)d active officer registered in the portal.",
            "%(num)d active officers registered in the portal.",
            n,
        ),
    )


def _opening_hours(center: Center, period: AssessmentPeriod) -> SourceValue:
    if center.opening_hours.strip():
        return SourceValue(
            True, _("Opening hours published in the portal: %(hours)s", hours=center.opening_hours)
        )
    return SourceValue(True, _("No opening hours are published in the portal yet."))


def _ratings_pending(center: Center, period: AssessmentPeriod) -> SourceValue:
    return SourceValue(
        False,
        _("Not available yet: the portal does not collect citizen ratings for this center yet."),
    )


SOURCES = {
    "counters_active": _counters,
    "officers_active": _officers,
    "opening_hours_published": _opening_hours,
    "qr_ratings_collected": _ratings_pending,
    "satisfaction_csat": _ratings_pending,
}


def compute(key: str | None, center: Center, period: AssessmentPeriod) -> SourceValue | None:
    if not key or key not in SOURCES:
        return None
    return SOURCES[key](center, period)
