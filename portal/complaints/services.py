"""Cases: opened from ratings, answered by the center's manager, tracked by the citizen."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..settings import services as settings
from ..shared.errors import PortalError
from ..shared.timeutils import now_utc
from .models import Case, CaseSource, CaseStatus


def add_working_days(start: date, days: int, holidays: Collection[date] = frozenset()) -> date:
    """``days`` working days (Monday–Friday, not a public holiday) after ``start``."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            added += 1
    return current


def open_case_for_rating(rating, *, explicit: bool) -> Case | None:
    """A dissatisfied rating (1–2) with a comment, or an explicit complaint, opens a case."""
    if explicit and rating.comment:
        source = CaseSource.COMPLAINT
    elif rating.score <= 2 and rating.comment:
        source = CaseSource.DISSATISFIED
    else:
        return None
    case = Case(
        center_id=rating.center_id,
        rating_id=rating.id,
        source=source,
        status=CaseStatus.OPEN,
        due_on=add_working_days(
            rating.day, settings.get("case_due_working_days"), settings.holidays()
        ),
        created_at=rating.created_at,
    )
    db.session.add(case)
    db.session.flush()
    return case


def answer_case(case: Case, answer: str, *, actor) -> None:
    if not answer.strip():
        raise PortalError(_("Write an answer to the citizen."))
    was = case.status
    case.answer = answer
    case.status = CaseStatus.ANSWERED
    case.answered_by_id = actor.id
    case.answered_at = now_utc()
    audit.record(
        actor=actor,
        action="case.answered",
        object_type="case",
        object_id=case.id,
        center_id=case.center_id,
        summary={"status": [was, case.status], "answer": "changed"},
    )


def cases_query(center_clause, *, status: str = "", overdue_on: date | None = None):
    stmt = (
        sa.select(Case)
        .join(Center, Case.center_id == Center.id)
        .where(center_clause)
        .order_by(Case.due_on, Case.id)
    )
    if status:
        stmt = stmt.where(Case.status == status)
    if overdue_on is not None:
        stmt = stmt.where(Case.status == CaseStatus.OPEN, Case.due_on < overdue_on)
    return stmt
