"""Alerts for managers and inspectors, computed from the rollups and the cases.

In the portal they are computed when the page is opened (always current); ``flask alerts
send`` e-mails the same list through SMTP when ``MAIL_SERVER`` is configured.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..centers.models import Center, Counter
from ..extensions import db
from ..ratings.models import Rating, RatingRollup, RollupScope
from ..settings import services as settings
from .models import Case, CaseStatus


@dataclass(frozen=True)
class Alert:
    kind: str  # dissatisfied | silent_counter | overdue_case
    center_id: int
    center_code: str
    center_name: str
    message: str


def compute_alerts(center_clause, today: date) -> list[Alert]:
    alerts: list[Alert] = []
    centers = {c.id: c for c in db.session.scalars(sa.select(Center).where(center_clause)).all()}
    if not centers:
        return alerts
    ids = list(centers)

    since = today - timedelta(days=settings.get("alert_window_days") - 1)
    t = RatingRollup
    rows = db.session.execute(
        sa.select(
            t.key_id,
            sa.func.sum(t.n1 + t.n2),
            sa.func.sum(t.n1 + t.n2 + t.n3 + t.n4 + t.n5),
        )
        .where(t.scope == RollupScope.CENTER, t.key_id.in_(ids), t.day >= since, t.day <= today)
        .group_by(t.key_id)
    ).all()
    for center_id, bad, n in rows:
        n, bad = int(n or 0), int(bad or 0)
        if n >= settings.get("alert_min_count") and bad / n > settings.get(
            "alert_dissatisfied_share"
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
    last = (
        sa.select(Rating.counter_id, sa.func.max(Rating.day).label("last_day"))
        .where(Rating.counter_id.is_not(None))
        .group_by(Rating.counter_id)
        .subquery()
    )
    silent = db.session.execute(
        sa.select(Counter, last.c.last_day)
        .outerjoin(last, last.c.counter_id == Counter.id)
        .where(
            Counter.center_id.in_(ids),
            Counter.is_active.is_(True),
            sa.or_(last.c.last_day.is_(None), last.c.last_day < silent_since),
        )
        .order_by(Counter.center_id, Counter.number)
    ).all()
    for counter, _last_day in silent:
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
    return alerts


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
