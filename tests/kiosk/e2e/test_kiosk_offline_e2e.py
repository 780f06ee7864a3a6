"""A counter tablet through a network outage, in Chromium (tablet viewport, offline context).

A manager enrols the tablet with a one-time link; ten ratings are taken offline, the page
is reloaded offline, the network comes back: exactly ten are stored and counted. A
replayed batch stores nothing more; a tampered rating and a revoked tablet are refused;
a sync whose answer is lost halfway resumes to exactly ten.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.accounts.models import Role, User
from portal.centers.models import Counter
from portal.extensions import db
from portal.kiosk.models import KioskDevice
from portal.ratings import services as ratings
from portal.ratings.models import Rating
from portal.shared.timeutils import local_day, now_utc
from tests.browser import LiveServer, login, viet_tri_center
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

TABLET = {
    "viewport": {"width": 1280, "height": 800},
    "has_touch": True,
    "locale": "vi-VN",
}


class SyncTap:
    """WSGI middleware: records every sync body; can lose the answer of one sync after the
    server stored it (the connection cut before the tablet heard back)."""

    def __init__(self, app):
        self.app = app
        self.bodies: list[dict] = []
        self.lose_answer_of: int | None = None
        #: Set once the sync whose answer is lost has been stored (its 502 is on its way).
        self.lost = threading.Event()
        self.paths: list[str] = []
        #: The server is unreachable: every request is refused with 503. Chromium's emulated
        #: outage does not cover a service worker's own fetches (its background refresh of
        #: cached pages and its update check), so the server plays the outage too.
        self.down = False

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO", ""))
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"network down"]
        if environ.get("PATH_INFO") != "/kiosk/sync" or environ["REQUEST_METHOD"] != "POST":
            return self.app(environ, start_response)
        import io

        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        self.bodies.append(json.loads(raw))
        if self.lose_answer_of == len(self.bodies):
            list(self.app(environ, lambda *a, **k: None))  # stored and committed
            self.lost.set()
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [b"connection lost"]
        return self.app(environ, start_response)


@pytest.fixture
def live_config() -> dict:
    return {}


@pytest.fixture
def live(make_live_app, live_config):
    def seed(app):
        center = viet_tri_center()
        db.session.add_all([center, Counter(center=center, number=1, field="Hộ tịch")])
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

    app = make_live_app(
        seed,
        RATING_OPENING_HOURS=(0.0, 24.0),
        RATING_CLOSED_WEEKDAYS=(),
        RATELIMIT_ENABLED=False,
        **{"KIOSK_MIN_GAP_SECONDS": 0.3, "KIOSK_THANKS_SECONDS": 0.2, **live_config},
        KIOSK_BATCH_MAX=4,
    )
    tap = SyncTap(app.wsgi_app)
    app.wsgi_app = tap
    with LiveServer(app) as server:
        yield {"app": app, "base": server.url, "tap": tap}


@pytest.fixture
def tablet_context(browser):
    context = browser.new_context(**TABLET)
    external: list[str] = []
    context.on(
        "request",
        lambda r: (
            None if r.url.startswith(("http://127.0.0.1", "data:")) else external.append(r.url)
        ),
    )
    yield context
    context.close()
    assert external == [], f"the tablet made external requests: {external}"


@pytest.fixture
def manager_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    yield context.new_page()
    context.close()


def enrol(live, manager_page, context):
    """The manager issues a link; the tablet opens it, enrols, and lands on the app."""
    login(manager_page, live["base"], "manager", PASSWORD)
    manager_page.goto(f"{live['base']}/kiosks/07900")
    manager_page.get_by_role("button", name="Đăng ký máy tính bảng cho quầy 1").click()
    link = manager_page.locator("#enrol-link").inner_text()
    path = link[link.index("/kiosk/enrol/") :]
    page = context.new_page()
    page.goto(live["base"] + path)
    page.get_by_role("button", name="Đăng ký máy tính bảng này").click()
    page.wait_for_url("**/kiosk/app/**")
    ready(page)
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    return page


def wait_until(page, predicate: str, timeout_s: float = 20) -> None:
    """Poll ``predicate`` in the page (the CSP forbids ``wait_for_function``'s eval)."""
    for _ in range(int(timeout_s * 10)):
        if page.evaluate(predicate):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {predicate}")


def wait_pending(page, count: int) -> None:
    expect(page.locator("#kiosk-pending")).to_have_text(str(count), timeout=20_000)


def ready(page):
    page.wait_for_selector("#kiosk[data-ready='1']", state="attached")


def rate(page, score: int, comment: str = ""):
    page.locator(f".kiosk-face[data-score='{score}']").click()
    if comment:
        page.locator("#kiosk-comment").fill(comment)
        page.get_by_role("button", name="Gửi góp ý").click()
    else:
        page.get_by_role("button", name="Xong").click()
    page.locator("#kiosk-start").wait_for(state="visible")
    page.wait_for_timeout(350)  # the tablet's minimum time between two ratings


def pending(page) -> str:
    return page.locator("#kiosk-pending").inner_text()


def stored(live) -> tuple[int, int]:
    """(kiosk ratings stored, ratings counted in the counter's rollups)."""
    with live["app"].app_context():
        n = db.session.scalar(
            sa.select(sa.func.count()).select_from(Rating).where(Rating.channel == "kiosk_offline")
        )
        counter_id = db.session.scalar(sa.select(Counter.id))
        today = local_day(now_utc())
        counts = ratings.rollup_counts("counter", [counter_id], today - timedelta(days=2), today)
        db.session.remove()
        return n, sum(counts.get(counter_id, ()))


def post_sync(live, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the test's own local server
        f"{live['base']}/kiosk/sync",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


SCORES = (5, 4, 4, 3, 5, 2, 4, 5, 1, 4)


def take_ten_offline(page, context, tap):
    context.set_offline(True)
    tap.down = True
    seen = len(tap.paths)
    for i, score in enumerate(SCORES):
        rate(page, score, "Chờ hơi lâu" if i == 3 else "")
    assert pending(page) == "10"
    # The page reloaded with the network down: the service worker shows it, the queue stays.
    page.reload()
    ready(page)
    assert page.locator(".kiosk-face").count() == 5
    assert pending(page) == "10"
    # Whatever reached the server meanwhile was refused (see SyncTap.down): the page, its
    # faces and its queue came from the tablet alone, and no sync got through.
    assert "/kiosk/sync" not in tap.paths[seen:]


def test_ten_offline_ratings_sync_exactly_once(live, manager_page, tablet_context):
    page = enrol(live, manager_page, tablet_context)
    take_ten_offline(page, tablet_context, live["tap"])
    assert stored(live) == (0, 0)

    live["tap"].down = False
    tablet_context.set_offline(False)  # the network is back: the tablet syncs by itself
    wait_pending(page, 0)
    assert stored(live) == (10, 10)
    with live["app"].app_context():
        comment = db.session.scalar(sa.select(Rating.comment).where(Rating.score == 3))
        db.session.remove()
    assert comment == "Chờ hơi lâu"
    assert page.locator("#kiosk-last-sync").inner_text() != "chưa lần nào"

    # The same batches replayed: nothing more is stored.
    bodies = list(live["tap"].bodies)
    assert sum(len(b["items"]) for b in bodies) == 10
    for body in bodies:
        status, answer = post_sync(live, body)
        assert status == 200
        assert {i["status"] for i in answer["items"]} == {"duplicate"}
    assert stored(live) == (10, 10)

    # A rating changed after signing is refused.
    tampered = dict(bodies[0])
    item = dict(tampered["items"][0], score=1 if tampered["items"][0]["score"] != 1 else 5)
    item["id"] = "f" * 32
    status, answer = post_sync(live, {**tampered, "items": [item]})
    assert answer["items"] == [{"id": "f" * 32, "status": "refused", "reason": "signature"}]
    assert stored(live) == (10, 10)

    # The manager sees the tablet, revokes it; its next rating is refused.
    manager_page.goto(f"{live['base']}/kiosks/07900")
    row = manager_page.locator("#kiosk-devices tbody tr").first
    assert "10" in row.inner_text()
    row.get_by_role("link", name="Thu hồi").click()
    manager_page.get_by_role("button", name="Có, thu hồi máy tính bảng").click()
    rate(page, 4)
    page.locator("#kiosk-revoked").wait_for(state="visible")
    assert stored(live) == (10, 10)
    status, answer = post_sync(live, bodies[0])
    assert status == 403 and {i["status"] for i in answer["items"]} == {"refused"}
    with live["app"].app_context():
        assert db.session.scalar(sa.select(KioskDevice.received)) == 10
        db.session.remove()


def test_a_sync_cut_halfway_resumes_to_exactly_ten(live, manager_page, tablet_context):
    page = enrol(live, manager_page, tablet_context)
    take_ten_offline(page, tablet_context, live["tap"])
    # Batches of four: the second batch is stored, but its answer never reaches the tablet.
    live["tap"].lose_answer_of = 2
    live["tap"].down = False
    tablet_context.set_offline(False)
    wait_pending(page, 6)
    # Six pending from the first answer on; the second batch may still be on its way.
    assert live["tap"].lost.wait(20), "the second batch never reached the server"
    assert pending(page) == "6"
    assert stored(live) == (8, 8)  # the lost answer's four are stored, still queued
    page.get_by_role("button", name="Đồng bộ ngay").click()
    wait_pending(page, 0)
    assert stored(live) == (10, 10)
    statuses = [len(b["items"]) for b in live["tap"].bodies]
    assert statuses == [4, 4, 4, 2]  # the second batch was sent again, then the last two


@pytest.mark.parametrize("live_config", [{"KIOSK_MIN_GAP_SECONDS": 8.0}])
def test_the_tablet_takes_no_second_rating_faster_than_a_person(live, manager_page, tablet_context):
    page = enrol(live, manager_page, tablet_context)
    tablet_context.set_offline(True)
    page.locator(".kiosk-face[data-score='5']").click()
    page.get_by_role("button", name="Xong").click()
    page.locator("#kiosk-start").wait_for(state="visible")
    page.locator(".kiosk-face[data-score='5']").click()  # at once: refused on the tablet
    expect(page.locator("#kiosk-wait")).to_be_visible()
    assert page.locator("#kiosk-start").is_visible()
    assert pending(page) == "1"
