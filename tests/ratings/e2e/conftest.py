"""A live portal on a temporary SQLite file, served from a thread, and headless Chromium.

CSRF stays enabled (the staff pages need real tokens); the rating page works without it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import Role, User
from portal.centers.models import Center, Counter, Officer
from portal.extensions import db
from portal.ratings import services
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (required when CI=true)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "RATING_OPENING_HOURS": (0.0, 24.0),
            "RATING_CLOSED_WEEKDAYS": (),
            "RATING_MIN_FILL_SECONDS": 1.0,
        }
    )
    with app.app_context():
        db.create_all()
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
        counter = Counter(center=center, number=1, field="Hộ tịch")
        db.session.add_all(
            [center, counter, Officer(center=center, counter=counter, full_name="Nguyễn Thị Lan")]
        )
        manager = User(
            username="manager",
            full_name="Trần Văn Quản",
            role=Role.MANAGER,
            center=center,
            password_hash="",
        )
        manager.set_password(PASSWORD)
        db.session.add(manager)
        db.session.commit()
        with app.test_request_context():
            token = services.counter_token(counter)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield {"app": app, "base": base, "counter_url": f"{base}/r/{token}"}
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    external: list[str] = []
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith(live["base"]) else external.append(request.url)
        ),
    )
    page = context.new_page()
    page.external_requests = external
    yield page
    context.close()
