"""``flask audit verify``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

cli = AppGroup("audit", help="The tamper-evident audit log.")


@cli.command("verify")
def verify() -> None:
    """Walk the audit chain and report the first broken entry (exit 1 when broken)."""
    total = services.entry_count()
    with click.progressbar(length=total, label="Verifying audit chain", show_pos=True) as bar:
        result = services.verify_chain(progress=bar.update)
    if result.ok:
        click.secho(f"OK: {result.checked} entries, chain intact.", fg="green")
        return
    click.secho(
        f"BROKEN at entry #{result.broken_entry_id}: {result.reason} "
        f"({result.checked} entries verified before it).",
        fg="red",
        err=True,
    )
    raise SystemExit(1)


@cli.command("seal")
def seal() -> None:
    """Seal entries written before seals existed (once, after upgrading; needs the audit key)."""
    sealed = services.seal_unsealed()
    if sealed < 0:
        db.session.rollback()
        click.secho("Refused: the chain is broken; run `flask audit verify`.", fg="red", err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"{sealed} entries sealed.")
