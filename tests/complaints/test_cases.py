"""Complaints: opened from ratings, answered by the manager, seen by the citizen; alerts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.complaints.models import Case
from portal.complaints.services import add_working_days
from portal.extensions import db
from portal.rankings.alerts import compute_alerts
from portal.ratings import services
from portal.ratings.models import Channel, Rating
from portal.shared.timeutils import now_utc, today_local


@pytest.mark.parametrize(
    "start,days,due",
    [
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 → Monday
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday + 5 → next Monday
        (date(2026, 11, 22), 1, date(2026, 11, 23)),  # Sunday + 1 → Monday
    ],
)
def test_working_days(start, days, due):
    assert add_working_days(start, days) == due


def rate(center, score, comment="", *, complaint=False, key="k"):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    rating = services.submit_rating(
        target,
        services.RatingInput(score=score, comment=comment, complaint=complaint),
        nonce_key=key,
    )
    db.session.commit()
    return rating


def test_case_flow_manager_answers_citizen_sees(client, auth, users, center, app):
    rating = rate(center, 2, "Phải chờ 2 tiếng")
    case = db.session.scalars(sa.select(Case)).one()
    assert case.due_on == add_working_days(rating.day, app.config["CASE_DUE_WORKING_DAYS"])
    track = client.get(f"/t/?code={rating.tracking_code}").get_data(as_text=True)
    assert "Đang xử lý" in track
    auth.login(users["manager"])
    assert "Phải chờ 2 tiếng" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}", data={"answer": "Đã bố trí thêm quầy."})
    assert response.status_code == 302
    auth.logout()
    track = client.get(f"/t/?code={rating.tracking_code}").get_data(as_text=True)
    assert "Đã trả lời" in track and "Đã bố trí thêm quầy." in track


def test_empty_answer_is_refused(client, auth, users, center):
    rate(center, 1, "Kém")
    case = db.session.scalars(sa.select(Case)).one()
    auth.login(users["manager"])
    response = client.post(f"/cases/{case.id}", data={"answer": ""})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "open"


@pytest.mark.parametrize("blank", [" ", "\u200b\u200b", "\r\n\t"])
def test_blank_answer_is_refused_with_a_message_not_a_500(client, auth, users, center, blank):
    """Found by the form fuzzer: text that cleans to nothing passed the form and then the
    service refused it with an exception the view did not catch."""
    rate(center, 1, "Kém")
    case = db.session.scalars(sa.select(Case)).one()
    auth.login(users["manager"])
    response = client.post(f"/cases/{case.id}", data={"answer": blank})
    assert response.status_code == 200
    assert "Hãy viết câu trả lời cho người dân." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "open"


def test_inspector_sees_overdue_cases(client, auth, users, center):
    rate(center, 1, "Kém", key="a")
    rate(center, 1, "Rất kém", key="b")
    first, second = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    first.due_on = today_local() - timedelta(days=3)
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/cases/?overdue=1").get_data(as_text=True)
    assert f"/cases/{first.id}" in html and f"/cases/{second.id}" not in html
    assert client.get("/cases/?status=bogus").status_code == 400


def test_alerts(app, center, other_center):
    app.config.update(ALERT_MIN_COUNT=4, ALERT_DISSATISFIED_SHARE=0.3, ALERT_SILENT_DAYS=3)
    for i, score in enumerate([1, 2, 5, 5]):
        rate(center, score, key=f"x{i}")
    rate(center, 1, "Kém", key="y")
    db.session.scalars(sa.select(Case)).one().due_on = today_local() - timedelta(days=1)
    # A rating 10 days ago on the other center's counter: it has gone silent.
    old = rate(other_center, 5, key="z")
    old.created_at -= timedelta(days=10)
    old.day = services.local_day(old.created_at)
    db.session.commit()
    today = services.local_day(now_utc())
    with app.test_request_context():
        alerts = compute_alerts(sa.true(), today)
    kinds = {(a.kind, a.center_code) for a in alerts}
    assert ("dissatisfied", "07900") in kinds  # 3 of 5 dissatisfied
    assert ("overdue_case", "07900") in kinds
    assert ("silent_counter", "07894") in kinds
    assert ("silent_counter", "07900") in kinds  # counter 2 never rated
    assert not any(a.kind == "dissatisfied" and a.center_code == "07894" for a in alerts)


def test_alerts_below_minimum_count_stay_quiet(app, center):
    app.config.update(ALERT_MIN_COUNT=10)
    for i in range(3):
        rate(center, 1, key=f"q{i}")
    with app.test_request_context():
        alerts = compute_alerts(sa.true(), services.local_day(now_utc()))
    assert not any(a.kind == "dissatisfied" for a in alerts)


def test_alerts_send_prints_without_smtp(runner, users, center):
    for i in range(12):
        rate(center, 1, key=f"m{i}")
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0
    assert "[manager]" in result.output and "0 e-mail(s) sent" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 12


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_alerts_send_emails_through_smtp_when_configured(runner, app, users, center, monkeypatch):
    import portal.rankings.alerts as alerts_module

    FakeSMTP.sent = []
    monkeypatch.setattr(alerts_module.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.vn", MAIL_FROM="canhbao@example.vn")
    users["manager"].email = "quanly@example.vn"
    db.session.commit()
    for i in range(12):
        rate(center, 1, key=f"e{i}")
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0 and "1 e-mail(s) sent" in result.output
    (message,) = FakeSMTP.sent
    assert message["To"] == "quanly@example.vn"
    assert "07900" in message.get_content() and "không hài lòng" in message.get_content()
