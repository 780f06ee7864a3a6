"""Exports people can read: counters by name, the alerts column in words, each table limited
to its period, and a center chosen by name (not by typing its 5-digit code)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from portal.centers.models import Counter
from portal.exports import jobs
from portal.exports.models import ExportJob
from portal.extensions import db
from portal.ratings.models import Channel, Rating
from portal.shared.timeutils import now_utc

from .test_views import VIET_TRI, _start, _xlsx_rows


def _rating(center, day, *, counter=None, flags="", cleared=False, comment=""):
    rating = Rating(
        tracking_code=uuid.uuid4().hex[:12],
        center_id=center.id,
        counter_id=counter.id if counter else None,
        channel=Channel.COUNTER_QR,
        score=5,
        day=day,
        flags=flags,
        cleared_at=now_utc() if cleared else None,
        comment=comment,
    )
    db.session.add(rating)
    return rating


def _ratings_export(client, center_text: str, period_code: str) -> list[tuple]:
    response = _start(client, kind="ratings", fmt="xlsx", period=period_code, center=center_text)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    jobs.wait_for_threads()
    job = db.session.scalar(sa.select(ExportJob))
    db.session.refresh(job)
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    assert job.params["center"] == "07900"  # the name was resolved to the one center
    file = client.get(f"/exports/jobs/{job.id}/file")
    data = file.data
    file.close()
    return _xlsx_rows(data)


def test_ratings_show_the_counter_by_name_alerts_in_words_and_only_the_period(
    client, auth, users, scored
):
    period, center = scored["period"], scored["A"]
    counter = db.session.scalar(
        sa.select(Counter).where(Counter.center_id == center.id, Counter.number == 2)
    )
    if counter is None:
        counter = Counter(center_id=center.id, number=2)
        db.session.add(counter)
    counter.field = "Lĩnh vực đất đai"
    db.session.flush()
    _rating(center, period.opens_on, counter=counter, comment="trong kỳ")
    _rating(center, period.closes_on, flags="off_hours", cleared=True, comment="đã xem xét")
    _rating(center, period.closes_on + timedelta(days=1), comment="sau kỳ")
    _rating(center, period.opens_on - timedelta(days=1), comment="trước kỳ")
    db.session.commit()

    auth.login(users["inspector"])
    rows = _ratings_export(client, VIET_TRI, period.code)  # by name, no code typed
    header, body = rows[0], rows[1:]
    counter_col, alert_col, comment_col = (header.index(h) for h in ("Quầy", "Cảnh báo", "Góp ý"))
    assert sorted(r[comment_col] for r in body) == ["trong kỳ", "đã xem xét"]
    by_comment = {r[comment_col]: r for r in body}
    assert by_comment["trong kỳ"][counter_col] == "Quầy 2 – Lĩnh vực đất đai"
    assert by_comment["trong kỳ"][alert_col] == "Không"
    alert = by_comment["đã xem xét"][alert_col]
    assert "giờ" in alert, alert  # "Sent outside opening hours", in Vietnamese
    assert "đã xem xét, giữ lại" in alert
    assert all(r[alert_col] for r in body)  # never an empty alerts cell


def test_the_export_page_offers_centers_by_name(client, auth, users, scored):
    auth.login(users["inspector"])
    page = client.get("/exports/").get_data(as_text=True)
    assert 'list="export-centers"' in page
    assert 'inputmode="numeric"' not in page
    assert f"07900 — {VIET_TRI}" in page  # a datalist option: code and name
    # a center outside the inspector's province is not offered
    assert "00004 —" not in page


def test_an_ambiguous_name_is_explained_and_exports_nothing(client, auth, users, scored):
    auth.login(users["inspector"])
    response = _start(
        client, kind="rankings", fmt="xlsx", period=scored["period"].code, center="phường"
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "07900 —" in page and "07901 —" in page  # the matching centers, to choose from
    assert db.session.scalar(sa.select(sa.func.count(ExportJob.id))) == 0


def test_a_single_center_chosen_by_its_picker_label_is_served_at_once(client, auth, users, scored):
    auth.login(users["inspector"])
    response = _start(
        client,
        kind="rankings",
        fmt="xlsx",
        period=scored["period"].code,
        center=f"07900 — {VIET_TRI}",
    )
    assert response.status_code == 200
    assert [r[2] for r in _xlsx_rows(response.data)[1:]] == [VIET_TRI]


def test_a_whole_name_wins_over_the_names_that_contain_the_same_words(client, auth, users, scored):
    auth.login(users["inspector"])
    # "… phường Việt Trì" shares all but its last words with every other commune's center
    response = _start(
        client, kind="rankings", fmt="xlsx", period=scored["period"].code, center=VIET_TRI.upper()
    )
    assert response.status_code == 200
    assert [r[2] for r in _xlsx_rows(response.data)[1:]] == [VIET_TRI]
