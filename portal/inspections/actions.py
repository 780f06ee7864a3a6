"""Corrective actions: the inspector sets one for a criterion, the center's manager reports it
done (with a note and usually a file), and the inspector confirms it or reopens it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments.evidence import CleanFile
from ..assessments.models import Assessment, Evidence
from ..centers.models import Center
from ..extensions import db
from ..shared.timeutils import now_utc
from ..standards.models import Criterion
from .access import InspectionError, check_center_manager, check_inspector
from .corrections import store_evidence
from .models import ActionStatus, CorrectiveAction, Inspection
from .steps import clean_text, criterion_of, lock, write_step


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
    criterion_of(inspection, criterion)
    description = clean_text(description)
    owner = clean_text(owner)[:120]
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
    db.session.flush()  # the action's id, for the audit entry
    write_step(
        inspection,
        "inspection.action_create",
        actor=actor,
        criterion=criterion.code,
        action_id=action.id,
        due_on=due_on.isoformat(),
        description=description,
    )
    return action


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
    return store_evidence(
        inspection,
        action.criterion,
        clean,
        actor,
        storage_name=storage_name,
        original_name=original_name,
        action_id=action.id,
    )


def _action_step(action: CorrectiveAction, name: str, *, actor: User, status: list[str]) -> None:
    write_step(
        action.inspection,
        name,
        actor=actor,
        criterion=action.criterion.code,
        action_id=action.id,
        status=status,
    )


def close_action(
    action: CorrectiveAction, *, note: str, evidence: Evidence | None, actor: User
) -> CorrectiveAction:
    """The manager reports the action done, with a note and (usually) a file."""
    check_center_manager(actor, action.inspection.assessment.center)
    lock(action)
    if action.status != ActionStatus.OPEN:
        raise InspectionError(_("This action is not open."))
    note = clean_text(note)
    if not note and evidence is None:
        raise InspectionError(_("Say what was done, or attach a file as evidence."))
    action.status = ActionStatus.CLOSED
    action.closed_note = note
    action.closed_at = now_utc()
    action.closed_by_id = actor.id
    action.closed_evidence = evidence
    _action_step(
        action,
        "inspection.action_close",
        actor=actor,
        status=["open", "done, waiting for confirmation"],
    )
    return action


def confirm_action(action: CorrectiveAction, *, accept: bool, actor: User) -> CorrectiveAction:
    """The inspector confirms the action, or reopens it."""
    check_inspector(actor, action.inspection.assessment.center)
    lock(action)
    if action.status != ActionStatus.CLOSED:
        raise InspectionError(_("Only an action reported done can be confirmed."))
    if accept:
        action.status = ActionStatus.CONFIRMED
        action.confirmed_at = now_utc()
        action.confirmed_by_id = actor.id
    else:
        action.status = ActionStatus.OPEN
        action.closed_at = None
    _action_step(
        action,
        "inspection.action_confirm",
        actor=actor,
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
