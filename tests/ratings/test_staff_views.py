"""Staff pages: role × route authorization, IDOR, moderation and flag clearing with audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.complaints.models import Case
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Rating, RatingRollup, Receipt

ROLES = ["admin", "inspector", "inspector_other", "manager", "manager_other", "officer", "anon"]


@pytest.fixture
def world(app, center, other_center, users):
    """A pending (flagged) rating with a comment and a case, and a receipt, at ``center``."""
    app.config["RATING_BURST_MAX"] = 0  # the rating below is flagged as a burst
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    rating = services.submit_rating(
        target,
        services.RatingInput(score=1, comment="Thái độ kém", phone_e164="+84912345678"),
        nonce_key="w1",
    )
    receipt = services.issue_receipt(
        center, dossier_code="H25-1", outcome="refused", counter=None, officer=None
    )
    other_target = services.Target(
        channel=Channel.COUNTER_QR, center=other_center, counter=other_center.counters[0]
    )
    other_rating = services.submit_rating(
        other_target, services.RatingInput(score=2, comment="x"), nonce_key="w2"
    )
    db.session.commit()
    app.config["RATING_BURST_MAX"] = 10_000
    case = db.session.scalar(sa.select(Case).where(Case.rating_id == rating.id))
    return {
        "rating": rating.id,
        "receipt": receipt.id,
        "counter": center.counters[0].id,
        "other_counter": other_center.counters[0].id,
        "other_rating": other_rating.id,
        "case": case.id,
    }


def login(auth, users, role):
    if role != "anon":
        auth.login(users[role])


OK_VIEW = {"admin", "inspector", "manager"}
OK_ISSUE = {"admin", "manager", "officer"}
OK_MODERATE = {"admin", "inspector"}
OK_MANAGE = {"admin", "manager"}


def expected(role: str, allowed: set[str], ok: int) -> int:
    if role == "anon":
        return 302
    return ok if role in allowed else 403


ROUTES = [
    ("GET", "/ratings/07900", OK_VIEW, 200),
    ("GET", "/ratings/me", {"officer"}, 200),
    ("GET", "/ratings/07900/qr", OK_VIEW, 200),
    ("GET", "/ratings/07900/posters.pdf", OK_VIEW, 200),
    ("GET", "/ratings/07900/counters/{counter}/qr.png", OK_VIEW, 200),
    ("GET", "/ratings/07900/counters/{counter}/qr.svg", OK_VIEW, 200),
    ("POST", "/ratings/07900/counters/{counter}/revoke", OK_MANAGE, 302),
    ("POST", "/ratings/07900/ratings/{rating}/hide", OK_MODERATE, 302),
    ("POST", "/ratings/07900/ratings/{rating}/review", OK_MODERATE, 302),
    ("GET", "/ratings/07900/receipts/new", OK_ISSUE, 200),
    ("GET", "/ratings/07900/assist", OK_ISSUE, 200),
    ("GET", "/ratings/07900/receipts/{receipt}", OK_ISSUE, 200),
    ("GET", "/cases/{case}", OK_VIEW, 200),
    ("POST", "/cases/{case}", OK_MANAGE, 302),
    ("GET", "/cases/?center=07900", OK_VIEW, 200),
    ("POST", "/cases/{case}/phone", {"manager"}, 200),
    ("GET", "/cases/alerts?center=07900", OK_VIEW, 200),
    ("POST", "/cases/alerts/acknowledge", OK_MODERATE, 302),
    # The queue of held ratings: a bulk verdict on a rating of 07900 (an inspector of
    # another province posting its id is refused; GET is in ``test_index_pages``).
    ("POST", "/ratings/held", OK_MODERATE, 303),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,allowed,ok", ROUTES)
def test_authorization_matrix(client, auth, users, world, role, method, path, allowed, ok):
    login(auth, users, role)
    url = path.format(**world)
    data = (
        {"answer": "Đã xử lý", "center": "07900", "kind": "overdue_case"}
        if method == "POST"
        else None
    )
    if path == "/ratings/held":
        data = {"rating": [str(world["rating"])], "verdict": "rejected", "reason": "Khách thật"}
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected(role, allowed, ok), (role, url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path,allowed_roles",
    [
        ("/ratings/", {"admin", "inspector", "inspector_other"}),
        ("/ratings/held", {"admin", "inspector", "inspector_other"}),
        ("/cases/", {"admin", "inspector", "inspector_other", "manager", "manager_other"}),
        ("/cases/alerts", {"admin", "inspector", "inspector_other", "manager", "manager_other"}),
    ],
)
def test_index_pages(client, auth, users, world, role, path, allowed_roles):
    login(auth, users, role)
    response = client.get(path)
    if role == "anon":
        assert response.status_code == 302
    elif role in ("manager", "manager_other") and path == "/ratings/":
        assert response.status_code == 302  # straight to their own center
    else:
        assert response.status_code == (200 if role in allowed_roles else 403)


def test_inspector_scope_is_enforced_in_lists(client, auth, users, world):
    auth.login(users["inspector_other"])
    html = client.get("/ratings/").get_data(as_text=True)
    assert "07900" not in html
    assert "Thái độ kém" not in client.get("/cases/").get_data(as_text=True)


def test_idor_on_child_objects_is_404(client, auth, users, world):
    auth.login(users["admin"])
    assert client.post(f"/ratings/07900/ratings/{world['other_rating']}/hide").status_code == 404
    assert client.get(f"/ratings/07900/counters/{world['other_counter']}/qr.png").status_code == 404
    assert client.get("/ratings/99999").status_code == 404
    auth.logout()
    auth.login(users["manager"])
    assert client.post(
        "/ratings/07900/receipts/new",
        data={"dossier_code": "X", "outcome": "completed", "counter": str(world["other_counter"])},
    ).status_code in (200, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 1


def audit_actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_moderation_hides_text_and_is_audited(client, auth, users, world, center):
    auth.login(users["inspector"])
    client.post(
        f"/ratings/07900/ratings/{world['rating']}/hide",
        data={"hidden": "1", "reason": "Lời lẽ xúc phạm"},
    )
    auth.logout()
    auth.login(users["manager"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    assert "Thái độ kém" not in html and "bị ẩn" in html
    assert "rating.comment_hidden" in audit_actions()


def test_clearing_flags_counts_the_rating_and_is_audited(client, auth, users, world):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == 0
    auth.login(users["inspector"])
    url = f"/ratings/07900/ratings/{world['rating']}/review"
    data = {"verdict": "rejected", "reason": "Khách đoàn đánh giá cùng lúc"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 409
    db.session.expire_all()
    assert db.session.get(Rating, world["rating"]).is_reportable
    rollup = db.session.scalars(sa.select(RatingRollup).where(RatingRollup.scope == "center")).one()
    assert rollup.counts == (1, 0, 0, 0, 0)
    assert audit_actions().count("rating.flags_cleared") == 1


def test_revocation_is_audited(client, auth, users, world):
    auth.login(users["manager"])
    client.post(f"/ratings/07900/counters/{world['counter']}/revoke")
    assert "qr.posters_revoked" in audit_actions()


def test_officer_issues_a_printable_receipt(client, auth, users, world, center):
    auth.login(users["officer"])
    response = client.post(
        "/ratings/07900/receipts/new",
        data={"dossier_code": "H25.01-0002", "outcome": "returned", "counter": "", "officer": ""},
    )
    assert response.status_code == 200  # the slip, with its link, once (issue 22)
    slip = response.get_data(as_text=True)
    assert "H25.01-0002" in slip and "<svg" in slip and "/r/r" in slip
    receipt = db.session.scalars(sa.select(Receipt).order_by(Receipt.id.desc())).first()
    assert receipt.outcome == "returned" and receipt.issued_by_id == users["officer"].id


def test_center_page_shows_scores_from_rollups(client, auth, users, world, app, center):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    for i, score in enumerate([5, 5, 4, 2]):
        services.submit_rating(target, services.RatingInput(score=score), nonce_key=f"s{i}")
    db.session.commit()
    auth.login(users["manager"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    assert ">4<" in html and "75,0%" in html  # n = 4 (the flagged one left out), CSAT 3/4


@pytest.mark.parametrize("role", ROLES)
def test_staff_assisted_rating_is_stored_apart(client, auth, users, world, role):
    login(auth, users, role)
    response = client.post(
        "/ratings/07900/assist",
        data={"counter": str(world["counter"]), "score": "5", "comment": "Nhờ cán bộ nhập"},
    )
    assert response.status_code == expected(role, OK_ISSUE, 302)
    db.session.expire_all()
    staff = db.session.scalars(sa.select(Rating).where(Rating.channel == "staff")).all()
    if role in OK_ISSUE:
        assert len(staff) == 1 and staff[0].score == 5
        assert "rating.staff_assisted" in audit_actions()
        # Never in the rollups: only the world's flagged rating exists otherwise.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == 0
    else:
        assert staff == []


def test_assisted_rating_refuses_bad_score_and_foreign_counter(client, auth, users, world):
    auth.login(users["officer"])
    bad = client.post(
        "/ratings/07900/assist", data={"counter": str(world["counter"]), "score": "6"}
    )
    assert bad.status_code == 200  # the form again, with an error
    foreign = client.post(
        "/ratings/07900/assist", data={"counter": str(world["other_counter"]), "score": "5"}
    )
    assert foreign.status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Rating).where(Rating.channel == "staff")
        )
        == 0
    )


def test_purge_personal_removes_old_phone_numbers(runner, world, app):
    from datetime import timedelta

    from portal.shared import crypto
    from portal.shared.timeutils import now_utc

    old, new = db.session.scalars(sa.select(Rating).order_by(Rating.id)).all()[:2]
    for rating in (old, new):
        rating.phone_encrypted = crypto.encrypt_phone(app.config["SECRET_KEY"], "+84912345678")
        rating.phone_hmac = "x"
    old.created_at = now_utc() - timedelta(days=400)
    db.session.commit()
    result = runner.invoke(args=["ratings", "purge-personal", "--months", "12"])
    assert "1 phone number(s) deleted" in result.output
    db.session.expire_all()
    assert db.session.get(Rating, old.id).phone_encrypted is None
    assert db.session.get(Rating, new.id).phone_encrypted is not None
