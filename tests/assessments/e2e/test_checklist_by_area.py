"""A manager walks the checklist one area at a time on a phone and jumps to missing answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SAVED = "Đã lưu mọi thay đổi."


def _open_areas(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('details.area')].filter(d => d.open).map(d => d.id)"
    )


def test_phone_walks_the_checklist_by_area(live_server, phone):
    page = phone
    page.goto(f"{live_server.url}/account/login")
    page.get_by_label("Tên đăng nhập").fill("quanly")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live_server.url}/assessments/")
    page.get_by_role("button", name="Bắt đầu").click()

    # The area menu opens one area alone.
    page.locator(".area-nav a").first.click()
    expect(page).to_have_url(re.compile(r"\?area=personnel#area-personnel$"))
    assert _open_areas(page) == ["area-personnel"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Answer one criterion; the area's label and bar show the same figure.
    page.locator("#c-NL02").get_by_label("Đạt", exact=True).check()
    expect(page.locator('[data-bind="sync"]')).to_have_text(SAVED)
    label = page.locator("#area-personnel > summary [data-area-answered]")
    expect(label).to_have_text("1")
    bar = page.locator("#area-personnel > summary progress")
    assert bar.evaluate("b => [b.value, b.max]") == [1, 8]
    expect(page.locator("#area-personnel > summary .area-progress")).to_contain_text("1/8")
    # The missing-answers list dropped NL02 as soon as it was saved.
    expect(page.locator('#missing [data-missing] a:has-text("NL02")')).to_be_hidden()
    expect(page.locator('[data-bind="missing-count"]')).to_have_text(
        "56"
    )  # 57 scored criteria (TD05 is a hint), one answered

    # Save and go to the next area: the next area opens alone.
    page.get_by_role("button", name=re.compile("Lưu và sang lĩnh vực tiếp theo")).first.click()
    expect(page).to_have_url(re.compile(r"\?area=equipment#area-equipment$"))
    assert _open_areas(page) == ["area-equipment"]
    expect(page.locator("#c-NL02").get_by_label("Đạt", exact=True)).to_be_checked()

    # The missing answers are links; one in a closed area opens it at the criterion.
    missing = page.locator("#missing")
    missing.scroll_into_view_if_needed()
    links = missing.locator("li:not([hidden]) a")
    assert links.count() == 56
    nl03 = missing.get_by_role("link", name=re.compile("NL03"))
    expect(nl03).to_be_visible()
    nl03.click()
    expect(page).to_have_url(re.compile(r"\?area=personnel#c-NL03$"))
    expect(page.locator("#c-NL03")).to_be_in_viewport()
    assert "area-personnel" in _open_areas(page)
    # A link inside the open area jumps without leaving the page.
    nl04 = page.locator("#missing").get_by_role("link", name=re.compile("NL04"))
    nl04.click()
    expect(page).to_have_url(re.compile(r"#c-NL04$"))
    expect(page.locator("#c-NL04")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A closed area opens with a tap on its heading (no script needed for <details>).
    page.locator("#area-equipment > summary").click()
    assert "area-equipment" in _open_areas(page)
