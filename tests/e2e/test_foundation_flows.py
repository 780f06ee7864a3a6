"""Main foundation flows in a real browser, on a phone and on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import open_menu
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _my_center(page) -> None:
    """From the landing dashboard to the center's own page, through the phone's menu."""
    open_menu(page)
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Trung tâm của tôi"
    ).click()


def test_manager_edits_a_counter_on_a_phone(live_server, phone_page):
    page = phone_page
    login(page, live_server.url, "quanly")
    # The manager lands on their center's dashboard and opens the center from the menu.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Trung tâm Phục vụ hành chính công phường Việt Trì"
    )
    _my_center(page)
    page.get_by_role("link", name="Sửa quầy 2").click()
    field = page.get_by_label("Lĩnh vực thủ tục")
    expect(field).to_have_value("Đất đai")
    field.fill("Đất đai – Xây dựng")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu quầy.")
    expect(page.get_by_text("Đất đai – Xây dựng")).to_be_visible()
    # Nothing overflows the phone screen horizontally.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_manager_sees_a_clear_error_on_a_phone(live_server, phone_page):
    page = phone_page
    login(page, live_server.url, "quanly")
    _my_center(page)
    page.get_by_role("link", name="Thêm quầy").click()
    page.get_by_label("Số quầy").fill("1")
    page.get_by_label("Lĩnh vực thủ tục").fill("Chứng thực")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Trung tâm này đã có quầy số 1.")).to_be_visible()
    expect(page.get_by_label("Số quầy")).to_have_attribute("aria-invalid", "true")


def test_admin_switches_to_english_and_reads_the_audit_log(live_server, desktop_page):
    page = desktop_page
    login(page, live_server.url, "admin")
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    # The log reads as sentences: who did what.
    expect(page.get_by_text("admin (Administrator) logged in").first).to_be_visible()
    page.get_by_role("link", name="Centers").click()
    page.get_by_label("Search by name or code").fill("viet tri")
    page.get_by_role("button", name="Filter").click()
    expect(
        page.get_by_role("link", name="Trung tâm Phục vụ hành chính công phường Việt Trì")
    ).to_be_visible()


def test_logout_then_back_does_not_restore_the_session(live_server, desktop_page):
    page = desktop_page
    login(page, live_server.url, "quanly")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")
    page.go_back()
    page.goto(f"{live_server.url}/centers/07900")
    expect(page).to_have_url(f"{live_server.url}/account/login?next=%2Fcenters%2F07900")
