"""Each demo role logs in on `make run`'s data and lands on a working page of its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal import create_app
from portal.demo.services import demo_accounts
from portal.extensions import db
from tests.browser import LiveServer

pytestmark = pytest.mark.e2e

#: Where each demo account lands, and the heading it sees there.
LANDINGS = {
    "admin": ("/dashboards/", "Bảng điều khiển của tỉnh"),
    "thanhtra": ("/dashboards/", "Bảng điều khiển của tỉnh"),
    "quanly": ("/dashboards/centers/07900", "Trung tâm Phục vụ hành chính công phường Việt Trì"),
    "canbo": ("/ratings/me", "Đánh giá của tôi"),
}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PORTAL_ENV", "testing")
        tmp = tmp_path_factory.mktemp("landing")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.sqlite3'}",
                "WTF_CSRF_ENABLED": True,
                "SQLITE_SYNCHRONOUS": "NORMAL",
                "EVIDENCE_DIR": str(tmp / "evidence"),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            result = app.test_cli_runner().invoke(args=["demo", "seed", "--province", "25"])
            assert result.exit_code == 0, result.output
            db.session.remove()
        with LiveServer(app) as server:
            yield server


def _login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_each_role_lands_on_its_page_and_reaches_the_menu(demo_server, viewport, request):
    page = request.getfixturevalue(f"{viewport}_page")
    for account in demo_accounts(25):
        page.context.clear_cookies()
        _login(page, demo_server.url, account.username, account.password)
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
