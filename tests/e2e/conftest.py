"""Real-browser fixtures: the portal served on 127.0.0.1 in a thread, Debian's chromium
driven by Playwright. Browser tests are marked ``e2e`` and run by ``make test-e2e``."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import Role, User
from portal.centers.models import Center, Counter
from portal.extensions import db
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        return  # fail loudly in CI rather than skip
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install chromium to run it")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


def seed_minimal(app) -> None:
    """One center with two counters, and an account per role."""
    with app.app_context():
        center = Center(
            code="07900",
            name="Trung tâm Phục vụ hành chính công phường Việt Trì",
            level="commune",
            unit_code=7900,
            unit_name="Phường Việt Trì",
            unit_type="phường",
            province_code=25,
            province_name="Phú Thọ",
        )
        center.refresh_search_key()
        db.session.add(center)
        db.session.add_all(
            [
                Counter(center=center, number=1, field="Tư pháp – Hộ tịch"),
                Counter(center=center, number=2, field="Đất đai"),
            ]
        )
        for username, role in (
            ("admin", Role.ADMIN),
            ("quanly", Role.MANAGER),
            ("thanhtra", Role.INSPECTOR),
            ("canbo", Role.OFFICER),
        ):
            user = User(
                username=username,
                full_name=f"Demo {username}",
                role=role.value,
                center=center if role in (Role.MANAGER, Role.OFFICER) else None,
                scope_province_code=25 if role == Role.INSPECTOR else None,
                password_hash="",
            )
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()


@pytest.fixture
def live_app(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "SQLITE_SYNCHRONOUS": "NORMAL",
        }
    )
    with app.app_context():
        db.create_all()
    seed_minimal(app)
    return app


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, options, request):
    context = browser.new_context(**options)
    page = context.new_page()
    external: list[str] = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None
        ),
    )
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert external == [], f"the page made external requests: {external}"


@pytest.fixture
def phone_page(browser, request):
    yield from _page(browser, PHONE, request)


@pytest.fixture
def desktop_page(browser, request):
    yield from _page(browser, DESKTOP, request)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
