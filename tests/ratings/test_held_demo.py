"""The queue of held ratings on `flask demo seed`'s data (Phú Thọ, 149 centers): the
demo inspector's morning, from the dashboard's count to a bulk verdict."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.centers.models import Center
from portal.demo.services import demo_accounts
from portal.extensions import db
from portal.ratings.models import Rating

PASSWORDS = {a.username: a.password for a in demo_accounts(25)}


def _held_total() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Rating)
        .where(Rating.flags != "", Rating.cleared_at.is_(None))
    )


def test_the_queue_at_the_provinces_size(demo_data, app, client, auth):
    assert db.session.scalar(sa.select(sa.func.count(Center.id))) == 149
    total = _held_total()
    assert total > 0  # the demo holds about one rating in a hundred
    auth.login("thanhtra", PASSWORDS["thanhtra"])

    # The landing page (province dashboard) and the start page show the count.
    dashboard = client.get("/dashboards/").get_data(as_text=True)
    assert re.search(rf'id="stat-held-ratings">{total}<', dashboard)
    start = client.get("/start").get_data(as_text=True)
    assert f'id="count-ratings-held_queue">{total} đang chờ' in start

    response = client.get("/ratings/held")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{total} đánh giá đang chờ kiểm tra" in html
    per_page = app.config["PER_PAGE"]
    assert len(re.findall(r'<tr id="held-', html)) == min(total, per_page)
    if total > per_page:
        last = -(-total // per_page)
        tail = client.get(f"/ratings/held?page={last}").get_data(as_text=True)
        assert len(re.findall(r'<tr id="held-', tail)) == total - (last - 1) * per_page

    # One center by its code, then a bulk verdict on its held ratings.
    center_id = db.session.scalar(
        sa.select(Rating.center_id)
        .where(Rating.flags != "", Rating.cleared_at.is_(None))
        .group_by(Rating.center_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    center = db.session.get(Center, center_id)
    filtered = client.get("/ratings/held", query_string={"center": center.code})
    ids = re.findall(r'<tr id="held-(\d+)"', filtered.get_data(as_text=True))
    mine = db.session.scalars(
        sa.select(Rating.id).where(
            Rating.center_id == center.id, Rating.flags != "", Rating.cleared_at.is_(None)
        )
    ).all()
    assert sorted(map(int, ids)) == sorted(mine)
    response = client.post(
        "/ratings/held",
        query_string={"center": center.code},
        data={"rating": ids, "verdict": "rejected", "reason": "Khách đoàn, không phải gian lận"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert _held_total() == total - len(ids)
    html = client.get("/ratings/held").get_data(as_text=True)
    assert f"{total - len(ids)} đánh giá đang chờ kiểm tra" in html
