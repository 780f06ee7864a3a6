"""The province-wide queue of held ratings: what it lists for whom, its filters, the bulk
verdict (one reason, each rating as a single verdict, all or nothing), and the citizen's
pages while a rating is held and after the verdict."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.ratings import held, services
from portal.ratings.models import Channel, FlagReview, Rating, RatingRollup
from portal.ratings.screening import holding_flags
from portal.shared.errors import PermissionDenied, PortalError
from portal.shared.timeutils import now_utc

from .conftest import tracking_of

_nonces = iter(range(10**6))


@pytest.fixture
def hold(app):
    """``hold(center, flags=…, score=…, comment=…, days_ago=…)``: a stored held rating."""

    def make(center, *, flags=("burst",), score=3, comment="", days_ago=0):
        counter = center.counters[0] if center.counters else None
        target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=counter)
        rating = services.submit_rating(
            target,
            services.RatingInput(score=score, comment=comment),
            nonce_key=f"held-{next(_nonces)}",
            screening=services.Screening(
                moment=now_utc() - timedelta(days=days_ago), flags=tuple(flags)
            ),
        )
        db.session.commit()
        return rating

    return make


def audit_actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def centre_counts() -> int:
    return int(
        db.session.scalar(
            sa.select(
                sa.func.coalesce(
                    sa.func.sum(
                        RatingRollup.n1
                        + RatingRollup.n2
                        + RatingRollup.n3
                        + RatingRollup.n4
                        + RatingRollup.n5
                    ),
                    0,
                )
            ).where(RatingRollup.scope == "center")
        )
    )


# The off-hours rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "complaint", "kept"),
    [
        ([], False, []),
        ([], True, []),
        (["off_hours"], False, ["off_hours"]),
        (["off_hours"], True, []),
        (["off_hours", "burst"], True, ["off_hours", "burst"]),
        (["burst"], True, ["burst"]),
        (["staff_network"], True, ["staff_network"]),
        (["off_hours", "staff_session"], False, ["off_hours", "staff_session"]),
    ],
)
def test_a_complaint_is_not_held_for_the_hour_alone(flags, complaint, kept):
    assert holding_flags(flags, complaint=complaint) == kept


@pytest.mark.parametrize(
    ("score", "comment", "explicit", "flags", "held_after"),
    [
        (1, "Chờ 3 tiếng không ai tiếp", False, ("off_hours",), False),  # dissatisfied, a case
        (4, "Cán bộ yêu cầu thêm giấy tờ", True, ("off_hours",), False),  # explicit complaint
        (1, "", False, ("off_hours",), True),  # no comment: no case, held
        (5, "Rất tốt", False, ("off_hours",), True),  # praise: no case, held
        (1, "Chờ lâu", False, ("off_hours", "burst"), True),  # another reason still holds it
    ],
)
def test_submission_applies_the_off_hours_rule(
    app, center, score, comment, explicit, flags, held_after
):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    rating = services.submit_rating(
        target,
        services.RatingInput(score=score, comment=comment, complaint=explicit),
        nonce_key=f"rule-{next(_nonces)}",
        screening=services.Screening(moment=now_utc(), flags=flags),
    )
    db.session.commit()
    assert rating.is_pending_review is held_after
    if held_after:
        assert rating.flag_list == list(flags)
    else:
        assert rating.flags == "" and rating.is_reportable
        assert centre_counts() == 1  # it counts at once


def test_a_complaint_sent_after_hours_is_counted_and_the_citizen_is_not_told_it_is_held(
    app, rater, counter_url
):
    app.config["RATING_CLOSED_WEEKDAYS"] = tuple(range(7))  # closed all week: off hours
    page = rater.submit(counter_url, {"score": "1", "comment": "Nộp hồ sơ từ sáng chưa xong"})
    html = page.get_data(as_text=True)
    assert 'id="held-for-review"' not in html
    rating = db.session.scalar(sa.select(Rating).where(Rating.tracking_code == tracking_of(page)))
    assert rating.flags == "" and rating.is_reportable
    # Without a complaint the hour still holds it, and the page says so.
    page = rater.submit(counter_url, {"score": "5"})
    html = page.get_data(as_text=True)
    assert 'id="held-for-review"' in html
    assert "trong vòng 5 ngày làm việc" in html


# The queue (service) -------------------------------------------------------------------------


def test_the_queue_is_the_actors_held_ratings_oldest_first(
    app, hold, center, other_center, users, create_center
):
    old = hold(center, days_ago=9)
    new = hold(other_center, flags=("off_hours", "burst"), days_ago=1)
    hold(center, flags=())  # not held
    far = create_center("00001", province_code=1, counters=1)
    hold(far)
    decided = hold(center, days_ago=3)
    services.review_flags(decided, FlagReview.REJECTED, "Khách đoàn", actor=users["admin"])
    db.session.commit()

    def ids(user, **filters):
        stmt = held.held_query(user, held.HeldFilter(**filters), now=now_utc())
        return [r.id for r in db.session.scalars(stmt)]

    assert ids(users["inspector"]) == [old.id, new.id]
    assert held.held_count(users["inspector"]) == 2
    assert held.held_count(users["admin"]) == 3
    assert ids(users["inspector_other"]) == []
    assert ids(users["inspector"], flag="off_hours") == [new.id]
    assert ids(users["inspector"], flag="burst") == [old.id, new.id]
    assert ids(users["inspector"], flag="over_receipts") == []
    assert ids(users["inspector"], center="07894") == [new.id]
    assert ids(users["inspector"], center="viet tri") == [old.id]
    assert ids(users["inspector"], center="Nông Trang") == [new.id]
    assert ids(users["inspector"], older_than_days=5) == [old.id]


def test_bulk_verdict_decides_each_rating_as_a_single_verdict(app, hold, center, users):
    ratings = [hold(center, score=s) for s in (1, 4, 5)]
    result = held.review_many(
        [r.id for r in ratings],
        "rejected",
        "  Khách đoàn   đánh giá cùng lúc ",
        actor=users["inspector"],
    )
    db.session.commit()
    assert result == held.BulkResult(decided=3, skipped=0)
    db.session.expire_all()
    for rating in ratings:
        rating = db.session.get(Rating, rating.id)
        assert rating.is_reportable and rating.flag_review == "rejected"
        assert rating.flag_review_reason == "Khách đoàn đánh giá cùng lúc"
        assert rating.cleared_by_id == users["inspector"].id
    assert audit_actions().count("rating.flags_cleared") == 3
    assert centre_counts() == 3
    assert held.held_count(users["inspector"]) == 0


def test_bulk_verdict_skips_what_someone_else_decided(app, hold, center, users):
    first, second = hold(center), hold(center)
    services.review_flags(first, FlagReview.CONFIRMED, "Gian lận", actor=users["admin"])
    db.session.commit()
    result = held.review_many(
        [first.id, second.id], "confirmed", "Cùng một máy", actor=users["inspector"]
    )
    db.session.commit()
    assert result == held.BulkResult(decided=1, skipped=1)
    assert db.session.get(Rating, first.id).cleared_by_id == users["admin"].id


@pytest.mark.parametrize(
    ("ids", "verdict", "reason", "error"),
    [
        ("mine", "rejected", "   ", PortalError),
        ("mine", "maybe", "Lý do", PortalError),
        ("none", "rejected", "Lý do", PortalError),
        ("theirs", "rejected", "Lý do", PermissionDenied),
        ("missing", "rejected", "Lý do", PermissionDenied),
    ],
)
def test_bulk_verdict_refused_changes_nothing(
    app, hold, center, users, create_center, ids, verdict, reason, error
):
    mine = hold(center)
    far = create_center("00001", province_code=1, counters=1)
    theirs = hold(far)
    chosen = {
        "mine": [mine.id],
        "none": [],
        "theirs": [mine.id, theirs.id],
        "missing": [mine.id, theirs.id + 1000],
    }[ids]
    with pytest.raises(error):
        held.review_many(chosen, verdict, reason, actor=users["inspector"])
    db.session.rollback()
    assert db.session.get(Rating, mine.id).is_pending_review
    assert db.session.get(Rating, theirs.id).is_pending_review
    assert "rating.flags_cleared" not in audit_actions()


# The queue page ----------------------------------------------------------------------------


def test_queue_page_lists_held_ratings_in_words(client, auth, users, hold, center, other_center):
    old = hold(center, flags=("off_hours",), score=3, days_ago=8, comment="Chờ quá lâu " * 20)
    hold(other_center, flags=("burst",), score=4, days_ago=2)
    auth.login(users["inspector"])
    response = client.get("/ratings/held")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2 đánh giá đang chờ kiểm tra" in html
    rows = re.findall(r'<tr id="held-(\d+)"', html)
    assert rows[0] == str(old.id) and len(rows) == 2  # oldest first
    assert "Gửi ngoài giờ làm việc" in html  # the reason in words
    assert "Phường Việt Trì" in html or "phường Việt Trì" in html
    assert "8 ngày" in html
    assert "Quá hạn kiểm tra" in html  # 8 days > 5 working days
    assert "Chờ quá lâu" in html and "…" in html  # an excerpt, not the whole comment
    day = old.day.isoformat()
    assert f"/ratings/07900?from={day}&amp;to={day}#pending-{old.id}" in html
    # The link leads to the rating on its center's page.
    detail = client.get(f"/ratings/07900?from={day}&to={day}").get_data(as_text=True)
    assert f'id="pending-{old.id}"' in detail


def test_queue_filters(client, auth, users, hold, center, other_center):
    a = hold(center, flags=("off_hours",), days_ago=8)
    b = hold(other_center, flags=("burst",), days_ago=2)
    auth.login(users["inspector"])

    def rows(query):
        html = client.get(f"/ratings/held?{query}").get_data(as_text=True)
        return [int(i) for i in re.findall(r'<tr id="held-(\d+)"', html)]

    assert rows("flag=off_hours") == [a.id]
    assert rows("flag=burst") == [b.id]
    assert rows("center=N%C3%B4ng+Trang") == [b.id]
    assert rows("center=07900") == [a.id]
    assert rows("older_than=5") == [a.id]
    assert rows("older_than=14") == []
    assert rows("flag=&center=&older_than=") == [a.id, b.id]
    assert client.get("/ratings/held?flag=nonsense").status_code == 400
    assert client.get("/ratings/held?older_than=4").status_code == 400
    assert client.get("/ratings/held?page=x").status_code == 404  # app-wide rule


def test_queue_is_paginated(app, client, auth, users, hold, center):
    app.config["PER_PAGE"] = 2
    for days in (5, 4, 3):
        hold(center, days_ago=days)
    auth.login(users["inspector"])
    first = client.get("/ratings/held").get_data(as_text=True)
    second = client.get("/ratings/held?page=2").get_data(as_text=True)
    assert len(re.findall(r'<tr id="held-', first)) == 2
    assert len(re.findall(r'<tr id="held-', second)) == 1
    assert 'rel="next"' in first


def test_bulk_post_with_a_reason_decides_and_the_count_drops(
    client, auth, users, hold, center, other_center
):
    a, b, c = hold(center, score=2), hold(other_center, score=5), hold(center, score=4)
    auth.login(users["inspector"])
    response = client.post(
        "/ratings/held?flag=burst",
        data={"rating": [str(a.id), str(b.id)], "verdict": "confirmed", "reason": "Cùng một máy"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/ratings/held?flag=burst")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã xác nhận 2 đánh giá là gian lận" in page
    assert "1 đánh giá đang chờ kiểm tra" in page
    assert f'id="held-{c.id}"' in page and f'id="held-{a.id}"' not in page
    db.session.expire_all()
    assert db.session.get(Rating, a.id).is_confirmed_abuse
    assert db.session.get(Rating, b.id).is_confirmed_abuse
    assert audit_actions().count("rating.flags_confirmed") == 2
    start = client.get("/start").get_data(as_text=True)
    assert 'id="count-ratings-held_queue">1 đang chờ' in start


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "rejected", "reason": ""}, "Hãy nêu lý do."),
        ({"verdict": "rejected", "reason": "    "}, "Hãy nêu lý do."),
        ({"verdict": "rejected", "reason": "x" * 501}, "501"),
        ({"verdict": "", "reason": "Lý do"}, "Trường này là bắt buộc."),
        ({"verdict": "perhaps", "reason": "Lý do"}, "không hợp lệ"),
        ({"rating": [], "verdict": "rejected", "reason": "Lý do"}, "Hãy chọn ít nhất một"),
        ({"rating": ["1x"], "verdict": "rejected", "reason": "Lý do"}, "Lựa chọn không hợp lệ"),
    ],
)
def test_bulk_post_without_a_valid_reason_changes_nothing(
    client, auth, users, hold, center, data, message
):
    rating = hold(center)
    auth.login(users["inspector"])
    response = client.post("/ratings/held", data={"rating": [str(rating.id)], **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    if message != "501":
        assert message in html
    assert f'id="pick-{rating.id}" checked' in html or "rating" in data
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).is_pending_review
    assert "rating.flags_cleared" not in audit_actions()


def test_inspector_outside_scope_cannot_decide_by_posting_ids(client, auth, users, hold, center):
    rating = hold(center)
    far = users["inspector_other"].scope_centers[0]  # one center of another province
    own = hold(far)
    auth.login(users["inspector_other"])
    html = client.get("/ratings/held").get_data(as_text=True)
    assert f'id="held-{rating.id}"' not in html and f'id="held-{own.id}"' in html
    for ids in ([rating.id], [own.id, rating.id]):
        response = client.post(
            "/ratings/held",
            data={"rating": [str(i) for i in ids], "verdict": "rejected", "reason": "Cho tính"},
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).is_pending_review
    assert db.session.get(Rating, own.id).is_pending_review  # all or nothing
    assert "rating.flags_cleared" not in audit_actions()


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 403), ("officer", 403), ("manager_other", 403), ("anon", 302)],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_inspectors_and_admins_open_the_queue(
    client, auth, users, hold, center, role, status, method
):
    rating = hold(center)
    if role != "anon":
        auth.login(users[role])
    data = {"rating": [str(rating.id)], "verdict": "rejected", "reason": "Cho tính"}
    response = client.open("/ratings/held", method=method, data=data if method == "POST" else None)
    assert response.status_code == status
    if role == "anon":
        assert "/account/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).is_pending_review


def test_admin_decides_in_every_province(client, auth, users, hold, create_center):
    far = create_center("00001", province_code=1, counters=1)
    rating = hold(far)
    auth.login(users["admin"])
    assert f'id="held-{rating.id}"' in client.get("/ratings/held").get_data(as_text=True)
    response = client.post(
        "/ratings/held",
        data={"rating": [str(rating.id)], "verdict": "rejected", "reason": "Cho tính"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).is_reportable


def test_menu_and_start_page_lead_to_the_queue_with_its_count(client, auth, users, hold, center):
    hold(center)
    hold(center)
    auth.login(users["inspector"])
    start = client.get("/start").get_data(as_text=True)
    assert 'href="/ratings/held"' in start
    assert 'id="count-ratings-held_queue">2 đang chờ' in start
    auth.logout()
    auth.login(users["manager"])
    assert 'href="/ratings/held"' not in client.get("/start").get_data(as_text=True)


# The citizen's pages -----------------------------------------------------------------------


def test_thanks_and_tracking_say_a_rating_is_held_and_then_the_verdict(
    app, client, auth, rater, counter_url, users
):
    app.config["RATING_CLOSED_WEEKDAYS"] = tuple(range(7))
    page = rater.submit(counter_url, {"score": "5", "comment": "Rất tốt"})
    html = page.get_data(as_text=True)
    assert "Đánh giá của ông/bà đã được tiếp nhận và đang chờ kiểm tra." in html
    assert "trong vòng 5 ngày làm việc" in html
    assert 'id="held-case"' not in html
    code = tracking_of(page)
    rating = db.session.scalar(sa.select(Rating).where(Rating.tracking_code == code))
    due = held.review_due(rating.day)
    track = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert "Chưa: đang chờ kiểm tra." in track
    assert due.strftime("%d/%m/%Y") in track
    services.review_flags(rating, FlagReview.REJECTED, "Khách thật", actor=users["inspector"])
    db.session.commit()
    track = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert "Có: cán bộ kiểm tra đã xem xét đánh giá này ngày" in track
    assert "Khách thật" not in track  # the inspector's reason stays internal


def test_tracking_after_a_confirmed_verdict_says_it_is_not_counted(
    app, client, rater, counter_url, users
):
    app.config["RATING_BURST_MAX"] = 0  # held as a burst, whatever the complaint
    page = rater.submit(counter_url, {"score": "1", "comment": "Bị đòi thêm giấy tờ"})
    assert 'id="held-case"' in page.get_data(as_text=True)  # the complaint does not wait
    code = tracking_of(page)
    rating = db.session.scalar(sa.select(Rating).where(Rating.tracking_code == code))
    track = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert "không phải chờ việc kiểm tra này" in track
    services.review_flags(rating, FlagReview.CONFIRMED, "Cùng máy", actor=users["inspector"])
    db.session.commit()
    track = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert "Không: cán bộ kiểm tra đã xem xét đánh giá này ngày" in track
    assert "Phản ánh của ông/bà vẫn được xử lý." in track


def test_tracking_an_ordinary_rating_says_it_counts(app, client, rater, counter_url):
    page = rater.submit(counter_url, {"score": "4"})
    track = client.get(f"/t/?code={tracking_of(page)}").get_data(as_text=True)
    assert 'id="rating-status">Có.' in track
