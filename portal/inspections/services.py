"""The inspection cycle, in one place for the rest of the portal: review, verdicts, return and
resubmission, finalization, appeals, on-site visits and corrective actions.

An index: each step lives in a module of its own (``access`` at the bottom, then ``steps``,
then the steps themselves), and other features import it from here.
"""

from __future__ import annotations

from .access import (
    AppealError,
    InspectionError,
    Locked,
    OutOfScope,
    OwnCenter,
    can_inspect,
    can_view_inspection,
    check_center_manager,
    check_inspector,
    is_inspector,
)
from .actions import (
    actions_for_center,
    add_action_evidence,
    close_action,
    confirm_action,
    create_action,
)
from .appeals import (
    AppealDecision,
    appeal_open_for_filing,
    decide_appeal,
    file_appeal,
    open_appeal,
)
from .corrections import add_evidence, fix_answer, resubmit
from .queue import (
    QUEUE_SORTS,
    QueueRow,
    manager_inspections,
    queue,
    queue_status,
    result_state,
    unit_types,
)
from .results import DEFAULT_APPEAL_WINDOW_DAYS, Result, compute_result, finalize, store_result
from .review import (
    VerdictInput,
    accept_remaining,
    record_verdict,
    return_for_correction,
    start_review,
)
from .steps import MAX_TEXT, VERDICT_WORDS, WORDS, find_inspection, history, items_by_criterion
from .visits import attach_visit_photo, record_visit

__all__ = [
    "DEFAULT_APPEAL_WINDOW_DAYS",
    "MAX_TEXT",
    "QUEUE_SORTS",
    "VERDICT_WORDS",
    "WORDS",
    "AppealDecision",
    "AppealError",
    "InspectionError",
    "Locked",
    "OutOfScope",
    "OwnCenter",
    "QueueRow",
    "Result",
    "VerdictInput",
    "accept_remaining",
    "actions_for_center",
    "add_action_evidence",
    "add_evidence",
    "appeal_open_for_filing",
    "attach_visit_photo",
    "can_inspect",
    "can_view_inspection",
    "check_center_manager",
    "check_inspector",
    "close_action",
    "compute_result",
    "confirm_action",
    "create_action",
    "decide_appeal",
    "file_appeal",
    "finalize",
    "find_inspection",
    "fix_answer",
    "history",
    "is_inspector",
    "items_by_criterion",
    "manager_inspections",
    "open_appeal",
    "queue",
    "queue_status",
    "record_verdict",
    "record_visit",
    "result_state",
    "resubmit",
    "return_for_correction",
    "start_review",
    "store_result",
    "unit_types",
]
