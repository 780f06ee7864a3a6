"""A manager's and an inspector's daily work on complaints and alerts, at province size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.complaints.models import AlertAcknowledgement, Case
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel
from portal.shared.timeutils import now_utc

PHONE = "+84912345678"


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def province(app, create_center, create_officer, center, other_center):
    centers = [center, other_center, create_center(counters=2), create_center(counters=1)]
    for c in centers:
        create_officer(c, counter=c.counters[0], full_name=f"Lê Thị Hoa {c.code}")
    return centers


def _rate(center, score, comment="", *, key, complaint=False, phone=None, chips=(), aspects=None):
    counter = center.counters[0]
    target = services.Target(
        channel=Channel.COUNTER_QR, center=center, counter=counter, officer=counter.officers[0]
    )
    rating = services.submit_rating(
        target,
        services.RatingInput(
            score=score,
            comment=comment,
            complaint=complaint,
            phone_e164=phone,
            chips=list(chips),
            aspects=aspects or {},
        ),
        nonce_key=key,
    )
    return rating


@pytest.fixture
def cases(app, province):
    """Forty cases over four centers (ten each), half explicit complaints, and 120 satisfied
    ratings."""
    for i in range(160):
        c = province[i % 4]
        if i < 40:
            _rate(
                c,
                1 + i % 2,
                f"Phản ánh {i}: phải chờ rất lâu mới được tiếp nhận hồ sơ đất đai, "
                "cán bộ hướng dẫn chưa rõ ràng và yêu cầu bổ sung giấy tờ không cần thiết",
                key=f"case-{i}",
                complaint=(i // 4) % 2 == 0,
                phone=PHONE if i % 8 == 0 or i == 4 else None,
                chips=("slow", "extra_papers") if (i // 4) % 2 == 0 else ("rude",),
                aspects={"staff": 1, "procedure": 2},
            )
        else:
            _rate(c, 4 + i % 2, key=f"ok-{i}")
    db.session.commit()
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def _case_at(cases, center, *, complaint: bool, phone: bool | None = None):
    for case in cases:
        rating = case.rating
        if case.center_id != center.id or (case.source == "complaint") != complaint:
            continue
        if phone is None or bool(rating.phone_encrypted) == phone:
            return case
    raise AssertionError("no such case")


def test_case_shows_request_problems_counter_officer(client, auth, users, province, cases):
    assert len(cases) == 40
    complaint = _case_at(cases, province[0], complaint=True)
    automatic = _case_at(cases, province[0], complaint=False)
    auth.login(users["manager"])
    html = client.get(f"/cases/{complaint.id}").get_data(as_text=True)
    request_text = re.search(r'id="case-request">(.*?)</dd>', html, re.S).group(1)
    assert "người dân gửi nội dung này như một phản ánh" in request_text
    chips = re.search(r'id="case-chips">(.*?)</dd>', html, re.S).group(1)
    assert "Chờ lâu" in chips and "Yêu cầu thêm giấy tờ" in chips
    assert "extra_papers" not in chips and "slow" not in chips
    assert "Quầy 1" in re.search(r'id="case-counter">(.*?)</dd>', html, re.S).group(1)
    assert "Lê Thị Hoa 07900" in re.search(r'id="case-officer">(.*?)</dd>', html).group(1)
    auto_html = client.get(f"/cases/{automatic.id}").get_data(as_text=True)
    assert "được mở tự động" in re.search(r'id="case-request">(.*?)</dd>', auto_html, re.S).group(1)


def test_hidden_comment_still_shown_to_the_manager(client, auth, users, province, cases):
    case = cases[0]
    auth.login(users["inspector"])
    client.post(
        f"/ratings/07900/ratings/{case.rating_id}/hide",
        data={"hidden": "1", "reason": "Nêu tên cán bộ"},
    )
    auth.logout()
    auth.login(users["manager"])
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="case-comment-hidden"' in html and "Nêu tên cán bộ" in html
    assert "Phản ánh 0: phải chờ rất lâu" in html


def test_manager_reveals_a_consented_phone_number_audited_without_it(
    client, auth, users, province, cases
):
    case = _case_at(cases, province[0], complaint=True, phone=True)
    auth.login(users["manager"])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "0912 345 678" not in page and "0912345678" not in page
    assert 'id="case-phone-masked">09******78<' in page
    assert f'action="/cases/{case.id}/phone"' in page
    assert client.get(f"/cases/{case.id}/phone").status_code == 405  # never by a link
    response = client.post(f"/cases/{case.id}/phone")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert 'href="tel:0912345678"' in html and "0912 345 678" in html
    client.post(f"/cases/{case.id}/phone")
    entries = _audit("case.phone_revealed")
    assert len(entries) == 2  # each reveal
    for entry in entries:
        flat = entry.summary.replace(" ", "")
        assert "912345678" not in flat and "345678" not in flat
        assert entry.actor_id == users["manager"].id and entry.object_id == str(case.id)


@pytest.mark.parametrize("role", ["admin", "inspector", "manager_other", "officer"])
def test_only_the_centers_manager_reveals_the_phone(client, auth, users, province, cases, role):
    case = _case_at(cases, province[0], complaint=True, phone=True)
    auth.login(users[role])
    response = client.post(f"/cases/{case.id}/phone")
    assert response.status_code == 403
    assert "912 345" not in response.get_data(as_text=True)
    assert _audit("case.phone_revealed") == []


def test_no_phone_no_reveal(client, auth, users, province, cases):
    case = _case_at(cases, province[0], complaint=False, phone=False)
    auth.login(users["manager"])
    assert client.post(f"/cases/{case.id}/phone").status_code == 404
    assert "Hiện số điện thoại" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert _audit("case.phone_revealed") == []


def test_answered_case_no_longer_offers_the_answer_form(client, auth, users, province, cases):
    case = cases[0]
    auth.login(users["manager"])
    assert 'name="answer"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post(f"/cases/{case.id}", data={"answer": "Đã bố trí thêm cán bộ."})
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="answer"' not in html and "Đã bố trí thêm cán bộ." in html
    again = client.post(f"/cases/{case.id}", data={"answer": "Sửa lại câu trả lời"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).answer == "Đã bố trí thêm cán bộ."
    assert len(_audit("case.answered")) == 1


def test_lists_show_date_excerpt_and_days_overdue(client, auth, users, province, cases, app):
    late = cases[4]  # at the first center
    late.due_on = late.due_on - timedelta(days=30)
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/cases/").get_data(as_text=True)
    rows = re.findall(r'<tr id="case-\d+".*?</tr>', html, re.S)
    assert len(rows) == 40
    for row in rows:
        assert re.search(r"\d{1,2}/\d{1,2}/\d{2,4}", row), row  # the received date
        assert "Phản ánh" in row and "…" in row  # an excerpt, shortened
    today = services.local_day(now_utc())
    days = (today - late.due_on).days
    late_row = next(r for r in rows if f'id="case-{late.id}"' in r)
    assert f"Quá hạn {days} ngày" in late_row
    overdue_only = client.get("/cases/?overdue=1").get_data(as_text=True)
    assert f"Quá hạn {days} ngày" in overdue_only
    detail = client.get(f"/cases/{late.id}").get_data(as_text=True)
    assert f"Quá hạn {days} ngày" in detail
    # Filtered by center, the list keeps the filter in its links.
    by_center = client.get("/cases/?center=07894").get_data(as_text=True)
    assert len(re.findall(r'<tr id="case-\d+"', by_center)) == 10
    assert "/cases/?status=open&amp;center=07894" in by_center or (
        "/cases/?center=07894&amp;status=open" in by_center
    )


# Alerts --------------------------------------------------------------------------------------


@pytest.fixture
def alerting(app, province, cases):
    """Every center is dissatisfied; two of the first center's cases are overdue."""
    app.config.update(ALERT_MIN_COUNT=5, ALERT_DISSATISFIED_SHARE=0.2, ALERT_SILENT_DAYS=3)
    for case in cases[:8:4]:
        case.due_on = case.due_on - timedelta(days=20)
    db.session.commit()


def _alert_ids(html: str) -> list[str]:
    section = html[html.index('id="open-alerts"') :]
    if 'id="acknowledged-alerts"' in section:
        section = section[: section.index('id="acknowledged-alerts"')]
    return re.findall(r'id="alert-([a-z_]+-\d+-\d+)"', section)


def test_alerts_filter_by_kind_and_center(client, auth, users, province, alerting):
    auth.login(users["inspector"])
    everything = _alert_ids(client.get("/cases/alerts").get_data(as_text=True))
    kinds = {a.rsplit("-", 2)[0] for a in everything}
    assert kinds == {"dissatisfied", "overdue_case", "silent_counter"}
    only = _alert_ids(client.get("/cases/alerts?kind=overdue_case").get_data(as_text=True))
    assert only == [f"overdue_case-{province[0].id}-0"]
    at_center = _alert_ids(client.get("/cases/alerts?center=07894").get_data(as_text=True))
    assert at_center and all(a.split("-")[1] == str(province[1].id) for a in at_center)
    both = client.get("/cases/alerts?kind=dissatisfied&center=07894").get_data(as_text=True)
    assert _alert_ids(both) == [f"dissatisfied-{province[1].id}-0"]
    assert client.get("/cases/alerts?kind=bogus").status_code == 400
    assert client.get("/cases/alerts?center=99999").status_code == 404
    auth.logout()
    auth.login(users["inspector_other"])
    assert client.get("/cases/alerts?center=07900").status_code == 403


def test_acknowledged_alert_leaves_the_open_list_and_is_audited(
    client, auth, users, province, alerting, app
):
    auth.login(users["inspector"])
    key = f"overdue_case-{province[0].id}-0"
    assert key in _alert_ids(client.get("/cases/alerts").get_data(as_text=True))
    response = client.post(
        "/cases/alerts/acknowledge",
        data={
            "kind": "overdue_case",
            "center": "07900",
            "subject": "0",
            "note": "Đã nhắc lãnh đạo trung tâm",
            "back_kind": "overdue_case",
        },
    )
    assert response.status_code == 302 and "kind=overdue_case" in response.headers["Location"]
    html = client.get("/cases/alerts").get_data(as_text=True)
    assert key not in _alert_ids(html)
    acknowledged = html[html.index('id="acknowledged-alerts"') :]
    assert "Đã nhắc lãnh đạo trung tâm" in acknowledged
    (entry,) = _audit("alert.acknowledged")
    assert "overdue_case" in entry.summary and entry.center_id == province[0].id
    # Other alerts stay open; the manager still sees the acknowledged one is handled.
    assert f"dissatisfied-{province[0].id}-0" in _alert_ids(html)
    # After ALERT_ACK_DAYS the alert opens again if the situation lasts.
    ack = db.session.scalars(sa.select(AlertAcknowledgement)).one()
    ack.until_day = services.local_day(now_utc()) - timedelta(days=1)
    db.session.commit()
    assert key in _alert_ids(client.get("/cases/alerts").get_data(as_text=True))


def test_acknowledging_a_closed_or_foreign_alert_changes_nothing(
    client, auth, users, province, alerting
):
    auth.login(users["inspector"])
    response = client.post(
        "/cases/alerts/acknowledge",
        data={"kind": "overdue_case", "center": "07894", "subject": "0"},  # nothing overdue
    )
    assert response.status_code == 302
    assert "flash-error" in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.logout()
    auth.login(users["inspector_other"])
    response = client.post(
        "/cases/alerts/acknowledge",
        data={"kind": "overdue_case", "center": "07900", "subject": "0"},
    )
    assert response.status_code == 403
    auth.logout()
    auth.login(users["manager"])
    response = client.post(
        "/cases/alerts/acknowledge",
        data={"kind": "overdue_case", "center": "07900", "subject": "0"},
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertAcknowledgement)) == 0
    assert _audit("alert.acknowledged") == []


def test_manager_sees_alerts_without_the_acknowledge_button(client, auth, users, alerting):
    auth.login(users["manager"])
    html = client.get("/cases/alerts").get_data(as_text=True)
    assert _alert_ids(html) and "/cases/alerts/acknowledge" not in html


def test_acknowledged_alerts_are_not_sent_again(runner, client, auth, users, province, alerting):
    def manager_part(output: str) -> str:
        return output[output.index("[manager]") :].split("\n[")[0]

    assert "quá hạn" in manager_part(runner.invoke(args=["alerts", "send"]).output)
    auth.login(users["inspector"])
    client.post(
        "/cases/alerts/acknowledge",
        data={"kind": "overdue_case", "center": "07900", "subject": "0"},
    )
    after = manager_part(runner.invoke(args=["alerts", "send"]).output)
    assert "quá hạn" not in after and "không hài lòng" in after
