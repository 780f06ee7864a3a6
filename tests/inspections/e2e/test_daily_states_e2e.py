"""On a desktop, in a real browser: the inspector's "Điều chỉnh" without a reason comes back
at the criterion with the choice kept and the error beside it; the inspector returns two
criteria (after a confirmation); the manager then reads the same state, the requests and
the next step on every page, corrects one and resubmits after a confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _ask(page, code: str, reason: str) -> None:
    article = page.locator(f"#c-{code}")
    article.get_by_label("Yêu cầu sửa", exact=True).check()
    article.get_by_label("Lý do").fill(reason)
    article.get_by_role("button", name="Lưu kết luận").click()
    expect(page.locator(".flashes")).to_contain_text(f"{code}: đã lưu kết luận.")


def test_adjust_without_reason_then_return_and_resubmit(live_server, browser, desktop_page):
    url = live_server.url
    inspector = desktop_page
    _login(inspector, url, "thanhtra")
    inspector.goto(f"{url}/inspections/")
    inspector.get_by_role("link", name="Trung tâm Phục vụ hành chính công phường Việt Trì").click()
    inspector.get_by_role("button", name="Bắt đầu thẩm định").click()

    # "Điều chỉnh" with a verified answer but no reason.
    nl04 = inspector.locator("#c-NL04")
    nl04.get_by_label("Điều chỉnh", exact=True).check()
    nl04.get_by_text("Kết quả thẩm định (khi điều chỉnh)").click()
    nl04.get_by_label("Đạt một phần", exact=True).check()
    nl04.get_by_role("button", name="Lưu kết luận").click()
    assert inspector.url.endswith("#c-NL04")
    nl04 = inspector.locator("#c-NL04")
    expect(nl04.get_by_role("alert")).to_have_text("Hãy nêu lý do điều chỉnh.")
    expect(nl04).to_be_in_viewport()
    expect(nl04.get_by_label("Điều chỉnh", exact=True)).to_be_checked()
    expect(nl04.get_by_label("Đạt một phần", exact=True)).to_be_checked()
    nl04.get_by_label("Lý do").fill("Sổ theo dõi thiếu hai tháng.")
    nl04.get_by_role("button", name="Lưu kết luận").click()
    expect(inspector.locator(".flashes")).to_contain_text("NL04: đã lưu kết luận.")
    expect(inspector.locator("#c-NL04")).to_be_in_viewport()

    # Two requests, then the return: a summary first, nothing changes until confirmed.
    _ask(inspector, "CS07", "Gửi ảnh bảng niêm yết.")
    _ask(inspector, "TD06", "Bổ sung số liệu tháng 3.")
    inspector.get_by_role("button", name="Trả lại để sửa").click()
    step = inspector.locator("#confirm-step")
    expect(step).to_contain_text("CS07 (Gửi ảnh bảng niêm yết.)")
    expect(step).to_contain_text("TD06 (Bổ sung số liệu tháng 3.)")
    inspector.locator("#confirm-btn").click()
    expect(inspector.locator("#inspection-status")).to_have_text("Đã trả lại để sửa")

    # The manager lands on the center dashboard: the state, the requests, the next step.
    context = browser.new_context(**DESKTOP)
    manager = context.new_page()
    _login(manager, url, "quanly")
    for path in ("", "/start", "/assessments/", None, "/cases/alerts"):
        if path is None:  # the self-assessment's own page
            manager.goto(f"{url}/assessments/")
            manager.get_by_role("link", name="Xem").click()
        elif path:
            manager.goto(f"{url}{path}")
        body = manager.locator("main")
        expect(body).to_contain_text("Đã trả lại để sửa" if path != "/cases/alerts" else "trả lại")
        expect(body).to_contain_text("CS07")
        expect(body).to_contain_text("TD06")
        expect(body).not_to_contain_text("không sửa được nữa")
        expect(body.get_by_role("link", name="Sửa các tiêu chí bị trả lại").first).to_be_visible()

    manager.get_by_role("link", name="Sửa các tiêu chí bị trả lại").first.click()
    assert manager.url.endswith("#requests")
    cs07 = manager.locator("#c-CS07")
    cs07.get_by_label("Ghi chú").fill("Bảng niêm yết đã thay mới.")
    cs07.get_by_role("button", name="Lưu nội dung sửa").click()
    expect(manager.locator(".flashes")).to_contain_text("CS07: đã lưu nội dung sửa.")

    # Resubmitting: the summary warns that TD06 was not changed; cancel, then confirm.
    manager.get_by_role("button", name="Gửi nội dung đã sửa cho đoàn kiểm tra").click()
    expect(manager.locator("#confirm-step")).to_contain_text("Chưa sửa từ khi có yêu cầu: TD06")
    manager.get_by_role("link", name="Hủy, quay lại").click()
    expect(manager.locator("#inspection-status")).to_have_text("Đã trả lại để sửa")
    manager.get_by_role("button", name="Gửi nội dung đã sửa cho đoàn kiểm tra").click()
    manager.locator("#confirm-btn").click()
    expect(manager.locator("#inspection-status")).to_have_text("Đã sửa và nộp lại")
    manager.goto(f"{url}/start")
    expect(manager.locator("main")).to_contain_text("Đã sửa và nộp lại")
    expect(manager.locator("main")).not_to_contain_text("Sửa các tiêu chí bị trả lại")
    context.close()
