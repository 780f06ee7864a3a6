""" "Delete my data" by tracking code: phone and comment go, the rating stays and counts."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.ratings.models import Rating, RatingRollup

from .conftest import tracking_of


def _rollup_total() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.sum(RatingRollup.n2)).where(RatingRollup.scope == "center")
        )
        or 0
    )


def test_citizen_erases_phone_and_comment(client, rater, counter_url):
    response = rater.submit(
        counter_url,
        {
            "score": "2",
            "comment": "Chờ quá lâu, số 0912345678",
            "phone": "0912345678",
            "consent": "yes",
        },
    )
    code = tracking_of(response)
    assert code
    page = client.get(f"/t/?code={code}").get_data(as_text=True)
    assert "Xóa số điện thoại và góp ý của tôi" in page
    total = _rollup_total()
    response = client.post("/t/erase", data={"code": code})
    assert response.status_code == 302
    rating = db.session.scalar(sa.select(Rating).where(Rating.tracking_code == code))
    assert (rating.phone_encrypted, rating.phone_hmac, rating.comment) == (None, None, "")
    assert rating.score == 2 and _rollup_total() == total  # still counts
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "rating.personal_data_erased")
    )
    assert entry.object_id == str(rating.id) and "0912345678" not in entry.summary
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "đã được xóa" in page
    assert "Xóa số điện thoại và góp ý của tôi" not in page  # nothing left to erase


def test_unknown_code_changes_nothing(client, rater, counter_url):
    rater.submit(counter_url, {"score": "5", "comment": "Tốt"})
    assert client.post("/t/erase", data={"code": "ZZZZZZZZ"}).status_code == 404
    assert db.session.scalar(sa.select(Rating.comment)) == "Tốt"


def test_erase_needs_post_and_a_code(client):
    assert client.get("/t/erase").status_code == 405
    assert client.post("/t/erase", data={}).status_code == 400


def test_erase_requires_the_csrf_token(make_app, app_config, rater, counter_url):
    response = rater.submit(counter_url, {"score": "5", "comment": "Tốt"})
    code = tracking_of(response)
    strict = make_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    assert strict.post("/t/erase", data={"code": code}).status_code == 400
    assert db.session.scalar(sa.select(Rating.comment)) == "Tốt"
