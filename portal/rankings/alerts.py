"""Alerts for managers and inspectors, read from the satisfaction figures and the cases.

In the portal they are computed when the page is opened (always current); ``flask alerts
send`` e-mails the same list through SMTP when ``MAIL_SERVER`` is configured.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..assessments.models import Assessment
from ..audit import services as audit
from ..centers.models import Center, Counter
from ..complaints.models import AlertAcknowledgement, AlertKind, Case, CaseStatus
from ..extensions import db
from ..inspections.models import Inspection, InspectionStatus
from ..inspections.state import assessment_state
from ..ratings.models import Rating, RollupScope
from ..settings import services as settings
from ..shared.errors import NotFound, PortalError
from ..shared.timeutils import DISPLAY_TZ
from .satisfaction import satisfaction_figures

#: A self-assessment returned for correction: it lasts until the center resubmits, so it
#: cannot be acknowledged (and has no ``AlertKind`` for the acknowledgements' table).
ASSESSMENT_RETURNED = "assessment_returned"
ALERT_KIND_LABELS = {
    AlertKind.DISSATISFIED: _l("Many dissatisfied ratings"),
    AlertKind.SILENT_COUNTER: _l("Counter without ratings"),
    AlertKind.OVERDUE_CASE: _l("Complaints past their due date"),
    ASSESSMENT_RETURNED: _l("Self-assessment returned for correction"),
}
NOTE_MAX = 500


@dataclass(frozen=True)
class Alert:
    kind: str  # dissatisfied | silent_counter | overdue_case
    center_id: int
    center_code: str
    center_name: str
    message: str
    subject_id: int = 0  # the counter of a silent-counter alert, the returned assessment
    #: The next step's link and words, when the alert has one.
    url: str | None = None
    action: str = ""

    @property
    def acknowledgeable(self) -> bool:
        return self.kind != ASSESSMENT_RETURNED

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.kind, self.center_id, self.subject_id)


def compute_alerts(center_clause, today: date, viewer=None) -> list[Alert]:
    """The alerts of the centers in ``center_clause``; ``viewer`` (the user reading them)
    words the returned self-assessments for them, and leaves them out when None."""
    alerts: list[Alert] = []
    centers = {c.id: c for c in db.session.scalars(sa.select(Center).where(center_clause)).all()}
    if not centers:
        return alerts
    ids = list(centers)

    since = today - timedelta(days=settings.get("alert_window_days") - 1)
    figures = satisfaction_figures(RollupScope.CENTER, ids, since, today)
    for center_id, s in figures.items():
        n, bad = s.n, s.counts[0] + s.counts[1]  # dissatisfied: ratings 1 and 2
        if (
            n
            and n >= settings.get("alert_min_count")
            and bad / n > settings.get("alert_dissatisfied_share")
        ):
            c = centers[center_id]
            alerts.append(
                Alert(
                    "dissatisfied",
                    c.id,
                    c.code,
                    c.name,
                    _(
                        "%(share)d%% of %(n)d ratings in the last %(days)d days were dissatisfied.",
                        share=round(bad / n * 100),
                        n=n,
                        days=settings.get("alert_window_days"),
                    ),
                )
            )

    silent_since = today - timedelta(days=settings.get("alert_silent_days"))
    # The latest rating of each counter: one seek of ix_ratings_counter_id_created_at per
    # counter in scope (a GROUP BY over every rating of the country was a full scan).
    # Its local day is before silent_since when it is before that day's local midnight.
    midnight = datetime.combine(silent_since, time.min, DISPLAY_TZ)
    cutoff = midnight.astimezone(UTC).replace(tzinfo=None)
    last = (
        sa.select(sa.func.max(Rating.created_at))
        .where(Rating.counter_id == Counter.id)
        .correlate(Counter)
        .scalar_subquery()
    )
    silent = db.session.execute(
        sa.select(Counter)
        .where(
            Counter.center_id.in_(ids),
            Counter.is_active.is_(True),
            sa.or_(last.is_(None), last < cutoff),
        )
        .order_by(Counter.center_id, Counter.number)
    ).all()
    for (counter,) in silent:
        c = centers[counter.center_id]
        alerts.append(
            Alert(
                "silent_counter",
                c.id,
                c.code,
                c.name,
                _(
                    "Counter %(number)s has had no rating for %(days)d days.",
                    number=counter.number,
                    days=settings.get("alert_silent_days"),
                ),
                subject_id=counter.id,
            )
        )

    overdue = db.session.execute(
        sa.select(Case.center_id, sa.func.count())
        .where(Case.center_id.in_(ids), Case.status == CaseStatus.OPEN, Case.due_on < today)
        .group_by(Case.center_id)
    ).all()
    for center_id, count in overdue:
        c = centers[center_id]
        alerts.append(
            Alert(
                "overdue_case",
                c.id,
                c.code,
                c.name,
                _("%(count)d complaint(s) past their due date.", count=count),
            )
        )
    if viewer is not None:
        alerts += _returned_assessments(centers, viewer)
    return alerts


def _returned_assessments(centers: dict[int, Center], viewer) -> list[Alert]:
    """Self-assessments the inspector returned for correction, told as on every page."""
    returned = db.session.scalars(
        sa.select(Assessment)
        .join(Inspection, Inspection.assessment_id == Assessment.id)
        .where(
            Assessment.center_id.in_(list(centers)),
            Inspection.status == InspectionStatus.RETURNED,
        )
        .order_by(Assessment.center_id, Assessment.id)
    ).all()
    out = []
    for assessment in returned:
        c = centers[assessment.center_id]
        state = assessment_state(assessment, viewer)
        out.append(
            Alert(
                ASSESSMENT_RETURNED,
                c.id,
                c.code,
                c.name,
                f"{assessment.period.code}: {state.summary}",
                subject_id=assessment.id,
                url=state.url,
                action=state.action,
            )
        )
    return out


def active_acknowledgements(center_ids, today: date) -> list[AlertAcknowledgement]:
    """Acknowledgements still in force today for these centers, newest first."""
    if not center_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(AlertAcknowledgement)
            .where(
                AlertAcknowledgement.center_id.in_(list(center_ids)),
                AlertAcknowledgement.until_day >= today,
            )
            .order_by(AlertAcknowledgement.acknowledged_at.desc(), AlertAcknowledgement.id.desc())
        )
    )


@dataclass(frozen=True)
class AlertList:
    open: list[Alert]
    acknowledged: list[tuple[Alert, AlertAcknowledgement]]


def alert_list(
    center_clause, today: date, *, kind: str = "", center_id: int | None = None, viewer=None
):
    """The alerts in scope, filtered by kind and center, split into open and acknowledged."""
    if center_id is not None:
        center_clause = sa.and_(center_clause, Center.id == center_id)
    alerts = [a for a in compute_alerts(center_clause, today, viewer) if not kind or a.kind == kind]
    acks = {}
    for ack in active_acknowledgements({a.center_id for a in alerts}, today):
        acks.setdefault((ack.kind, ack.center_id, ack.subject_id), ack)
    return AlertList(
        open=[a for a in alerts if a.key not in acks],
        acknowledged=[(a, acks[a.key]) for a in alerts if a.key in acks],
    )


def acknowledge_alert(
    center: Center, *, kind: str, subject_id: int, note: str, actor, today: date
) -> AlertAcknowledgement:
    """Take a current alert off the open list for ``ALERT_ACK_DAYS`` days (audited)."""
    current = {a.key for a in compute_alerts(Center.id == center.id, today) if a.acknowledgeable}
    if (kind, center.id, subject_id) not in current:
        raise NotFound("alert")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise PortalError(_("The note is too long (at most %(n)d characters).", n=NOTE_MAX))
    ack = AlertAcknowledgement(
        kind=kind,
        center_id=center.id,
        subject_id=subject_id,
        note=note,
        until_day=today + timedelta(days=current_app.config["ALERT_ACK_DAYS"]),
        acknowledged_by_id=actor.id,
    )
    db.session.add(ack)
    db.session.flush()
    audit.record(
        actor=actor,
        action="alert.acknowledged",
        object_type="alert",
        object_id=ack.id,
        center_id=center.id,
        summary={
            "kind": kind,
            "subject_id": subject_id,
            "until": ack.until_day.isoformat(),
            "note": note,
        },
    )
    return ack


def send_email(to: list[str], subject: str, body: str) -> bool:
    config = current_app.config
    if not config.get("MAIL_SERVER") or not to:
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"] or config["MAIL_USERNAME"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return True
