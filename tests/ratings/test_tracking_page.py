"""The citizen's tracking page: a named header, the complaint's status before the erase
button, and Vietnamese that addresses the citizen as "ông/bà" throughout."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from .conftest import tracking_of

ROOT = Path(__file__).resolve().parents[2]
#: Every template a citizen sees on the rating, thank-you, tracking and erase pages.
CITIZEN_TEMPLATES = (
    "_public",
    "rate",
    "confirm",
    "code",
    "thanks",
    "track",
    "erase_confirm",
    "error",
    "replaced",
    "unavailable",
)


def _header(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'<p class="center">(.*?)</p>', html, re.S).group(1))


def test_tracking_page_has_a_header(client):
    html = client.get("/t/").get_data(as_text=True)
    assert _header(html).strip() == "Cổng Một cửa số · Trung tâm Phục vụ hành chính công"
    english = client.get("/t/?lang=en").get_data(as_text=True)
    assert _header(english).strip()


def test_found_rating_names_its_center_and_puts_erase_below_the_status(
    rater, client, counter_url, counter
):
    response = rater.submit(
        counter_url,
        {"score": "1", "comment": "Phải chờ 2 tiếng", "phone": "0912345678", "consent": "yes"},
    )
    code = tracking_of(response)
    html = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert _header(html).strip() == counter.center.name
    status = html.index('id="case-status"')
    erase = html.index('action="/t/erase/confirm"')
    assert status < erase  # the complaint's status first
    button = re.search(r'<button type="submit"[^>]*>Xóa số điện thoại và góp ý của tôi', html)
    assert button and 'class="secondary"' in button.group(0)
    assert "Ông/bà có thể xóa số điện thoại" in html
    confirm = client.get(f"/t/erase/confirm?code={code}").get_data(as_text=True)
    assert _header(confirm).strip() == counter.center.name
    erased = client.post("/t/erase", data={"code": code})
    after = client.get(erased.headers["Location"]).get_data(as_text=True)
    assert "Số điện thoại và góp ý của ông/bà đã được xóa" in after
    assert not re.search(r"\bbạn\b", after, re.IGNORECASE)


def test_citizen_texts_say_ong_ba_never_ban():
    ids = set()
    for name in CITIZEN_TEMPLATES:
        path = ROOT / "portal" / "ratings" / "templates" / "ratings" / f"{name}.html"
        for _line, message, _comments, _context in extract_from_file(
            "jinja2", str(path), options={"trimmed": "true", "encoding": "utf-8"}
        ):
            ids.add(message if isinstance(message, str) else message[0])
    for name in ("public.py", "forms.py"):
        for _line, message, _comments, _context in extract_from_file(
            "python",
            str(ROOT / "portal" / "ratings" / name),
            keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None},
        ):
            ids.add(message if isinstance(message, str) else message[0])
    with (ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    says_ban = []
    for msgid in sorted(ids):
        entry = catalogue.get(msgid)
        assert entry is not None, msgid
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if any(re.search(r"\bbạn\b", s, re.IGNORECASE) for s in strings):
            says_ban.append(msgid)
    assert says_ban == []
    assert len(ids) > 100
