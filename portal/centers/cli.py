"""``flask centers seed --province CODE``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

cli = AppGroup("centers", help="Centers directory.")


@cli.command("seed")
@click.option(
    "--province",
    "province_codes",
    type=int,
    multiple=True,
    required=True,
    help="Official province code (e.g. 25 for Phú Thọ). Repeat for several.",
)
def seed(province_codes: tuple[int, ...]) -> None:
    """Create the provincial center and one center per commune/ward. Idempotent."""
    for code in province_codes:
        try:
            units = services.official_units(code)
        except services.CenterError as exc:
            valid = ", ".join(str(c) for c in services.province_codes())
            raise click.BadParameter(
                f"{exc.message} Valid codes: {valid}", param_hint="--province"
            ) from exc
        with click.progressbar(
            length=len(units), label=f"Province {code} ({units[0].unit_name})", show_pos=True
        ) as bar:
            result = services.seed_province(code, progress=bar.update)
        db.session.commit()
        click.echo(
            f"Province {code}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged ({len(units)} centers)."
        )


@cli.command("provinces")
def provinces() -> None:
    """List the official province codes."""
    from vietnam_provinces import Province

    for p in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        click.echo(f"{int(p.code):>3}  {p.name}")
