"""On `make run`'s data: an inspector lands on the province dashboard, filters, drills down
to a criterion and downloads the Excel ranking and a center's PDF report; a manager lands on
the center dashboard. On a phone and on a desktop."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from portal.centers.services import official_units
from portal.demo.services import demo_accounts
from portal.shared.text import fold
from tests.browser import login
from tests.pdftext import printed_text

pytestmark = pytest.mark.e2e

VIET_TRI = "Trung tâm Phục vụ hành chính công phường Việt Trì"
ACCOUNTS = {a.username: a for a in demo_accounts(25)}


def _heading(page):
    return page.get_by_role("heading", level=1)


def _fits(page) -> None:
    """Nothing scrolls sideways, on the phone either (wide tables scroll inside their box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_inspector_filters_drills_down_and_downloads(demo_server, viewport, request, tmp_path):
    page = request.getfixturevalue(f"{viewport}_page")
    inspector = ACCOUNTS["thanhtra"]
    login(page, demo_server.url, inspector.username, inspector.password)
    expect(page).to_have_url(f"{demo_server.url}/dashboards/")
    expect(_heading(page)).to_have_text("Bảng điều khiển của tỉnh")
    _fits(page)

    # Filter: commune-level centers whose name holds "viet tri", typed without diacritics.
    page.get_by_label("Tìm theo tên hoặc mã").fill("viet tri")
    page.get_by_label("Cấp", exact=True).select_option("commune")
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"[?&]q=viet\+tri"))
    assert "level=commune" in page.url
    names = page.locator("table tbody th[scope=row] a").all_inner_texts()
    assert VIET_TRI in names
    assert all("viet tri" in fold(name) for name in names), names
    _fits(page)

    # Only the centers classed "Tốt" (verified), then drill down: center → area → criterion.
    page.get_by_label("Tìm theo tên hoặc mã").fill("")
    page.get_by_label("Xếp loại", exact=True).select_option(label="Tốt")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table tbody tr[data-code]").all_inner_texts()
    assert rows and all("Tốt" in row for row in rows), rows
    first = page.locator("table tbody th[scope=row] a").first
    center_name = first.inner_text()
    first.click()
    expect(_heading(page)).to_have_text(center_name)
    area_link = page.locator("a[href*='/areas/']").first
    area_name = area_link.inner_text()
    area_link.click()
    expect(_heading(page)).to_have_text(area_name)
    criterion_link = page.locator("a[href*='/criteria/']").first
    code = criterion_link.inner_text()
    criterion_link.click()
    expect(_heading(page)).to_contain_text(code)
    _fits(page)

    # The Excel ranking of every center in scope: made in the background, with progress.
    page.goto(f"{demo_server.url}/dashboards/")
    page.get_by_role("link", name="Xuất dữ liệu kỳ này: Excel, CSV và báo cáo PDF").click()
    expect(_heading(page)).to_have_text("Xuất dữ liệu")
    page.locator("#export-rankings").get_by_role("button", name="Excel").click()
    expect(page.locator("#job-file")).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        page.locator("#job-file").click()
    xlsx = tmp_path / "ranking.xlsx"
    info.value.save_as(xlsx)
    workbook = openpyxl.load_workbook(xlsx, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert len(rows) - 1 == len(official_units(25))  # a row per center under the header
    assert any(VIET_TRI in row for row in rows)

    # One center's PDF report: served at once.
    page.get_by_role("link", name="Quay lại trang xuất dữ liệu").click()
    report = page.locator("#export-center_report")
    report.get_by_label("Trung tâm (tên)").fill(VIET_TRI)  # by name, no code to type
    with page.expect_download() as info:
        report.get_by_role("button", name="PDF").click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    text = "\f".join(printed_text(pdf.read_bytes()))
    assert "Việt Trì" in text and "Trang 1/" in text


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_manager_lands_on_the_center_dashboard(demo_server, viewport, request):
    page = request.getfixturevalue(f"{viewport}_page")
    manager = ACCOUNTS["quanly"]
    login(page, demo_server.url, manager.username, manager.password)
    expect(page).to_have_url(f"{demo_server.url}/dashboards/centers/07900")
    expect(_heading(page)).to_have_text(VIET_TRI)
    # Scores, the charts with their numbers, the dossier results, the open work.
    expect(page.locator("#center-q")).not_to_have_text("")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.locator("#results")).to_be_visible()
    expect(page.get_by_role("heading", name="Phản ánh đang mở")).to_be_visible()
    _fits(page)
