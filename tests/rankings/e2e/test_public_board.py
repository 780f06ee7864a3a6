"""A citizen on a phone: home page → board → filter → a center → methodology → CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.assessments.models import AssessmentPeriod
from portal.assessments.services import today_local
from portal.centers.models import Center
from portal.extensions import db
from portal.rankings import services
from portal.standards import services as standard_services
from tests.browser import LiveServer, viet_tri_center

from ..conftest import add_rollup, add_verified

pytestmark = pytest.mark.e2e


def _seed(app):
    version = standard_services.import_standard(
        standard_services.load_file(standard_services.DEFAULT_STANDARD_FILE), actor=None
    ).version
    today = today_local()
    period = AssessmentPeriod(
        code="2026-Q4",
        name="Quý IV/2026",
        kind="quarter",
        opens_on=today - timedelta(days=20),
        closes_on=today + timedelta(days=20),
        standard_version=version,
    )
    viet_tri = viet_tri_center()
    other = Center(
        code="07894",
        name="Trung tâm Phục vụ hành chính công phường Nông Trang",
        level="commune",
        unit_code=7894,
        unit_name="Phường Nông Trang",
        unit_type="phường",
        province_code=25,
        province_name="Phú Thọ",
    )
    other.refresh_search_key()
    db.session.add_all([period, viet_tri, other])
    db.session.flush()
    add_verified(period, viet_tri, verified=86.1)
    add_verified(period, other, verified=70.0)
    add_rollup(viet_tri, (0, 0, 0, 9, 241))
    add_rollup(other, (3, 2, 5, 10, 20))
    db.session.flush()
    services.publish(period, actor=None)
    db.session.commit()


@pytest.fixture
def live(make_live_app):
    app = make_live_app(_seed)
    with LiveServer(app) as server:
        yield server.url


def test_a_citizen_on_a_phone_reads_the_board_and_downloads_the_csv(phone_page, live):
    page = phone_page
    page.goto(live + "/")
    page.get_by_role("link", name="Xem bảng xếp hạng các trung tâm").click()
    page.get_by_role("heading", name="Bảng xếp hạng các trung tâm").wait_for()
    assert page.get_by_text("Tạm thời").first.is_visible()
    # Search without diacritics, then filter by class.
    page.get_by_label("Tìm theo tên").fill("nong trang")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 1 and "Nông Trang" in rows.first.inner_text()
    page.get_by_label("Tìm theo tên").fill("")
    page.get_by_label("Xếp loại").select_option("good")
    page.get_by_role("button", name="Lọc").click()
    assert rows.count() == 1 and "Việt Trì" in rows.first.inner_text()
    page.get_by_role("link", name="Trung tâm Phục vụ hành chính công phường Việt Trì").click()
    page.get_by_role("heading", name="Điểm theo lĩnh vực").wait_for()
    # Q = 0.7·86.10 + 0.3·98.76 (S_adj with m = 30) = 89.898 → 89.90, Good.
    assert "89,90" in page.content() and "Tốt" in page.content()
    # Nothing wider than the phone's screen but the scrollable tables.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.get_by_role("link", name="Cách tính điểm").first.click()
    page.get_by_role("heading", name="Ví dụ tính cụ thể").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải CSV (dữ liệu mở)").click()
    path = download.value.path()
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("rank,code,name") and "07900" in text and "CC BY 4.0" in text
