"""An inspector on a desktop reviews, adjusts one criterion with a reason and returns the
assessment; the manager on a phone corrects and resubmits; the inspector finalizes; the
manager appeals; an administrator decides — in a real browser."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.inspections.models import Inspection
from tests.conftest import PASSWORD
from tests.e2e.test_accessibility import _serious

pytestmark = pytest.mark.e2e


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _article(page, code: str):
    return page.locator(f"#c-{code}")


def test_review_return_fix_finalize_appeal_decide(
    live_server, live_app, browser, desktop_page, phone_page
):
    url = live_server.url
    inspector = desktop_page

    # The inspector finds the center in the queue by typing without diacritics.
    _login(inspector, url, "thanhtra")
    inspector.goto(f"{url}/inspections/")
    inspector.get_by_label("Tìm trung tâm").fill("viet tri")
    inspector.get_by_role("button", name="Xem", exact=True).click()
    inspector.get_by_role("link", name="Trung tâm Phục vụ hành chính công phường Việt Trì").click()
    inspector.get_by_role("button", name="Bắt đầu thẩm định").click()
    expect(inspector.locator(".flashes")).to_contain_text("Đã bắt đầu thẩm định.")
    assert _serious(inspector) == []

    # Adjust NL02 downward with a reason; ask for a correction of CS02.
    nl02 = _article(inspector, "NL02")
    nl02.get_by_label("Điều chỉnh", exact=True).check()
    nl02.get_by_text("Kết quả thẩm định (khi điều chỉnh)").click()
    nl02.get_by_label("Đạt một phần", exact=True).check()
    nl02.get_by_label("Lý do").fill("Hai công chức chưa đủ 3 năm công tác.")
    nl02.get_by_role("button", name="Lưu kết luận").click()
    expect(inspector.locator(".flashes")).to_contain_text("NL02: đã lưu kết luận.")
    cs02 = _article(inspector, "CS02")
    cs02.get_by_label("Yêu cầu sửa", exact=True).check()
    cs02.get_by_label("Lý do").fill("Gửi ảnh quầy ưu tiên.")
    cs02.get_by_role("button", name="Lưu kết luận").click()
    inspector.get_by_role("button", name="Chấp nhận mọi tiêu chí chưa có kết luận").click()
    expect(inspector.locator("#confirm-step")).to_contain_text("được chấp nhận")
    inspector.locator("#confirm-btn").click()
    inspector.get_by_role("button", name="Trả lại để sửa").click()
    expect(inspector.locator("#confirm-step")).to_contain_text("CS02 (Gửi ảnh quầy ưu tiên.)")
    inspector.locator("#confirm-btn").click()
    expect(inspector.locator("#inspection-status")).to_have_text("Đã trả lại để sửa")

    # The manager, on a phone, sees the request, corrects CS02 and sends it back.
    manager = phone_page
    _login(manager, url, "quanly")
    manager.goto(f"{url}/assessments/")
    manager.get_by_role("link", name="Xem").click()
    manager.get_by_role(
        "link", name="Thẩm định: yêu cầu, kết luận của đoàn kiểm tra và lịch sử"
    ).click()
    assert manager.evaluate("document.documentElement.scrollWidth") <= 390
    assert _serious(manager) == []
    fix = _article(manager, "CS02")
    expect(fix).to_contain_text("Gửi ảnh quầy ưu tiên.")
    expect(_article(manager, "NL03").get_by_role("button", name="Lưu nội dung sửa")).to_have_count(
        0
    )
    fix.get_by_label("Ghi chú").fill("Quầy ưu tiên đặt cạnh cửa vào từ tháng 3.")
    fix.get_by_role("button", name="Lưu nội dung sửa").click()
    expect(manager.locator(".flashes")).to_contain_text("CS02: đã lưu nội dung sửa.")
    manager.get_by_role("button", name="Gửi nội dung đã sửa cho đoàn kiểm tra").click()
    manager.locator("#confirm-btn").click()
    expect(manager.locator("#inspection-status")).to_have_text("Đã sửa và nộp lại")

    # The inspector sees what changed, accepts it and finalizes.
    inspector.reload()
    changed = _article(inspector, "CS02")
    expect(changed).to_contain_text("Đã thay đổi từ lần thẩm định trước")
    changed.get_by_label("Chấp nhận", exact=True).check()
    changed.get_by_role("button", name="Lưu kết luận").click()
    inspector.get_by_role("button", name="Kết luận", exact=True).click()
    expect(inspector.locator("#confirm-step")).to_contain_text("99,2")
    inspector.locator("#confirm-btn").click()
    expect(inspector.locator("#c-verified")).to_have_text("99,2")  # 100 − 15·1/19
    expect(inspector.locator("#c-gap")).to_have_text("0,8")
    expect(inspector.locator("#result-state")).to_have_text("Tạm thời")

    # The manager appeals NL02 on the phone.
    manager.reload()
    manager.get_by_role("link", name="Kiến nghị về kết quả này").click()
    # The criteria the inspector adjusted are open first.
    manager.locator("#appeal-NL02").get_by_label("Lý do của đơn vị").fill(
        "Cả hai công chức đã đủ 3 năm, xem quyết định."
    )
    manager.get_by_role("button", name="Gửi kiến nghị").click()
    expect(manager.locator(".flashes")).to_contain_text("Đã gửi kiến nghị.")
    expect(manager.locator("#result-state")).to_have_text("Đang kiến nghị")

    # The inspector who finalized cannot decide; an administrator does.
    inspector.reload()
    inspector.get_by_role("link", name="Giải quyết kiến nghị").click()
    expect(inspector.locator(".alert-error")).to_contain_text("Bạn đã kết luận kết quả này")
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    _login(admin, url, "admin")
    admin.goto(inspector.url)
    decision = admin.locator("#decide-NL02")
    decision.get_by_label("Chấp nhận: thay đổi kết quả thẩm định").check()
    decision.get_by_text("Kết quả thẩm định mới (khi chấp nhận kiến nghị)").click()
    decision.get_by_label("Đạt", exact=True).check()
    decision.get_by_label("Lý do quyết định").fill("Quyết định phân công xác nhận đủ 3 năm.")
    admin.get_by_role("button", name="Quyết định và tính lại kết quả").click()
    expect(admin.locator("#c-verified")).to_have_text("100,0")
    expect(admin.locator("#result-state")).to_have_text("Chính thức")
    expect(admin.locator("#standardized")).to_contain_text("Có")
    admin_context.close()

    with live_app.app_context():
        inspection = db.session.scalars(sa.select(Inspection)).one()
        assert inspection.status == "finalized" and inspection.verified_score == 100.0
