"""Issue 24: the rating page (GET) serves a recently verified poster without reading the
database, and forgets it the moment a counter, its center or its posters change."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.centers import services as centers
from portal.extensions import db
from portal.ratings import services, tokens

from .conftest import nonce_of


@pytest.fixture
def statements(app):
    """The SQL statements run while the block is active."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def reprint_elsewhere(counter) -> None:
    """A reprint committed by another process: nothing in this one saw it happen."""
    db.session.execute(
        sa.text(
            "INSERT INTO counter_qrs (counter_id, version, updated_at) "
            "VALUES (:c, 2, CURRENT_TIMESTAMP)"
        ),
        {"c": counter.id},
    )
    db.session.commit()


@pytest.fixture(autouse=True)
def own_generation_file(tmp_path, monkeypatch):
    """This test's own host generation: other test processes share the instance folder."""
    path = str(tmp_path / tokens.GENERATION_FILE)
    monkeypatch.setattr(tokens, "_generation_path", lambda: path)


def test_a_second_view_of_a_poster_reads_no_database(client, counter_url, statements):
    first = client.get(counter_url)
    assert first.status_code == 200
    statements.clear()
    second = client.get(counter_url)
    assert second.status_code == 200
    assert [s for s in statements if "counters" in s] == []
    # Same page, its own single-use nonce.
    assert nonce_of(second) != nonce_of(first)
    assert second.get_data(as_text=True).replace(nonce_of(second), "") == first.get_data(
        as_text=True
    ).replace(nonce_of(first), "")


def test_a_reprint_stops_the_old_poster_at_once(client, counter_url, counter, users):
    assert client.get(counter_url).status_code == 200  # now cached
    services.revoke_counter_posters(counter, actor=users["manager"])
    db.session.commit()
    assert client.get(counter_url).status_code == 410


def test_a_retired_counter_stops_at_once(client, counter_url, counter, users):
    assert client.get(counter_url).status_code == 200
    centers.update_counter(
        counter, actor=users["admin"], number=counter.number, field=counter.field, is_active=False
    )
    db.session.commit()
    assert client.get(counter_url).status_code == 410


def test_a_renamed_center_shows_its_new_name(client, counter_url, counter):
    assert client.get(counter_url).status_code == 200
    counter.center.name = "Trung tâm đổi tên hôm nay"
    db.session.commit()
    assert "Trung tâm đổi tên hôm nay" in client.get(counter_url).get_data(as_text=True)


def test_another_worker_learns_of_a_change_through_the_generation_file(
    app, client, counter_url, counter
):
    assert client.get(counter_url).status_code == 200
    # Another worker of this host committed the reprint: this one's copy is still there,
    # only the shared generation moved.
    reprint_elsewhere(counter)
    # The host's generation moves, as the other worker's commit makes it.
    with app.test_request_context():
        before = tokens.targets_generation()
        path = Path(tokens._generation_path())
    path.touch()
    now = time.time_ns()
    os.utime(path, ns=(now, max(now, before + 1)))
    assert client.get(counter_url).status_code == 410


def test_the_copy_expires(app, client, counter_url, counter, monkeypatch):
    assert client.get(counter_url).status_code == 200
    reprint_elsewhere(counter)
    later = time.monotonic() + app.config["RATING_PAGE_TARGET_SECONDS"] + 1
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    assert client.get(counter_url).status_code == 410


def test_the_submission_always_reads_the_database(rater, counter_url, counter, users):
    page = rater.open(counter_url)
    assert page.status_code == 200
    reprint_elsewhere(counter)
    response = rater.client.post(counter_url, data={"nonce": nonce_of(page), "score": "5"})
    assert response.status_code == 410
