"""The verified result: C_self, C_verified, area scores, gates and the standardized status,
and finalization, which locks the assessment and opens the appeal window.

Scores come from :mod:`portal.scoring.rules` through the checklist's own scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments import services as checklist
from ..scoring import rules
from ..shared.signals import inspection_result_changed
from ..shared.timeutils import now_utc, today_local
from .access import InspectionError, check_inspector
from .models import Inspection, InspectionStatus, Verdict
from .steps import answers_of, items_by_criterion, lock_under_review, rounded, write_step

DEFAULT_APPEAL_WINDOW_DAYS = 10


@dataclass
class _Verified:
    criterion_id: int
    choice: str | None
    number: float | None
    not_applicable: bool
    is_answered: bool = True


@dataclass(frozen=True)
class Result:
    self_score: float | None
    verified_score: float | None
    gates_ok: bool
    standardized: bool
    areas: dict[str, list]  # code -> [self, verified] area fractions
    criteria: dict[str, list]  # code -> [self, verified] criterion fractions

    @property
    def gap(self) -> float | None:
        if self.self_score is None or self.verified_score is None:
            return None
        return self.self_score - self.verified_score


def compute_result(inspection: Inspection) -> Result:
    """C_self, C_verified, area scores, gates and the standardized status."""
    assessment = inspection.assessment
    version = assessment.period.standard_version
    answers = answers_of(assessment)
    items = items_by_criterion(inspection)
    verified = [
        _Verified(i.criterion_id, i.choice, i.number, i.not_applicable)
        for i in items.values()
        if i.verdict in (Verdict.ACCEPT, Verdict.ADJUST)
    ]
    self_summary = checklist.score_answers(version, answers.values())
    verified_summary = checklist.score_answers(version, verified)
    verified_by_id = {v.criterion_id: v for v in verified}
    criteria = {
        c.code: [
            checklist.answer_fraction(c, answers.get(c.id)),
            checklist.answer_fraction(c, verified_by_id.get(c.id)),
        ]
        for c in version.criteria
    }
    areas = {
        s.area.code: [s.score, v.score]
        for s, v in zip(self_summary.areas, verified_summary.areas, strict=True)
    }
    return Result(
        self_score=self_summary.compliance,
        verified_score=verified_summary.compliance,
        gates_ok=verified_summary.gates_ok,
        standardized=rules.is_standardized(
            gates_ok=verified_summary.gates_ok, compliance_verified=verified_summary.compliance
        ),
        areas=areas,
        criteria=criteria,
    )


def store_result(inspection: Inspection, result: Result) -> None:
    """Keep the result on the inspection (the figures the rankings and reports read)."""
    inspection.self_score = result.self_score
    inspection.verified_score = result.verified_score
    inspection.gates_ok = result.gates_ok
    inspection.standardized = result.standardized
    inspection.result = {"areas": result.areas, "criteria": result.criteria}


def finalize(
    inspection: Inspection,
    *,
    actor: User,
    today: date | None = None,
    appeal_window_days: int = DEFAULT_APPEAL_WINDOW_DAYS,
) -> Result:
    """Lock the assessment and compute the verified result (provisional until the window closes)."""
    check_inspector(actor, inspection.assessment.center)
    lock_under_review(
        inspection,
        finalized=_("This assessment is already finalized."),
        returned=_("The assessment is with the center for correction."),
    )
    pending = [
        i.criterion.code
        for i in inspection.items
        if i.verdict not in (Verdict.ACCEPT, Verdict.ADJUST) and not i.criterion.is_informational
    ]
    if pending:
        raise InspectionError(
            _(
                "Accept or adjust every criterion before finalizing. Still open: %(codes)s.",
                codes=", ".join(sorted(pending)),
            )
        )
    result = compute_result(inspection)
    store_result(inspection, result)
    today = today or today_local()
    inspection.status = InspectionStatus.FINALIZED
    inspection.finalized_at = now_utc()
    inspection.finalized_by_id = actor.id
    inspection.appeal_until = today + timedelta(days=appeal_window_days)
    inspection.updated_at = now_utc()
    write_step(
        inspection,
        "inspection.finalize",
        actor=actor,
        self_score=rounded(result.self_score),
        verified_score=rounded(result.verified_score),
        gap=rounded(result.gap),
        standardized="yes" if result.standardized else "no",
        appeal_until=inspection.appeal_until.isoformat(),
    )
    inspection_result_changed.send(inspection, actor=actor, reason="finalized")
    return result
