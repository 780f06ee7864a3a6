"""``flask alerts send``: e-mail each manager and inspector the alerts of their centers."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from ..accounts.models import Role, User
from ..accounts.permissions import visible_centers_clause
from ..extensions import db
from ..shared.timeutils import local_day, now_utc
from .alerts import alert_list, send_email

cli = AppGroup("alerts", help="Alerts for managers and inspectors.")


@cli.command("send")
def send_command() -> None:
    """Compute today's open alerts; e-mail them when MAIL_SERVER is set, else print them."""
    today = local_day(now_utc())
    users = db.session.scalars(
        sa.select(User).where(
            User.is_active.is_(True), User.role.in_([Role.MANAGER, Role.INSPECTOR])
        )
    ).all()
    sent = 0
    for user in users:
        with force_locale(user.language or "vi"):
            # Acknowledged alerts have been seen and handled: only the open ones are sent.
            alerts = alert_list(visible_centers_clause(user), today).open
            if not alerts:
                continue
            body = "\n".join(f"{a.center_code} {a.center_name}: {a.message}" for a in alerts)
            if user.email and send_email([user.email], "Cổng Một cửa số: cảnh báo", body):
                sent += 1
            else:
                click.echo(f"[{user.username}]\n{body}")
    click.echo(f"{sent} e-mail(s) sent")
