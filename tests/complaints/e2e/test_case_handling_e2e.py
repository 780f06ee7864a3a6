"""A manager assigns a complaint and writes an internal note on a desktop; the citizen,
following up on a phone, sees the complaint's status and never the note."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal.accounts.models import Role, User
from portal.centers.models import Counter
from portal.complaints.models import Case
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Rating
from tests.browser import LiveServer, viet_tri_center
from tests.conftest import PASSWORD, RATINGS_TEST_CONFIG
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

NOTE = "Đã gọi lại cho người dân, hẹn sáng thứ Hai quay lại quầy 1."


def _seed(app) -> None:
    center = viet_tri_center()
    db.session.add(center)
    counter = Counter(center=center, number=1, field="Đất đai")
    db.session.add(counter)
    for username, role, name in (
        ("quanly", Role.MANAGER, "Nguyễn Thị Lan"),
        ("thanhtra", Role.INSPECTOR, "Trần Văn Minh"),
    ):
        user = User(
            username=username,
            full_name=name,
            role=role.value,
            center=center if role == Role.MANAGER else None,
            scope_province_code=25 if role == Role.INSPECTOR else None,
            password_hash="",
        )
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=counter)
    services.submit_rating(
        target,
        services.RatingInput(score=1, comment="Phải chờ hai tiếng mới đến lượt", complaint=True),
        nonce_key="e2e-case",
    )
    db.session.commit()


@pytest.fixture
def server(make_live_app) -> Iterator[LiveServer]:
    with LiveServer(make_live_app(_seed, **RATINGS_TEST_CONFIG)) as live:
        yield live


def _serious(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_manager_assigns_and_notes_the_citizen_never_sees_the_note(
    server, desktop_page, phone_page
):
    with server.app.app_context():
        case_id = db.session.scalar(sa.select(Case.id))
        code = db.session.scalar(sa.select(Rating.tracking_code))
        db.session.remove()

    page = desktop_page
    login(page, server.url, "quanly")
    page.goto(f"{server.url}/cases/")
    row = page.locator(f"#case-{case_id}")
    expect(row.locator("td.days")).to_contain_text("ngày làm việc")
    row.get_by_role("link", name=str(case_id), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{case_id}")

    page.get_by_label("Người xử lý").select_option(label="Nguyễn Thị Lan · Quản lý trung tâm")
    page.get_by_role("button", name="Phân công").click()
    expect(page.get_by_role("status")).to_contain_text("Đã phân công xử lý phản ánh.")
    expect(page.locator("#case-assignee")).to_have_text("Nguyễn Thị Lan")

    page.get_by_label("Ghi chú nội bộ").fill(NOTE)
    page.get_by_role("button", name="Thêm ghi chú").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm ghi chú.")
    expect(page.locator("#case-notes")).to_contain_text(NOTE)
    expect(page.locator("#case-notes")).to_contain_text("Nguyễn Thị Lan")
    assert _serious(page) == []

    page.locator(".crumbs").get_by_role("link").click()
    page.get_by_role("link", name="Giao cho tôi").click()
    expect(page.locator(f"#case-{case_id}")).to_be_visible()

    citizen = phone_page
    citizen.goto(f"{server.url}/t/?code={code}")
    expect(citizen.locator("header .center")).to_have_text(
        "Trung tâm Phục vụ hành chính công phường Việt Trì"
    )
    expect(citizen.locator("#case-status")).to_contain_text("Đang xử lý")
    body = citizen.locator("body")
    expect(body).not_to_contain_text(NOTE)
    expect(body).not_to_contain_text("Nguyễn Thị Lan")
    expect(body).not_to_contain_text("Ghi chú")
    # The erase button comes after the status, and nothing overflows the phone's width.
    status_y = citizen.locator("#case-status").bounding_box()["y"]
    erase_y = citizen.get_by_role("button", name="Xóa số điện thoại và góp ý của tôi")
    assert erase_y.bounding_box()["y"] > status_y
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    assert _serious(citizen) == []
