"""Administrators in a real browser: the settings page and the new-user form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_admin_changes_due_days_and_adds_holidays_on_a_phone(live_server, phone_page):
    page = phone_page
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấu hình")
    due = page.get_by_label("Thời hạn trả lời phản ánh (ngày làm việc)")
    expect(due).to_have_value("5")
    due.fill("7")
    page.get_by_role("button", name="Lưu cấu hình").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu cấu hình.")
    expect(page.get_by_label("Thời hạn trả lời phản ánh (ngày làm việc)")).to_have_value("7")
    page.get_by_role("button", name="Thêm các ngày nghỉ lễ chính thức năm 2026").click()
    expect(page.get_by_text("17/02/2026")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_text("admin (Quản trị viên) đã thay đổi cấu hình.")).to_be_visible()
    expect(page.get_by_text("5 → 7")).to_be_visible()


def test_admin_creates_an_officer_by_typing_the_center_without_accents(live_server, desktop_page):
    page = desktop_page
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/users/new")
    expect(page.get_by_label("Vai trò")).to_have_value("officer")
    page.get_by_label("Tên đăng nhập").fill("canbo.moi")
    page.get_by_label("Họ và tên").fill("Đỗ Thị An")
    page.get_by_label("Trung tâm (quản lý và công chức)").fill("phuong viet tri")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mật khẩu ban đầu")


def test_center_picker_asks_the_server_when_there_are_thousands(
    live_server, desktop_page, monkeypatch
):
    from portal.centers import services as centers

    monkeypatch.setattr(centers, "PICKER_FULL_LIST_MAX", 0)  # as with 3,355 centers
    page = desktop_page
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/users/new")
    options = page.locator("#center-options option")
    expect(options).to_have_count(0)
    page.get_by_label("Trung tâm (quản lý và công chức)").press_sequentially("viet tri")
    expect(options).to_have_count(1)
    label = "07900 — Trung tâm Phục vụ hành chính công phường Việt Trì"
    expect(options.first).to_have_attribute("value", label)
    page.get_by_label("Trung tâm (quản lý và công chức)").fill(label)
    page.get_by_label("Tên đăng nhập").fill("quanly.moi")
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Vai trò").select_option("manager")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mật khẩu ban đầu")
