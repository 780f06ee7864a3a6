"""A citizen who rates quickly confirms once, keeps the tracking code through reloads and
language switches; an old poster explains the reprint; every tap target is large enough."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.ratings.models import Rating
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

TAPPABLE = "a, button, summary, label, input:not([type=hidden]), textarea"
#: Skipped: the honeypot, and boxes inside a label (the label is what a finger hits).
NOT_A_TARGET = (
    "e => e.closest('.hp') !== null"
    " || (['checkbox', 'radio'].includes(e.type) && e.closest('label') !== null)"
)


@pytest.fixture
def live_config():
    # Every citizen in these tests is "too fast": the confirmation step must appear.
    return {"RATING_MIN_FILL_SECONDS": 60.0}


def stored_ratings(live) -> list[Rating]:
    with live["app"].app_context():
        rows = db.session.scalars(sa.select(Rating)).all()
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return rows


def small_targets(page) -> list[str]:
    """Visible tappable elements smaller than 44 × 44 CSS pixels."""
    small = []
    for element in page.locator(TAPPABLE).all():
        if not element.is_visible() or element.evaluate(NOT_A_TARGET):
            continue
        box = element.bounding_box()
        if box is None or box["height"] < 44 or box["width"] < 44:
            small.append(f"{element.evaluate('e => e.outerHTML')[:80]} {box}")
    return small


def rate_quickly_and_confirm(page, live) -> str:
    page.goto(live["counter_url"])
    page.get_by_role("radio", name="Hài lòng", exact=True).check()
    page.get_by_text("Góp ý thêm").click()
    assert page.get_by_text("1 = rất kém").first.is_visible()
    assert page.get_by_text("5 = rất tốt").first.is_visible()
    page.get_by_label("Góp ý", exact=True).fill("Nhanh, gọn")
    page.get_by_role("button", name="Gửi", exact=True).click()  # well under the minimum

    assert page.get_by_role("heading", name="Gửi đánh giá?").is_visible()
    assert "Nhanh, gọn" in page.locator("#answers").inner_text()
    assert stored_ratings(live) == []
    page.get_by_role("button", name="Gửi", exact=True).click()

    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    assert "/r/thanks/" in page.url and code not in page.url
    return code


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_quick_citizen_confirms_reloads_and_switches_language(
    device, phone_page, desktop_page, live
):
    page = phone_page if device == "phone" else desktop_page
    code = rate_quickly_and_confirm(page, live)
    assert "giữ mã này" in page.locator("#keep-code").inner_text()

    page.reload()
    assert page.locator("#tracking-code").inner_text() == code
    page.get_by_role("link", name="English").click()
    assert page.locator("#tracking-code").inner_text() == code
    assert "keep this code" in page.locator("#keep-code").inner_text()
    page.reload()
    page.get_by_role("link", name="Tiếng Việt").click()
    assert page.locator("#tracking-code").inner_text() == code

    (rating,) = stored_ratings(live)  # stored once, never re-sent
    assert (rating.tracking_code, rating.score, rating.comment) == (code, 4, "Nhanh, gọn")

    page.get_by_role("link", name="Tra cứu đánh giá hoặc phản ánh").click()
    assert "Nhanh, gọn" in page.locator("#rating-comment").inner_text()
    page.get_by_role("link", name="English").click()
    assert code in page.url and "Nhanh, gọn" in page.locator("#rating-comment").inner_text()
    assert page.external_requests == []


def test_tap_targets_on_citizen_pages_are_at_least_44px(phone_page, live):
    page = phone_page
    page.goto(live["counter_url"])
    page.get_by_text("Góp ý thêm").click()
    assert small_targets(page) == []
    page.get_by_role("radio", name="Rất hài lòng", exact=True).check()
    page.get_by_label("Góp ý", exact=True).fill("Tốt")
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert small_targets(page) == []  # the confirmation
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert small_targets(page) == []  # thank-you page
    page.get_by_role("link", name="Tra cứu đánh giá hoặc phản ánh").click()
    assert small_targets(page) == []  # tracking page
    page.get_by_role("button", name="Xóa số điện thoại và góp ý của tôi").click()
    assert small_targets(page) == []  # delete confirmation
    page.get_by_role("link", name="Không, giữ lại").click()
    assert "Tốt" in page.locator("#rating-comment").inner_text()  # nothing deleted
    page.goto(f"{live['base']}/r/")
    assert small_targets(page) == []


def test_old_poster_explains_the_reprint(phone_page, desktop_page, live):
    staff = desktop_page
    staff.goto(f"{live['base']}/account/login")
    staff.get_by_label("Tên đăng nhập").fill("manager")
    staff.get_by_label("Mật khẩu").fill(PASSWORD)
    staff.get_by_role("button", name="Đăng nhập").click()
    staff.goto(f"{live['base']}/ratings/07900/qr")
    staff.get_by_role("link", name=re.compile("In lại")).click()
    assert staff.get_by_role("heading", name=re.compile("In lại mã QR")).is_visible()
    staff.get_by_role("button", name=re.compile("Có, in lại")).click()
    new_code = staff.locator("table code").first.inner_text()

    page = phone_page
    page.goto(live["counter_url"])  # the old poster
    assert page.get_by_role("heading", name="Mã QR này đã được thay").is_visible()
    assert page.get_by_role("link", name=re.compile("Đăng nhập|Quản lý")).count() == 0
    page.get_by_role("link", name="Nhập mã trên áp phích").click()
    page.get_by_label("Mã trên áp phích").fill(new_code)
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.get_by_role("heading", name=re.compile("hài lòng")).is_visible()
    assert page.external_requests == []
