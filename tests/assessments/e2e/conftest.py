"""A live portal with the default standard and an open period, for the phone checklist test.

The portal runs in a thread on a temporary SQLite file, with CSRF protection on;
Playwright drives Debian's chromium. Without /usr/bin/chromium (and outside CI)
the browser tests are skipped with a message saying why.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import Role, User
from portal.assessments.models import AssessmentPeriod
from portal.assessments.services import today_local
from portal.centers.models import Center, Counter
from portal.extensions import db
from portal.standards import services as standard_services
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install chromium to run it")
    here = Path(__file__).parent
    for item in items:
        if "e2e" in item.keywords and here in Path(item.fspath).parents:
            item.add_marker(skip)


def _seed(app) -> None:
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
        db.session.add(Counter(center=center, number=1, field="Tư pháp – Hộ tịch"))
        manager = User(
            username="quanly",
            full_name="Quản lý",
            role=Role.MANAGER.value,
            center=center,
            password_hash="",
        )
        manager.set_password(PASSWORD)
        db.session.add(manager)
        spec = standard_services.load_file(standard_services.DEFAULT_STANDARD_FILE)
        version = standard_services.import_standard(spec, actor=None).version
        today = today_local()
        db.session.add(
            AssessmentPeriod(
                code="2026-Q1",
                name="Quý I năm 2026",
                kind="quarter",
                opens_on=today - timedelta(days=7),
                closes_on=today + timedelta(days=60),
                standard_version=version,
            )
        )
        db.session.commit()


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "SQLITE_SYNCHRONOUS": "NORMAL",
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
        }
    )
    with app.app_context():
        db.create_all()
    _seed(app)
    return app


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, tmp_path):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()
