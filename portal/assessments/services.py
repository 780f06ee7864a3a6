"""Periods, self-assessments, answers and evidence.

Services take the actor explicitly, check the rules, flush but never commit,
and record every change in the audit log in the same transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypedDict, Unpack

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..accounts.permissions import can_manage_center, can_view_center, visible_centers_clause
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..scoring import rules
from ..shared.errors import PermissionDenied, PortalError
from ..shared.signals import assessment_submitted
from ..shared.timeutils import now_utc, today_local
from ..standards.models import Area, Criterion, StandardVersion
from .evidence import CleanFile, hamming
from .models import Answer, Assessment, AssessmentPeriod, AssessmentStatus, Evidence

#: Two photos whose difference hashes differ in at most this many bits are "the same photo".
REUSE_MAX_DISTANCE = 6
MAX_NOTE = 2000
MAX_NUMBER = 1e9


class AssessmentError(PortalError):
    """An assessment rule was broken."""


class PeriodError(PortalError):
    """A period rule was broken."""


# Permissions ----------------------------------------------------------------------------


def can_view_assessment(user: User, assessment: Assessment) -> bool:
    if user.role == Role.OFFICER:
        return False
    return can_view_center(user, assessment.center)


def can_edit_assessment(user: User, assessment: Assessment, *, today: date | None = None) -> bool:
    """Only the center's own manager, while the draft is open."""
    return (
        user.role == Role.MANAGER
        and can_manage_center(user, assessment.center)
        and not assessment.is_submitted
        and assessment.period.is_open(today or today_local())
    )


# Periods --------------------------------------------------------------------------------


def _check_period(*, code: str, opens_on: date, closes_on: date, exclude_id: int | None) -> None:
    if closes_on < opens_on:
        raise PeriodError(_("The closing date must be on or after the opening date."))
    stmt = sa.select(AssessmentPeriod.id).where(AssessmentPeriod.code == code)
    if exclude_id is not None:
        stmt = stmt.where(AssessmentPeriod.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise PeriodError(_("A period with the code %(code)s already exists.", code=code))


class PeriodFields(TypedDict):
    """What an administrator sets on a period, in :func:`create_period` and
    :func:`update_period` (the code is given once, at creation)."""

    name: str
    kind: str
    opens_on: date
    closes_on: date
    standard_version: StandardVersion


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only administrators manage assessment periods."))


def _save_period(
    period: AssessmentPeriod, fields: PeriodFields, *, actor: User, action: str
) -> AssessmentPeriod:
    """Set ``fields`` on ``period``, flush, and record ``action`` with what changed."""
    before = period.audit_state() if period.id is not None else None
    period.name = fields["name"].strip()
    period.kind = fields["kind"]
    period.opens_on = fields["opens_on"]
    period.closes_on = fields["closes_on"]
    period.standard_version = fields["standard_version"]
    db.session.add(period)
    db.session.flush()
    audit.record(
        actor=actor,
        action=action,
        object_type="assessment_period",
        object_id=period.id,
        summary=audit.diff(before, period.audit_state()),
    )
    return period


def create_period(*, actor: User, code: str, **fields: Unpack[PeriodFields]) -> AssessmentPeriod:
    _require_admin(actor)
    code = code.strip().upper()
    _check_period(
        code=code, opens_on=fields["opens_on"], closes_on=fields["closes_on"], exclude_id=None
    )
    return _save_period(AssessmentPeriod(code=code), fields, actor=actor, action="period.create")


def update_period(
    period: AssessmentPeriod, *, actor: User, **fields: Unpack[PeriodFields]
) -> AssessmentPeriod:
    _require_admin(actor)
    _check_period(
        code=period.code,
        opens_on=fields["opens_on"],
        closes_on=fields["closes_on"],
        exclude_id=period.id,
    )
    if fields["standard_version"].id != period.standard_version_id and period_has_assessments(
        period
    ):
        raise PeriodError(
            _("Centers have already started this period: its standard version cannot change.")
        )
    return _save_period(period, fields, actor=actor, action="period.update")


def period_has_assessments(period: AssessmentPeriod) -> bool:
    return (
        db.session.scalar(
            sa.select(Assessment.id).where(Assessment.period_id == period.id).limit(1)
        )
        is not None
    )


def list_periods() -> list[AssessmentPeriod]:
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod).order_by(
                AssessmentPeriod.opens_on.desc(), AssessmentPeriod.id.desc()
            )
        )
    )


def date_warnings(
    *,
    kind: str,
    opens_on: date,
    closes_on: date,
    exclude_id: int | None = None,
    today: date | None = None,
) -> list[str]:
    """Why these dates need a second look: another period of the same kind overlaps them,
    or a new period opens in the past (its answers would be late from the first day)."""
    today = today or today_local()
    warnings = []
    stmt = sa.select(AssessmentPeriod).where(
        AssessmentPeriod.kind == kind,
        AssessmentPeriod.opens_on <= closes_on,
        AssessmentPeriod.closes_on >= opens_on,
    )
    if exclude_id is not None:
        stmt = stmt.where(AssessmentPeriod.id != exclude_id)
    for other in db.session.scalars(stmt.order_by(AssessmentPeriod.opens_on)):
        warnings.append(
            _(
                "These dates overlap %(code)s (%(start)s – %(end)s).",
                code=other.code,
                start=other.opens_on.strftime("%d/%m/%Y"),
                end=other.closes_on.strftime("%d/%m/%Y"),
            )
        )
    if exclude_id is None and opens_on < today:
        warnings.append(
            _("The period opens in the past (%(day)s).", day=opens_on.strftime("%d/%m/%Y"))
        )
    return warnings


def work_period(
    periods: list[AssessmentPeriod], user: User | None = None
) -> AssessmentPeriod | None:
    """The period where the work is: the newest of ``periods`` (newest first) with a
    submitted self-assessment in ``user``'s scope; else the newest open today; else the
    newest. A new, empty period never hides the one still being inspected."""
    if not periods:
        return None
    stmt = sa.select(Assessment.period_id).where(Assessment.status == AssessmentStatus.SUBMITTED)
    if user is not None:
        stmt = stmt.join(Center, Center.id == Assessment.center_id).where(
            visible_centers_clause(user)
        )
    with_work = set(db.session.scalars(stmt.distinct()))
    today = today_local()
    return (
        next((p for p in periods if p.id in with_work), None)
        or next((p for p in periods if p.is_open(today)), None)
        or periods[0]
    )


#: The session key of the period a person last chose on a page with a period filter.
CHOSEN_PERIOD = "period"


def choose_period(
    periods: list[AssessmentPeriod],
    requested: str | int | None,
    *,
    user: User | None = None,
    by: str = "id",
) -> AssessmentPeriod | None:
    """The period a page shows: the one asked for (``by`` its id or code, remembered in the
    session), else the one chosen last, else :func:`work_period`."""
    from flask import session

    if requested not in (None, ""):
        found = next((p for p in periods if str(getattr(p, by)) == str(requested)), None)
        if found is not None:
            session[CHOSEN_PERIOD] = found.code
            return found
    remembered = session.get(CHOSEN_PERIOD)
    found = next((p for p in periods if p.code == remembered), None)
    return found or work_period(periods, user)


# Assessments ------------------------------------------------------------------------------


def find_assessment(period: AssessmentPeriod, center: Center) -> Assessment | None:
    return db.session.scalar(
        sa.select(Assessment).where(
            Assessment.period_id == period.id, Assessment.center_id == center.id
        )
    )


def center_assessments(center: Center) -> list[Assessment]:
    """Every self-assessment of ``center``, the most recent period first."""
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .join(AssessmentPeriod, Assessment.period_id == AssessmentPeriod.id)
            .where(Assessment.center_id == center.id)
            .order_by(AssessmentPeriod.opens_on.desc(), Assessment.id.desc())
        )
    )


def _touch(assessment: Assessment) -> None:
    """Note a change to the answers or evidence: the revision moves on (the offline script
    compares it) and the time of the change is kept."""
    assessment.revision += 1
    assessment.updated_at = now_utc()


def _record(
    assessment: Assessment,
    *,
    actor: User,
    action: str,
    summary: dict,
    evidence: Evidence | None = None,
) -> None:
    """Record ``action`` in the audit trail of the assessment's center: on ``evidence``
    (the assessment's id in the summary) when given, else on the assessment itself."""
    object_type, object_id = "assessment", assessment.id
    if evidence is not None:
        object_type, object_id = "evidence", evidence.id
        summary = {"assessment_id": assessment.id} | summary
    audit.record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        center_id=assessment.center_id,
        summary=summary,
    )


def start_assessment(
    period: AssessmentPeriod, center: Center, *, actor: User, today: date | None = None
) -> Assessment:
    """The center's assessment for the period, created on first use by its manager."""
    if actor.role != Role.MANAGER or not can_manage_center(actor, center):
        raise PermissionDenied(_("Only the center's manager fills in its self-assessment."))
    existing = find_assessment(period, center)
    if existing is not None:
        return existing
    if not period.is_open(today or today_local()):
        raise AssessmentError(_("This period is not open for self-assessment."))
    assessment = Assessment(period=period, center=center, status=AssessmentStatus.DRAFT)
    db.session.add(assessment)
    db.session.flush()
    _record(assessment, actor=actor, action="assessment.create", summary={"period": period.code})
    return assessment


@dataclass
class AnswerInput:
    """What the form sent for one criterion (raw strings, validated by :func:`save_answers`)."""

    choice: str | None = None
    number: str | None = None
    not_applicable: bool = False
    note: str = ""


def _criteria(assessment: Assessment) -> list[Criterion]:
    return list(assessment.period.standard_version.criteria)


VALID_CHOICES = {
    "level": {"met", "partial", "not_met"},
    "yes_no": {"yes", "no"},
}


def _validate(criterion: Criterion, data: AnswerInput) -> tuple[dict, str | None]:
    """Return the new answer values, or an error message."""
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        return {}, _("The note is too long (at most %(n)d characters).", n=MAX_NOTE)
    if data.not_applicable:
        if not criterion.na_allowed:
            return {}, _("This criterion cannot be marked not applicable.")
        if not note:
            return {}, _("Explain in the note why this criterion does not apply.")
        return {"choice": None, "number": None, "not_applicable": True, "note": note}, None
    choice = (data.choice or "").strip() or None
    number: float | None = None
    if criterion.answer_type == "number":
        raw = (data.number or "").strip().replace(",", ".")
        if raw:
            try:
                number = float(raw)
            except ValueError:
                return {}, _("Enter a number.")
            if not math.isfinite(number) or number < 0 or number > MAX_NUMBER:
                return {}, _("Enter a number of 0 or more.")
        choice = None
    elif choice is not None and choice not in VALID_CHOICES[criterion.answer_type]:
        return {}, _("Choose one of the answers offered.")
    return {"choice": choice, "number": number, "not_applicable": False, "note": note}, None


def validate_answer(criterion: Criterion, data: AnswerInput) -> tuple[dict, str | None]:
    """The answer values ``data`` stands for, or a translated error (used by inspections)."""
    return _validate(criterion, data)


def save_answers(
    assessment: Assessment,
    answers: Mapping[int, AnswerInput],
    *,
    actor: User,
    today: date | None = None,
) -> dict[int, str]:
    """Save the valid answers; return ``{criterion_id: error}`` for the refused ones.

    Only criteria present in ``answers`` are touched, so that a partial save
    (the offline script sends what changed) never clears other answers.
    """
    if not can_edit_assessment(actor, assessment, today=today):
        raise PermissionDenied(_("This self-assessment cannot be changed."))
    criteria = {c.id: c for c in _criteria(assessment)}
    existing = {a.criterion_id: a for a in assessment.answers}
    errors: dict[int, str] = {}
    changes: dict[str, list] = {}
    for criterion_id, data in answers.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue  # not a criterion of this assessment's standard: ignored
        values, error = _validate(criterion, data)
        if error:
            errors[criterion_id] = error
            continue
        answer = existing.get(criterion_id)
        before = answer.audit_state() if answer else None
        if answer is None:
            if (
                not values["not_applicable"]
                and values["choice"] is None
                and (values["number"] is None and not values["note"])
            ):
                continue  # nothing entered
            answer = Answer(assessment=assessment, criterion=criterion)
            db.session.add(answer)
        for key, value in values.items():
            setattr(answer, key, value)
        after = answer.audit_state()
        if before != after:
            answer.updated_at = now_utc()
            changes[criterion.code] = [before, after]
    if changes:
        _touch(assessment)
        db.session.flush()
        _record(
            assessment,
            actor=actor,
            action="assessment.answers",
            summary={"revision": assessment.revision, "changes": changes},
        )
    return errors


def missing_answers(assessment: Assessment) -> list[Criterion]:
    answered = {a.criterion_id for a in assessment.answers if a.is_answered}
    return [c for c in _criteria(assessment) if c.id not in answered and not c.is_informational]


def submit(assessment: Assessment, *, actor: User, today: date | None = None) -> Assessment:
    # The row lock makes two simultaneous submissions on PostgreSQL one submission: the
    # second waits, reloads and finds the assessment submitted (SQLite's write lock does
    # the same there).
    db.session.flush()
    db.session.refresh(assessment, with_for_update=True)
    if not can_edit_assessment(actor, assessment, today=today):
        raise PermissionDenied(_("This self-assessment cannot be changed."))
    missing = missing_answers(assessment)
    if missing:
        raise AssessmentError(
            _(
                "Answer every criterion before submitting. Still missing: %(codes)s.",
                codes=", ".join(c.code for c in missing),
            )
        )
    summary = score(assessment)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now_utc()
    assessment.submitted_by_id = actor.id
    assessment.self_score = summary.compliance
    assessment.revision += 1
    db.session.flush()
    _record(
        assessment,
        actor=actor,
        action="assessment.submit",
        summary={
            "status": ["draft", "submitted"],
            "self_score": summary.compliance,
            "gates_met": summary.gates_ok,
        },
    )
    assessment_submitted.send(assessment)
    return assessment


def scope_overview(user: User, period: AssessmentPeriod) -> list[tuple[Center, Assessment | None]]:
    """Every center in ``user``'s scope with its assessment for the period (None: not started)."""
    rows = db.session.execute(
        sa.select(Center, Assessment)
        .outerjoin(
            Assessment,
            sa.and_(Assessment.center_id == Center.id, Assessment.period_id == period.id),
        )
        .where(visible_centers_clause(user))
        .order_by(Center.level.desc(), Center.code)
    ).all()
    return [(center, assessment) for center, assessment in rows]


# Scores ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaProgress:
    area: Area
    answered: int
    total: int
    score: float | None  # 0–1, None when nothing applies


@dataclass(frozen=True)
class ScoreSummary:
    areas: list[AreaProgress]
    compliance: float | None  # C_self, 0–100
    gates_ok: bool
    answered: int
    total: int
    failed_gates: list[str] = field(default_factory=list)


def answer_fraction(criterion: Criterion, answer: Answer | None) -> float | None:
    if answer is None:
        return 0.0
    value = answer.number if criterion.answer_type == "number" else answer.choice
    return rules.criterion_fraction(
        criterion.answer_type,
        value,
        target=criterion.target,
        not_applicable=answer.not_applicable,
    )


def score_answers(version: StandardVersion, answers: Iterable[Answer]) -> ScoreSummary:
    """C_self per PRODUCT.md §6, through ``scoring.rules`` (unanswered criteria earn 0)."""
    by_criterion = {a.criterion_id: a for a in answers}
    scored: list[rules.ScoredCriterion] = []
    progress: dict[str, list[int]] = {}
    failed_gates: list[str] = []
    for c in version.criteria:
        answer = by_criterion.get(c.id)
        fraction = answer_fraction(c, answer)
        item = rules.ScoredCriterion(
            area=c.area.code, points=c.points, fraction=fraction, mandatory=c.mandatory
        )
        scored.append(item)
        if c.mandatory and not rules.gates_met([item]):
            failed_gates.append(c.code)
        counts = progress.setdefault(c.area.code, [0, 0])
        counts[1] += 1
        if answer is not None and answer.is_answered:
            counts[0] += 1
    area_scores = rules.area_scores(scored)
    areas = [
        AreaProgress(
            area=a,
            answered=progress.get(a.code, [0, 0])[0],
            total=progress.get(a.code, [0, 0])[1],
            score=area_scores.get(a.code),
        )
        for a in version.areas
    ]
    return ScoreSummary(
        areas=areas,
        compliance=rules.compliance(area_scores, version.weights()),
        gates_ok=rules.gates_met(scored),
        answered=sum(p.answered for p in areas),
        total=sum(p.total for p in areas),
        failed_gates=failed_gates,
    )


def score(assessment: Assessment) -> ScoreSummary:
    return score_answers(assessment.period.standard_version, assessment.answers)


# Evidence -------------------------------------------------------------------------------------


def add_evidence(
    assessment: Assessment,
    criterion: Criterion,
    clean: CleanFile,
    *,
    storage_name: str,
    original_name: str,
    actor: User,
    today: date | None = None,
) -> Evidence:
    if not can_edit_assessment(actor, assessment, today=today):
        raise PermissionDenied(_("This self-assessment cannot be changed."))
    if criterion.version_id != assessment.period.standard_version_id:
        raise AssessmentError(_("This criterion does not belong to this self-assessment."))
    evidence = Evidence.from_clean(
        assessment,
        criterion,
        clean,
        storage_name=storage_name,
        original_name=original_name,
        actor=actor,
    )
    db.session.add(evidence)
    _touch(assessment)
    db.session.flush()
    _record(
        assessment,
        evidence=evidence,
        actor=actor,
        action="evidence.add",
        summary={"criterion": criterion.code} | audit.diff(None, evidence.audit_state()),
    )
    return evidence


def delete_evidence(evidence: Evidence, *, actor: User, today: date | None = None) -> str:
    """Delete the record; return the storage name so the caller removes the file after commit."""
    assessment = evidence.assessment
    if not can_edit_assessment(actor, assessment, today=today):
        raise PermissionDenied(_("This self-assessment cannot be changed."))
    name = evidence.storage_name
    _record(
        assessment,
        evidence=evidence,
        actor=actor,
        action="evidence.delete",
        summary=audit.diff(evidence.audit_state(), None),
    )
    db.session.delete(evidence)
    _touch(assessment)
    db.session.flush()
    return name


@dataclass(frozen=True)
class ReuseMatch:
    evidence_id: int
    center_code: str
    center_name: str
    period_code: str
    distance: int
    same_center: bool
    #: The other center lies outside the viewer's scope: counted, never named.
    hidden: bool = False


def reuse_warnings(
    assessment: Assessment, *, viewer: User | None = None
) -> dict[int, list[ReuseMatch]]:
    """Photos of this assessment that also appear for another center or an earlier period.

    With ``viewer``, matches at centers outside the viewer's scope are still reported (the
    reuse matters) but without the center's code or name: a manager never learns the names
    of other centers, other provinces stay hidden from an inspector of one province.
    """
    photos = [e for e in assessment.evidence if e.phash]
    if not photos:
        return {}
    opens_on = assessment.period.opens_on
    in_scope = visible_centers_clause(viewer) if viewer is not None else sa.true()
    rows = db.session.execute(
        sa.select(
            Evidence.id,
            Evidence.phash,
            Evidence.center_id,
            Center.code,
            Center.name,
            AssessmentPeriod.code,
            in_scope.label("in_scope"),
        )
        .join(Assessment, Evidence.assessment_id == Assessment.id)
        .join(Center, Evidence.center_id == Center.id)
        .join(AssessmentPeriod, Assessment.period_id == AssessmentPeriod.id)
        .where(
            Evidence.phash.is_not(None),
            Evidence.assessment_id != assessment.id,
            sa.or_(
                Evidence.center_id != assessment.center_id,
                AssessmentPeriod.opens_on < opens_on,
            ),
        )
    ).all()
    out: dict[int, list[ReuseMatch]] = {}
    for photo in photos:
        for other_id, other_hash, center_id, code, name, period_code, visible in rows:
            distance = hamming(photo.phash, other_hash)
            if distance <= REUSE_MAX_DISTANCE:
                out.setdefault(photo.id, []).append(
                    ReuseMatch(
                        evidence_id=other_id if visible else 0,
                        center_code=code if visible else "",
                        center_name=name if visible else "",
                        period_code=period_code,
                        distance=distance,
                        same_center=center_id == assessment.center_id,
                        hidden=not visible,
                    )
                )
    return out
