"""Commands: ``qr posters``, ``ratings purge-*``, ``rollups verify``."""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..privacy import services as privacy
from . import nonces, retention
from .posters import active_counters, posters_for, render_posters

qr_cli = AppGroup("qr", help="Counter QR codes and posters.")
ratings_cli = AppGroup("ratings", help="Citizen ratings maintenance.")
rollups_cli = AppGroup(
    "rollups", help="Rating rollups (daily counts per center, counter, officer)."
)


@qr_cli.command("posters")
@click.option("--center", "center_code", help="Center code (mã đơn vị).")
@click.option("--all", "all_centers", is_flag=True, help="Every center's counters.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--base-url",
    default=None,
    help="Public address printed in the QR codes (default: PUBLIC_BASE_URL).",
)
def posters_command(
    center_code: str | None, all_centers: bool, out: str, base_url: str | None
) -> None:
    """Print A4 posters, one per active counter, to a PDF file."""
    if bool(center_code) == all_centers:
        raise click.UsageError("give exactly one of --center CODE or --all")
    base = base_url or current_app.config.get("PUBLIC_BASE_URL")
    if not base or not base.startswith(("https://", "http://")):
        # A poster printed with a wrong address is useless and costly to replace.
        raise click.UsageError("set PUBLIC_BASE_URL or pass --base-url https://…")
    center = None
    if center_code:
        center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
        if center is None:
            raise click.ClickException(f"no center with code {center_code}")
    counters = active_counters(center)
    if not counters:
        raise click.ClickException("no active counters to print")
    with open(out, "wb") as fh:
        fh.write(render_posters(posters_for(counters, base=base)))
    click.echo(f"{len(counters)} poster(s) written to {out}")


@ratings_cli.command("purge-nonces")
@click.option("--hours", default=24, show_default=True)
def purge_nonces_command(hours: int) -> None:
    """Delete used form nonces older than their validity (they can no longer be replayed)."""
    minimum = current_app.config["RATING_NONCE_MAX_AGE_SECONDS"] / 3600
    n = nonces.purge_nonces(timedelta(hours=max(hours, minimum)))
    db.session.commit()
    click.echo(f"{n} nonce(s) deleted")


@ratings_cli.command("purge-personal")
@click.option(
    "--months",
    default=privacy.PHONE_RETENTION_MONTHS,
    show_default=True,
    help="Retention period of phone numbers.",
)
@click.option(
    "--comment-months",
    default=privacy.COMMENT_RETENTION_MONTHS,
    show_default=True,
    help="Retention period of comments (0: keep comments).",
)
def purge_personal_command(months: int, comment_months: int) -> None:
    """Delete phone numbers (and their hashes) and comments older than the retention periods
    stated to citizens.

    The rating stays as anonymous data; a comment whose complaint is still open stays until
    it is answered. Run daily from cron.
    """
    if months < 1 or comment_months < 0:
        raise click.UsageError("--months must be at least 1 and --comment-months at least 0")
    phones = retention.purge_phone_numbers(older_than=timedelta(days=30 * months))
    comments = (
        retention.purge_comments(older_than=timedelta(days=30 * comment_months))
        if comment_months
        else 0
    )
    if phones or comments:
        audit.record(
            actor=None,
            action="rating.personal_data_purged",
            object_type="rating",
            summary={
                "phones": phones,
                "comments": comments,
                "months": months,
                "comment_months": comment_months,
            },
        )
    db.session.commit()
    click.echo(f"{phones} phone number(s) deleted")
    click.echo(f"{comments} comment(s) deleted")


@rollups_cli.command("verify")
@click.option("--limit", default=1000, show_default=True, help="Report at most this many.")
def rollups_verify_command(limit: int) -> None:
    """Recompute every rollup from the raw ratings and report each difference (exit 1 if any)."""
    from .rollups import differences

    found = differences(limit=limit)
    for difference in found:
        click.echo(difference.describe())
    if found:
        raise click.ClickException(f"{len(found)} rollup row(s) differ from the raw ratings")
    click.echo("rollups verified: no difference")
