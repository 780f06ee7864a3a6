"""A counter officer logs in on a phone, lands on "My ratings", issues a pre-filled receipt
and gets a slip that fits the screen, with the short code and a print button."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.accounts.models import Role, User
from portal.centers.models import Counter, Officer
from portal.extensions import db
from tests.browser import LiveServer, open_menu, viet_tri_center
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def officer_live(make_live_app):
    def seed(app):
        center = viet_tri_center()
        counters = [Counter(center=center, number=n, field=f"Lĩnh vực {n}") for n in (1, 2, 3)]
        lan = Officer(center=center, counter=counters[1], full_name="Nguyễn Thị Lan")
        db.session.add_all([center, *counters, lan])
        db.session.add(Officer(center=center, counter=counters[0], full_name="Phạm Văn Đức"))
        account = User(
            username="canbo",
            full_name="Nguyễn Thị Lan",
            role=Role.OFFICER,
            center=center,
            officer=lan,
            password_hash="",
        )
        account.set_password(PASSWORD)
        db.session.add(account)
        db.session.commit()

    app = make_live_app(seed, PUBLIC_BASE_URL="https://danhgia.example.vn")
    with LiveServer(app) as server:
        yield server


def test_officer_lands_on_my_ratings_and_issues_a_prefilled_receipt(officer_live, phone_page):
    page = phone_page
    page.goto(f"{officer_live.url}/account/login")
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/ratings/me$"))
    expect(page.locator("h1")).to_have_text("Đánh giá của tôi")
    expect(page.locator(".lead")).to_contain_text("Nguyễn Thị Lan")

    open_menu(page)
    page.get_by_role("link", name="Phiếu đánh giá").click()
    expect(page).to_have_url(re.compile(r"/ratings/07900/receipts/new$"))
    counter = page.get_by_label("Quầy", exact=True)
    officer = page.get_by_label("Công chức", exact=True)
    expect(counter.locator("option:checked")).to_have_text("Quầy 2")
    expect(officer.locator("option:checked")).to_have_text("Nguyễn Thị Lan")

    page.get_by_label("Mã hồ sơ").fill("H25.01-251123-0042")
    page.get_by_role("button", name="Cấp").click()
    expect(page.locator(".slip")).to_contain_text("H25.01-251123-0042")
    expect(page.locator("#slip-short-code")).to_have_text(re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)+$"))
    expect(page.locator(".slip")).to_contain_text("https://danhgia.example.vn/r/")
    expect(page.get_by_role("button", name="In phiếu")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The QR fits the screen too.
    width = page.locator(".slip svg").evaluate("s => s.getBoundingClientRect().width")
    assert 100 < width <= 390
