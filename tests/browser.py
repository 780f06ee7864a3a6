"""Shared real-browser fixtures (a pytest plugin loaded by ``tests/conftest.py``).

The portal is served on 127.0.0.1 from a thread, on a temporary SQLite file with
CSRF on; Debian's chromium is driven by Playwright. Browser tests are marked
``e2e``; without chromium they are skipped with a message, except in CI where
they must run. Every page fails its test if it makes a request off the machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}


def pytest_itemcollected(item):
    """The browser stage of `make test` collects only the e2e folders: a browser test
    elsewhere would run in no stage at all."""
    if item.get_closest_marker("e2e") and "e2e" not in item.path.parts:
        raise pytest.UsageError(f"{item.nodeid}: a browser test (e2e) must live in an e2e folder")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        return  # in CI a missing browser fails loudly instead of skipping
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install chromium to run it")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


class LiveServer:
    """A WSGI server for ``app`` on a free port of 127.0.0.1, in a daemon thread."""

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
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def make_live_app(tmp_path, monkeypatch) -> Callable:
    """Build an app on a fresh SQLite file, create its tables and run ``seed(app)``."""

    def make(seed: Callable | None = None, **config):
        monkeypatch.setenv("PORTAL_ENV", "testing")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
                "WTF_CSRF_ENABLED": True,
                "SQLITE_SYNCHRONOUS": "NORMAL",
                "EVIDENCE_DIR": str(tmp_path / "evidence"),
                **config,
            }
        )
        with app.app_context():
            db.create_all()
            if seed is not None:
                seed(app)
            db.session.remove()
        return app

    return make


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, options, request) -> Iterator:
    context = browser.new_context(**options)
    page = context.new_page()
    external: list[str] = []
    context.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else external.append(r.url)
        ),
    )
    page.external_requests = external
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
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


def viet_tri_center():
    """The demo manager's center, as the official list names it (not yet added)."""
    from portal.centers.models import Center

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
    return center


def open_menu(page) -> None:
    """On a phone the staff menu sits behind its button; open it (no-op on a desktop)."""
    button = page.locator("label.nav-toggle-label")
    if button.count() and button.is_visible() and not page.locator("#nav-toggle").is_checked():
        button.click()


@contextmanager
def demo_live_server(tmp: Path, demo, **config) -> Iterator[LiveServer]:
    """`make run`'s data (``flask demo seed`` for Phú Thọ), from the copy ``demo`` of the
    session's demo template (see ``tests/conftest.py``), served with CSRF on."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PORTAL_ENV", "testing")
        app = create_app(
            {
                **demo.config(),
                "WTF_CSRF_ENABLED": True,
                "SQLITE_SYNCHRONOUS": "NORMAL",
                "INSTANCE_TMP": str(tmp),
                "EXPORTS_REDIS_URL": "",
                "RATELIMIT_ENABLED": False,
                **config,
            }
        )
        with LiveServer(app) as server:
            yield server


@pytest.fixture(scope="module")
def demo_server(demo_template, tmp_path_factory) -> Iterator[LiveServer]:
    """The demo data on a live server, for the tests of one module (which may change it)."""
    from tests.conftest import copy_demo

    with (
        copy_demo(demo_template, tmp_path_factory) as demo,
        demo_live_server(tmp_path_factory.mktemp("demo-server"), demo) as server,
    ):
        yield server


def login(page, base_url: str, username: str, password: str) -> None:
    """Log in through the form, in Vietnamese."""
    page.goto(f"{base_url}/account/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
