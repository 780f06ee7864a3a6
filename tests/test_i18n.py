"""Vietnamese first, English complete: catalogues and the language switch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _catalog(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_has_no_empty_or_fuzzy_entries(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"empty: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert problems == []


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        source_ids = {m.id for m in read_po(f) if m.id}
    for lang in ("vi", "en"):
        catalog_ids = {m.id for m in _catalog(lang) if m.id}
        missing = sorted(map(str, source_ids - catalog_ids))
        assert missing == [], f"{lang}: run `flask translate extract` and translate {missing}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _catalog("vi"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(pattern.findall(ids[0]))
        for s in strings:
            assert set(pattern.findall(s)) == expected, message.id


def test_vietnamese_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Cổng Một cửa số" in html


def test_language_switch_is_remembered(client):
    response = client.get("/account/language/en?next=/account/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    html = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Đăng nhập" not in html
    client.get("/account/language/vi")
    assert "Đăng nhập" in client.get("/account/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/account/language/xx")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_validator_messages_are_translated(client):
    html = client.post("/account/login", data={"username": "", "password": ""}).get_data(
        as_text=True
    )
    assert "Trường này là bắt buộc." in html
    assert "This field is required." not in html


def test_error_pages_in_both_languages(client):
    assert "Không tìm thấy trang" in client.get("/no-such-page").get_data(as_text=True)
    client.get("/account/language/en")
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_dates_are_shown_in_vietnam_time(app):
    from datetime import datetime

    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("vi"):
        rendered = app.jinja_env.from_string('{{ t|dt("dd/MM/yyyy HH:mm") }}').render(
            t=datetime(2026, 1, 31, 20, 30)
        )  # UTC
    assert rendered == "01/02/2026 03:30"


def test_numbers_use_vietnamese_separators(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("vi"):
        rendered = app.jinja_env.from_string("{{ 1234567.891|num(2) }}").render()
    assert rendered == "1.234.567,89"
