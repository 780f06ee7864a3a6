"""Issue 22, finding 3: an inspection upload (a correction, an appeal, a visit, a corrective
action's evidence) held SQLite's write lock while it decoded the photos, and a citizen's
rating posted meanwhile failed with "database is locked". Each path now checks and
re-encodes its files before its write transaction: a rating posted while the upload is in
the middle of its files succeeds.

The upload is held inside the file check (``clean_upload``) while the rating is posted, so
the overlap does not depend on the machine's speed; the database is a real SQLite file
with a short busy timeout, so a rating waiting for the lock fails fast.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.assessments import evidence as files
from portal.assessments.models import Evidence
from portal.extensions import db
from portal.inspections import services as inspections
from portal.ratings.models import Rating
from portal.shared.timeutils import today_local
from tests.assessments.test_upload_lock import _rate_while
from tests.conftest import PASSWORD, RATINGS_TEST_CONFIG

from .conftest import accept_rest, make_photo


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        **RATINGS_TEST_CONFIG,
        "RATING_MIN_FILL_SECONDS": 0,
        "SQLITE_BUSY_TIMEOUT_MS": 300,
    }


def _photo(seed: int):
    # A full-size phone photo (12 MP).
    return (io.BytesIO(make_photo(seed, size=(4000, 3000))), f"anh-{seed}.jpg")


def _as(app, user):
    username = user.username  # read here: the upload runs in another thread

    def post(url, data):
        client = FlaskClient(app, app.response_class, use_cookies=True)  # its own session
        client.post("/account/login", data={"username": username, "password": PASSWORD})
        return client.post(url, data=data, content_type="multipart/form-data").status_code

    return post


def _assert_both_stored(rating_status, upload_status, evidence_before):
    assert rating_status == 303  # stored, then Post/Redirect/Get
    assert upload_status == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Evidence))
    assert count == evidence_before + 1


@pytest.fixture
def returned(reviewing, users):
    item = reviewing.items[0]
    inspections.record_verdict(
        reviewing,
        item.criterion,
        inspections.VerdictInput("correct", reason="Chụp lại ảnh quầy."),
        actor=users["inspector"],
    )
    inspections.return_for_correction(reviewing, actor=users["inspector"])
    db.session.commit()
    return reviewing, item.criterion


@pytest.fixture
def finalized(reviewing, users):
    accept_rest(reviewing, users["inspector"])
    inspections.finalize(reviewing, actor=users["inspector"])
    db.session.commit()
    return reviewing


def test_a_rating_succeeds_during_a_correction_upload(app, users, center, returned):
    app.extensions["_test_counter"] = center.counters[0]
    inspection, criterion = returned
    url = f"/inspections/{inspection.id}/criteria/{criterion.id}/fix"
    data = {"choice": "met", "note": "Đã chụp lại", "file": _photo(1)}
    post = _as(app, users["manager"])
    statuses = _rate_while(app, files, "clean_upload", lambda: post(url, data))
    _assert_both_stored(*statuses, 0)


def test_a_rating_succeeds_during_an_appeal_upload(app, users, center, finalized):
    app.extensions["_test_counter"] = center.counters[0]
    cid = finalized.items[0].criterion_id
    url = f"/inspections/{finalized.id}/appeal"
    data = {f"reason-{cid}": "Có biên bản kèm theo.", f"file-{cid}": _photo(2)}
    post = _as(app, users["manager"])
    statuses = _rate_while(app, files, "clean_upload", lambda: post(url, data))
    _assert_both_stored(*statuses, 0)


def test_a_rating_succeeds_during_a_visit_upload(app, users, center, reviewing):
    app.extensions["_test_counter"] = center.counters[0]
    cid = reviewing.items[0].criterion_id
    url = f"/inspections/{reviewing.id}/visits/new"
    data = {
        "visited_on": "2026-01-05",
        "team": "Nguyễn Văn A, chuyên viên",
        f"finding-{cid}": "Quầy đúng như ảnh.",
        f"photo-{cid}": _photo(3),
    }
    post = _as(app, users["inspector"])
    statuses = _rate_while(app, files, "clean_upload", lambda: post(url, data))
    _assert_both_stored(*statuses, 0)


def test_a_rating_succeeds_during_a_corrective_action_upload(app, users, center, finalized):
    app.extensions["_test_counter"] = center.counters[0]
    action = inspections.create_action(
        finalized,
        finalized.items[0].criterion,
        description="Sửa biển chỉ dẫn",
        owner="Tổ một cửa",
        due_on=today_local(),
        actor=users["inspector"],
    )
    db.session.commit()
    url = f"/inspections/actions/{action.id}/close"
    data = {"note": "Đã sửa", "file": _photo(4)}
    post = _as(app, users["manager"])
    statuses = _rate_while(app, files, "clean_upload", lambda: post(url, data))
    _assert_both_stored(*statuses, 0)
