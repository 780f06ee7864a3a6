"""The inspection cycle: review, verdicts, return and resubmission, finalization, appeals,
on-site visits and corrective actions.

Services take the actor explicitly, check the rules, flush but never commit, and write
every change to the audit log in the same transaction, with summaries in words.
Scores come from :mod:`portal.scoring.rules` through the checklist's own scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..accounts.permissions import can_view_center, visible_centers_clause
from ..assessments import services as checklist
from ..assessments.evidence import CleanFile
from ..assessments.models import Answer, Assessment, AssessmentPeriod, AssessmentStatus, Evidence
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..scoring import rules
from ..shared.errors import PermissionDenied, PortalError
from ..shared.signals import inspection_result_changed
from ..shared.text import fold
from ..shared.timeutils import now_utc, today_local
from ..standards.models import Criterion
from .models import (
    ActionStatus,
    Appeal,
    AppealItem,
    AppealStatus,
    CorrectiveAction,
    EventKind,
    Inspection,
    InspectionStatus,
    QueueStatus,
    ResultState,
    ReviewEvent,
    ReviewItem,
    Verdict,
    Visit,
    VisitFinding,
)

DEFAULT_APPEAL_WINDOW_DAYS = 10
MAX_TEXT = 2000

#: Answers in words, for the audit log (not translated: the log is a record, not a page).
WORDS = {
    "met": "met",
    "partial": "partly met",
    "not_met": "not met",
    "yes": "yes",
    "no": "no",
    None: "not answered",
}
VERDICT_WORDS = {
    None: "no verdict",
    "accept": "accepted",
    "adjust": "adjusted",
    "correct": "correction requested",
}


class InspectionError(PortalError):
    """An inspection rule was broken."""


class OutOfScope(PermissionDenied):
    """The inspector's scope does not include this center."""


class OwnCenter(PermissionDenied):
    """A manager tried to verify their own center."""


class Locked(InspectionError):
    """The result is finalized: only an appeal changes it."""


class AppealError(InspectionError):
    """An appeal rule was broken."""


# Permissions ----------------------------------------------------------------------------


def is_inspector(user: User) -> bool:
    return user.role in (Role.INSPECTOR, Role.ADMIN)


def can_inspect(user: User, center: Center) -> bool:
    return user.is_active and is_inspector(user) and can_view_center(user, center)


def check_inspector(user: User, center: Center) -> None:
    """Refuse anyone but an inspector (or admin) whose scope includes the center."""
    if user.role in (Role.MANAGER, Role.OFFICER):
        raise OwnCenter(_("A center's staff cannot verify or finalize a center's assessment."))
    if not can_inspect(user, center):
        raise OutOfScope(_("This center is outside your inspection scope."))


def check_center_manager(user: User, center: Center) -> None:
    if not (user.is_active and user.role == Role.MANAGER and user.center_id == center.id):
        raise PermissionDenied(_("Only the center's own manager can do this."))


def can_view_inspection(user: User, inspection: Inspection) -> bool:
    return checklist.can_view_assessment(user, inspection.assessment)


# Reading --------------------------------------------------------------------------------


def find_inspection(assessment: Assessment) -> Inspection | None:
    return db.session.scalar(sa.select(Inspection).where(Inspection.assessment_id == assessment.id))


def queue_status(assessment: Assessment | None, inspection: Inspection | None) -> QueueStatus:
    if inspection is not None:
        return QueueStatus(inspection.status)
    if assessment is None:
        return QueueStatus.NOT_STARTED
    if assessment.status == AssessmentStatus.SUBMITTED:
        return QueueStatus.SUBMITTED
    return QueueStatus.DRAFT


def result_state(inspection: Inspection, today: date | None = None) -> ResultState | None:
    """Provisional until the appeal window closes; final after it or after an appeal decision."""
    if inspection.status == InspectionStatus.UNDER_APPEAL:
        return ResultState.UNDER_APPEAL
    if inspection.status != InspectionStatus.FINALIZED:
        return None
    if any(a.status == AppealStatus.DECIDED for a in inspection.appeals):
        return ResultState.FINAL
    today = today or today_local()
    if inspection.appeal_until is not None and today <= inspection.appeal_until:
        return ResultState.PROVISIONAL
    return ResultState.FINAL


@dataclass
class QueueRow:
    center: Center
    assessment: Assessment | None
    inspection: Inspection | None
    status: QueueStatus
    open_actions: int
    overdue_actions: int
    reuse_warnings: int
    result_state: ResultState | None = None

    @property
    def self_score(self) -> float | None:
        return self.assessment.self_score if self.assessment else None

    @property
    def verified_score(self) -> float | None:
        return self.inspection.verified_score if self.inspection else None

    @property
    def standardized(self) -> bool | None:
        return self.inspection.standardized if self.inspection else None


QUEUE_SORTS = ("age", "name", "self_score", "verified", "status")


def queue(
    user: User,
    period: AssessmentPeriod,
    *,
    status: str = "",
    level: str = "",
    area: str = "",
    standardized: str = "",
    search: str = "",
    sort: str = "age",
    today: date | None = None,
) -> list[QueueRow]:
    """Every center in the user's scope with its assessment and inspection for the period."""
    today = today or today_local()
    stmt = (
        sa.select(Center, Assessment, Inspection)
        .outerjoin(
            Assessment,
            sa.and_(Assessment.center_id == Center.id, Assessment.period_id == period.id),
        )
        .outerjoin(Inspection, Inspection.assessment_id == Assessment.id)
        .where(visible_centers_clause(user))
    )
    if level:
        stmt = stmt.where(Center.level == level)
    if area:
        stmt = stmt.where(Center.unit_type == area)
    if search.strip():
        stmt = stmt.where(Center.search_key.contains(fold(search), autoescape=True))
    rows = db.session.execute(stmt).all()
    inspection_ids = [i.id for _c, _a, i in rows if i is not None]
    open_counts: dict[int, int] = {}
    overdue_counts: dict[int, int] = {}
    if inspection_ids:
        for inspection_id, due_on in db.session.execute(
            sa.select(CorrectiveAction.inspection_id, CorrectiveAction.due_on).where(
                CorrectiveAction.inspection_id.in_(inspection_ids),
                CorrectiveAction.status == ActionStatus.OPEN,
            )
        ):
            open_counts[inspection_id] = open_counts.get(inspection_id, 0) + 1
            if due_on < today:
                overdue_counts[inspection_id] = overdue_counts.get(inspection_id, 0) + 1
    reused = _reused_photo_counts([a.id for _c, a, _i in rows if a is not None])
    out = []
    for center, assessment, inspection in rows:
        row = QueueRow(
            center=center,
            assessment=assessment,
            inspection=inspection,
            status=queue_status(assessment, inspection),
            open_actions=open_counts.get(inspection.id, 0) if inspection else 0,
            overdue_actions=overdue_counts.get(inspection.id, 0) if inspection else 0,
            reuse_warnings=reused.get(assessment.id, 0) if assessment else 0,
            result_state=result_state(inspection, today) if inspection else None,
        )
        if status and row.status != status:
            continue
        if standardized == "yes" and row.standardized is not True:
            continue
        if standardized == "no" and row.standardized is not False:
            continue
        out.append(row)
    far = now_utc()
    keys = {
        # Oldest submission first; never-submitted centers last.
        "age": lambda r: (
            r.assessment is None or r.assessment.submitted_at is None,
            (r.assessment.submitted_at if r.assessment and r.assessment.submitted_at else far),
            r.center.code,
        ),
        "name": lambda r: (fold(r.center.name), r.center.code),
        "self_score": lambda r: (r.self_score is None, -(r.self_score or 0), r.center.code),
        "verified": lambda r: (r.verified_score is None, -(r.verified_score or 0), r.center.code),
        "status": lambda r: (list(QueueStatus).index(r.status), r.center.code),
    }
    out.sort(key=keys.get(sort, keys["age"]))
    return out


def unit_types(user: User) -> list[str]:
    """The kinds of units (xã, phường, đặc khu…) in the user's scope, for the area filter."""
    return list(
        db.session.scalars(
            sa.select(Center.unit_type)
            .where(visible_centers_clause(user))
            .distinct()
            .order_by(Center.unit_type)
        )
    )


def _reused_photo_counts(assessment_ids: list[int]) -> dict[int, int]:
    """Photos of these assessments whose exact hash appears at another center."""
    if not assessment_ids:
        return {}
    other = sa.orm.aliased(Evidence)
    rows = db.session.execute(
        sa.select(Evidence.assessment_id, sa.func.count(sa.distinct(Evidence.id)))
        .join(
            other,
            sa.and_(other.phash == Evidence.phash, other.center_id != Evidence.center_id),
        )
        .where(Evidence.assessment_id.in_(assessment_ids), Evidence.phash.is_not(None))
        .group_by(Evidence.assessment_id)
    ).all()
    return dict(rows)


def history(inspection: Inspection) -> dict[int | None, list[ReviewEvent]]:
    """Every event of the inspection, grouped by criterion id (None: the whole inspection)."""
    events = db.session.scalars(
        sa.select(ReviewEvent)
        .where(ReviewEvent.inspection_id == inspection.id)
        .order_by(ReviewEvent.id)
    )
    out: dict[int | None, list[ReviewEvent]] = {}
    for event in events:
        out.setdefault(event.criterion_id, []).append(event)
    return out


def items_by_criterion(inspection: Inspection) -> dict[int, ReviewItem]:
    return {item.criterion_id: item for item in inspection.items}


# Helpers --------------------------------------------------------------------------------


def _answers(assessment: Assessment) -> dict[int, Answer]:
    return {a.criterion_id: a for a in assessment.answers}


def _criterion_of(inspection: Inspection, criterion: Criterion) -> Criterion:
    if criterion.version_id != inspection.assessment.period.standard_version_id:
        raise InspectionError(_("This criterion does not belong to this assessment."))
    return criterion


def _in_words(choice: str | None, number: float | None, not_applicable: bool) -> str:
    if not_applicable:
        return "not applicable"
    if number is not None:
        return f"{number:g}"
    return WORDS.get(choice, str(choice))


def _event(
    inspection: Inspection,
    kind: EventKind,
    *,
    actor: User | None,
    criterion: Criterion | None = None,
    choice: str | None = None,
    number: float | None = None,
    not_applicable: bool = False,
    text: str = "",
) -> ReviewEvent:
    event = ReviewEvent(
        inspection_id=inspection.id,
        criterion_id=criterion.id if criterion else None,
        kind=kind,
        round=inspection.round,
        choice=choice,
        number=number,
        not_applicable=not_applicable,
        text=text,
        actor_id=actor.id if actor else None,
    )
    db.session.add(event)
    return event


def _record(inspection: Inspection, action: str, *, actor: User, **summary) -> None:
    assessment = inspection.assessment
    audit.record(
        actor=actor,
        action=action,
        object_type="inspection",
        object_id=inspection.id,
        center_id=assessment.center_id,
        summary={"center": assessment.center.name, "period": assessment.period.code} | summary,
    )


def _clean_text(value: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise InspectionError(_("The text is too long (at most %(n)d characters).", n=MAX_TEXT))
    return text


# Review ---------------------------------------------------------------------------------


def start_review(assessment: Assessment, *, actor: User) -> Inspection:
    """Open the review of a submitted self-assessment (idempotent)."""
    check_inspector(actor, assessment.center)
    existing = find_inspection(assessment)
    if existing is not None:
        return existing
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise InspectionError(_("Only a submitted self-assessment can be reviewed."))
    inspection = Inspection(assessment=assessment, started_by_id=actor.id)
    db.session.add(inspection)
    db.session.flush()
    answers = _answers(assessment)
    for criterion in assessment.period.standard_version.criteria:
        db.session.add(ReviewItem(inspection=inspection, criterion=criterion))
        answer = answers.get(criterion.id)
        if answer is not None:
            _event(
                inspection,
                EventKind.SUBMITTED,
                actor=assessment.submitted_by,
                criterion=criterion,
                choice=answer.choice,
                number=answer.number,
                not_applicable=answer.not_applicable,
                text=answer.note,
            )
    db.session.flush()
    _record(
        inspection,
        "inspection.start",
        actor=actor,
        text=f"{actor.audit_label} opened the review of {assessment.center.name}",
    )
    return inspection


@dataclass
class VerdictInput:
    verdict: str
    reason: str = ""
    choice: str | None = None
    number: str | None = None
    not_applicable: bool = False


def record_verdict(
    inspection: Inspection, criterion: Criterion, data: VerdictInput, *, actor: User
) -> ReviewItem:
    """Accept, adjust (another answer, reason required) or ask for a correction."""
    assessment = inspection.assessment
    check_inspector(actor, assessment.center)
    _criterion_of(inspection, criterion)
    if inspection.is_locked:
        raise Locked(_("This assessment is finalized: only an appeal can change it."))
    if inspection.status == InspectionStatus.RETURNED:
        raise InspectionError(_("The assessment is with the center for correction."))
    try:
        verdict = Verdict(data.verdict)
    except ValueError:
        raise InspectionError(_("Choose accept, adjust or ask for a correction.")) from None
    reason = _clean_text(data.reason)
    item = items_by_criterion(inspection)[criterion.id]
    answer = _answers(assessment).get(criterion.id)
    before = (item.verdict, item.choice, item.number, item.not_applicable)
    if verdict == Verdict.ACCEPT:
        if answer is None and not criterion.is_informational:
            raise InspectionError(_("An unanswered criterion cannot be accepted: adjust it."))
        values = {
            "choice": answer.choice if answer else None,
            "number": answer.number if answer else None,
            "not_applicable": answer.not_applicable if answer else False,
        }
    elif verdict == Verdict.ADJUST:
        if not reason:
            raise InspectionError(_("Give the reason for the adjustment."))
        values, error = checklist.validate_answer(
            criterion,
            checklist.AnswerInput(
                choice=data.choice,
                number=data.number,
                not_applicable=data.not_applicable,
                note=reason,
            ),
        )
        if error:
            raise InspectionError(error)
        if values["choice"] is None and values["number"] is None and not values["not_applicable"]:
            raise InspectionError(_("Enter the verified answer."))
        values.pop("note")
    else:
        if not reason:
            raise InspectionError(_("Say what the center must correct."))
        values = {"choice": None, "number": None, "not_applicable": False}
    item.verdict = verdict
    item.reason = reason
    item.choice = values["choice"]
    item.number = values["number"]
    item.not_applicable = values["not_applicable"]
    item.changed = False
    item.reviewed_at = now_utc()
    item.reviewed_by_id = actor.id
    if inspection.status == InspectionStatus.RESUBMITTED:
        inspection.status = InspectionStatus.UNDER_REVIEW
    inspection.updated_at = now_utc()
    _event(
        inspection,
        EventKind(verdict.value),
        actor=actor,
        criterion=criterion,
        choice=item.choice,
        number=item.number,
        not_applicable=item.not_applicable,
        text=reason,
    )
    db.session.flush()
    manager_answer = (
        _in_words(answer.choice, answer.number, answer.not_applicable) if answer else "none"
    )
    summary = {
        "criterion": criterion.code,
        "verdict": f"{VERDICT_WORDS[before[0]]} → {VERDICT_WORDS[verdict.value]}",
        "center_answer": manager_answer,
        "reason": reason,
    }
    if verdict == Verdict.ADJUST:
        summary["change"] = (
            f"{manager_answer} → {_in_words(item.choice, item.number, item.not_applicable)}"
        )
    _record(inspection, "inspection.verdict", actor=actor, **summary)
    return item


def accept_remaining(inspection: Inspection, *, actor: User) -> int:
    """Accept every answered criterion still without a verdict; one audit entry."""
    check_inspector(actor, inspection.assessment.center)
    if inspection.is_locked:
        raise Locked(_("This assessment is finalized: only an appeal can change it."))
    if inspection.status == InspectionStatus.RETURNED:
        raise InspectionError(_("The assessment is with the center for correction."))
    answers = _answers(inspection.assessment)
    accepted = []
    now = now_utc()
    for item in sorted(inspection.items, key=lambda i: i.criterion.position):
        answer = answers.get(item.criterion_id)
        if item.verdict is not None or (answer is None and not item.criterion.is_informational):
            continue
        item.verdict = Verdict.ACCEPT
        item.reason = ""
        item.choice = answer.choice if answer else None
        item.number = answer.number if answer else None
        item.not_applicable = answer.not_applicable if answer else False
        item.changed = False
        item.reviewed_at = now
        item.reviewed_by_id = actor.id
        _event(
            inspection,
            EventKind.ACCEPT,
            actor=actor,
            criterion=item.criterion,
            choice=item.choice,
            number=item.number,
            not_applicable=item.not_applicable,
        )
        accepted.append(item.criterion.code)
    if not accepted:
        return 0
    if inspection.status == InspectionStatus.RESUBMITTED:
        inspection.status = InspectionStatus.UNDER_REVIEW
    inspection.updated_at = now
    db.session.flush()
    _record(
        inspection,
        "inspection.verdict",
        actor=actor,
        verdict="no verdict → accepted",
        criteria=accepted,
    )
    return len(accepted)


def return_for_correction(inspection: Inspection, *, actor: User) -> Inspection:
    """Send the criteria marked "ask for correction" back to the center (only those reopen)."""
    check_inspector(actor, inspection.assessment.center)
    if inspection.is_locked:
        raise Locked(_("This assessment is finalized: only an appeal can change it."))
    if inspection.status == InspectionStatus.RETURNED:
        raise InspectionError(_("The assessment is already with the center for correction."))
    asked = [i for i in inspection.items if i.verdict == Verdict.CORRECT]
    if not asked:
        raise InspectionError(_("Ask for the correction of at least one criterion first."))
    for item in asked:
        item.reopened = True
    inspection.status = InspectionStatus.RETURNED
    inspection.returned_at = now_utc()
    inspection.updated_at = now_utc()
    db.session.flush()
    _record(
        inspection,
        "inspection.return",
        actor=actor,
        status=["under review", "returned for correction"],
        criteria=sorted(i.criterion.code for i in asked),
    )
    return inspection


def fix_answer(
    inspection: Inspection,
    criterion: Criterion,
    data: checklist.AnswerInput,
    *,
    actor: User,
) -> Answer:
    """The manager corrects a criterion the inspector asked about."""
    assessment = inspection.assessment
    check_center_manager(actor, assessment.center)
    _criterion_of(inspection, criterion)
    if inspection.is_locked:
        raise Locked(_("This assessment is finalized: only an appeal can change it."))
    item = items_by_criterion(inspection)[criterion.id]
    if inspection.status != InspectionStatus.RETURNED or not item.reopened:
        raise InspectionError(_("The inspector did not ask for a correction of this criterion."))
    values, error = checklist.validate_answer(criterion, data)
    if error:
        raise InspectionError(error)
    if values["choice"] is None and values["number"] is None and not values["not_applicable"]:
        raise InspectionError(_("Answer the criterion."))
    answer = _answers(assessment).get(criterion.id)
    if answer is None:
        answer = Answer(assessment=assessment, criterion=criterion)
        db.session.add(answer)
        old = "not answered"
    else:
        old = _in_words(answer.choice, answer.number, answer.not_applicable)
    for key, value in values.items():
        setattr(answer, key, value)
    answer.updated_at = now_utc()
    assessment.revision += 1
    assessment.updated_at = now_utc()
    item.changed = True
    _event(
        inspection,
        EventKind.FIX,
        actor=actor,
        criterion=criterion,
        choice=answer.choice,
        number=answer.number,
        not_applicable=answer.not_applicable,
        text=answer.note,
    )
    db.session.flush()
    _record(
        inspection,
        "inspection.fix",
        actor=actor,
        criterion=criterion.code,
        change=f"{old} → {_in_words(answer.choice, answer.number, answer.not_applicable)}",
    )
    return answer


def add_evidence(
    inspection: Inspection,
    criterion: Criterion,
    clean: CleanFile,
    *,
    storage_name: str,
    original_name: str,
    actor: User,
) -> Evidence:
    """A file for a reopened criterion (manager), an appeal (manager) or a visit (inspector)."""
    assessment = inspection.assessment
    _criterion_of(inspection, criterion)
    if actor.role == Role.MANAGER:
        check_center_manager(actor, assessment.center)
        item = items_by_criterion(inspection)[criterion.id]
        allowed = (inspection.status == InspectionStatus.RETURNED and item.reopened) or (
            inspection.status == InspectionStatus.FINALIZED and appeal_open_for_filing(inspection)
        )
        if not allowed:
            raise InspectionError(_("Files can only be added to criteria open for correction."))
    else:
        check_inspector(actor, assessment.center)
    evidence = _new_evidence(inspection, criterion, clean, storage_name, original_name, actor)
    db.session.flush()
    _event(inspection, EventKind.EVIDENCE, actor=actor, criterion=criterion, text=clean.kind)
    if actor.role == Role.MANAGER and inspection.status == InspectionStatus.RETURNED:
        items_by_criterion(inspection)[criterion.id].changed = True
    db.session.flush()
    _record(
        inspection,
        "inspection.evidence",
        actor=actor,
        criterion=criterion.code,
        file=f"{clean.kind}, {len(clean.content)} bytes",
        evidence_id=evidence.id,
    )
    return evidence


def _new_evidence(
    inspection: Inspection,
    criterion: Criterion,
    clean: CleanFile,
    storage_name: str,
    original_name: str,
    actor: User,
) -> Evidence:
    assessment = inspection.assessment
    evidence = Evidence(
        assessment=assessment,
        criterion=criterion,
        center_id=assessment.center_id,
        storage_name=storage_name,
        kind=clean.kind,
        content_type=clean.content_type,
        size=len(clean.content),
        width=clean.width,
        height=clean.height,
        phash=clean.phash,
        sha256=clean.sha256,
        original_name=original_name[:120],
        uploaded_by_id=actor.id,
    )
    db.session.add(evidence)
    return evidence


def add_action_evidence(
    action: CorrectiveAction,
    clean: CleanFile,
    *,
    storage_name: str,
    original_name: str,
    actor: User,
) -> Evidence:
    """The manager's proof that a corrective action is done."""
    inspection = action.inspection
    check_center_manager(actor, inspection.assessment.center)
    if action.status != ActionStatus.OPEN:
        raise InspectionError(_("This action is not open."))
    evidence = _new_evidence(
        inspection, action.criterion, clean, storage_name, original_name, actor
    )
    db.session.flush()
    _record(
        inspection,
        "inspection.evidence",
        actor=actor,
        criterion=action.criterion.code,
        file=f"{clean.kind}, {len(clean.content)} bytes",
        evidence_id=evidence.id,
        action_id=action.id,
    )
    return evidence


def resubmit(inspection: Inspection, *, actor: User) -> Inspection:
    """The manager sends the corrections back; changed criteria wait for a new verdict."""
    assessment = inspection.assessment
    check_center_manager(actor, assessment.center)
    if inspection.status != InspectionStatus.RETURNED:
        raise InspectionError(_("Nothing was returned for correction."))
    old_score = assessment.self_score
    for item in inspection.items:
        if item.reopened:
            item.reopened = False
            item.changed = True
            item.verdict = None
            item.choice = item.number = None
            item.not_applicable = False
    new_score = checklist.score(assessment).compliance
    assessment.self_score = new_score
    inspection.status = InspectionStatus.RESUBMITTED
    inspection.round += 1
    inspection.resubmitted_at = now_utc()
    inspection.updated_at = now_utc()
    db.session.flush()
    _record(
        inspection,
        "inspection.resubmit",
        actor=actor,
        status=["returned for correction", "resubmitted"],
        self_score=[_round(old_score), _round(new_score)],
    )
    return inspection


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# Finalization ---------------------------------------------------------------------------


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
    answers = _answers(assessment)
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


def _store_result(inspection: Inspection, result: Result) -> None:
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
    if inspection.is_locked:
        raise Locked(_("This assessment is already finalized."))
    if inspection.status == InspectionStatus.RETURNED:
        raise InspectionError(_("The assessment is with the center for correction."))
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
    _store_result(inspection, result)
    today = today or today_local()
    inspection.status = InspectionStatus.FINALIZED
    inspection.finalized_at = now_utc()
    inspection.finalized_by_id = actor.id
    inspection.appeal_until = today + timedelta(days=appeal_window_days)
    inspection.updated_at = now_utc()
    db.session.flush()
    _record(
        inspection,
        "inspection.finalize",
        actor=actor,
        self_score=_round(result.self_score),
        verified_score=_round(result.verified_score),
        gap=_round(result.gap),
        standardized="yes" if result.standardized else "no",
        appeal_until=inspection.appeal_until.isoformat(),
    )
    inspection_result_changed.send(inspection, actor=actor)
    return result


# Appeals ----------------------------------------------------------------------------------


def appeal_open_for_filing(inspection: Inspection, today: date | None = None) -> bool:
    return (
        inspection.status == InspectionStatus.FINALIZED
        and not inspection.appeals
        and inspection.appeal_until is not None
        and (today or today_local()) <= inspection.appeal_until
    )


def file_appeal(
    inspection: Inspection,
    reasons: Mapping[int, str],
    *,
    actor: User,
    today: date | None = None,
) -> Appeal:
    """The center's manager contests criteria of a finalized result, within the window."""
    check_center_manager(actor, inspection.assessment.center)
    today = today or today_local()
    if inspection.status != InspectionStatus.FINALIZED:
        raise AppealError(_("Only a finalized result can be appealed."))
    if inspection.appeals:
        raise AppealError(_("This result has already been appealed."))
    if inspection.appeal_until is None or today > inspection.appeal_until:
        raise AppealError(_("The appeal window has closed."))
    criteria = {c.id: c for c in inspection.assessment.period.standard_version.criteria}
    cleaned = {cid: _clean_text(r) for cid, r in reasons.items() if cid in criteria}
    cleaned = {cid: r for cid, r in cleaned.items() if r}
    if not cleaned:
        raise AppealError(_("Give a reason for at least one criterion."))
    appeal = Appeal(inspection=inspection, filed_by_id=actor.id)
    db.session.add(appeal)
    for criterion_id, reason in cleaned.items():
        appeal.items.append(AppealItem(criterion=criteria[criterion_id], reason=reason))
        _event(
            inspection, EventKind.APPEAL, actor=actor, criterion=criteria[criterion_id], text=reason
        )
    inspection.status = InspectionStatus.UNDER_APPEAL
    inspection.updated_at = now_utc()
    db.session.flush()
    _record(
        inspection,
        "inspection.appeal",
        actor=actor,
        status=["finalized", "under appeal"],
        criteria=sorted(criteria[cid].code for cid in cleaned),
    )
    return appeal


@dataclass
class AppealDecision:
    upheld: bool
    note: str = ""
    choice: str | None = None
    number: str | None = None
    not_applicable: bool = False


def decide_appeal(
    appeal: Appeal, decisions: Mapping[int, AppealDecision], *, actor: User
) -> Result:
    """Another inspector (not the one who finalized) or an admin decides every item;
    upheld items get a new verified answer and the result is computed again."""
    inspection = appeal.inspection
    check_inspector(actor, inspection.assessment.center)
    if actor.id == inspection.finalized_by_id:
        raise PermissionDenied(
            _("The inspector who finalized the result cannot decide the appeal against it.")
        )
    if not appeal.is_open or inspection.status != InspectionStatus.UNDER_APPEAL:
        raise AppealError(_("This appeal has already been decided."))
    missing = [i.criterion.code for i in appeal.items if i.criterion_id not in decisions]
    if missing:
        raise AppealError(
            _("Decide every appealed criterion. Still open: %(codes)s.", codes=", ".join(missing))
        )
    items = items_by_criterion(inspection)
    changes = {}
    before = compute_result(inspection)
    for appeal_item in appeal.items:
        decision = decisions[appeal_item.criterion_id]
        note = _clean_text(decision.note)
        if not note:
            raise AppealError(
                _("Give the reason of the decision for %(code)s.", code=appeal_item.criterion.code)
            )
        criterion = appeal_item.criterion
        item = items[criterion.id]
        appeal_item.upheld = decision.upheld
        appeal_item.decision_note = note
        if decision.upheld:
            values, error = checklist.validate_answer(
                criterion,
                checklist.AnswerInput(
                    choice=decision.choice,
                    number=decision.number,
                    not_applicable=decision.not_applicable,
                    note=note,
                ),
            )
            if error:
                raise AppealError(f"{criterion.code}: {error}")
            if (
                values["choice"] is None
                and values["number"] is None
                and not values["not_applicable"]
            ):
                raise AppealError(
                    _("Enter the new verified answer for %(code)s.", code=criterion.code)
                )
            old = _in_words(item.choice, item.number, item.not_applicable)
            item.choice = values["choice"]
            item.number = values["number"]
            item.not_applicable = values["not_applicable"]
            item.verdict = Verdict.ADJUST
            item.reason = note
            item.reviewed_at = now_utc()
            item.reviewed_by_id = actor.id
            changes[criterion.code] = (
                f"{old} → {_in_words(item.choice, item.number, item.not_applicable)}"
            )
            kind = EventKind.APPEAL_UPHELD
        else:
            kind = EventKind.APPEAL_REJECTED
        _event(
            inspection,
            kind,
            actor=actor,
            criterion=criterion,
            choice=item.choice,
            number=item.number,
            not_applicable=item.not_applicable,
            text=note,
        )
    result = compute_result(inspection) if changes else before
    _store_result(inspection, result)
    appeal.status = AppealStatus.DECIDED
    appeal.decided_at = now_utc()
    appeal.decided_by_id = actor.id
    inspection.status = InspectionStatus.FINALIZED
    inspection.updated_at = now_utc()
    db.session.flush()
    _record(
        inspection,
        "inspection.appeal_decision",
        actor=actor,
        status=["under appeal", "finalized (final)"],
        upheld=changes,
        rejected=sorted(i.criterion.code for i in appeal.items if not i.upheld),
        verified_score=[_round(before.verified_score), _round(result.verified_score)],
        standardized=[
            "yes" if before.standardized else "no",
            "yes" if result.standardized else "no",
        ],
    )
    inspection_result_changed.send(inspection, actor=actor)
    return result


def open_appeal(inspection: Inspection) -> Appeal | None:
    return next((a for a in inspection.appeals if a.is_open), None)


# Visits -----------------------------------------------------------------------------------


def record_visit(
    inspection: Inspection,
    *,
    visited_on: date,
    team: str,
    summary: str,
    findings: Mapping[int, str],
    actor: User,
    today: date | None = None,
) -> Visit:
    check_inspector(actor, inspection.assessment.center)
    if visited_on > (today or today_local()):
        raise InspectionError(_("A visit cannot be recorded before it happens."))
    team = _clean_text(team)
    if not team:
        raise InspectionError(_("Name the members of the visiting team."))
    criteria = {c.id: c for c in inspection.assessment.period.standard_version.criteria}
    visit = Visit(
        inspection=inspection,
        visited_on=visited_on,
        team=team,
        summary=_clean_text(summary),
        created_by_id=actor.id,
    )
    db.session.add(visit)
    codes = []
    for criterion_id, text in findings.items():
        text = _clean_text(text)
        if criterion_id not in criteria or not text:
            continue
        visit.findings.append(VisitFinding(criterion=criteria[criterion_id], text=text))
        _event(
            inspection, EventKind.FINDING, actor=actor, criterion=criteria[criterion_id], text=text
        )
        codes.append(criteria[criterion_id].code)
    db.session.flush()
    _record(
        inspection,
        "inspection.visit",
        actor=actor,
        visit_id=visit.id,
        visited_on=visited_on.isoformat(),
        findings=sorted(codes),
    )
    return visit


def attach_visit_photo(
    visit: Visit,
    criterion: Criterion,
    clean: CleanFile,
    *,
    storage_name: str,
    original_name: str,
    actor: User,
) -> VisitFinding:
    """A photo taken on site: stored through the evidence pipeline, attached to a finding."""
    evidence = add_evidence(
        visit.inspection,
        criterion,
        clean,
        storage_name=storage_name,
        original_name=original_name,
        actor=actor,
    )
    finding = next(
        (f for f in visit.findings if f.criterion_id == criterion.id and f.evidence_id is None),
        None,
    )
    if finding is None:
        finding = VisitFinding(visit=visit, criterion=criterion, text="")
        db.session.add(finding)
    finding.evidence = evidence
    db.session.flush()
    return finding


# Corrective actions -------------------------------------------------------------------------


def create_action(
    inspection: Inspection,
    criterion: Criterion,
    *,
    description: str,
    owner: str,
    due_on: date,
    actor: User,
) -> CorrectiveAction:
    check_inspector(actor, inspection.assessment.center)
    _criterion_of(inspection, criterion)
    description = _clean_text(description)
    owner = _clean_text(owner)[:120]
    if not description or not owner:
        raise InspectionError(_("Describe the action and name who is responsible."))
    action = CorrectiveAction(
        inspection=inspection,
        criterion=criterion,
        description=description,
        owner=owner,
        due_on=due_on,
        created_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    _record(
        inspection,
        "inspection.action_create",
        actor=actor,
        criterion=criterion.code,
        action_id=action.id,
        due_on=due_on.isoformat(),
        description=description,
    )
    return action


def close_action(
    action: CorrectiveAction, *, note: str, evidence: Evidence | None, actor: User
) -> CorrectiveAction:
    """The manager reports the action done, with a note and (usually) a file."""
    check_center_manager(actor, action.inspection.assessment.center)
    if action.status != ActionStatus.OPEN:
        raise InspectionError(_("This action is not open."))
    note = _clean_text(note)
    if not note and evidence is None:
        raise InspectionError(_("Say what was done, or attach a file as evidence."))
    action.status = ActionStatus.CLOSED
    action.closed_note = note
    action.closed_at = now_utc()
    action.closed_by_id = actor.id
    action.closed_evidence = evidence
    db.session.flush()
    _record(
        action.inspection,
        "inspection.action_close",
        actor=actor,
        criterion=action.criterion.code,
        action_id=action.id,
        status=["open", "done, waiting for confirmation"],
    )
    return action


def confirm_action(action: CorrectiveAction, *, accept: bool, actor: User) -> CorrectiveAction:
    """The inspector confirms the action, or reopens it."""
    check_inspector(actor, action.inspection.assessment.center)
    if action.status != ActionStatus.CLOSED:
        raise InspectionError(_("Only an action reported done can be confirmed."))
    if accept:
        action.status = ActionStatus.CONFIRMED
        action.confirmed_at = now_utc()
        action.confirmed_by_id = actor.id
    else:
        action.status = ActionStatus.OPEN
        action.closed_at = None
    db.session.flush()
    _record(
        action.inspection,
        "inspection.action_confirm",
        actor=actor,
        criterion=action.criterion.code,
        action_id=action.id,
        status=["done, waiting for confirmation", "confirmed" if accept else "open again"],
    )
    return action


def actions_for_center(center: Center) -> list[CorrectiveAction]:
    return list(
        db.session.scalars(
            sa.select(CorrectiveAction)
            .join(Inspection)
            .join(Assessment)
            .where(Assessment.center_id == center.id)
            .order_by(CorrectiveAction.status, CorrectiveAction.due_on)
        )
    )


def manager_inspections(user: User) -> list[Inspection]:
    """The inspections of the manager's own center, newest period first."""
    if user.center_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .join(Assessment)
            .join(AssessmentPeriod)
            .where(Assessment.center_id == user.center_id)
            .order_by(AssessmentPeriod.opens_on.desc())
        )
    )
