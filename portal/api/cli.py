"""``flask api create-key``: API keys for the province's one-stop software."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .models import KEY_PREFIX_LENGTH, ApiKey, hash_key, new_key

cli = AppGroup("api", help="API keys for the province's one-stop software.")


@cli.command("create-key")
@click.argument("name")
@click.option("--province", type=int, default=None, help="Restrict to one province code.")
def create_key_command(name: str, province: int | None) -> None:
    """Create an API key; it is shown once."""
    key = new_key()
    db.session.add(
        ApiKey(
            name=name,
            prefix=key[4 : 4 + KEY_PREFIX_LENGTH],
            key_hash=hash_key(key),
            province_code=province,
        )
    )
    db.session.commit()
    click.echo(key)
