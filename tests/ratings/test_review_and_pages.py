"""Inspectors' review of flagged ratings, moderation with reasons, the ratings pages in words,
and the officer's daily flow (landing page, pre-filled receipt, printable slip)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Rating, RatingRollup
from portal.shared.timeutils import now_utc

from .test_concurrency_and_rollups import raw_counts, rollup_counts


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def province(app, create_center, create_officer, center, other_center):
    """Four centers of the province with two counters and an officer at each counter."""
    centers = [center, other_center]
    centers += [create_center(counters=2) for _ in range(2)]
    for c in centers:
        for i, counter in enumerate(c.counters):
            create_officer(c, counter=counter, full_name=f"Trần Thị {c.code}-{i}")
    return centers


def _rate(center, score, *, counter=0, comment="", key, flagged=False, app=None):
    if app is not None:
        app.config["RATING_BURST_MAX"] = 0 if flagged else 10_000
    counter_obj = center.counters[counter % len(center.counters)]
    officer = counter_obj.officers[0] if counter_obj.officers else None
    target = services.Target(
        channel=Channel.COUNTER_QR, center=center, counter=counter_obj, officer=officer
    )
    return services.submit_rating(
        target, services.RatingInput(score=score, comment=comment), nonce_key=key
    )


@pytest.fixture
def many_ratings(app, province):
    """240 ratings over four centers; every fifth one is flagged (held for review)."""
    ratings = []
    for i in range(240):
        c = province[i % 4]
        ratings.append(
            _rate(
                c,
                1 + (i * 7) % 5,
                counter=i % 2,
                comment=f"Ý kiến số {i}" if i % 3 == 0 else "",
                key=f"many-{i}",
                flagged=i % 5 == 0,
                app=app,
            )
        )
    db.session.commit()
    app.config["RATING_BURST_MAX"] = 10_000
    return ratings


def _pending(center):
    return db.session.scalars(
        sa.select(Rating)
        .where(Rating.center_id == center.id, Rating.flags != "", Rating.cleared_at.is_(None))
        .order_by(Rating.id)
    ).all()


def test_confirm_and_reject_keep_rollups_exact(client, auth, users, province, many_ratings):
    center = province[0]
    pending = _pending(center)
    assert len(pending) == 12  # 60 ratings at the center, one in five flagged
    before = rollup_counts("center")
    auth.login(users["inspector"])
    confirmed, rejected = pending[0], pending[1]
    url = "/ratings/07900/ratings/{}/review"
    response = client.post(
        url.format(confirmed.id), data={"verdict": "confirmed", "reason": "Cùng một máy, 5 phút"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert rollup_counts("center") == before  # confirmed abuse never counts
    response = client.post(
        url.format(rejected.id), data={"verdict": "rejected", "reason": "Đoàn khách đông"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    after = rollup_counts("center")
    key = (rejected.day, center.id)
    grown = list(before[key])
    grown[rejected.score - 1] += 1
    assert after[key] == tuple(grown)
    # The rollups still equal the raw aggregate of reportable ratings, for every scope.
    for scope, column in (
        ("center", Rating.center_id),
        ("counter", Rating.counter_id),
        ("officer", Rating.officer_id),
    ):
        assert rollup_counts(scope) == raw_counts(column), scope
    c = db.session.get(Rating, confirmed.id)
    assert c.flags == "burst" and c.flag_review == "confirmed" and not c.is_reportable
    assert c.flag_review_reason == "Cùng một máy, 5 phút"
    r = db.session.get(Rating, rejected.id)
    assert r.flag_review == "rejected" and r.is_reportable
    (confirm_entry,) = _audit("rating.flags_confirmed")
    (reject_entry,) = _audit("rating.flags_cleared")
    assert "Cùng một máy" in confirm_entry.summary and "Đoàn khách đông" in reject_entry.summary
    # Both left the review queue; the page shows the verdicts with their reasons.
    html = client.get("/ratings/07900").get_data(as_text=True)
    assert f'id="pending-{confirmed.id}"' not in html and f'id="reviewed-{confirmed.id}"' in html
    assert "Đã xác nhận gian lận: không tính" in html and "Đoàn khách đông" in html
    # A second verdict on the same rating is refused.
    again = client.post(url.format(confirmed.id), data={"verdict": "rejected", "reason": "x"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "data",
    [
        {"verdict": "confirmed", "reason": ""},
        {"verdict": "rejected", "reason": "   "},
        {"verdict": "maybe", "reason": "Lý do"},
        {"verdict": "rejected", "reason": "x" * 501},
    ],
)
def test_review_without_a_valid_reason_or_verdict_changes_nothing(
    client, auth, users, province, many_ratings, data
):
    rating = _pending(province[0])[0]
    before = rollup_counts("center")
    auth.login(users["inspector"])
    response = client.post(f"/ratings/07900/ratings/{rating.id}/review", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "flash-error" in page
    db.session.expire_all()
    assert db.session.get(Rating, rating.id).is_pending_review
    assert rollup_counts("center") == before
    assert _audit("rating.flags_confirmed") == [] and _audit("rating.flags_cleared") == []


def test_hiding_a_comment_needs_a_reason_and_is_audited(client, auth, users, province, app):
    rating = _rate(province[0], 1, comment="Cán bộ Nguyễn Văn B số 0912345678", key="h1")
    db.session.commit()
    auth.login(users["inspector"])
    url = f"/ratings/07900/ratings/{rating.id}/hide"
    client.post(url, data={"hidden": "1", "reason": ""})
    db.session.expire_all()
    assert not db.session.get(Rating, rating.id).comment_hidden
    assert _audit("rating.comment_hidden") == []
    client.post(url, data={"hidden": "1", "reason": "Có số điện thoại cá nhân"})
    db.session.expire_all()
    hidden = db.session.get(Rating, rating.id)
    assert hidden.comment_hidden and hidden.comment_hidden_reason == "Có số điện thoại cá nhân"
    (entry,) = _audit("rating.comment_hidden")
    assert "Có số điện thoại cá nhân" in entry.summary
    html = client.get("/ratings/07900").get_data(as_text=True)
    assert "Lý do: Có số điện thoại cá nhân" in html
    # Showing it again needs no reason.
    client.post(url, data={"hidden": "0"})
    db.session.expire_all()
    assert not db.session.get(Rating, rating.id).comment_hidden
    assert len(_audit("rating.comment_shown")) == 1


def test_the_hide_form_asks_for_a_reason(client, auth, users, province):
    _rate(province[0], 2, comment="Chờ lâu", key="h2")
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="inline-form hide-form".*?</form>', html, re.S).group(0)
    assert 'name="reason"' in form and "required" in form and "Lý do ẩn" in form


def test_flag_reasons_and_metrics_are_in_words(client, auth, users, province, app):
    app.config["RATING_OPENING_HOURS"] = (0.0, 0.0)  # everything is "off hours"
    _rate(province[0], 5, key="f1", flagged=True, app=app)
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    reasons = html[html.index('id="pending-') :]
    reasons = reasons[: reasons.index("</article>")]
    assert "Gửi ngoài giờ làm việc" in reasons and "Nhiều đánh giá bất thường cùng lúc" in reasons
    assert "off_hours" not in reasons and "burst" not in reasons
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Tỷ lệ hài lòng (CSAT)" in text
    assert not re.search(r"(?<!\()\bCSAT\b(?!\))", text)  # never a bare "CSAT"
    assert "off_hours" not in text
    assert "Các số liệu này có ý nghĩa gì?" in html and "4 hoặc 5 trên 5" in html


def test_small_sample_warning_below_the_minimum(client, auth, users, province, app):
    app.config["RATING_MIN_N"] = 30
    for i in range(29):
        _rate(province[0], 4, key=f"s{i}")
    for i in range(30):
        _rate(province[1], 4, key=f"t{i}")
    db.session.commit()
    auth.login(users["inspector"])
    few = client.get("/ratings/07900").get_data(as_text=True)
    enough = client.get("/ratings/07894").get_data(as_text=True)
    assert "Chỉ có 29 đánh giá trong kỳ này, ít hơn 30" in few
    assert "Chỉ có" not in enough

    def whole_center(html: str) -> str:
        table = html[html.index("<caption>Toàn trung tâm") :]
        return table[: table.index("</table>")]

    assert "⚠ ít mẫu" in whole_center(few) and "ít mẫu" not in whole_center(enough)
    index = client.get("/ratings/").get_data(as_text=True)
    row_few = re.search(r"<tr><td><a[^>]*>07900.*?</tr>", index, re.S).group(0)
    row_enough = re.search(r"<tr><td><a[^>]*>07894.*?</tr>", index, re.S).group(0)
    assert "ít mẫu" in row_few and "ít mẫu" not in row_enough


def test_comments_are_newest_first(client, auth, users, province):
    # Ids and times disagree (a late import): the order follows the time.
    moments = [3, 1, 4, 2, 5]
    for i, hours_ago in enumerate(moments):
        rating = _rate(province[0], 4, comment=f"Ý kiến {hours_ago} giờ trước", key=f"c{i}")
        rating.created_at = now_utc() - timedelta(hours=hours_ago)
    db.session.commit()
    auth.login(users["manager"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    shown = re.findall(r"Ý kiến (\d) giờ trước", html)
    assert shown == ["1", "2", "3", "4", "5"]


def test_officer_comments_are_newest_first(client, auth, users, province, create_user):
    officer = province[0].counters[0].officers[0]
    account = create_user(Role.OFFICER, center=province[0], username="canbo1")
    account.officer = officer
    db.session.commit()
    for i, hours_ago in enumerate([2, 5, 1]):
        rating = _rate(province[0], 3, comment=f"Nhận xét {hours_ago}h", key=f"o{i}")
        rating.created_at = now_utc() - timedelta(hours=hours_ago)
    db.session.commit()
    auth.login(account)
    html = client.get("/ratings/me").get_data(as_text=True)
    assert re.findall(r"Nhận xét (\d)h", html) == ["1", "2", "5"]


# Officers ---------------------------------------------------------------------------------


@pytest.fixture
def linked_officer(create_user, province):
    center = province[0]
    record = center.counters[1].officers[0]
    account = create_user(Role.OFFICER, center=center, username="canbo")
    account.officer = record
    db.session.commit()
    return account, record


def test_officer_lands_on_my_ratings(client, auth, linked_officer):
    account, record = linked_officer
    response = auth.login(account)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/ratings/me")
    page = client.get(home.headers["Location"]).get_data(as_text=True)
    assert record.full_name in page and "Đánh giá của tôi" in page


def test_other_roles_keep_their_landing(client, auth, users):
    auth.login(users["manager"])
    assert client.get("/").headers["Location"].endswith("/dashboards/centers/07900")


def test_receipt_form_is_prefilled_with_own_counter_and_name(client, auth, linked_officer):
    account, record = linked_officer
    auth.login(account)
    html = client.get("/ratings/07900/receipts/new").get_data(as_text=True)
    counter_select = re.search(r'<select[^>]*name="counter".*?</select>', html, re.S).group(0)
    officer_select = re.search(r'<select[^>]*name="officer".*?</select>', html, re.S).group(0)
    assert f'selected value="{record.counter_id}"' in counter_select or (
        f'value="{record.counter_id}" selected' in counter_select
    )
    assert f'value="{record.id}" selected' in officer_select or (
        f'selected value="{record.id}"' in officer_select
    )


def test_unlinked_officer_gets_an_empty_receipt_form(client, auth, users):
    auth.login(users["officer"])
    html = client.get("/ratings/07900/receipts/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="officer".*?</select>', html, re.S).group(0)
    assert "selected" not in select


def test_slip_shows_short_code_and_print_button(client, auth, linked_officer, app):
    account, record = linked_officer
    auth.login(account)
    response = client.post(
        "/ratings/07900/receipts/new",
        data={
            "dossier_code": "H25.01-251123-0042",
            "outcome": "completed",
            "counter": str(record.counter_id),
            "officer": str(record.id),
        },
    )
    assert response.status_code == 200  # the slip, with its link, once (issue 22)
    slip = response.get_data(as_text=True)
    from portal.shared import qr

    with app.test_request_context():
        poster = qr.format_short_code(services.counter_short_code(record.counter))
    # The receipt's own single-use code, not the counter poster's reusable one.
    assert poster not in slip
    assert re.search(r'id="slip-short-code">[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}<', slip)
    assert "Không quét được?" in slip and "https://danhgia.example.vn/r/" in slip
    assert "data-print" in slip and "In phiếu" in slip and "js/print.js" in slip
    assert "css/staff.css" in slip  # the print and phone layout


# Inspectors: the center page links to the center's work -----------------------------------


@pytest.mark.parametrize("role", ["inspector", "manager", "admin"])
def test_center_page_links_to_checklists_ratings_and_cases(client, auth, users, province, role):
    auth.login(users[role])
    html = client.get("/centers/07900").get_data(as_text=True)
    assert 'href="/assessments/center/07900"' in html
    assert 'href="/ratings/07900"' in html
    assert 'href="/cases/?center=07900"' in html
    for link in ("/assessments/center/07900", "/ratings/07900", "/cases/?center=07900"):
        assert client.get(link).status_code == 200, link


def test_officer_center_page_has_no_links_to_pages_they_cannot_open(client, auth, users):
    auth.login(users["officer"])
    html = client.get("/centers/07900").get_data(as_text=True)
    assert "/assessments/center/07900" not in html and "/cases/?center=" not in html


def test_rollups_untouched_by_staff_pages(client, auth, users, province, many_ratings):
    """Opening every staff page of the four centers writes nothing."""
    before = db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup))
    auth.login(users["admin"])
    for c in province:
        assert client.get(f"/ratings/{c.code}").status_code == 200
        assert client.get(f"/centers/{c.code}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == before


def test_two_verdicts_at_once_count_once(app, users, province, many_ratings):
    """The second of two simultaneous verdicts (stale in its session) is refused."""
    from portal.shared.errors import PortalError

    rating = _pending(province[0])[0]
    assert rating.is_pending_review  # loaded in this session
    db.session.execute(  # another inspector's verdict commits first
        sa.update(Rating)
        .where(Rating.id == rating.id)
        .values(cleared_at=now_utc(), flag_review="confirmed", flag_review_reason="Trước")
        .execution_options(synchronize_session=False)
    )
    before = rollup_counts("center")
    with pytest.raises(PortalError):
        services.review_flags(rating, "rejected", "Sau", actor=users["inspector"])
    assert rollup_counts("center") == before  # in the same transaction: nothing added
    db.session.rollback()
