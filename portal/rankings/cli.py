"""``flask scores recompute|publish --period CODE [--provisional|--final]``;
``flask alerts send`` (e-mails each manager and inspector the open alerts of their centers)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from ..accounts.models import Role, User
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from ..shared.timeutils import local_day, now_utc
from .alerts import alert_list, send_email
from .errors import RankingsError
from .publication import publish as publish_period
from .revisions import latest_revision
from .snapshots import recompute_snapshots

cli = AppGroup("scores", help="Score snapshots and rankings.")


def _period(code: str) -> AssessmentPeriod:
    period = db.session.scalar(sa.select(AssessmentPeriod).where(AssessmentPeriod.code == code))
    if period is None:
        raise click.ClickException(f"no assessment period with code {code}")
    return period


@cli.command("recompute")
@click.option("--period", "code", required=True, help="Assessment period code, e.g. 2026-Q4.")
def recompute(code: str) -> None:
    """Recompute the period's snapshots (idempotent) and print what changed."""
    period = _period(code)
    total = db.session.scalar(sa.select(sa.func.count(Center.id)))
    with click.progressbar(length=total, label="Centers", show_pos=True) as bar:
        changes = recompute_snapshots(period, actor=None, progress=bar.update)
    db.session.commit()
    if not changes:
        click.echo(f"\nNothing changed in {period.code}.")
        return
    click.echo(f"\n{len(changes)} center(s) changed in {period.code}:")
    for change in changes:
        if change.created:
            click.echo(f"  {change.center_code}: new snapshot")
            continue
        parts = ", ".join(f"{k} {v[0]} → {v[1]}" for k, v in sorted(change.fields.items()))
        click.echo(f"  {change.center_code}: {parts}")


@cli.command("publish")
@click.option("--period", "code", required=True, help="Assessment period code.")
@click.option(
    "--provisional/--final",
    "provisional",
    default=True,
    show_default=True,
    help="Provisional (during the period) or final (after its last day and appeal windows).",
)
def publish(code: str, provisional: bool) -> None:
    """Publish the period's results on the public board, as provisional or final."""
    period = _period(code)
    try:
        publish_period(period, actor=None, final=not provisional)
    except RankingsError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    revision = latest_revision(period)
    click.echo(
        f"Published {period.code} as {revision.status} "
        f"(revision {revision.number}, data to {revision.cut_off.isoformat()})."
    )


alerts_cli = AppGroup("alerts", help="Alerts for managers and inspectors.")


@alerts_cli.command("send")
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
            alerts = alert_list(visible_centers_clause(user), today, viewer=user).open
            if not alerts:
                continue
            body = "\n".join(f"{a.center_code} {a.center_name}: {a.message}" for a in alerts)
            if user.email and send_email([user.email], "Cổng Một cửa số: cảnh báo", body):
                sent += 1
            else:
                click.echo(f"[{user.username}]\n{body}")
    click.echo(f"{sent} e-mail(s) sent")
