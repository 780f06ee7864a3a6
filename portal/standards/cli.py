"""``flask standards import FILE`` and ``flask standards list``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services
from .loader import StandardFileError, basis_warnings

cli = AppGroup("standards", help="Checklist standards (versioned YAML).")


@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False), required=False)
def import_(path: str | None) -> None:
    """Import a standard from a YAML FILE (default: the built-in Phú Thọ standard)."""
    path = path or str(services.DEFAULT_STANDARD_FILE)
    try:
        spec = services.load_file(path)
        result = services.import_standard(spec, actor=None, source_file=path)
    except StandardFileError as exc:
        db.session.rollback()
        click.echo(f"{path}: nothing imported.", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    for warning in basis_warnings(spec):
        click.echo(f"warning: {warning}", err=True)
    v = result.version
    if result.created:
        click.echo(
            f"Imported {spec.code} version {v.version}: {len(v.areas)} areas, "
            f"{len(v.criteria)} criteria."
        )
    else:
        click.echo(f"{spec.code} version {v.version} is already imported; nothing changed.")


@cli.command("list")
def list_() -> None:
    """List the imported standards and their versions."""
    versions = services.list_versions()
    if not versions:
        click.echo("No standard imported yet (flask standards import FILE).")
        return
    for v in versions:
        weights = ", ".join(f"{a.code} {a.weight:g}" for a in v.areas)
        click.echo(
            f"{v.standard.code}  v{v.version}  {len(v.criteria)} criteria  "
            f"imported {v.imported_at:%Y-%m-%d %H:%M} UTC  [{weights}]"
        )
