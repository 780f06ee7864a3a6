"""``flask documents verify FILE``: check the digital signature of an issued PDF."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..shared.timeutils import DISPLAY_TZ
from . import signing

cli = AppGroup("documents", help="Official documents: verify a signed PDF.")


@cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--trust-roots",
    default=None,
    help="PEM/DER file of trusted CA certificates (default: PORTAL_DOCUMENTS_TRUST_ROOTS).",
)
def verify(path: str, trust_roots: str | None) -> None:
    """Print each signature of PATH; exit 1 unless every one is valid."""
    with open(path, "rb") as f:
        data = f.read()
    roots = (
        trust_roots
        if trust_roots is not None
        else current_app.config.get("DOCUMENTS_TRUST_ROOTS", "")
    )
    results = signing.verify(data, trust_roots=roots or "")
    for result in results:
        when = "-"
        if result.signed_at:
            when = result.signed_at.astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")
        trust = {None: "not checked", True: "trusted", False: "NOT trusted"}[result.trusted]
        state = "VALID" if result.valid else "INVALID"
        click.echo(
            f"{state}: signed by {result.signer or '-'} at {when}; intact: "
            f"{'yes' if result.intact else 'no'}; chain: {trust}. {result.message}".rstrip()
        )
    if not all(r.valid for r in results):
        sys.exit(1)
