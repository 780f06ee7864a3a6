"""An officer's own page greets them by name and opens on a range in which their rank can
be shown; a hidden rank says why and which range would show it."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.rankings import services as rankings
from portal.ratings.models import RatingRollup
from portal.shared.timeutils import today_local

DEMO_OFFICER = ("canbo", "PhuTho-canbo-2026")


def _rated(officer, days_ago: int, n: int, score: int = 5) -> None:
    """``n`` reportable ratings of ``officer`` on one past day (as the rollups hold them)."""
    day = today_local() - timedelta(days=days_ago)
    row = db.session.get(RatingRollup, (day, "officer", officer.id))
    if row is None:
        row = RatingRollup(day=day, scope="officer", key_id=officer.id, center_id=officer.center_id)
        row.n1 = row.n2 = row.n3 = row.n4 = row.n5 = 0
        db.session.add(row)
    setattr(row, f"n{score}", getattr(row, f"n{score}") + n)
    db.session.commit()


def _link(user, officer) -> None:
    db.session.get(User, user.id).officer_id = officer.id
    db.session.commit()


def test_months_back_keeps_whole_months():
    from datetime import date

    from portal.rankings.satisfaction import months_back

    assert months_back(date(2026, 5, 20), 3) == date(2026, 2, 21)
    assert months_back(date(2026, 3, 31), 1) == date(2026, 3, 1)  # 28/02 + 1 day
    assert months_back(date(2026, 1, 15), 12) == date(2025, 1, 16)


def test_default_window_is_the_shortest_that_reaches_the_minimum(center, create_officer):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    _rated(me, 5, 10)
    _rated(me, 50, 25)  # 35 within three months, 10 within one
    window = rankings.officer_rank_window(me, min_n=30)
    assert (window.months, window.n, window.ranked) == (3, 35, True)
    assert window.end == today_local()
    # Never enough: the longest default, the rank hidden.
    window = rankings.officer_rank_window(me, min_n=100)
    assert (window.months, window.n, window.ranked) == (12, 35, False)
    # The range that would show the rank starts on the day the 30th rating came in.
    assert rankings.start_for_rank(me, today_local(), min_n=30) == (
        today_local() - timedelta(days=50),
        35,
    )
    assert rankings.start_for_rank(me, today_local(), min_n=100) == (None, 35)


def test_page_opens_on_a_range_with_a_rank(client, auth, users, center, create_officer):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    _link(users["officer"], me)
    _rated(me, 3, 12)
    _rated(me, 70, 20)
    auth.login(users["officer"])
    html = client.get("/ratings/me").get_data(as_text=True)
    assert "Xin chào, Nguyễn Thị Lan." in html
    assert "Quầy 1" in html  # the counter, beside the name
    assert "3 tháng gần nhất" in html
    assert "1 trên 1 công chức đủ số đánh giá" in html
    start = (today_local() - timedelta(days=70)).isoformat()
    assert f'value="{start}"' not in html  # the window is the three months, not the first rating


def test_hidden_rank_says_why_and_links_the_range_that_shows_it(
    client, auth, users, center, create_officer
):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    _link(users["officer"], me)
    _rated(me, 2, 10)
    _rated(me, 40, 25)
    auth.login(users["officer"])
    today = today_local()
    chosen = {"from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat()}
    html = client.get("/ratings/me", query_string=chosen).get_data(as_text=True)
    assert "Chưa đủ đánh giá để xếp hạng: mới có 10 trên 30" in html
    assert "ít nhất 30 đánh giá" in html  # why
    widen = re.search(r'<a href="([^"]+)" id="widen">([^<]+)</a>', html)
    assert widen is not None
    start = today - timedelta(days=40)
    assert start.strftime("%d/%m/%Y") in widen.group(2) and "35 đánh giá" in widen.group(2)
    wider = client.get(widen.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "1 trên 1 công chức đủ số đánh giá" in wider


def test_too_few_ratings_in_all_says_how_many_are_missing(
    client, auth, users, center, create_officer
):
    me = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    _link(users["officer"], me)
    _rated(me, 2, 4)
    auth.login(users["officer"])
    html = client.get("/ratings/me").get_data(as_text=True)
    assert "12 tháng gần nhất" in html
    assert 'id="widen"' not in html
    assert "4 đánh giá" in html and "khi đạt 30" in html


def test_demo_officer_is_greeted_by_name_and_sees_a_rank(demo_data, client):
    # demo_data: a copy of a database `flask demo seed --province 25` filled (and checked).
    user = db.session.scalar(sa.select(User).where(User.username == DEMO_OFFICER[0]))
    name = user.officer.full_name
    login = client.post(
        "/account/login", data={"username": DEMO_OFFICER[0], "password": DEMO_OFFICER[1]}
    )
    assert login.status_code == 302
    landing = client.get(login.headers["Location"])
    assert landing.headers["Location"].endswith("/ratings/me")
    html = client.get("/ratings/me").get_data(as_text=True)
    assert f"Xin chào {name}." in html  # the login's welcome
    assert "Công chức quầy 1" not in html
    assert f"Xin chào, {name}." in html
    assert "công chức đủ số đánh giá" in html  # a rank, without widening the range
    assert 'id="rank-hidden"' not in html
