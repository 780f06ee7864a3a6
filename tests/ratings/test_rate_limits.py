"""Rate limits keyed on more than the IP; shared storage across workers (Redis)."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db, limiter
from portal.ratings import services
from portal.ratings.models import Rating

from .conftest import nonce_of


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATING_LIMIT_DEVICE": "2 per hour"}


def post_once(client, url, **kw):
    """One rating; a stored one answers 303 (Post/Redirect/Get to its thank-you page)."""
    nonce = nonce_of(client.get(url, **kw))
    return client.post(url, data={"nonce": nonce, "score": "4"}, **kw)


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Rating))


def test_one_device_is_limited(client, counter_url):
    assert post_once(client, counter_url).status_code == 303
    assert post_once(client, counter_url).status_code == 303
    assert post_once(client, counter_url).status_code == 429
    assert stored() == 2


def test_two_hundred_citizens_behind_one_ip_are_not_blocked(app, counter_url):
    for _ in range(200):
        citizen = app.test_client()  # own cookie jar = own phone
        assert post_once(citizen, counter_url).status_code == 303
    assert stored() == 200


def test_network_ceiling_applies_across_devices(app, counter_url):
    app.config["RATING_LIMIT_NETWORK"] = "3 per hour"
    codes = [post_once(app.test_client(), counter_url).status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]


def test_rotating_x_forwarded_for_does_not_bypass(app, counter_url):
    codes = []
    for i in range(4):
        client = app.test_client(use_cookies=False)  # a bot dropping cookies
        headers = {"X-Forwarded-For": f"203.0.113.{i}", "User-Agent": "bot"}
        nonce = nonce_of(client.get(counter_url, headers=headers))
        codes.append(
            client.post(
                counter_url, data={"nonce": nonce, "score": "5"}, headers=headers
            ).status_code
        )
    assert codes == [303, 303, 429, 429]


def redis_url() -> str | None:
    host, port = "127.0.0.1", 6379
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return f"redis://{host}:{port}/0"
    except OSError:
        if os.environ.get("CI") == "true":
            raise
        return None


def test_limit_is_shared_between_workers_through_redis(app_config, monkeypatch, counter_url):
    url = redis_url()
    if url is None:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 (required in CI)")
    db.session.rollback()  # release the fixture session's write lock (other engines below)
    monkeypatch.setenv("PORTAL_ENV", "testing")
    config = {
        **app_config,
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    worker_a = create_app(config)
    client = worker_a.test_client()
    with worker_a.app_context():
        assert post_once(client, counter_url).status_code == 303
        assert post_once(client, counter_url).status_code == 303
    # A second worker process: a fresh app, a fresh storage connection, the same device.
    worker_b = create_app(config)
    client_b = worker_b.test_client()
    client_b.set_cookie("rdev", client.get_cookie("rdev").value)
    with worker_b.app_context():
        assert post_once(client_b, counter_url).status_code == 429
        db.session.remove()
        db.engine.dispose()
    with worker_a.app_context():
        db.engine.dispose()


def test_code_lookups_are_limited(app, client):
    app.config["RATING_LIMIT_LOOKUP"] = "3 per minute"
    codes = [client.get(f"/t/?code=ZZZZZZZ{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    guesses = [app.test_client().get(f"/r/?code=BAAAA{i}").status_code for i in range(4)]
    assert guesses[-1] == 429


def test_a_refused_rating_says_when_to_try_again(client, counter_url):
    post_once(client, counter_url)
    post_once(client, counter_url)
    refused = post_once(client, counter_url)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600  # "2 per hour"
    assert refused.headers["Cache-Control"] == "no-store"
    assert "rate-dev" not in refused.get_data(as_text=True)  # no key leaks into the page
    assert stored() == 2


def test_a_kiosk_serves_many_citizens_but_not_a_whole_network(app, client, counter):
    """The kiosk is one device for every citizen: the device limit does not apply, the
    network ceiling does."""
    with app.test_request_context():
        url = f"/kiosk/{services.counter_token(counter, kiosk=True)}"
    app.config["RATING_LIMIT_NETWORK"] = "4 per hour"
    codes = [post_once(client, url).status_code for _ in range(5)]
    assert codes == [303, 303, 303, 303, 429]
    assert stored() == 4


def test_limits_switched_off_refuse_nothing(app, client, counter_url):
    limiter.enabled = False  # RATELIMIT_ENABLED = False
    try:
        codes = [post_once(client, counter_url).status_code for _ in range(4)]
    finally:
        limiter.enabled = True
    assert codes == [303] * 4
    assert stored() == 4
