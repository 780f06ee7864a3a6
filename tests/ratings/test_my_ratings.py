"""A counter officer sees their own ratings, rank and comments, and nobody else's."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.ratings.models import Rating, RatingRollup
from portal.ratings.services import local_day
from portal.shared.timeutils import now_utc


def _rate(officer, score: int, comment: str = "", *, hidden: bool = False) -> None:
    moment = now_utc()
    rating = Rating(
        tracking_code=f"T{db.session.scalar(sa.select(sa.func.count(Rating.id)))}x",
        center_id=officer.center_id,
        counter_id=officer.counter_id,
        officer_id=officer.id,
        channel="counter_qr",
        score=score,
        comment=comment,
        comment_hidden=hidden,
        day=local_day(moment),
        created_at=moment,
    )
    db.session.add(rating)
    row = db.session.get(RatingRollup, (rating.day, "officer", officer.id))
    if row is None:
        row = RatingRollup(
            day=rating.day,
            scope="officer",
            key_id=officer.id,
            center_id=officer.center_id,
            n1=0,
            n2=0,
            n3=0,
            n4=0,
            n5=0,
        )
        db.session.add(row)
    setattr(row, f"n{score}", getattr(row, f"n{score}") + 1)
    db.session.commit()


def _link(user, officer) -> None:
    user = db.session.get(User, user.id)
    user.officer_id = officer.id
    db.session.commit()


def test_officer_sees_own_ratings_and_comments_only(client, auth, users, center, create_officer):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    colleague = create_officer(center, counter=center.counters[1], full_name="Lê Văn Bình")
    _link(users["officer"], me)
    _rate(me, 5, "Chị Lan hướng dẫn rất tận tình.")
    _rate(me, 2, "Lời lẽ khiếm nhã", hidden=True)
    _rate(colleague, 1, "Anh Bình làm chậm.")
    auth.login(users["officer"])
    html = client.get("/ratings/me").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in html
    assert "Chị Lan hướng dẫn rất tận tình." in html
    assert "Lời lẽ khiếm nhã" not in html  # hidden by an inspector
    assert "Anh Bình làm chậm." not in html
    assert '<td class="num">2</td>' in html  # n counts both of her ratings
    assert "Chưa đủ đánh giá để xếp hạng: mới có 2 trên 30" in html


def test_rank_in_center_and_province(client, auth, users, center, other_center, create_officer):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    better = create_officer(other_center, full_name="Trần Văn Tốt")
    _link(users["officer"], me)
    for _ in range(30):
        _rate(me, 3)  # neutral: not satisfied
        _rate(better, 5)
    auth.login(users["officer"])
    html = client.get("/ratings/me").get_data(as_text=True)
    assert "1 trên 1 công chức đủ số đánh giá" in html  # in the center
    assert "2 trên 2 công chức đủ số đánh giá" in html  # in the province


def test_unlinked_officer_is_told_what_to_do(client, auth, users):
    auth.login(users["officer"])
    html = client.get("/ratings/me").get_data(as_text=True)
    assert "chưa được liên kết" in html


def test_only_officers_have_my_ratings(client, auth, users):
    assert client.get("/ratings/me").status_code == 302
    for role in ("admin", "inspector", "manager"):
        auth.login(users[role])
        assert client.get("/ratings/me").status_code == 403, role
        auth.logout()


def test_admin_links_an_officer_of_the_same_center_only(
    client, auth, users, center, other_center, create_officer
):
    mine = create_officer(center, full_name="Nguyễn Thị Lan")
    foreign = create_officer(other_center, full_name="Người ngoài")
    officer_user = users["officer"]
    auth.login(users["admin"])
    form = {
        "username": officer_user.username,
        "full_name": "Công chức",
        "role": "officer",
        "center_code": center.code,
        "is_active": "y",
    }
    page = client.get(f"/admin/users/{officer_user.id}/edit").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page and "Người ngoài" not in page
    response = client.post(
        f"/admin/users/{officer_user.id}/edit", data={**form, "officer_id": str(foreign.id)}
    )
    assert response.status_code == 200  # not a choice of this center
    assert db.session.get(User, officer_user.id).officer_id is None
    response = client.post(
        f"/admin/users/{officer_user.id}/edit", data={**form, "officer_id": str(mine.id)}
    )
    assert response.status_code == 302
    assert db.session.get(User, officer_user.id).officer_id == mine.id
