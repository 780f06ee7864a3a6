"""Appeals: the center's manager contests criteria of a finalized result within the window,
and another inspector decides every item; upheld items change the verified result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..accounts.models import User
from ..extensions import db
from ..shared.errors import PermissionDenied
from ..shared.signals import inspection_result_changed
from ..shared.timeutils import now_utc, today_local
from .access import AppealError, check_center_manager, check_inspector
from .models import (
    Appeal,
    AppealItem,
    AppealStatus,
    EventKind,
    Inspection,
    InspectionStatus,
    Verdict,
)
from .results import Result, compute_result, store_result
from .steps import (
    change_status,
    clean_text,
    event,
    in_words,
    is_blank,
    items_by_criterion,
    lock,
    rounded,
    set_verified,
    validate_verified,
)


def appeal_open_for_filing(inspection: Inspection, today: date | None = None) -> bool:
    return (
        inspection.status == InspectionStatus.FINALIZED
        and not inspection.appeals
        and inspection.appeal_until is not None
        and (today or today_local()) <= inspection.appeal_until
    )


def open_appeal(inspection: Inspection) -> Appeal | None:
    return next((a for a in inspection.appeals if a.is_open), None)


def file_appeal(
    inspection: Inspection,
    reasons: Mapping[int, str],
    *,
    actor: User,
    today: date | None = None,
) -> Appeal:
    """The center's manager contests criteria of a finalized result, within the window."""
    check_center_manager(actor, inspection.assessment.center)
    lock(inspection)
    today = today or today_local()
    if inspection.appeals or inspection.status == InspectionStatus.UNDER_APPEAL:
        raise AppealError(_("This result has already been appealed."))
    if inspection.status != InspectionStatus.FINALIZED:
        raise AppealError(_("Only a finalized result can be appealed."))
    if inspection.appeal_until is None or today > inspection.appeal_until:
        raise AppealError(_("The appeal window has closed."))
    criteria = {c.id: c for c in inspection.assessment.period.standard_version.criteria}
    cleaned = {cid: clean_text(r) for cid, r in reasons.items() if cid in criteria}
    cleaned = {cid: r for cid, r in cleaned.items() if r}
    if not cleaned:
        raise AppealError(_("Give a reason for at least one criterion."))
    appeal = Appeal(inspection=inspection, filed_by_id=actor.id)
    db.session.add(appeal)
    events = []
    for criterion_id, reason in cleaned.items():
        criterion = criteria[criterion_id]
        appeal.items.append(AppealItem(criterion=criterion, reason=reason))
        events.append(
            event(inspection, EventKind.APPEAL, actor=actor, criterion=criterion, text=reason)
        )
    change_status(
        inspection,
        "inspection.appeal",
        to=InspectionStatus.UNDER_APPEAL,
        words=("finalized", "under appeal"),
        actor=actor,
        events=events,
        criteria=sorted(criteria[cid].code for cid in cleaned),
    )
    # A published ranking marks the center as under appeal (in a new revision).
    inspection_result_changed.send(inspection, actor=actor, reason="appeal_filed")
    return appeal


@dataclass
class AppealDecision:
    """An inspector's decision on one appealed criterion; an upheld item needs the new
    verified answer."""

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
    lock(inspection, appeal)
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
    events = []
    before = compute_result(inspection)
    for appeal_item in appeal.items:
        decision = decisions[appeal_item.criterion_id]
        note = clean_text(decision.note)
        if not note:
            raise AppealError(
                _("Give the reason of the decision for %(code)s.", code=appeal_item.criterion.code)
            )
        criterion = appeal_item.criterion
        item = items[criterion.id]
        appeal_item.upheld = decision.upheld
        appeal_item.decision_note = note
        if decision.upheld:
            values, error = validate_verified(criterion, decision, note=note)
            if error:
                raise AppealError(f"{criterion.code}: {error}")
            if is_blank(values):
                raise AppealError(
                    _("Enter the new verified answer for %(code)s.", code=criterion.code)
                )
            old = in_words(item)
            set_verified(item, Verdict.ADJUST, note, values, actor=actor, at=now_utc())
            changes[criterion.code] = f"{old} → {in_words(item)}"
            kind = EventKind.APPEAL_UPHELD
        else:
            kind = EventKind.APPEAL_REJECTED
        events.append(
            event(inspection, kind, actor=actor, criterion=criterion, answer=item, text=note)
        )
    result = compute_result(inspection) if changes else before
    store_result(inspection, result)
    appeal.status = AppealStatus.DECIDED
    appeal.decided_at = now_utc()
    appeal.decided_by_id = actor.id
    change_status(
        inspection,
        "inspection.appeal_decision",
        to=InspectionStatus.FINALIZED,
        words=("under appeal", "finalized (final)"),
        actor=actor,
        events=events,
        upheld=changes,
        rejected=sorted(i.criterion.code for i in appeal.items if not i.upheld),
        verified_score=[rounded(before.verified_score), rounded(result.verified_score)],
        standardized=[
            "yes" if before.standardized else "no",
            "yes" if result.standardized else "no",
        ],
    )
    inspection_result_changed.send(inspection, actor=actor, reason="appeal_decided")
    return result
