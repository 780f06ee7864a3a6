"""Group commit (``RATING_GROUP_COMMIT``): citizens' ratings posted at the same moment are
stored by one writer thread, several per transaction, and each citizen is thanked only
after the transaction holding their rating is committed.

In one process, with threads as gunicorn's gthread worker has them; the kill in the middle
of such a load is in ``test_kill_drill.py``.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from portal.extensions import db
from portal.ratings import group_commit
from portal.ratings.models import Rating, RatingRollup

from .conftest import Rater, nonce_of, tracking_of

CITIZENS = 8


@pytest.fixture
def app_config(app_config):
    # The writer waits up to 300 ms for more ratings once it has one, so that the
    # citizens below, released together, share transactions on any machine.
    return {**app_config, "RATING_GROUP_COMMIT": True, "RATING_GROUP_COMMIT_WAIT_MS": 300}


@pytest.fixture
def writer(app):
    yield lambda: group_commit.committer()
    group_commit.close(app)


def _together(app, jobs) -> list:
    """Run each job in its own thread with its own client, released at the same moment.
    The test body's transaction is committed first (a fixture may have written), as the
    ``client`` fixture does before each request."""
    db.session.commit()
    start = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        rater = Rater(app.test_client())
        prepared = job(rater, None)
        start.wait()
        results[i] = job(rater, prepared)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _stored() -> list[tuple[str, int]]:
    db.session.rollback()
    return [tuple(row) for row in db.session.execute(sa.select(Rating.tracking_code, Rating.score))]


def test_ratings_sent_together_are_stored_together_and_each_citizen_gets_their_code(
    app, counter_url, writer
):
    def citizen(score):
        def job(rater, nonce):
            if nonce is None:  # before the start: open the form
                return nonce_of(rater.open(counter_url))
            return tracking_of(rater.submit(counter_url, {"score": str(score)}, nonce=nonce))

        return job

    codes = _together(app, [citizen(1 + i % 5) for i in range(CITIZENS)])
    assert all(codes), codes
    stored = dict(_stored())
    assert sorted(stored) == sorted(codes)
    assert sorted(stored.values()) == sorted(1 + i % 5 for i in range(CITIZENS))
    stats = writer().stats
    assert stats.ratings == CITIZENS
    assert stats.largest >= 2 and stats.commits < CITIZENS, stats
    # The rollups hold each rating once.
    counts = [getattr(RatingRollup, f"n{score}") for score in range(1, 6)]
    day_counts = db.session.execute(sa.select(*counts).where(RatingRollup.scope == "center")).one()
    assert sum(day_counts) == CITIZENS


def test_the_same_form_sent_twice_in_one_batch_is_stored_once(app, counter_url, writer):
    nonce = nonce_of(app.test_client().get(counter_url))

    def resend(rater, prepared):
        if prepared is None:
            return True
        return rater.submit(counter_url, {"score": "5"}, nonce=nonce, follow=False).status_code

    def other(rater, prepared):
        if prepared is None:
            return nonce_of(rater.open(counter_url))
        return rater.submit(counter_url, {"score": "2"}, nonce=prepared, follow=False).status_code

    statuses = _together(app, [resend, resend, other, other])
    # One copy stored, the other told it was already sent; the other citizens unaffected.
    assert sorted(statuses) == [303, 303, 303, 409], statuses
    assert sorted(score for _code, score in _stored()) == [2, 2, 5]


def test_a_failed_commit_thanks_nobody_and_the_retry_is_stored_once(
    app, counter_url, rater, writer
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the citizen's error page, as in production
    nonce = nonce_of(rater.open(counter_url))
    failures = []

    def fail_once(session):
        # What a full disk or a lost database looks like to the writer: the ratings are
        # written in their savepoints, then the batch's commit raises.
        if (
            threading.current_thread().name == "rating-writer"
            and not session.in_nested_transaction()
            and not failures
        ):
            failures.append(True)
            raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    sa.event.listen(orm.Session, "before_commit", fail_once)
    try:
        response = rater.submit(counter_url, {"score": "3"}, nonce=nonce, follow=False)
    finally:
        sa.event.remove(orm.Session, "before_commit", fail_once)
    assert failures == [True]
    assert response.status_code == 500
    assert 'data-status="500"' in response.get_data(as_text=True)
    assert _stored() == []
    # The phone sends the same form again: stored now, once.
    again = rater.submit(counter_url, {"score": "3"}, nonce=nonce)
    assert tracking_of(again)
    assert [score for _code, score in _stored()] == [3]
