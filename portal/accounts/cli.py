"""``flask accounts create-admin``: the first administrator of a fresh database."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services
from .models import Role, User

cli = AppGroup("accounts", help="User accounts.")


@cli.command("create-admin")
@click.option("--username", required=True, help="Login name (letters, digits, . _ -).")
@click.option("--full-name", required=True, help="Shown in the interface, not in logs.")
@click.password_option(help="At least 10 characters; prompted when omitted.")
def create_admin(username: str, full_name: str, password: str) -> None:
    """Create an administrator account."""
    username = services.normalize_username(username)
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise click.ClickException(f"The username {username!r} is already taken.")
    try:
        services.check_password_policy(password, username=username)
    except services.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    user = User(username=username, full_name=full_name, role=Role.ADMIN.value, password_hash="")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    services.record_user_event(
        user, "user.created", actor=None, summary={"role": [None, "admin"], "via": "cli"}
    )
    db.session.commit()
    click.echo(f"Administrator {username} created.")


@cli.command("purge-throttles")
@click.option("--days", default=1, show_default=True, help="Drop rows untouched this long.")
def purge_throttles(days: int) -> None:
    """Drop old failed-login counters (cron; the delays they caused are long over)."""
    from datetime import timedelta

    removed = services.purge_login_throttles(timedelta(days=days))
    db.session.commit()
    click.echo(f"{removed} login throttle rows removed.")
