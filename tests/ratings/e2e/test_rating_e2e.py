"""A citizen on a phone follows a counter QR URL, rates and comments; a complaint is answered."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.ratings.models import Rating
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def stored_rating(live, code: str) -> Rating | None:
    with live["app"].app_context():
        rating = db.session.scalar(sa.select(Rating).where(Rating.tracking_code == code))
        if rating is not None:
            db.session.expunge(rating)
        db.session.remove()
        return rating


def test_citizen_rates_from_a_phone(phone, live):
    page = phone
    page.goto(live["counter_url"])
    assert page.get_by_role("heading", name=re.compile("hài lòng")).is_visible()
    page.get_by_role("radio", name="Hài lòng", exact=True).check()
    page.get_by_text("Góp ý thêm").click()
    page.get_by_label("Nhanh chóng").check()
    page.get_by_label("Góp ý", exact=True).fill("Cán bộ hướng dẫn tận tình")
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    page.get_by_role("button", name="Gửi").click()
    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    rating = stored_rating(live, code)
    assert rating is not None
    assert (rating.score, rating.channel, rating.comment) == (
        4,
        "counter_qr",
        "Cán bộ hướng dẫn tận tình",
    )
    assert rating.chips == "fast"
    assert page.external_requests == []


def test_tap_targets_are_large(phone, live):
    phone.goto(live["counter_url"])
    for label in phone.locator(".faces label").all():
        box = label.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300


def test_complaint_is_answered_and_the_citizen_sees_it(phone, browser, live):
    page = phone
    page.goto(live["counter_url"])
    page.get_by_role("radio", name="Rất không hài lòng", exact=True).check()
    page.get_by_text("Góp ý thêm").click()
    page.get_by_label("Góp ý", exact=True).fill("Phải chờ hai tiếng mới được tiếp nhận")
    page.get_by_label(re.compile("phản ánh, kiến nghị")).check()
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Gửi").click()
    code = page.locator("#tracking-code").inner_text()
    assert "lãnh đạo trung tâm" in page.content()

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    manager = staff.new_page()
    manager.goto(f"{live['base']}/account/login")
    manager.get_by_label("Tên đăng nhập").fill("manager")
    manager.get_by_label("Mật khẩu").fill(PASSWORD)
    manager.get_by_role("button", name="Đăng nhập").click()
    manager.get_by_role("link", name="Phản ánh, kiến nghị").first.click()
    manager.locator("table a").first.click()
    assert "Phải chờ hai tiếng" in manager.locator("#case-comment").inner_text()
    manager.get_by_label("Trả lời người dân").fill("Trung tâm đã bố trí thêm một quầy hộ tịch.")
    manager.get_by_role("button", name="Gửi trả lời").click()
    assert "Đã lưu câu trả lời" in manager.content()
    staff.close()

    page.get_by_role("link", name="Tra cứu đánh giá hoặc phản ánh").click()
    assert page.locator("#case-status").inner_text() == "Đã trả lời"
    assert "bố trí thêm một quầy" in page.locator("#case-answer").inner_text()
    assert code in page.url
