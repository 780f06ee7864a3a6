"""The center's side of a return: correcting the reopened criteria, adding files as evidence
(for a correction, an appeal or a visit) and resubmitting."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..assessments import services as checklist
from ..assessments.evidence import CleanFile
from ..assessments.models import Answer, Evidence
from ..extensions import db
from ..shared.signals import assessment_submitted
from ..shared.timeutils import now_utc
from ..standards.models import Criterion
from .access import AppealError, InspectionError, Locked, check_center_manager, check_inspector
from .appeals import appeal_open_for_filing
from .models import EventKind, Inspection, InspectionStatus, ReviewEvent
from .steps import (
    answers_of,
    change_status,
    criterion_of,
    event,
    in_words,
    is_blank,
    items_by_criterion,
    lock,
    rounded,
    write_step,
)


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
    criterion_of(inspection, criterion)
    lock(inspection)
    if inspection.is_locked:
        raise Locked(_("This assessment is finalized: only an appeal can change it."))
    item = items_by_criterion(inspection)[criterion.id]
    if inspection.status != InspectionStatus.RETURNED or not item.reopened:
        raise InspectionError(_("The inspector did not ask for a correction of this criterion."))
    values, error = checklist.validate_answer(criterion, data)
    if error:
        raise InspectionError(error)
    if is_blank(values):
        raise InspectionError(_("Answer the criterion."))
    answer = answers_of(assessment).get(criterion.id)
    if answer is None:
        answer = Answer(assessment=assessment, criterion=criterion)
        db.session.add(answer)
        old = "not answered"
    else:
        old = in_words(answer)
    for key, value in values.items():
        setattr(answer, key, value)
    answer.updated_at = now_utc()
    assessment.revision += 1
    assessment.updated_at = now_utc()
    item.changed = True
    write_step(
        inspection,
        "inspection.fix",
        actor=actor,
        events=[
            event(
                inspection,
                EventKind.FIX,
                actor=actor,
                criterion=criterion,
                answer=answer,
                text=answer.note,
            )
        ],
        criterion=criterion.code,
        change=f"{old} → {in_words(answer)}",
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
    criterion_of(inspection, criterion)
    lock(inspection)
    if actor.role == Role.MANAGER:
        check_center_manager(actor, assessment.center)
        if inspection.status == InspectionStatus.UNDER_APPEAL:
            raise AppealError(_("This result has already been appealed."))
        item = items_by_criterion(inspection)[criterion.id]
        allowed = (inspection.status == InspectionStatus.RETURNED and item.reopened) or (
            inspection.status == InspectionStatus.FINALIZED and appeal_open_for_filing(inspection)
        )
        if not allowed:
            raise InspectionError(_("Files can only be added to criteria open for correction."))
    else:
        check_inspector(actor, assessment.center)
    if actor.role == Role.MANAGER and inspection.status == InspectionStatus.RETURNED:
        items_by_criterion(inspection)[criterion.id].changed = True
    return store_evidence(
        inspection,
        criterion,
        clean,
        actor,
        storage_name=storage_name,
        original_name=original_name,
        events=[
            event(inspection, EventKind.EVIDENCE, actor=actor, criterion=criterion, text=clean.kind)
        ],
    )


def store_evidence(
    inspection: Inspection,
    criterion: Criterion,
    clean: CleanFile,
    actor: User,
    *,
    storage_name: str,
    original_name: str,
    events: Iterable[ReviewEvent] = (),
    **summary,
) -> Evidence:
    """Store a checked file for the inspection's assessment and write the step."""
    assessment = inspection.assessment
    evidence = Evidence.from_clean(
        assessment,
        criterion,
        clean,
        storage_name=storage_name,
        original_name=original_name,
        actor=actor,
    )
    db.session.add(evidence)
    db.session.flush()  # the file's id, for the audit entry
    write_step(
        inspection,
        "inspection.evidence",
        actor=actor,
        events=events,
        criterion=criterion.code,
        file=f"{clean.kind}, {len(clean.content)} bytes",
        evidence_id=evidence.id,
        **summary,
    )
    return evidence


def resubmit(inspection: Inspection, *, actor: User) -> Inspection:
    """The manager sends the corrections back; changed criteria wait for a new verdict."""
    assessment = inspection.assessment
    check_center_manager(actor, assessment.center)
    lock(inspection)
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
    inspection.round += 1
    inspection.resubmitted_at = now_utc()
    change_status(
        inspection,
        "inspection.resubmit",
        to=InspectionStatus.RESUBMITTED,
        words=("returned for correction", "resubmitted"),
        actor=actor,
        self_score=[rounded(old_score), rounded(new_score)],
    )
    assessment_submitted.send(assessment)
    return inspection
