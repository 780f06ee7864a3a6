"""The public board on `make run`'s data (149 centers): readable on a 360 px phone and a
1,366 px desktop, explained where its figures appear, and printable.

Screenshots are kept under test-artifacts/ (not committed) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import _page
from tests.pdftext import printed_text

pytestmark = pytest.mark.e2e

ARTIFACTS = Path("test-artifacts")
VIEWPORTS = {
    "phone": {
        "viewport": {"width": 360, "height": 760},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "vi-VN",
    },
    "desktop": {"viewport": {"width": 1366, "height": 768}, "locale": "vi-VN"},
}
# Before the cards, the board was 14,584 px tall at 360 px on this data (names broken one
# word per line in a six-column table); the cards bring it to about 8,100 px.
PHONE_HEIGHT_BOUND = 10_000


@pytest.fixture(params=list(VIEWPORTS))
def page(browser, request):
    yield from _page(browser, VIEWPORTS[request.param], request)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width} > {inner}"


RANKED_ON_FIRST_SCREEN = """() => [...document.querySelectorAll('table.ranking tbody tr')]
  .filter(tr => tr.getBoundingClientRect().bottom <= innerHeight)
  .map(tr => tr.querySelector('.cell-rank').innerText.replace(/\\D/g, ''))
  .filter(Boolean)"""

NAME_BOXES = """() => [...document.querySelectorAll('table.ranking tbody .cell-name a')].map(a => {
  const lines = a.getClientRects().length;
  return {name: a.innerText, width: a.getBoundingClientRect().width, lines,
          words: a.innerText.split(/\\s+/).length};
})"""


def test_the_board_fits_the_screen_and_opens_on_the_ranking(demo_server, page):
    width = page.viewport_size["width"]
    page.goto(demo_server.url + "/rankings/")
    page.get_by_role("heading", name="Bảng xếp hạng các trung tâm").wait_for()
    _shot(page, f"board-{width}")
    _no_sideways_scroll(page)

    # The first screen shows the ranking itself: at least three ranked centers, in order.
    ranks = page.evaluate(RANKED_ON_FIRST_SCREEN)
    assert len(ranks) >= 3, ranks
    assert [int(r) for r in ranks[:3]] == [1, 2, 3]

    # Filters are folded (the search stays in sight); the count shows every center.
    assert page.get_by_label("Tìm theo tên").is_visible()
    assert not page.get_by_label("Xếp loại").is_visible()
    assert page.locator("summary", has_text="Bộ lọc").is_visible()
    assert page.get_by_text("149 trung tâm").is_visible()

    # Names read as names: a wide box, never one word per line.
    boxes = page.evaluate(NAME_BOXES)
    assert len(boxes) == 50
    for box in boxes:
        assert box["width"] > 150, box
        assert box["lines"] < box["words"], box
        assert box["lines"] <= 3, box

    # Every card or row carries rank, name, class, Q, C and satisfaction with n.
    first = page.locator("table.ranking tbody tr").first
    text = first.inner_text()
    assert "Trung tâm" in text and "(n = " in text
    if width < 768:  # the card labels its figures itself
        assert "Q" in text and "Hài lòng" in text
        height = page.evaluate("document.scrollingElement.scrollHeight")
        assert height < PHONE_HEIGHT_BOUND, height

    # Revisions stay on the board.
    assert page.get_by_role("heading", name="Các lần cập nhật").is_visible()


def test_q_c_and_s_are_explained_where_they_are_shown(demo_server, page):
    page.goto(demo_server.url + "/rankings/")
    row = page.locator("table.ranking tbody tr").first
    scope = row if page.viewport_size["width"] < 768 else page.locator("table.ranking thead")
    titles = scope.locator("abbr[title]").evaluate_all("els => els.map(e => e.title)")
    assert any("C_thẩm định" in t and "S_adj" in t for t in titles), titles  # Q's formula
    assert any("đoàn thẩm định" in t for t in titles), titles  # C
    assert any("4 hoặc 5 sao" in t and "n là số" in t for t in titles), titles  # satisfaction
    for abbr in scope.locator("abbr[title]").all():
        assert abbr.is_visible()

    legend = page.locator("dl.legend")
    assert legend.is_visible()
    links = legend.get_by_role("link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert [link.rsplit("#", 1)[1] for link in links] == ["quality", "compliance", "satisfaction"]
    legend.get_by_role("link").first.click()
    page.wait_for_url("**/rankings/methodology#quality")
    assert page.locator("#quality").is_visible()


def test_a_filter_in_use_stays_unfolded(demo_server, page):
    page.goto(demo_server.url + "/rankings/?class=good")
    assert page.get_by_label("Xếp loại").is_visible()
    assert page.locator("summary", has_text="Tốt").is_visible()
    _no_sideways_scroll(page)


def test_a_centers_page_fits_the_screen_and_explains_its_figures(demo_server, page):
    width = page.viewport_size["width"]
    page.goto(demo_server.url + "/rankings/")
    page.locator("table.ranking tbody .cell-name a").first.click()
    page.get_by_role("heading", name="Điểm theo lĩnh vực").wait_for()
    _shot(page, f"center-{width}")
    _no_sideways_scroll(page)
    facts = page.locator("dl.facts")
    assert facts.locator("abbr[title]").count() >= 5
    # The values keep their room beside the labels: no "Không · chưa đạt chuẩn" in a sliver.
    widths = facts.locator("dd").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert min(widths) > 150, widths
    assert page.locator("dl.legend").is_visible()


def test_the_printed_board_is_the_ranking_without_the_controls(demo_server, page):
    width = page.viewport_size["width"]
    page.goto(demo_server.url + "/rankings/")
    page.emulate_media(media="print")
    _shot(page, f"board-print-{width}")
    for hidden in ("form.board-filters", "nav.pager", ".site-header", ".board-links"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("table.ranking thead").is_visible()  # a table on paper, not cards
    assert page.locator("dl.legend").is_visible()
    first_name = page.locator("table.ranking tbody .cell-name a").first.inner_text()

    pages = printed_text(page.pdf(format="A4"))
    text = " ".join(" ".join(p.split()) for p in pages)
    # A name may wrap inside its column, so its words are looked for on the first page.
    assert set(first_name.split()) <= set(pages[0].split()), first_name
    assert "Bảng xếp hạng các trung tâm" in pages[0]
    for control in ("Tìm theo tên", "Bộ lọc", "Tải CSV", "Tiếng Việt"):
        assert control not in text, control
