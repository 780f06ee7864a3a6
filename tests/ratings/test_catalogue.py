"""Every message has a Vietnamese and an English translation, none fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_is_complete(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


def test_faces_are_vietnamese():
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    faces = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    assert [catalog[f].string for f in faces] == [
        "Rất không hài lòng",
        "Không hài lòng",
        "Bình thường",
        "Hài lòng",
        "Rất hài lòng",
    ]
