"""A manager fills part of the checklist on a phone, loses the connection, attaches a photo,
saves, reloads, finishes and submits — in a real browser."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.assessments.models import Answer, Assessment, Evidence
from portal.extensions import db
from tests.assessments.conftest import make_photo
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SAVED = "Đã lưu mọi thay đổi."
OFFLINE = "Mất kết nối"


def _article(page, code: str):
    return page.locator(f"#c-{code}")


def test_phone_checklist_offline_photo_save_reload_submit(live_server, live_app, phone):
    page = phone
    page.goto(f"{live_server.url}/account/login")
    page.get_by_label("Tên đăng nhập").fill("quanly")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(f"{live_server.url}/assessments/")
    page.get_by_role("button", name="Bắt đầu").click()
    expect(page.locator("h1")).to_contain_text("phường Việt Trì")
    # Readable on a 390 px phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Part of the checklist; the script saves in the background and says so.
    _article(page, "NL02").get_by_label("Đạt", exact=True).check()
    _article(page, "NL05").get_by_label(re.compile("Giá trị")).fill("75")
    _article(page, "NL05").get_by_label("Ghi chú").fill("3/4 công chức đã tập huấn")
    expect(page.locator('[data-bind="sync"]')).to_have_text(SAVED)
    expect(page.locator('[data-bind="answered"]')).to_have_text("2")

    # The connection drops: the answer is kept on the phone, then sent when it returns.
    page.context.set_offline(True)
    _article(page, "NL03").get_by_label("Đạt một phần").check()
    expect(page.locator('[data-bind="sync"]')).to_contain_text(OFFLINE)
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('portal.checklist'))"
    )
    assert len(stored) == 1
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator('[data-bind="sync"]')).to_have_text(SAVED)
    expect(page.locator('[data-bind="answered"]')).to_have_text("3")

    # A photo for the civil-servant card gate, sent with the form.
    td03 = _article(page, "TD03")
    td03.get_by_label("Có", exact=True).check()
    td03.get_by_label("Đính kèm ảnh hoặc PDF").set_input_files(
        files=[{"name": "the-cong-chuc.jpg", "mimeType": "image/jpeg", "buffer": make_photo(3)}]
    )
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".flashes")).to_contain_text("Đã đính kèm 1 tệp.")
    expect(_article(page, "TD03").locator(".evidence img")).to_have_count(1)
    thumbnail = _article(page, "TD03").locator(".evidence img")
    thumbnail.scroll_into_view_if_needed()
    # The photo is served through the authorized view and decodes in the browser.
    page.wait_for_function(
        "() => { const i = document.querySelector('#c-TD03 .evidence img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )

    # Reload: everything is still there.
    page.reload()
    expect(_article(page, "NL02").get_by_label("Đạt", exact=True)).to_be_checked()
    expect(_article(page, "NL03").get_by_label("Đạt một phần")).to_be_checked()
    expect(_article(page, "NL05").get_by_label(re.compile("Giá trị"))).to_have_value("75")
    expect(_article(page, "TD03").get_by_label("Có", exact=True)).to_be_checked()
    assert page.evaluate("Object.keys(localStorage).length") == 0

    # Finish: answer the rest, then submit.
    page.evaluate(
        """() => document.querySelectorAll('article[data-criterion]').forEach(art => {
            const id = art.dataset.criterion;
            const num = art.querySelector(`input[name="c${id}-number"]`);
            if (num && !num.value) num.value = "80";
            const radios = art.querySelectorAll(`input[name="c${id}-choice"]`);
            if (radios.length && !art.querySelector('input[type=radio]:checked')) {
                radios[0].checked = true;
            }
        })"""
    )
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Nộp", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Đã nộp bản tự đánh giá.")
    expect(page.get_by_role("button", name="Lưu nháp")).to_have_count(0)
    assert questions == ["Nộp bản tự đánh giá? Sau khi nộp sẽ không sửa được nữa."]

    with live_app.app_context():
        assessment = db.session.scalars(sa.select(Assessment)).one()
        assert assessment.status == "submitted" and assessment.self_score is not None
        answers = {a.criterion.code: a for a in db.session.scalars(sa.select(Answer))}
        assert len(answers) == 58
        assert answers["NL03"].choice == "partial" and answers["NL05"].number == 75
        assert db.session.scalars(sa.select(Evidence)).one().kind == "photo"
