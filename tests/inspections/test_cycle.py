"""The whole inspection cycle with hand-computed scores, and every refused action.

The default standard's area weights and points (personnel 15 % over 19 points,
facilities 15 % over 18 points; CS02 is a mandatory gate worth 3 points) give,
when every criterion is fully met except:
- NL02 (2 points) partly met: personnel 18/19, C = 100 − 15·1/19 = 99.2105…
- and CS02 (3 points) partly met: facilities 16.5/18, C = 99.2105… − 15·1.5/18 = 97.9605…
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.assessments import services as checklist
from portal.assessments.models import Answer
from portal.assessments.services import AnswerInput
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.inspections import services
from portal.inspections.models import (
    Inspection,
    InspectionStatus,
    ResultState,
    ReviewEvent,
    ReviewItem,
)
from portal.inspections.services import AppealDecision, VerdictInput
from portal.shared.errors import PermissionDenied

from .conftest import accept_all, accept_rest, criterion

ONE_PARTIAL_NL = 100 - 15 * 1 / 19
BOTH_PARTIAL = ONE_PARTIAL_NL - 15 * 1.5 / 18


def snapshot():
    """Everything an inspection action could change."""
    db.session.expire_all()
    items = db.session.execute(
        sa.select(
            ReviewItem.id,
            ReviewItem.verdict,
            ReviewItem.choice,
            ReviewItem.number,
            ReviewItem.reopened,
            ReviewItem.changed,
        ).order_by(ReviewItem.id)
    ).all()
    inspections = db.session.execute(
        sa.select(Inspection.id, Inspection.status, Inspection.verified_score).order_by(
            Inspection.id
        )
    ).all()
    answers = db.session.execute(
        sa.select(Answer.id, Answer.choice, Answer.number).order_by(Answer.id)
    ).all()
    return (
        items,
        inspections,
        answers,
        db.session.scalar(sa.select(sa.func.count(ReviewEvent.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
    )


def refused(error, call):
    before = snapshot()
    with pytest.raises(error):
        call()
    db.session.rollback()
    assert snapshot() == before


def test_whole_cycle(app, submitted, users, standard_version, second_inspector):
    inspector, manager, admin = users["inspector"], users["manager"], users["admin"]
    nl02, nl03 = criterion(standard_version, "NL02"), criterion(standard_version, "NL03")
    cs02 = criterion(standard_version, "CS02")
    assert submitted.self_score == pytest.approx(100.0)

    # Review: accept everything, ask for corrections on NL02 and CS02, return.
    inspection = services.start_review(submitted, actor=inspector)
    accept_all(inspection, inspector, skip=("NL02", "CS02"))
    for c in (nl02, cs02):
        services.record_verdict(
            inspection, c, VerdictInput("correct", reason="Bổ sung biên bản"), actor=inspector
        )
    services.return_for_correction(inspection, actor=inspector)
    db.session.commit()
    assert inspection.status == InspectionStatus.RETURNED
    reopened = {i.criterion.code for i in inspection.items if i.reopened}
    assert reopened == {"NL02", "CS02"}

    # Only the criteria asked about reopen.
    refused(
        services.InspectionError,
        lambda: services.fix_answer(inspection, nl03, AnswerInput(choice="partial"), actor=manager),
    )
    services.fix_answer(
        inspection, nl02, AnswerInput(choice="partial", note="2 công chức mới"), actor=manager
    )
    services.resubmit(inspection, actor=manager)
    db.session.commit()
    assert inspection.status == InspectionStatus.RESUBMITTED
    assert submitted.self_score == pytest.approx(ONE_PARTIAL_NL)
    changed = {i.criterion.code for i in inspection.items if i.changed}
    assert changed == {"NL02", "CS02"}  # both wait for a new verdict
    kinds = [e.kind for e in services.history(inspection)[nl02.id]]
    assert kinds == ["submitted", "correct", "fix"]

    # The inspector accepts the fix and adjusts CS02 downward, with a reason.
    refused(
        services.InspectionError,
        lambda: services.record_verdict(
            inspection, cs02, VerdictInput("adjust", choice="partial"), actor=inspector
        ),
    )
    services.record_verdict(inspection, nl02, VerdictInput("accept"), actor=inspector)
    services.record_verdict(
        inspection,
        cs02,
        VerdictInput("adjust", choice="partial", reason="Chưa có quầy ưu tiên"),
        actor=inspector,
    )
    result = services.finalize(inspection, actor=inspector, appeal_window_days=10)
    db.session.commit()
    assert result.self_score == pytest.approx(ONE_PARTIAL_NL)
    assert result.verified_score == pytest.approx(BOTH_PARTIAL)
    assert result.gap == pytest.approx(15 * 1.5 / 18)
    assert result.gates_ok is False and result.standardized is False
    assert result.areas["facilities"] == pytest.approx([1.0, 16.5 / 18])
    assert result.areas["personnel"] == pytest.approx([18 / 19, 18 / 19])
    assert result.criteria["CS02"] == [1.0, 0.5]
    assert inspection.finalized_by_id == inspector.id and inspection.finalized_at is not None
    assert inspection.appeal_until == checklist.today_local() + timedelta(days=10)
    assert services.result_state(inspection) == ResultState.PROVISIONAL

    # Locked: no verdict, no correction, no second finalization.
    refused(
        services.Locked,
        lambda: services.record_verdict(inspection, nl03, VerdictInput("accept"), actor=admin),
    )
    refused(services.Locked, lambda: services.finalize(inspection, actor=second_inspector))
    refused(services.Locked, lambda: services.return_for_correction(inspection, actor=inspector))

    # The manager appeals CS02; the finalizing inspector may not decide it.
    appeal = services.file_appeal(
        inspection, {cs02.id: "Quầy ưu tiên có từ tháng 3, xem ảnh"}, actor=manager
    )
    db.session.commit()
    assert services.result_state(inspection) == ResultState.UNDER_APPEAL
    decision = {cs02.id: AppealDecision(upheld=True, choice="met", note="Ảnh xác nhận quầy")}
    refused(PermissionDenied, lambda: services.decide_appeal(appeal, decision, actor=inspector))
    result = services.decide_appeal(appeal, decision, actor=second_inspector)
    db.session.commit()
    assert result.verified_score == pytest.approx(ONE_PARTIAL_NL)
    assert result.gap == pytest.approx(0.0)
    assert result.standardized is True and inspection.standardized is True
    assert inspection.verified_score == pytest.approx(ONE_PARTIAL_NL)
    assert inspection.status == InspectionStatus.FINALIZED
    assert services.result_state(inspection) == ResultState.FINAL
    # Only CS02 changed: NL02 keeps the verdict and answer it had.
    items = services.items_by_criterion(inspection)
    assert items[nl02.id].choice == "partial" and items[nl02.id].verdict == "accept"
    kinds = [e.kind for e in services.history(inspection)[cs02.id]]
    assert kinds == ["submitted", "correct", "adjust", "appeal", "appeal_upheld"]

    # The audit chain holds, and the entries read as words.
    assert audit.verify_chain().ok
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.startswith("inspection."))
    ).all()
    actions = [e.action for e in entries]
    for action in ("start", "verdict", "return", "fix", "resubmit", "finalize", "appeal"):
        assert f"inspection.{action}" in actions
    adjust = next(
        e
        for e in entries
        if e.action == "inspection.verdict" and '"CS02"' in e.summary and "adjusted" in e.summary
    )
    assert '"change": "met → partly met"' in adjust.summary
    assert "CS02" in adjust.summary and "Chưa có quầy ưu tiên" in adjust.summary
    assert "phường Việt Trì" in adjust.summary


def test_adjust_upward_is_possible(app, submitted, users, standard_version):
    """A manager who under-rated a criterion gets the verified answer the inspector saw."""
    inspector, manager = users["inspector"], users["manager"]
    nl02 = criterion(standard_version, "NL02")
    checklist_answer = next(a for a in submitted.answers if a.criterion_id == nl02.id)
    checklist_answer.choice = "not_met"
    db.session.commit()
    inspection = services.start_review(submitted, actor=inspector)
    accept_all(inspection, inspector, skip=("NL02",))
    services.record_verdict(
        inspection,
        nl02,
        VerdictInput("adjust", choice="met", reason="Đã kiểm tra"),
        actor=inspector,
    )
    result = services.finalize(inspection, actor=inspector)
    assert result.self_score == pytest.approx(100 - 15 * 2 / 19)
    assert result.verified_score == pytest.approx(100.0)
    assert result.gap == pytest.approx(-15 * 2 / 19)
    assert manager  # the manager is not involved


def test_refusals_change_nothing(app, reviewing, users, standard_version, count_rows):
    inspection = reviewing
    nl02 = criterion(standard_version, "NL02")
    far, manager, other_manager = (
        users["inspector_other"],
        users["manager"],
        users["manager_other"],
    )
    # Out of scope, and managers never verify or finalize.
    refused(
        services.OutOfScope,
        lambda: services.record_verdict(inspection, nl02, VerdictInput("accept"), actor=far),
    )
    for who in (manager, other_manager, users["officer"]):
        refused(
            services.OwnCenter,
            lambda who=who: services.record_verdict(
                inspection, nl02, VerdictInput("accept"), actor=who
            ),
        )
        refused(services.OwnCenter, lambda who=who: services.finalize(inspection, actor=who))
    refused(services.OutOfScope, lambda: services.finalize(inspection, actor=far))
    # Finalizing with open criteria, returning with nothing asked.
    refused(
        services.InspectionError,
        lambda: services.finalize(inspection, actor=users["inspector"]),
    )
    refused(
        services.InspectionError,
        lambda: services.return_for_correction(inspection, actor=users["inspector"]),
    )
    # An adjustment without a reason, a correction request without a reason.
    refused(
        services.InspectionError,
        lambda: services.record_verdict(
            inspection, nl02, VerdictInput("correct"), actor=users["inspector"]
        ),
    )
    # Another center's manager cannot fix or appeal.
    refused(
        PermissionDenied,
        lambda: services.fix_answer(
            inspection, nl02, AnswerInput(choice="met"), actor=other_manager
        ),
    )


def test_appeal_after_the_window_is_refused(app, reviewing, users):
    inspection = reviewing
    accept_rest(inspection, users["inspector"])
    services.finalize(inspection, actor=users["inspector"], appeal_window_days=10)
    db.session.commit()
    first = inspection.items[0].criterion
    last_day = inspection.appeal_until
    refused(
        services.AppealError,
        lambda: services.file_appeal(
            inspection, {first.id: "Lý do"}, actor=users["manager"], today=last_day + timedelta(1)
        ),
    )
    assert services.result_state(inspection, last_day + timedelta(1)) == ResultState.FINAL
    refused(
        PermissionDenied,
        lambda: services.file_appeal(
            inspection, {first.id: "Lý do"}, actor=users["manager_other"], today=last_day
        ),
    )
    refused(
        services.AppealError,
        lambda: services.file_appeal(inspection, {first.id: "  "}, actor=users["manager"]),
    )
    services.file_appeal(inspection, {first.id: "Lý do"}, actor=users["manager"], today=last_day)
    assert inspection.status == InspectionStatus.UNDER_APPEAL


def test_admin_decides_an_appeal_and_a_rejection_changes_no_score(app, reviewing, users):
    inspection = reviewing
    accept_rest(inspection, users["inspector"])
    services.finalize(inspection, actor=users["inspector"])
    first = inspection.items[0].criterion
    appeal = services.file_appeal(inspection, {first.id: "Lý do"}, actor=users["manager"])
    db.session.commit()
    refused(
        services.AppealError,
        lambda: services.decide_appeal(
            appeal, {first.id: AppealDecision(upheld=False)}, actor=users["admin"]
        ),
    )
    result = services.decide_appeal(
        appeal, {first.id: AppealDecision(upheld=False, note="Giữ nguyên")}, actor=users["admin"]
    )
    db.session.commit()
    assert result.verified_score == pytest.approx(100.0)
    assert services.result_state(inspection) == ResultState.FINAL
    refused(
        services.AppealError,
        lambda: services.file_appeal(inspection, {first.id: "Lần hai"}, actor=users["manager"]),
    )
    assert audit.verify_chain().ok


def test_accept_the_rest_at_once_skips_decided_and_unanswered(
    app, reviewing, users, standard_version
):
    inspector = users["inspector"]
    nl02 = criterion(standard_version, "NL02")
    services.record_verdict(
        reviewing, nl02, VerdictInput("adjust", choice="partial", reason="Thiếu"), actor=inspector
    )
    count = services.accept_remaining(reviewing, actor=inspector)
    db.session.commit()
    assert count == len(standard_version.criteria) - 1
    assert services.items_by_criterion(reviewing)[nl02.id].verdict == "adjust"
    result = services.finalize(reviewing, actor=inspector)
    assert result.verified_score == pytest.approx(ONE_PARTIAL_NL)
    db.session.commit()
    refused(services.Locked, lambda: services.accept_remaining(reviewing, actor=inspector))
    refused(
        services.OutOfScope,
        lambda: services.accept_remaining(reviewing, actor=users["inspector_other"]),
    )
