"""Who handles a complaint, the staff's internal notes, and the working days left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.complaints import services as cases
from portal.complaints.models import Case, CaseNote
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel
from portal.settings.models import PublicHoliday
from portal.shared.errors import PermissionDenied, PortalError
from portal.shared.timeutils import today_local
from portal.shared.workdays import add_working_days, working_days_left
from tests.conftest import PASSWORD

NOTE = "Đã gọi điện, hẹn người dân sáng thứ Hai quay lại quầy 2."


def _rate(center, comment="Phải chờ 2 tiếng", *, key="k", phone=None):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    rating = services.submit_rating(
        target,
        services.RatingInput(score=1, comment=comment, complaint=True, phone_e164=phone),
        nonce_key=key,
    )
    db.session.commit()
    return rating


@pytest.fixture
def case(app, center):
    rating = _rate(center, phone="+84912345678")
    return db.session.scalar(sa.select(Case).where(Case.rating_id == rating.id))


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def _fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


# Assignment ----------------------------------------------------------------------------------


def test_manager_assigns_the_complaint_and_finds_it_under_assigned_to_me(client, auth, users, case):
    auth.login(users["manager"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="assign-form"' in page and "Phân công" in page
    options = re.findall(r'<option[^>]*value="(\d+)"', page)
    assert str(users["manager"].id) in options and str(users["inspector"].id) in options
    for outsider in ("manager_other", "inspector_other", "officer", "admin"):
        assert str(users[outsider].id) not in options

    response = client.post(f"/cases/{case.id}/assign", data={"assignee": users["manager"].id})
    assert response.status_code == 302
    assert _fresh(case).assignee_id == users["manager"].id
    assert _fresh(case).assigned_at is not None
    [entry] = _audit("case.assigned")
    assert entry.actor_id == users["manager"].id and entry.object_id == str(case.id)

    detail = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert users["manager"].full_name in re.search(r'id="case-assignee">(.*?)</dd>', detail).group(
        1
    )
    mine = client.get("/cases/?mine=1").get_data(as_text=True)
    assert f'id="case-{case.id}"' in mine and "Giao cho tôi" in mine
    auth.logout()
    auth.login(users["inspector"])
    assert f'id="case-{case.id}"' not in client.get("/cases/?mine=1").get_data(as_text=True)
    assert f'id="case-{case.id}"' in client.get("/cases/").get_data(as_text=True)


def test_inspector_in_scope_assigns_to_themself_and_back_to_nobody(client, auth, users, case):
    auth.login(users["inspector"])
    client.post(f"/cases/{case.id}/assign", data={"assignee": users["inspector"].id})
    assert _fresh(case).assignee_id == users["inspector"].id
    client.post(f"/cases/{case.id}/assign", data={"assignee": "0"})
    assert _fresh(case).assignee_id is None
    assert len(_audit("case.assigned")) == 2


@pytest.mark.parametrize("outsider", ["manager_other", "inspector_other", "officer", "admin"])
def test_an_assignee_outside_the_center_is_refused_with_a_translated_error(
    client, auth, users, case, outsider
):
    auth.login(users["manager"])
    response = client.post(f"/cases/{case.id}/assign", data={"assignee": users[outsider].id})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in html
    assert "Not a valid choice" not in html
    assert _fresh(case).assignee_id is None
    assert _audit("case.assigned") == []


def test_garbage_assignee_changes_nothing(client, auth, users, case):
    auth.login(users["manager"])
    for value in ("abc", "", "99999999", "-1"):
        response = client.post(f"/cases/{case.id}/assign", data={"assignee": value})
        assert response.status_code == 200
        assert 'class="errors"' in response.get_data(as_text=True)
    assert _fresh(case).assignee_id is None


def test_assign_service_checks_the_actor_and_the_assignee(app, users, case):
    with pytest.raises(PermissionDenied):
        cases.assign_case(case, users["manager"], actor=users["manager_other"])
    with pytest.raises(PortalError):
        cases.assign_case(case, users["manager_other"], actor=users["manager"])
    with pytest.raises(PortalError):
        cases.assign_case(case, users["officer"], actor=users["admin"])
    db.session.rollback()
    assert _fresh(case).assignee_id is None
    assert [u.id for u in cases.assignable_users(case)] == [
        users["manager"].id,
        users["inspector"].id,
    ]


def test_a_disabled_inspector_is_not_offered(app, users, case, create_user):
    gone = create_user(Role.INSPECTOR, scope_province_code=25, is_active=False)
    assert gone.id not in [u.id for u in cases.assignable_users(case)]
    assert not cases.can_be_assigned(gone, case)


@pytest.mark.parametrize("outsider", ["manager_other", "inspector_other"])
def test_another_centers_staff_cannot_assign_or_note_by_posting_ids(
    client, auth, users, case, outsider
):
    auth.login(users[outsider])
    assign = client.post(f"/cases/{case.id}/assign", data={"assignee": users[outsider].id})
    note = client.post(f"/cases/{case.id}/notes", data={"text": "Ghi chú lạ"})
    assert assign.status_code == 403 and note.status_code == 403
    assert client.post("/cases/987654/assign", data={"assignee": "0"}).status_code == 404
    assert client.post("/cases/987654/notes", data={"text": "x"}).status_code == 404
    assert _fresh(case).assignee_id is None
    assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 0
    assert _audit("case.assigned") == [] and _audit("case.note_added") == []


# Internal notes ------------------------------------------------------------------------------


def test_notes_are_added_in_order_with_author_and_audited_without_their_text(
    client, auth, users, case
):
    auth.login(users["manager"])
    assert client.post(f"/cases/{case.id}/notes", data={"text": NOTE}).status_code == 302
    auth.logout()
    auth.login(users["inspector"])
    client.post(f"/cases/{case.id}/notes", data={"text": "Đoàn kiểm tra sẽ theo dõi."})
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    notes = re.search(r'id="case-notes">(.*?)</ol>', html, re.S).group(1)
    assert notes.index(NOTE) < notes.index("Đoàn kiểm tra sẽ theo dõi.")
    assert users["manager"].full_name in notes and users["inspector"].full_name in notes
    assert re.search(r"\d{2}/\d{2}/\d{4}", notes)
    entries = _audit("case.note_added")
    assert len(entries) == 2
    assert all("gọi điện" not in e.summary for e in entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Trường này là bắt buộc."),
        ("   \u200b  ", "Hãy viết nội dung ghi chú."),
        ("x" * 4001, "4000"),
    ],
)
def test_a_bad_note_is_refused_with_a_translated_error(client, auth, users, case, text, message):
    auth.login(users["manager"])
    response = client.post(f"/cases/{case.id}/notes", data={"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 0
    assert _audit("case.note_added") == []


def test_notes_are_append_only(app, users, case):
    note = cases.add_note(case, NOTE, actor=users["manager"])
    db.session.commit()
    note.text = "Sửa lại"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(CaseNote, note.id).text == NOTE


def test_officers_and_other_centers_cannot_read_the_notes(client, auth, users, case):
    cases.add_note(case, NOTE, actor=users["manager"])
    db.session.commit()
    for role in ("officer", "manager_other", "inspector_other"):
        auth.login(users[role])
        response = client.get(f"/cases/{case.id}")
        assert response.status_code == 403 and NOTE not in response.get_data(as_text=True)
        auth.logout()


def test_notes_and_assignee_never_reach_the_citizen(client, users, case):
    cases.add_note(case, NOTE, actor=users["manager"])
    cases.assign_case(case, users["inspector"], actor=users["manager"])
    db.session.commit()
    code = case.rating.tracking_code
    pages = [
        client.get(f"/t/?code={code}"),
        client.get(f"/t/?code={code.lower()}"),
        client.get(f"/t/erase/confirm?code={code}"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert NOTE not in html and "gọi điện" not in html
        assert users["inspector"].full_name not in html and users["manager"].full_name not in html
        assert "Ghi chú nội bộ" not in html


# Days left -----------------------------------------------------------------------------------


def _set_due(center, key, due_on, *, answered=False):
    rating = _rate(center, f"Phản ánh {key}", key=key)
    case = db.session.scalar(sa.select(Case).where(Case.rating_id == rating.id))
    case.due_on = due_on
    if answered:
        case.status = "answered"
        case.answer = "Đã xử lý."
    db.session.commit()
    return case


def test_overdue_first_then_fewest_days_left_then_answered(client, auth, users, center):
    today = today_local()
    soon = add_working_days(today, 2)
    later = add_working_days(today, 9)
    made = {
        "later": _set_due(center, "later", later),
        "answered": _set_due(center, "answered", today - timedelta(days=40), answered=True),
        "late": _set_due(center, "late", today - timedelta(days=3)),
        "soon": _set_due(center, "soon", soon),
        "very_late": _set_due(center, "very_late", today - timedelta(days=20)),
    }
    auth.login(users["manager"])
    html = client.get("/cases/").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<tr id="case-(\d+)"', html)]
    expected = ["very_late", "late", "soon", "later", "answered"]
    assert order == [made[k].id for k in expected]
    rows = dict(re.findall(r'<tr id="case-(\d+)".*?<td class="days">(.*?)</td>', html, re.S))
    assert "Còn 2 ngày làm việc" in rows[str(made["soon"].id)]
    assert "Còn 9 ngày làm việc" in rows[str(made["later"].id)]
    late_days = -working_days_left(today, today - timedelta(days=20))
    assert f"Quá hạn {late_days} ngày làm việc" in rows[str(made["very_late"].id)]
    assert rows[str(made["answered"].id)].strip() == "–"
    detail = client.get(f"/cases/{made['soon'].id}").get_data(as_text=True)
    assert "Còn 2 ngày làm việc" in re.search(r'id="case-days-left">(.*?)</dd>', detail).group(1)


def test_days_left_skip_the_stored_public_holidays(client, auth, users, center):
    today = today_local()
    due = add_working_days(today, 3)
    case = _set_due(center, "tet", due)
    auth.login(users["manager"])
    before = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Còn 3 ngày làm việc" in before
    holiday = add_working_days(today, 1)
    db.session.add(PublicHoliday(day=holiday, name="Nghỉ bù"))
    db.session.commit()
    after = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Còn 2 ngày làm việc" in after


def test_days_left_service(app, case):
    today = today_local()
    case.due_on = today
    assert cases.days_left(case, today) == 0
    case.due_on = today - timedelta(days=1)
    assert cases.days_left(case, today) <= -1
    case.status = "answered"
    assert cases.days_left(case, today) is None
    db.session.rollback()


def test_english_labels(client, auth, users, case):
    auth.login(users["manager"])
    client.get("/account/language/en")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Internal notes" in html and "Assigned to" in html
    assert re.search(r"\d+ working days? left|Due today", html)


def test_csrf_protects_assign_and_notes(make_app, app_config, users, case):
    manager_id, case_id = users["manager"].id, case.id
    db.session.commit()  # the other app's requests must find no lock held
    strict = make_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        strict.get("/account/login").get_data(as_text=True),
    ).group(1)
    login = {"username": "manager", "password": PASSWORD, "csrf_token": token}
    assert strict.post("/account/login", data=login).status_code == 302
    for url, data in (
        (f"/cases/{case_id}/assign", {"assignee": manager_id}),
        (f"/cases/{case_id}/notes", {"text": NOTE}),
    ):
        assert strict.post(url, data=data).status_code == 400
    page = strict.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # the assignment and the note forms
    assert db.session.get(Case, case_id).assignee_id is None
    assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 0
