"""Cases: opened from ratings, answered by the center's manager, tracked by the citizen."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..accounts.permissions import can_manage_center, can_view_center
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..settings import services as settings
from ..shared import crypto
from ..shared.errors import NotFound, PermissionDenied, PortalError
from ..shared.timeutils import now_utc
from ..shared.workdays import add_working_days, working_days_left
from .models import NOTE_MAX_LENGTH, Case, CaseNote, CaseSource, CaseStatus

__all__ = ["add_working_days"]  # re-exported: the due date is set in working days


def case_source(*, score: int, comment: str, explicit: bool) -> CaseSource | None:
    """Whether a new rating opens a case, and as what: a dissatisfied rating (1–2) with a
    comment, or an explicit complaint with a comment. A pure rule: the rating form's
    thank-you page uses it instead of looking the case up again."""
    if explicit and comment:
        return CaseSource.COMPLAINT
    if score <= 2 and comment:
        return CaseSource.DISSATISFIED
    return None


def open_case_for_rating(rating, *, explicit: bool) -> Case | None:
    """A dissatisfied rating (1–2) with a comment, or an explicit complaint, opens a case."""
    source = case_source(score=rating.score, comment=rating.comment, explicit=explicit)
    if source is None:
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


def case_for_rating(rating_id: int) -> Case | None:
    """The case a rating opened, if any (one at most: ``rating_id`` is unique)."""
    return db.session.scalar(sa.select(Case).where(Case.rating_id == rating_id))


def has_open_case(rating_id) -> sa.Exists:
    """``EXISTS`` an open case for the rating whose id is ``rating_id`` (a column or a value):
    for the retention purge, which keeps such a rating's comment until it is answered."""
    return (
        sa.select(Case.id)
        .where(Case.rating_id == rating_id, Case.status == CaseStatus.OPEN)
        .exists()
    )


def _record(case: Case, action: str, *, actor, summary: dict) -> None:
    """An audit entry about ``case``."""
    audit.record_about(case, "case", action, actor=actor, summary=summary)


def answer_case(case: Case, answer: str, *, actor) -> None:
    if case.status == CaseStatus.ANSWERED:
        raise PortalError(_("This complaint has already been answered."))
    if not answer.strip():
        raise PortalError(_("Write an answer to the citizen."))
    was = case.status
    case.answer = answer
    case.status = CaseStatus.ANSWERED
    case.answered_by_id = actor.id
    case.answered_at = now_utc()
    _record(
        case,
        "case.answered",
        actor=actor,
        summary={"status": [was, case.status], "answer": "changed"},
    )


def cases_query(
    center_clause,
    *,
    status: str = "",
    overdue_on: date | None = None,
    assignee_id: int | None = None,
):
    """Cases in ``center_clause``: open ones first, overdue before the others and then by
    fewest days left (working days grow with the due date, so the due date orders them),
    then the answered ones."""
    stmt = (
        sa.select(Case)
        .join(Center, Case.center_id == Center.id)
        .where(center_clause)
        .order_by(sa.case((Case.status == CaseStatus.OPEN, 0), else_=1), Case.due_on, Case.id)
    )
    if status:
        stmt = stmt.where(Case.status == status)
    if overdue_on is not None:
        stmt = stmt.where(Case.status == CaseStatus.OPEN, Case.due_on < overdue_on)
    if assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == assignee_id)
    return stmt


def days_left(case: Case, today: date) -> int | None:
    """Working days left to answer an open case (negative when overdue); ``None`` once
    answered. Weekends and the public holidays of the settings are not counted."""
    if case.status != CaseStatus.OPEN:
        return None
    return working_days_left(today, case.due_on, settings.holidays())


# Assignment and internal notes ---------------------------------------------------------------


def can_handle_case(user, case: Case) -> bool:
    """Assign the case and write internal notes: an admin, the manager of its center, or an
    inspector in whose scope the center is."""
    if can_manage_center(user, case.center):
        return True
    return user.role == Role.INSPECTOR and can_view_center(user, case.center)


def can_be_assigned(user: User, case: Case) -> bool:
    """A possible assignee: an active manager of the case's center or an active inspector
    who may see that center."""
    if not user.is_active or user.role not in (Role.MANAGER, Role.INSPECTOR):
        return False
    return can_view_center(user, case.center)


def assignable_users(case: Case) -> list[User]:
    """Everyone the case may be assigned to, by name: the center's managers, then the
    inspectors whose scope holds the center."""
    managers = db.session.scalars(
        sa.select(User)
        .where(
            User.role == Role.MANAGER,
            User.center_id == case.center_id,
            User.is_active.is_(True),
        )
        .order_by(User.name_sort_key, User.id)
    ).all()
    inspectors = [
        user
        for user in db.session.scalars(
            sa.select(User)
            .where(User.role == Role.INSPECTOR, User.is_active.is_(True))
            .order_by(User.name_sort_key, User.id)
        )
        if can_view_center(user, case.center)
    ]
    return [*managers, *inspectors]


def assign_case(case: Case, assignee: User | None, *, actor) -> None:
    """Give the case to ``assignee`` (``None``: nobody). Audited."""
    if not can_handle_case(actor, case):
        raise PermissionDenied(_("You may not assign this complaint."))
    if assignee is not None and not can_be_assigned(assignee, case):
        raise PortalError(_("This person cannot handle complaints of this center."))
    new_id = assignee.id if assignee is not None else None
    if new_id == case.assignee_id:
        return
    was = case.assignee_id
    case.assignee_id = new_id
    case.assigned_at = now_utc() if new_id is not None else None
    _record(case, "case.assigned", actor=actor, summary={"assignee_id": [was, new_id]})


def add_note(case: Case, text: str, *, actor) -> CaseNote:
    """Append an internal note (staff only, never shown to the citizen). Audited without
    its text, which stays in the note."""
    if not can_handle_case(actor, case):
        raise PermissionDenied(_("You may not write notes on this complaint."))
    text = text.strip()
    if not text:
        raise PortalError(_("Write the note."))
    if len(text) > NOTE_MAX_LENGTH:
        raise PortalError(_("The note is too long."))
    note = CaseNote(case_id=case.id, author_id=actor.id, text=text, created_at=now_utc())
    db.session.add(note)
    db.session.flush()
    _record(case, "case.note_added", actor=actor, summary={"note_id": note.id, "length": len(text)})
    return note


def days_overdue(case: Case, today: date) -> int:
    """Calendar days past the due date of an open case (0 when not overdue)."""
    return (today - case.due_on).days if case.is_overdue(today) else 0


def callback_phone_masked(case: Case) -> str:
    """The masked phone number the citizen agreed to share for a callback, or ``""``."""
    rating = case.rating
    if not rating.phone_encrypted or not rating.consent_version:
        return ""
    return crypto.mask_phone(
        crypto.decrypt_phone(current_app.config["SECRET_KEY"], rating.phone_encrypted)
    )


def reveal_phone(case: Case, *, actor) -> str:
    """The full phone number for the center's manager to call the citizen back.

    Only with the citizen's consent, only for the manager of the case's center. Each
    reveal is audited, without the number.
    """
    if actor.role != Role.MANAGER or not can_manage_center(actor, case.center):
        raise PermissionDenied(_("Only the center's manager can see the phone number."))
    rating = case.rating
    if not rating.phone_encrypted or not rating.consent_version:
        raise NotFound("phone")
    phone = crypto.decrypt_phone(current_app.config["SECRET_KEY"], rating.phone_encrypted)
    if phone is None:
        raise NotFound("phone")
    _record(
        case,
        "case.phone_revealed",
        actor=actor,
        summary={"rating_id": rating.id, "consent_version": rating.consent_version},
    )
    return phone


def national_phone(e164: str) -> str:
    """``+84912345678`` → ``0912 345 678``, the way it is dialled in Viet Nam."""
    national = "0" + e164[3:] if e164.startswith("+84") else e164
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national
