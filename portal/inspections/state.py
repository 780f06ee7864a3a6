"""One state per self-assessment, told the same way on every page.

A self-assessment goes draft → submitted → under review → (returned ↔ resubmitted) →
finalized → (under appeal) → final. The manager reads it on the start page, the center
dashboard, the self-assessment list and page and the alerts; the inspector on the queue and
the review. :func:`assessment_state` is the one place that says which state it is, what it
means for the person reading it and what they should do next (with the link to do it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.models import Role, User
from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from ..shared.timeutils import today_local
from .models import (
    QUEUE_STATUS_LABELS,
    RESULT_STATE_LABELS,
    Inspection,
    InspectionStatus,
    QueueStatus,
    ResultState,
)
from .queue import queue_status, result_state
from .steps import find_inspection


@dataclass(frozen=True)
class Request:
    """A criterion the inspector returned for correction, and why."""

    code: str
    reason: str


@dataclass(frozen=True)
class AssessmentState:
    code: QueueStatus
    label: str
    #: What the state means for the reader, in one or two sentences.
    summary: str
    #: The next step for the reader ("" when there is nothing to do) and its link.
    action: str = ""
    url: str | None = None
    #: True when the reader is the one who must act.
    yours: bool = False
    result: ResultState | None = None
    requests: list[Request] = field(default_factory=list)
    period: AssessmentPeriod | None = None
    assessment: Assessment | None = None

    @property
    def result_label(self) -> str:
        return str(RESULT_STATE_LABELS[self.result]) if self.result else ""

    @property
    def is_locked_for_center(self) -> bool:
        """The center can no longer change its answers (except through a correction)."""
        return self.code not in (QueueStatus.NOT_STARTED, QueueStatus.DRAFT)


def _requests(inspection: Inspection | None) -> list[Request]:
    if inspection is None or inspection.status != InspectionStatus.RETURNED:
        return []
    items = sorted((i for i in inspection.items if i.reopened), key=lambda i: i.criterion.position)
    return [Request(i.criterion.code, i.reason or "") for i in items]


#: The states where the inspectors act next: what an inspector reads and the button that
#: takes them to the review, and what everyone else reads while they wait.
INSPECTORS_TURN = {
    QueueStatus.SUBMITTED: (
        _l("Submitted by the center; nobody has started the review."),
        _l("Start the review"),
        _l(
            "Submitted: the answers can no longer be changed. The inspectors will verify "
            "each criterion; nothing to do until then."
        ),
    ),
    QueueStatus.UNDER_REVIEW: (
        _l("Give a verdict on every criterion, then finalize or return it."),
        _l("Continue the review"),
        _l("An inspector is verifying the answers; nothing to do until then."),
    ),
    QueueStatus.RESUBMITTED: (
        _l("The center sent its corrections: review the changed criteria."),
        _l("Review the corrections"),
        _l("Your corrections were sent; the inspector reviews them again."),
    ),
}


def assessment_state(
    assessment: Assessment | None,
    viewer: User,
    *,
    period: AssessmentPeriod | None = None,
    inspection: Inspection | None = None,
    lookup: bool = True,
    today: date | None = None,
) -> AssessmentState:
    """The state of ``assessment`` (None: not started in ``period``) as ``viewer`` reads it.

    ``inspection`` is looked up unless given, or unless ``lookup`` is False (the caller
    read every inspection of a list at once)."""
    today = today or today_local()
    if assessment is not None:
        period = assessment.period
        if inspection is None and lookup:
            inspection = find_inspection(assessment)
    code = queue_status(assessment, inspection)
    manager = viewer.role == Role.MANAGER
    inspector = viewer.role in (Role.INSPECTOR, Role.ADMIN)
    label = str(QUEUE_STATUS_LABELS[code])
    result = result_state(inspection, today) if inspection is not None else None
    common = {"code": code, "label": label, "period": period, "assessment": assessment}
    review_url = url_for("inspections.review", assessment_id=assessment.id) if assessment else None
    detail_url = url_for("assessments.detail", assessment_id=assessment.id) if assessment else None
    open_now = period is not None and period.is_open(today)

    def state(summary: str, action: str = "", url: str | None = None, **extra) -> AssessmentState:
        return AssessmentState(**common, summary=summary, action=action, url=url, **extra)

    def yours(summary: str, action: str, url: str | None, **extra) -> AssessmentState:
        return state(summary, action, url, yours=True, **extra)

    see_review = _("See the review")
    if code == QueueStatus.NOT_STARTED:
        if not open_now:
            return state(_("No self-assessment was started in this period."))
        if manager:
            closes = _("The period is open until %(day)s.", day=_day(period.closes_on))
            return yours(closes, _("Start the self-assessment"), url_for("assessments.index"))
        return state(_("The center has not started yet."))

    if code == QueueStatus.DRAFT:
        if not open_now:
            closed = _("The period closed before the self-assessment was submitted.")
            return state(closed, _("View the draft"), detail_url)
        if manager:
            due = _("Answer every criterion and submit by %(day)s.", day=_day(period.closes_on))
            return yours(due, _("Continue the self-assessment"), detail_url)
        return state(_("The center is still answering."), _("View"), detail_url)

    if code in INSPECTORS_TURN:
        theirs, action, others = INSPECTORS_TURN[code]
        if inspector:
            return yours(str(theirs), str(action), review_url)
        return state(str(others), see_review, review_url)

    if code == QueueStatus.RETURNED:
        requests = _requests(inspection)
        codes = ", ".join(r.code for r in requests)
        if manager:
            asked = ngettext(
                "The inspector asks you to correct %(num)d criterion (%(codes)s). Correct "
                "it, add evidence, then send the corrections back.",
                "The inspector asks you to correct %(num)d criteria (%(codes)s). Correct "
                "them, add evidence, then send the corrections back.",
                len(requests),
                codes=codes,
            )
            correct = _("Correct the returned criteria")
            return yours(asked, correct, f"{review_url}#requests", requests=requests)
        returned = ngettext(
            "Returned to the center for correction of %(num)d criterion (%(codes)s); "
            "waiting for the center.",
            "Returned to the center for correction of %(num)d criteria (%(codes)s); "
            "waiting for the center.",
            len(requests),
            codes=codes,
        )
        return state(returned, see_review, review_url, requests=requests)

    if code == QueueStatus.UNDER_APPEAL:
        if inspector:
            appeal = next((a for a in inspection.appeals if a.is_open), None)
            url = url_for("inspections.decide", appeal_id=appeal.id) if appeal else review_url
            appealed = _("The center appealed the result: decide the appeal.")
            return yours(appealed, _("Decide the appeal"), url, result=result)
        filed = _("Your appeal was filed; the inspectors will decide it.")
        return state(filed, see_review, review_url, result=result)

    # Finalized: provisional while the appeal window is open, final afterwards.
    see_result = _("See the result")
    if result == ResultState.PROVISIONAL and inspection.appeal_until is not None:
        until = _day(inspection.appeal_until)
        if manager:
            may_appeal = _(
                "The verified result is provisional: you may appeal it until %(day)s.", day=until
            )
            return state(may_appeal, see_result, review_url, result=result)
        provisional = _("Finalized; provisional until %(day)s (the center may appeal).", day=until)
        return state(provisional, see_result, review_url, result=result)
    final = _("Finalized: the verified result is final.")
    return state(final, see_result, review_url, result=result)


def _day(value: date) -> str:
    return format_date(value, "dd/MM/yyyy")


def center_states(center: Center, viewer: User, *, today: date | None = None) -> list:
    """The states a center's manager should see on landing, newest period first: every one
    that waits for them (returned for correction, a draft or a start in an open period) and
    the newest one with a self-assessment."""
    today = today or today_local()
    periods = list(
        db.session.scalars(
            sa.select(AssessmentPeriod).order_by(
                AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc()
            )
        )
    )
    if not periods:
        return []
    assessments = {
        a.period_id: a
        for a in db.session.scalars(sa.select(Assessment).where(Assessment.center_id == center.id))
    }
    inspections = inspections_of(list(assessments.values()))
    out, latest_shown = [], False
    for period in periods:
        assessment = assessments.get(period.id)
        state = assessment_state(
            assessment,
            viewer,
            period=period,
            inspection=inspections.get(assessment.id) if assessment else None,
            lookup=False,
            today=today,
        )
        if state.yours or (assessment is not None and not latest_shown):
            out.append(state)
        latest_shown = latest_shown or assessment is not None
    return out


def inspections_of(assessments: list[Assessment]) -> dict[int, Inspection]:
    """The inspections of these assessments by assessment id, in one query."""
    ids = [a.id for a in assessments if a is not None]
    if not ids:
        return {}
    return {
        i.assessment_id: i
        for i in db.session.scalars(sa.select(Inspection).where(Inspection.assessment_id.in_(ids)))
    }


def states_of(
    assessments: list[Assessment], viewer: User, *, today: date | None = None
) -> dict[int, AssessmentState]:
    """The state of each assessment by id, reading their inspections at once."""
    today = today or today_local()
    inspections = inspections_of(assessments)
    return {
        a.id: assessment_state(
            a, viewer, inspection=inspections.get(a.id), lookup=False, today=today
        )
        for a in assessments
        if a is not None
    }
