"""Charts people can read, measured in chromium on `make run`'s data: at 360 px (a small phone)
and 1,366 px (an office laptop) the dashboards and the statistics pages never scroll sideways,
the x labels of every chart keep apart on screen, their text is drawn at a readable size, the
province's charts come before its long table, and each chart is kept as a screenshot under
test-artifacts/charts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.demo.services import demo_accounts
from tests.browser import login

pytestmark = pytest.mark.e2e

VIEWPORTS = {
    "360": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "1366": {"viewport": {"width": 1366, "height": 768}},
}
ARTIFACTS = Path("test-artifacts") / "charts"
VIET_TRI_CODE = "07900"

#: Every x label, value and "n=" line of every chart as drawn: [chart id, class, y, left, right,
#: height in CSS px]. Measured by the browser, not estimated.
MEASURE = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const r = t.getBoundingClientRect();
  return [t.ownerSVGElement.closest('figure')?.id || '', t.getAttribute('class') || '',
          Math.round(r.top), r.left, r.right, r.height];
})"""


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(locale="vi-VN", **VIEWPORTS[request.param])
    page = context.new_page()
    page.width_name = request.param
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"


def _charts_readable(page, name: str) -> int:
    """No two labels of a chart overlap; axis text is at least 8 px; a screenshot per chart."""
    texts = page.evaluate(MEASURE)
    rows: dict[tuple, list[tuple[float, float]]] = {}
    for chart, klass, top, left, right, height in texts:
        if klass in ("x-label", "x-sub", "value", "row-label", "tick"):
            assert height >= 8, f"{name}: {klass} text drawn {height:.1f} px high in {chart}"
        if klass in ("x-label", "x-sub", "value"):
            rows.setdefault((chart, klass, top), []).append((left, right))
    for key, spans in rows.items():
        spans.sort()
        for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
            assert right <= left + 0.5, f"{name}: labels overlap in {key}: {spans}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = page.locator("figure.chart-figure")
    for i in range(figures.count()):
        figure = figures.nth(i)
        ident = figure.get_attribute("id") or str(i)
        figure.screenshot(path=str(ARTIFACTS / f"{name}-{ident}-{page.width_name}.png"))
    return figures.count()


def test_dashboards_and_statistics_fit_and_their_charts_read(demo_server, page):
    inspector = next(a for a in demo_accounts(25) if a.username == "thanhtra")
    login(page, demo_server.url, inspector.username, inspector.password)

    # The province dashboard: charts first, full width or two a row, then the long table.
    page.goto(f"{demo_server.url}/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng điều khiển của tỉnh")
    _no_sideways_scroll(page)
    assert _charts_readable(page, "province") == 4
    before = page.evaluate(
        """() => !!(document.querySelector('.chart-grid').compareDocumentPosition(
             document.querySelector('#centers')) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert before, "the charts come before the table of centers"
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('.chart-figure')).map(f => f.clientWidth)"
    )
    # never the narrow cards of before: at least ~300 px on the phone, ~500 px on the laptop
    assert min(widths) >= (300 if page.width_name == "360" else 500), widths
    month = page.locator("#chart-satisfaction text.x-label").first.text_content()
    assert month.startswith("T") and "/20" in month and "…" not in month, month
    assert page.locator("#chart-satisfaction text.unit").first.text_content() == "%"

    # A center's dashboard and one of its counters.
    page.goto(f"{demo_server.url}/dashboards/centers/{VIET_TRI_CODE}")
    _no_sideways_scroll(page)
    assert _charts_readable(page, "center") >= 2
    page.locator("a[href*='/counters/']").first.click()
    _no_sideways_scroll(page)
    assert _charts_readable(page, "counter") == 2
    ticks = page.locator("#chart-counter-hours text.tick").all_text_contents()
    assert ticks and all("," not in t for t in ticks), ticks  # counts, not 12,5

    # The statistics pages: the overview and one center's two charts, now with captions.
    page.goto(f"{demo_server.url}/statistics/")
    _no_sideways_scroll(page)
    page.goto(f"{demo_server.url}/statistics/centers/{VIET_TRI_CODE}")
    _no_sideways_scroll(page)
    assert _charts_readable(page, "statistics-center") == 2
    captions = page.locator("figure.chart-figure figcaption").all_text_contents()
    assert len(captions) == 2 and all(c.strip() for c in captions), captions
