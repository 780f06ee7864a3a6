"""Issue 12, defects 5 and 10: no account lock anyone can trigger, equal work on every
login path, a delay per (account, network) shared by all workers, the login limit keyed on
the IPv6 /64, no-store on signed-in pages, an absolute session timeout."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.accounts import models as account_models
from portal.accounts import services
from portal.extensions import db
from portal.shared.timeutils import now_utc
from tests.conftest import PASSWORD

GUESSER = {"REMOTE_ADDR": "203.0.113.5"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def login(client, username, password, env, **kw):
    return client.post(
        "/account/login", data={"username": username, "password": password}, environ_base=env, **kw
    )


def logged_in(response) -> bool:
    return response.status_code == 302


def test_a_guesser_cannot_lock_the_owner_out(app, client, users):
    for _ in range(12):
        assert not logged_in(login(client, "manager", "wrong-guess", GUESSER))
    owner = app.test_client()
    assert logged_in(login(owner, "manager", PASSWORD, OWNER))


def test_failures_slow_the_guessing_network_with_a_growing_delay(app, client, users, monkeypatch):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "manager", "wrong-guess", GUESSER)
    # Now even the right password waits, from that network only.
    assert not logged_in(login(client, "manager", PASSWORD, GUESSER))
    later = now_utc() + timedelta(seconds=app.config["LOGIN_DELAY_SECONDS"] + 1)
    monkeypatch.setattr(services, "now_utc", lambda: later)
    login(client, "manager", "wrong-guess", GUESSER)  # sixth failure: twice the delay
    later2 = later + timedelta(seconds=app.config["LOGIN_DELAY_SECONDS"] + 1)
    monkeypatch.setattr(services, "now_utc", lambda: later2)
    assert not logged_in(login(client, "manager", PASSWORD, GUESSER))
    later3 = later + timedelta(seconds=2 * app.config["LOGIN_DELAY_SECONDS"] + 1)
    monkeypatch.setattr(services, "now_utc", lambda: later3)
    assert logged_in(login(client, "manager", PASSWORD, GUESSER))


def test_every_login_path_computes_one_hash(app, client, users, monkeypatch):
    calls = []
    original = account_models.check_password_hash

    def counting(hashed, password):
        calls.append(1)
        return original(hashed, password)

    monkeypatch.setattr(account_models, "check_password_hash", counting)
    app.config["LOGIN_RATE_LIMIT"] = "100 per minute"
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "manager", "wrong-guess", GUESSER)
        login(client, "nobody-at-all", "wrong-guess", GUESSER)
    calls.clear()
    throttled_real = login(client, "manager", "wrong-guess", GUESSER).get_data(as_text=True)
    throttled_unknown = login(client, "nobody-at-all", "x", GUESSER).get_data(as_text=True)
    plain_unknown = login(client, "someone-else", "x", GUESSER).get_data(as_text=True)
    plain_wrong = login(client, "officer", "wrong-guess", GUESSER).get_data(as_text=True)
    assert calls == [1, 1, 1, 1]
    message = "Sai tên đăng nhập hoặc mật khẩu"
    assert all(message in page for page in (throttled_real, throttled_unknown, plain_unknown))
    assert message in plain_wrong


def test_failures_count_across_workers_without_redis(app_config, make_app, users):
    """Two apps with in-process limiter storage stand for two gunicorn workers."""
    db.session.commit()
    config = {**app_config, "LOGIN_NETWORK_MAX_FAILURES": 6, "RATELIMIT_STORAGE_URI": "memory://"}
    workers = [make_app(config).test_client(), make_app(config).test_client()]
    statuses = []
    for i in range(6):
        login(workers[i % 2], f"guess{i}", "x", GUESSER)
    # The seventh guess from that network waits, on either worker, even with the right
    # password of a real account.
    for worker in workers:
        statuses.append(logged_in(login(worker, "manager", PASSWORD, GUESSER)))
    assert statuses == [False, False]
    assert logged_in(login(workers[0], "manager", PASSWORD, OWNER))


def test_the_login_limit_keys_on_the_ipv6_64(client, users):
    statuses = [
        login(client, f"user{i}", "x", {"REMOTE_ADDR": f"2001:db8:1:2::{i + 1:x}"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    other = login(client, "user", "x", {"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert other.status_code == 200


def test_signed_in_pages_are_not_stored(client, auth, users):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login(users["manager"])
    for path in ("/", "/centers/07900", "/assessments/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path


def test_sessions_end_after_the_absolute_timeout(app, client, auth, users, monkeypatch):
    import time as time_module

    auth.login(users["manager"])
    assert client.get("/centers/07900").status_code == 200
    hours = app.config["SESSION_ABSOLUTE_HOURS"]
    real = time_module.time
    monkeypatch.setattr("portal.accounts.views.time.time", lambda: real() + hours * 3600 + 60)
    response = client.get("/centers/07900")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    monkeypatch.undo()
    assert client.get("/centers/07900").status_code == 302  # the session is gone for good


def test_old_throttle_rows_are_purged(app, client, runner, users, monkeypatch):
    from portal.accounts.models import LoginThrottle

    login(client, "manager", "wrong-guess", GUESSER)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 2
    later = now_utc() + timedelta(days=2)
    monkeypatch.setattr(services, "now_utc", lambda: later)
    result = runner.invoke(args=["accounts", "purge-throttles"])
    assert "2 login throttle rows removed" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0
