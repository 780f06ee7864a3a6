"""What every step of the inspection cycle shares: reading an inspection's items and answers,
answers in words, clean text, and :func:`write_step`, the one place where a step writes its
review events and its audit entry (:func:`change_status` for the steps that also move the
inspection to another status).

Services take the actor explicitly, check the rules, flush but never commit, and write
every change to the audit log in the same transaction, with summaries in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments import services as checklist
from ..assessments.models import Answer, Assessment
from ..audit import services as audit
from ..extensions import db
from ..shared.timeutils import now_utc
from ..standards.models import Criterion
from .access import InspectionError, Locked
from .models import EventKind, Inspection, InspectionStatus, ReviewEvent, ReviewItem, Verdict

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


class AnswerLike(Protocol):
    """A center's answer, a verified item, or an inspector's input for one."""

    choice: str | None
    number: float | str | None
    not_applicable: bool


# Reading --------------------------------------------------------------------------------


def find_inspection(assessment: Assessment) -> Inspection | None:
    return db.session.scalar(sa.select(Inspection).where(Inspection.assessment_id == assessment.id))


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


def answers_of(assessment: Assessment) -> dict[int, Answer]:
    return {a.criterion_id: a for a in assessment.answers}


def criterion_of(inspection: Inspection, criterion: Criterion) -> Criterion:
    if criterion.version_id != inspection.assessment.period.standard_version_id:
        raise InspectionError(_("This criterion does not belong to this assessment."))
    return criterion


def lock(*rows: object) -> None:
    """Take the row lock of each object and reload it, before a state change checks it.

    On PostgreSQL (READ COMMITTED) two requests could both read "under review" and both
    finalize; with the lock the second waits for the first to commit, then reloads and
    sees the new state, so exactly one wins and the other gets the service's message.
    SQLite has no row locks and needs none: a writing request holds the database's write
    lock from its first query (``BEGIN IMMEDIATE``, :mod:`portal.database`).
    """
    db.session.flush()
    for row in rows:
        db.session.refresh(row, with_for_update=True)


def lock_under_review(inspection: Inspection, *, finalized: str, returned: str) -> None:
    """Lock the inspection (:func:`lock`) and refuse unless the inspectors have it: with
    ``finalized`` once it is finalized, with ``returned`` while the center corrects it."""
    lock(inspection)
    if inspection.is_locked:
        raise Locked(finalized)
    if inspection.status == InspectionStatus.RETURNED:
        raise InspectionError(returned)


# Answers --------------------------------------------------------------------------------


def in_words(answer: AnswerLike) -> str:
    if answer.not_applicable:
        return "not applicable"
    if answer.number is not None:
        return f"{answer.number:g}"
    return WORDS.get(answer.choice, str(answer.choice))


def validate_verified(criterion: Criterion, data: AnswerLike, *, note: str) -> tuple[dict, str]:
    """The inspector's answer for a criterion, checked like a center's answer."""
    return checklist.validate_answer(
        criterion,
        checklist.AnswerInput(
            choice=data.choice,
            number=data.number,
            not_applicable=data.not_applicable,
            note=note,
        ),
    )


def is_blank(values: dict) -> bool:
    return values["choice"] is None and values["number"] is None and not values["not_applicable"]


def set_verified(
    item: ReviewItem, verdict: Verdict, reason: str, values: dict, *, actor: User, at: datetime
) -> None:
    """Give an item its verdict and verified answer."""
    item.verdict = verdict
    item.reason = reason
    item.choice = values["choice"]
    item.number = values["number"]
    item.not_applicable = values["not_applicable"]
    item.reviewed_at = at
    item.reviewed_by_id = actor.id


def clean_text(value: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise InspectionError(_("The text is too long (at most %(n)d characters).", n=MAX_TEXT))
    return text


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# The event-and-audit step -----------------------------------------------------------------


def event(
    inspection: Inspection,
    kind: EventKind,
    *,
    actor: User | None,
    criterion: Criterion | None = None,
    answer: AnswerLike | None = None,
    text: str = "",
) -> ReviewEvent:
    """A line of the inspection's history (added by :func:`write_step`)."""
    return ReviewEvent(
        inspection_id=inspection.id,
        criterion_id=criterion.id if criterion else None,
        kind=kind,
        round=inspection.round,
        choice=answer.choice if answer is not None else None,
        number=answer.number if answer is not None else None,
        not_applicable=answer.not_applicable if answer is not None else False,
        text=text,
        actor_id=actor.id if actor else None,
    )


def write_step(
    inspection: Inspection,
    action: str,
    *,
    actor: User,
    events: Iterable[ReviewEvent] = (),
    **summary,
) -> None:
    """Close a step: add its review events, flush, and write its audit entry in words."""
    db.session.add_all(events)
    db.session.flush()
    assessment = inspection.assessment
    audit.record(
        actor=actor,
        action=action,
        object_type="inspection",
        object_id=inspection.id,
        center_id=assessment.center_id,
        summary={"center": assessment.center.name, "period": assessment.period.code} | summary,
    )


def change_status(
    inspection: Inspection,
    action: str,
    *,
    to: InspectionStatus,
    words: tuple[str, str],
    actor: User,
    events: Iterable[ReviewEvent] = (),
    **summary,
) -> None:
    """Close a step that moves the inspection to status ``to``: set it and ``updated_at``,
    and :func:`write_step` with the change in words (``words``: before, after)."""
    inspection.status = to
    inspection.updated_at = now_utc()
    write_step(inspection, action, actor=actor, events=events, status=list(words), **summary)
