"""Automatic sources: figures the portal computes from its own data for some criteria.

They are shown to the manager and the inspector as hints beside the criterion;
they never overwrite an answer. Rating figures come from the daily rollups over
the period's dates (up to today while it runs): only reportable ratings count,
as in the scores (held-for-review and staff-assisted ratings are left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..ratings.models import RollupScope
from ..scoring import rules
from ..settings import services as settings
from ..shared import labels
from ..shared.timeutils import today_local
from .satisfaction import satisfaction_figures


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
            True,
            _(
                "Opening hours published in the portal: %(hours)s",
                hours=labels.opening_hours(center.opening_hours),
            ),
        )
    return SourceValue(True, _("No opening hours are published in the portal yet."))


def _period_figures(center: Center, period: AssessmentPeriod) -> rules.Satisfaction:
    end = min(period.closes_on, today_local())
    return satisfaction_figures(RollupScope.CENTER, [center.id], period.opens_on, end)[center.id]


def _qr_ratings(center: Center, period: AssessmentPeriod) -> SourceValue:
    n = _period_figures(center, period).n
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
    s = _period_figures(center, period)
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


def _dossier_totals(center: Center, period: AssessmentPeriod):
    from ..statistics.services import center_totals

    return center_totals(center.id, period.opens_on, min(period.closes_on, today_local()))


def _dossier_source(totals) -> str:
    return _(
        "Source: dossier statistics of the one-stop software (%(source)s, imported %(date)s).",
        source=totals.source,
        date=format_date(totals.imported_at, "dd/MM/yyyy"),
    )


def _dossier_share(
    center: Center,
    period: AssessmentPeriod,
    share: str,
    count: str,
    describe: Callable[..., str],
) -> SourceValue:
    """The imported dossier statistics' ``share`` (an attribute of their totals) out of
    their ``count``, as ``describe(share=…, n=…)`` words it, with their source."""
    t = _dossier_totals(center, period)
    value = getattr(t, share) if t else None
    if value is None:
        return SourceValue(False, _("No dossier statistics have been imported for this period."))
    text = describe(
        share=format_decimal(value * 100, format="0.0"), n=format_decimal(getattr(t, count))
    )
    return SourceValue(True, text + " " + _dossier_source(t))


def _dossiers_on_time(center: Center, period: AssessmentPeriod) -> SourceValue:
    return _dossier_share(
        center,
        period,
        "on_time_share",
        "settled",
        lambda **v: _("%(share)s%% of %(n)s dossiers settled on time in this period.", **v),
    )


def _dossiers_online(center: Center, period: AssessmentPeriod) -> SourceValue:
    return _dossier_share(
        center,
        period,
        "online_share",
        "received",
        lambda **v: _("%(share)s%% of %(n)s dossiers received online in this period.", **v),
    )


SOURCES = {
    "counters_active": _counters,
    "officers_active": _officers,
    "opening_hours_published": _opening_hours,
    "qr_ratings_collected": _qr_ratings,
    "satisfaction_csat": _satisfaction,
    "dossiers_on_time": _dossiers_on_time,
    "dossiers_online_share": _dossiers_online,
}


def compute(key: str | None, center: Center, period: AssessmentPeriod) -> SourceValue | None:
    if not key or key not in SOURCES:
        return None
    return SOURCES[key](center, period)


# Typed outcome answers against the imported dossier statistics ---------------------------

#: Outcome criteria whose answer is a share the imported dossier statistics also give.
OUTCOME_SHARES = {"dossiers_on_time": "on_time_share", "dossiers_online_share": "online_share"}


@dataclass(frozen=True)
class OutcomeCheck:
    """A center's typed share beside the imported one, in percent."""

    typed: float | None
    imported: float | None
    tolerance: float
    source: str

    @property
    def difference(self) -> float | None:
        if self.typed is None or self.imported is None:
            return None
        return self.typed - self.imported

    @property
    def flagged(self) -> bool:
        """The two figures differ by more than the tolerance (percentage points)."""
        return self.difference is not None and abs(self.difference) > self.tolerance + 1e-9


def outcome_check(criterion, center: Center, period: AssessmentPeriod, typed: float | None):
    """The imported figure for an outcome criterion answered with a share in percent, or
    ``None`` for any other criterion. The same read as the checklist's hints."""
    attr = OUTCOME_SHARES.get(criterion.auto_source or "")
    if attr is None or criterion.answer_type != "number" or criterion.unit.strip() != "%":
        return None
    totals = _dossier_totals(center, period)
    share = getattr(totals, attr) if totals is not None else None
    return OutcomeCheck(
        typed=typed,
        imported=None if share is None else share * 100,
        tolerance=settings.get("dossier_gap_points"),
        source=_dossier_source(totals) if totals is not None else "",
    )


def outcome_checks(criteria, center: Center, period: AssessmentPeriod, answers) -> dict:
    """:func:`outcome_check` per criterion id, from the answers (by criterion id)."""
    out = {}
    for c in criteria:
        answer = answers.get(c.id)
        typed = None if answer is None or answer.not_applicable else answer.number
        if (check := outcome_check(c, center, period, typed)) is not None:
            out[c.id] = check
    return out
