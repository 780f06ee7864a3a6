"""App-wide commands: ``flask translate extract|update|compile``."""

from __future__ import annotations

import subprocess
import sys

import click
from flask.cli import AppGroup

from .config import ROOT

translate = AppGroup("translate", help="Translation catalogues (Flask-Babel).")

POT = ROOT / "translations" / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate.command("extract")
def extract() -> None:
    """Extract messages into translations/messages.pot and update every catalogue."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-c",
        "i18n:",
        "--no-location",
        "--sort-output",
        "-o",
        str(POT),
        ".",
    )
    _pybabel(
        "update", "-i", str(POT), "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete"
    )
    click.echo("Catalogues updated; fill the empty entries, then run `flask translate compile`.")


@translate.command("compile")
def compile_() -> None:
    """Compile every catalogue (.po → .mo)."""
    _pybabel("compile", "-d", "translations", "--statistics")
