"""Each demo role logs in on `make run`'s data and lands on a working page of its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.demo.services import demo_accounts
from tests.browser import login

pytestmark = pytest.mark.e2e

#: Where each demo account lands, and the heading it sees there.
LANDINGS = {
    "admin": ("/dashboards/", "Bảng điều khiển của tỉnh"),
    "thanhtra": ("/dashboards/", "Bảng điều khiển của tỉnh"),
    "quanly": ("/dashboards/centers/07900", "Trung tâm Phục vụ hành chính công phường Việt Trì"),
    "canbo": ("/ratings/me", "Đánh giá của tôi"),
}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_each_role_lands_on_its_page_and_reaches_the_menu(demo_server, viewport, request):
    page = request.getfixturevalue(f"{viewport}_page")
    for account in demo_accounts(25):
        # Leave the previous account's page first: a response still in flight would set its
        # session cookie again after the clear, and the next login's form token would not
        # match it (400 "form expired").
        page.goto("about:blank")
        page.context.clear_cookies()
        login(page, demo_server.url, account.username, account.password)
        path, heading = LANDINGS[account.username]
        expect(page).to_have_url(f"{demo_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        start = page.get_by_role("navigation", name="Menu chính").get_by_role(
            "link", name="Bắt đầu"
        )
        if viewport == "phone":
            # The menu hides behind its button on a phone and opens without scrolling sideways.
            expect(start).to_be_hidden()
            page.get_by_text("☰ Menu").click()
        expect(start).to_be_visible()
        start.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bắt đầu")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
