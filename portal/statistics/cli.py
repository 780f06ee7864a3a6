"""``flask statistics import-766 FILE`` and ``flask statistics import-dossiers FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..shared.timeutils import today_local
from . import importers, services

cli = AppGroup("statistics", help="Decision 766 index and dossier statistics.")


def _run(path: str, read, write) -> None:
    raw = Path(path).read_bytes()
    with click.progressbar(length=3, label="Import", show_pos=True) as bar:
        try:
            rows = read(raw, today=today_local())
        except importers.ImportProblems as exc:
            db.session.rollback()
            for problem in exc.problems:
                click.echo(problem, err=True)
            raise click.exceptions.Exit(1) from exc
        bar.update(1)
        result = write(rows, actor=None, source=Path(path).name)
        bar.update(1)
        db.session.commit()
        bar.update(1)
    click.echo(
        f"\n{result.rows} rows imported for {result.centers} centers and {result.months} months"
        f" ({result.replaced} rows replaced)."
    )
    if not all(getattr(r, "online_known", True) for r in rows):
        click.echo("No online column in the file: online dossiers recorded as 0.")


@cli.command("import-766")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_766(path: str) -> None:
    """Import the national portal's Decision 766 index (CSV)."""
    _run(path, importers.read_index_csv, services.import_index)


@cli.command("import-dossiers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_dossiers(path: str) -> None:
    """Import dossier statistics exported by the one-stop software (CSV)."""
    _run(path, importers.read_dossier_csv, services.import_dossiers)
