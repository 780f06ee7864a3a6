"""The audit log reads as sentences: who did what to which center, old → new in words."""

from __future__ import annotations

import html as html_lib
from datetime import timedelta

import sqlalchemy as sa

from portal.accounts import services as accounts
from portal.audit import sentences
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.settings import services as settings


def _page(client, query=""):
    return html_lib.unescape(client.get(f"/audit/{query}").get_data(as_text=True))


def test_account_change_reads_as_a_sentence_with_words(client, auth, users, center, other_center):
    admin, officer = users["admin"], users["officer"]
    data = accounts.UserData(
        username=officer.username,
        full_name=officer.full_name,
        email=None,
        role="manager",
        center_id=other_center.id,
        scope_province_code=None,
        scope_center_ids=[],
        is_active=False,
    )
    accounts.update_user(officer, actor=admin, data=data)
    db.session.commit()
    auth.login(admin)
    page = _page(client, "?action=user.updated")
    assert (
        "admin (Quản trị viên) đã sửa tài khoản officer, tại "
        "Trung tâm Phục vụ hành chính công phường Nông Trang (07894)." in page
    )
    assert "Vai trò</b>:" in page and "Công chức tại quầy → Quản lý trung tâm" in page
    assert (
        "Trung tâm Phục vụ hành chính công phường Việt Trì (07900) → "
        "Trung tâm Phục vụ hành chính công phường Nông Trang (07894)" in page
    )
    assert "có → không" in page
    assert "{" not in page.split("<main", 1)[1]  # no raw dictionaries


def test_settings_change_shows_old_and_new_values_in_words(client, auth, users):
    settings.update_settings(
        actor=users["admin"],
        values={"case_due_working_days": 7, "alert_dissatisfied_share": 25},
    )
    db.session.commit()
    auth.login(users["admin"])
    page = _page(client)
    assert "admin (Quản trị viên) đã thay đổi cấu hình." in page
    assert "Thời hạn trả lời phản ánh (ngày làm việc)</b>:" in page
    assert "5 → 7" in page
    assert "30% → 25%" in page


def test_personal_values_stay_hidden_and_unknown_actions_still_read(client, auth, users):
    audit.record(
        actor=users["admin"],
        action="widget.mystery",
        object_type="widget",
        object_id=12,
        summary={"full_name": "changed", "visit_date": ["2026-11-02", "2026-11-09"]},
    )
    db.session.commit()
    auth.login(users["admin"])
    page = _page(client)
    assert "admin (Quản trị viên) đã thực hiện “widget.mystery” với widget #12." in page
    assert "đã thay đổi (dữ liệu cá nhân, không ghi vào nhật ký)" in page
    assert "02/11/2026 → 09/11/2026" in page


def test_features_register_their_own_sentences(app):
    sentences.register_action(
        "inspection.verdict",
        name="Inspection verdict",
        sentence="%(actor)s recorded the verdict of inspection %(object)s",
    )
    sentences.register_fields({"verdict": "Verdict"})
    try:
        assert ("inspection.verdict", "Inspection verdict") in sentences.action_choices()
        text = sentences.describe(
            "inspection.verdict", actor="tt (Inspector)", obj="#3", center="Trung tâm X"
        )
        assert text.startswith("tt (Inspector) recorded the verdict of inspection #3")
        assert "Trung tâm X" in text
        (change,) = sentences.changes({"verdict": [None, "pass"]})
        assert (change.label, change.old, change.new) == ("Verdict", None, "pass")
    finally:
        sentences._ACTIONS.pop("inspection.verdict")
        sentences._FIELD_LABELS.pop("verdict")


def test_filters_by_center_name_actor_action_and_dates(client, auth, users, center, other_center):
    admin, manager = users["admin"], users["manager"]
    audit.record(
        actor=manager, action="counter.updated", object_type="counter", center_id=center.id
    )
    audit.record(
        actor=admin, action="counter.updated", object_type="counter", center_id=other_center.id
    )
    audit.record(actor=admin, action="settings.updated", object_type="settings")
    old = audit.record(actor=admin, action="logout", object_type="user")
    old.created_at = old.created_at - timedelta(days=40)  # only for the date filter below
    db.session.commit()
    auth.login(admin)
    page = _page(client, "?center_code=phuong+viet+tri")
    assert "manager (Quản lý trung tâm) đã sửa" in page and "Nông Trang (07894)." not in page
    page = _page(client, "?actor=manager")
    assert "manager (Quản lý trung tâm)" in page and "đã thay đổi cấu hình" not in page
    page = _page(client, "?action=settings.updated")
    assert "đã thay đổi cấu hình" in page and "đã sửa quầy" not in page
    today = db.session.scalar(sa.select(sa.func.max(AuditEntry.created_at))).date()
    page = _page(client, f"?date_to={(today - timedelta(days=30)).isoformat()}")
    assert "đã đăng xuất" in page and "đã thay đổi cấu hình" not in page
    page = _page(client, "?center_code=khong+co+dau")
    assert "Không có trung tâm nào khớp với “khong co dau”." in page


def test_log_is_paginated(client, auth, users, app):
    app.config["PER_PAGE"] = 3
    for _i in range(7):
        audit.record(actor=users["admin"], action="settings.updated", object_type="settings")
    db.session.commit()
    auth.login(users["admin"])
    page = _page(client, "?action=settings.updated")
    assert page.count("đã thay đổi cấu hình") == 3
    last = _page(client, "?action=settings.updated&page=3")
    assert last.count("đã thay đổi cấu hình") == 1
    assert 'rel="prev"' in last and 'rel="next"' not in last
