"""Issue 12, defect 1: a long evidence upload (or a login's password hashing) never holds
the SQLite write lock, so a citizen's rating posted meanwhile succeeds; photos per save
are capped."""

from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from portal.accounts import models as account_models
from portal.assessments import evidence as files
from portal.assessments.models import Evidence
from portal.extensions import db
from portal.ratings import services as rating_services
from portal.ratings.models import Rating
from tests.conftest import PASSWORD, RATINGS_TEST_CONFIG, IsolatedClient
from tests.ratings.conftest import nonce_of

from .conftest import criterion, make_photo


@pytest.fixture
def app_config(app_config):
    # A short busy timeout: a rating that waits for the write lock fails fast.
    return {
        **app_config,
        **RATINGS_TEST_CONFIG,
        "RATING_MIN_FILL_SECONDS": 0,
        "SQLITE_BUSY_TIMEOUT_MS": 300,
        "EVIDENCE_MAX_FILES_PER_SAVE": 3,
    }


def _rate_while(app, block_target, block_name, start_slow):
    """Run ``start_slow`` in a thread; while ``block_target.block_name`` is blocked inside
    it, post a rating from this thread. Returns (rating status, slow thread's status)."""
    started, release = threading.Event(), threading.Event()
    original = getattr(block_target, block_name)

    def slow(*args, **kwargs):
        started.set()
        release.wait(10)
        return original(*args, **kwargs)

    with app.test_request_context():
        url = f"/r/{rating_services.counter_token(app.extensions['_test_counter'])}"
    db.session.commit()
    citizen = IsolatedClient(app, app.response_class, use_cookies=True)
    nonce = nonce_of(citizen.get(url))
    db.session.commit()
    result = {}

    def run():
        result["status"] = start_slow()

    setattr(block_target, block_name, slow)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        assert started.wait(10)
        rating = citizen.post(url, data={"nonce": nonce, "score": "5"})
    finally:
        release.set()
        thread.join(30)
        setattr(block_target, block_name, original)
    return rating.status_code, result.get("status")


def test_a_rating_posted_during_a_slow_upload_succeeds(
    app, users, assessment, standard_version, center
):
    app.extensions["_test_counter"] = center.counters[0]
    c = criterion(standard_version, "TD03")
    assessment_id, criterion_id = assessment.id, c.id

    def upload():
        manager = app.test_client()
        manager.post("/account/login", data={"username": "manager", "password": PASSWORD})
        return manager.post(
            f"/assessments/{assessment_id}",
            data={f"c{criterion_id}-file": (io.BytesIO(make_photo(70)), "p.jpg")},
            content_type="multipart/form-data",
        ).status_code

    rating_status, upload_status = _rate_while(app, files, "clean_upload", upload)
    assert rating_status == 303  # stored, then Post/Redirect/Get
    assert upload_status == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 1


def test_a_rating_posted_during_password_hashing_succeeds(app, users, center):
    app.extensions["_test_counter"] = center.counters[0]

    def login():
        return (
            app.test_client()
            .post("/account/login", data={"username": "manager", "password": PASSWORD})
            .status_code
        )

    rating_status, login_status = _rate_while(app, account_models, "check_password_hash", login)
    assert rating_status == 303  # stored, then Post/Redirect/Get
    assert login_status == 302


def test_photos_per_save_are_capped(client, auth, users, assessment, standard_version):
    auth.login(users["manager"])
    c = criterion(standard_version, "TD03")
    response = client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-file": [(io.BytesIO(make_photo(80 + i)), f"p{i}.jpg") for i in range(5)]},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 3
    page = response.get_data(as_text=True)
    page += client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "tối đa 3" in page


def test_a_rating_posted_while_a_password_change_hashes_succeeds(app, users, center):
    app.extensions["_test_counter"] = center.counters[0]
    new = "Mây trắng bay qua đồi chè 2026"

    def change():
        staff = app.test_client()
        staff.post("/account/login", data={"username": "manager", "password": PASSWORD})
        return staff.post(
            "/account/password",
            data={"current_password": PASSWORD, "new_password": new, "confirm": new},
        ).status_code

    rating_status, change_status = _rate_while(
        app, account_models, "generate_password_hash", change
    )
    assert rating_status == 303  # stored, then Post/Redirect/Get
    assert change_status == 302
    db.session.expire_all()
    assert users["manager"].check_password(new)
