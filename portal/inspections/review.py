"""The inspector's review: opening it, a verdict per criterion (accept, adjust or ask for a
correction), accepting the rest at once, and returning the asked criteria to the center."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments.models import Answer, Assessment, AssessmentStatus
from ..extensions import db
from ..shared.timeutils import now_utc
from ..standards.models import Criterion
from .access import InspectionError, check_inspector
from .models import EventKind, Inspection, InspectionStatus, ReviewItem, Verdict
from .steps import (
    VERDICT_WORDS,
    answers_of,
    change_status,
    clean_text,
    criterion_of,
    event,
    find_inspection,
    in_words,
    is_blank,
    items_by_criterion,
    lock,
    lock_under_review,
    set_verified,
    validate_verified,
    write_step,
)


def start_review(assessment: Assessment, *, actor: User) -> Inspection:
    """Open the review of a submitted self-assessment (idempotent)."""
    check_inspector(actor, assessment.center)
    lock(assessment)  # two inspectors opening it at once: the second finds the first's
    existing = find_inspection(assessment)
    if existing is not None:
        return existing
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise InspectionError(_("Only a submitted self-assessment can be reviewed."))
    inspection = Inspection(assessment=assessment, started_by_id=actor.id)
    db.session.add(inspection)
    db.session.flush()
    answers = answers_of(assessment)
    events = []
    for criterion in assessment.period.standard_version.criteria:
        db.session.add(ReviewItem(inspection=inspection, criterion=criterion))
        answer = answers.get(criterion.id)
        if answer is not None:
            events.append(
                event(
                    inspection,
                    EventKind.SUBMITTED,
                    actor=assessment.submitted_by,
                    criterion=criterion,
                    answer=answer,
                    text=answer.note,
                )
            )
    write_step(
        inspection,
        "inspection.start",
        actor=actor,
        events=events,
        text=f"{actor.audit_label} opened the review of {assessment.center.name}",
    )
    return inspection


@dataclass
class VerdictInput:
    """An inspector's verdict on one criterion, as read from the review form."""

    verdict: str
    reason: str = ""
    choice: str | None = None
    number: str | None = None
    not_applicable: bool = False


def _as_submitted(answer: Answer | None) -> dict:
    """The center's answer, as the verified answer of an accepted criterion."""
    return {
        "choice": answer.choice if answer else None,
        "number": answer.number if answer else None,
        "not_applicable": answer.not_applicable if answer else False,
    }


def _check_open_for_verdicts(inspection: Inspection) -> None:
    lock_under_review(
        inspection,
        finalized=_("This assessment is finalized: only an appeal can change it."),
        returned=_("The assessment is with the center for correction."),
    )


def record_verdict(
    inspection: Inspection, criterion: Criterion, data: VerdictInput, *, actor: User
) -> ReviewItem:
    """Accept, adjust (another answer, reason required) or ask for a correction."""
    assessment = inspection.assessment
    check_inspector(actor, assessment.center)
    criterion_of(inspection, criterion)
    _check_open_for_verdicts(inspection)
    try:
        verdict = Verdict(data.verdict)
    except ValueError:
        raise InspectionError(_("Choose accept, adjust or ask for a correction.")) from None
    reason = clean_text(data.reason)
    item = items_by_criterion(inspection)[criterion.id]
    answer = answers_of(assessment).get(criterion.id)
    before = item.verdict
    if verdict == Verdict.ACCEPT:
        if answer is None and not criterion.is_informational:
            raise InspectionError(_("An unanswered criterion cannot be accepted: adjust it."))
        values = _as_submitted(answer)
    elif verdict == Verdict.ADJUST:
        if not reason:
            raise InspectionError(_("Give the reason for the adjustment."))
        values, error = validate_verified(criterion, data, note=reason)
        if error:
            raise InspectionError(error)
        if is_blank(values):
            raise InspectionError(_("Enter the verified answer."))
    else:
        if not reason:
            raise InspectionError(_("Say what the center must correct."))
        values = {"choice": None, "number": None, "not_applicable": False}
    set_verified(item, verdict, reason, values, actor=actor, at=now_utc())
    item.changed = False
    if inspection.status == InspectionStatus.RESUBMITTED:
        inspection.status = InspectionStatus.UNDER_REVIEW
    inspection.updated_at = now_utc()
    manager_answer = in_words(answer) if answer else "none"
    summary = {
        "criterion": criterion.code,
        "verdict": f"{VERDICT_WORDS[before]} → {VERDICT_WORDS[verdict.value]}",
        "center_answer": manager_answer,
        "reason": reason,
    }
    if verdict == Verdict.ADJUST:
        summary["change"] = f"{manager_answer} → {in_words(item)}"
    write_step(
        inspection,
        "inspection.verdict",
        actor=actor,
        events=[
            event(
                inspection,
                EventKind(verdict.value),
                actor=actor,
                criterion=criterion,
                answer=item,
                text=reason,
            )
        ],
        **summary,
    )
    return item


def accept_remaining(inspection: Inspection, *, actor: User) -> int:
    """Accept every answered criterion still without a verdict; one audit entry."""
    check_inspector(actor, inspection.assessment.center)
    _check_open_for_verdicts(inspection)
    answers = answers_of(inspection.assessment)
    accepted = []
    events = []
    now = now_utc()
    for item in sorted(inspection.items, key=lambda i: i.criterion.position):
        answer = answers.get(item.criterion_id)
        if item.verdict is not None or (answer is None and not item.criterion.is_informational):
            continue
        set_verified(item, Verdict.ACCEPT, "", _as_submitted(answer), actor=actor, at=now)
        item.changed = False
        events.append(
            event(inspection, EventKind.ACCEPT, actor=actor, criterion=item.criterion, answer=item)
        )
        accepted.append(item.criterion.code)
    if not accepted:
        return 0
    if inspection.status == InspectionStatus.RESUBMITTED:
        inspection.status = InspectionStatus.UNDER_REVIEW
    inspection.updated_at = now
    write_step(
        inspection,
        "inspection.verdict",
        actor=actor,
        events=events,
        verdict="no verdict → accepted",
        criteria=accepted,
    )
    return len(accepted)


def return_for_correction(inspection: Inspection, *, actor: User) -> Inspection:
    """Send the criteria marked "ask for correction" back to the center (only those reopen)."""
    check_inspector(actor, inspection.assessment.center)
    lock_under_review(
        inspection,
        finalized=_("This assessment is finalized: only an appeal can change it."),
        returned=_("The assessment is already with the center for correction."),
    )
    asked = [i for i in inspection.items if i.verdict == Verdict.CORRECT]
    if not asked:
        raise InspectionError(_("Ask for the correction of at least one criterion first."))
    for item in asked:
        item.reopened = True
    inspection.returned_at = now_utc()
    change_status(
        inspection,
        "inspection.return",
        to=InspectionStatus.RETURNED,
        words=("under review", "returned for correction"),
        actor=actor,
        criteria=sorted(i.criterion.code for i in asked),
    )
    return inspection
