"""Security defaults: CSRF, headers, cookies, secrets, request limits."""

from __future__ import annotations

import pytest

from portal import create_app
from tests.conftest import PASSWORD

#: Production refuses per-process rate limits unless one process is declared (a test is one).
ONE_PROCESS = {"RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def csrf_app(app_config, make_app):
    return make_app({**app_config, "WTF_CSRF_ENABLED": True})


def test_post_without_csrf_token_is_rejected(csrf_app, users):
    client = csrf_app.test_client()
    response = client.post("/account/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_post_with_token_from_another_session_is_rejected(csrf_app, users):
    import re

    other = csrf_app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        other.get("/account/login").get_data(as_text=True),
    ).group(1)
    client = csrf_app.test_client()
    response = client.post(
        "/account/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


def test_post_with_own_token_passes(csrf_app, users):
    import re

    client = csrf_app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/account/login").get_data(as_text=True),
    ).group(1)
    response = client.post(
        "/account/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_flags(client, users):
    response = client.post("/account/login", data={"username": "admin", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_host_prefixed(make_app, db_url):
    app = make_app(
        {"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": db_url, **ONE_PROCESS}, env="production"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    response = app.test_client().get("/", base_url="http://portal.example")
    assert response.status_code == 301  # HTTPS is forced
    assert response.headers["Location"].startswith("https://")


@pytest.mark.parametrize("secret", [None, "", "dev-only-not-secret", "short"])
def test_production_refuses_a_weak_secret(monkeypatch, secret, db_url):
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": db_url})


def test_error_pages_hide_internals(client):
    response = client.get("/centers/does-not-exist")
    assert response.status_code == 302  # login first
    response = client.get("/nope")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_oversized_body_is_refused(client):
    response = client.post(
        "/account/login", data={"username": "x" * (17 * 1024 * 1024), "password": "y"}
    )
    assert response.status_code == 413


def test_get_on_post_only_route_is_405(client):
    assert client.get("/account/logout").status_code == 405


def test_api_style_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_passwords_are_hashed(users):
    assert PASSWORD not in users["admin"].password_hash
    assert users["admin"].password_hash.startswith("pbkdf2:")


def _redis_available() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_login_limit_is_shared_by_all_workers_through_redis(app_config, users):
    """A second process stands for another gunicorn worker: after 10 attempts on this one,
    the 11th is refused there too, because the counters live in Redis."""
    import os
    import subprocess
    import sys
    import uuid

    if not _redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is required in CI at 127.0.0.1:6379")
        pytest.skip("Redis not running on 127.0.0.1:6379")
    # A client address of its own, so that earlier runs' counters in Redis do not count.
    ip = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    storage = "redis://127.0.0.1:6379/0"
    form = {"username": "x", "password": "y"}
    env = {
        **os.environ,
        "PORTAL_ENV": "testing",
        "PORTAL_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "PORTAL_RATELIMIT_STORAGE_URI": storage,
    }

    def worker(attempts: int) -> list[str]:
        """A fresh process, as a gunicorn worker is: its own limiter, the shared Redis."""
        code = "\n".join(
            [
                "from portal import create_app",
                "c = create_app().test_client()",
                f"for _ in range({attempts}):",
                f"    r = c.post('/account/login', data={form!r},"
                f" environ_base={{'REMOTE_ADDR': {ip!r}}})",
                "    print(r.status_code)",
            ]
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.split()

    assert worker(10) == ["200"] * 10
    assert worker(1) == ["429"]
