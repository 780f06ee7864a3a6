"""On a desktop, in a real browser: the inspector finds the held ratings from the start
page's count, filters the province-wide queue by reason and by center, lets two ratings
count and confirms one as abuse, each time with one reason, and watches the count drop."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.accounts.models import Role, User
from portal.centers.models import Center, Counter
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Rating
from portal.shared.timeutils import now_utc
from tests.browser import LiveServer, open_menu, viet_tri_center
from tests.conftest import PASSWORD

from .conftest import login

pytestmark = pytest.mark.e2e


def seed(app) -> None:
    viet_tri = viet_tri_center()
    nong_trang = Center(
        code="07894",
        name="Trung tâm Phục vụ hành chính công phường Nông Trang",
        level="commune",
        unit_code=7894,
        unit_name="Phường Nông Trang",
        unit_type="phường",
        province_code=25,
        province_name="Phú Thọ",
    )
    nong_trang.refresh_search_key()
    counters = {
        c.code: Counter(center=c, number=1, field="Tư pháp – Hộ tịch")
        for c in (viet_tri, nong_trang)
    }
    inspector = User(
        username="thanhtra",
        full_name="Đoàn kiểm tra Sở Nội vụ",
        role=Role.INSPECTOR,
        scope_province_code=25,
        password_hash="",
    )
    inspector.set_password(PASSWORD)
    db.session.add_all([viet_tri, nong_trang, *counters.values(), inspector])
    db.session.commit()
    held = [
        (viet_tri, ("off_hours",), 5, "", 6),
        (nong_trang, ("off_hours",), 4, "Nhanh gọn", 3),
        (viet_tri, ("burst",), 5, "", 2),
        (nong_trang, ("burst",), 5, "", 1),
    ]
    for n, (center, flags, score, comment, days_ago) in enumerate(held):
        services.submit_rating(
            services.Target(
                channel=Channel.COUNTER_QR, center=center, counter=counters[center.code]
            ),
            services.RatingInput(score=score, comment=comment),
            nonce_key=f"e2e-held-{n}",
            screening=services.Screening(
                moment=now_utc() - timedelta(days=days_ago, hours=1), flags=flags
            ),
        )
    db.session.commit()


@pytest.fixture
def live_server(make_live_app):
    with LiveServer(make_live_app(seed)) as server:
        yield server


def _rows(page):
    return page.locator("#held-ratings tbody tr")


def test_inspector_filters_the_queue_and_decides_in_bulk(live_server, desktop_page):
    page = desktop_page
    url = live_server.url
    login(page, url, "thanhtra")
    page.goto(f"{url}/start")
    expect(page.locator("#count-ratings-held_queue")).to_have_text("4 đang chờ")
    open_menu(page)
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Đánh giá chờ kiểm tra"
    ).click()
    expect(page).to_have_url(re.compile(r"/ratings/held$"))
    expect(page.locator("#held-total")).to_contain_text("4 đánh giá đang chờ kiểm tra")
    expect(_rows(page)).to_have_count(4)
    # Oldest first: the rating sent six days ago at Việt Trì leads.
    expect(_rows(page).first).to_contain_text("phường Việt Trì")
    expect(_rows(page).first).to_contain_text("6 ngày")

    # The off-hours ones: both let count with one reason.
    page.get_by_label("Lý do tạm giữ").select_option(label="Gửi ngoài giờ làm việc")
    page.get_by_role("button", name="Lọc").click()
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("#held-ratings")).to_contain_text("Nhanh gọn")
    page.get_by_label("Chọn mọi đánh giá trên trang này").check()
    for checkbox in page.locator("#held-ratings tbody input[type=checkbox]").all():
        expect(checkbox).to_be_checked()
    page.get_by_label("Lý do quyết định").fill("Người dân gửi buổi tối từ nhà, không bất thường")
    page.get_by_role("button", name="Bác bỏ dấu hiệu (tính đánh giá)").click()
    expect(page.locator(".flashes")).to_contain_text("Đã bác bỏ nghi vấn của 2 đánh giá")
    expect(page).to_have_url(re.compile(r"/ratings/held\?flag=off_hours"))
    expect(page.locator("#held-total")).to_contain_text("2 đánh giá đang chờ kiểm tra")
    expect(page.locator("#held-empty")).to_be_visible()

    # Nông Trang's burst: confirmed as abuse.
    page.get_by_label("Lý do tạm giữ").select_option(value="")
    page.get_by_label("Trung tâm (tên hoặc mã)").fill("Nông Trang")
    page.get_by_role("button", name="Lọc").click()
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text("Nhiều đánh giá bất thường cùng lúc")
    _rows(page).first.locator("input[type=checkbox]").check()
    page.get_by_label("Lý do quyết định").fill("Cùng một máy, năm đánh giá trong một phút")
    page.get_by_role("button", name="Xác nhận gian lận (không tính điểm)").click()
    expect(page.locator(".flashes")).to_contain_text("Đã xác nhận 1 đánh giá là gian lận")
    expect(page.locator("#held-total")).to_contain_text("1 đánh giá đang chờ kiểm tra")

    page.goto(f"{url}/start")
    expect(page.locator("#count-ratings-held_queue")).to_have_text("1 đang chờ")
    with live_server.app.app_context():
        decided = db.session.scalars(
            db.select(Rating.flag_review).where(Rating.cleared_at.is_not(None))
        ).all()
    assert sorted(decided) == ["confirmed", "rejected", "rejected"]
