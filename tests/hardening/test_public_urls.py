"""Issue 12, defect 9: QR and receipt URLs never take the host from the request; without
PUBLIC_BASE_URL production refuses to issue links with a clear message."""

from __future__ import annotations

import json

import sqlalchemy as sa

from portal.extensions import db
from portal.ratings.models import Receipt
from tests.conftest import PASSWORD

#: Production refuses per-process rate limits unless one process is declared (a test is one).
ONE_PROCESS = {"RATELIMIT_STORAGE_URI": "memory://"}

EVIL = "evil.example"


def release(center) -> str:
    """The center's code; then end the test's transaction so the other app can write."""
    code = center.code
    db.session.commit()
    return code


def test_without_the_setting_development_uses_its_own_address_not_the_host(
    make_app, app_config, users, center
):
    code = release(center)
    app = make_app({**app_config, "PUBLIC_BASE_URL": ""})
    client = app.test_client()
    client.post(
        "/account/login",
        data={"username": "manager", "password": PASSWORD},
        headers={"Host": EVIL},
    )
    html = client.get(f"/ratings/{code}/qr", headers={"Host": EVIL}).get_data(as_text=True)
    assert EVIL not in html
    assert "http://127.0.0.1:5000/r/c" in html


def test_production_without_the_setting_refuses_to_issue_links(make_app, app_config, users, center):
    code = release(center)
    app = make_app(
        {
            **app_config,
            **ONE_PROCESS,
            "PUBLIC_BASE_URL": "",
            "SECRET_KEY": "p" * 40,
            "WTF_CSRF_ENABLED": False,
        },
        env="production",
    )
    client = app.test_client()
    base = f"https://{EVIL}"
    client.post(
        "/account/login",
        data={"username": "manager", "password": PASSWORD},
        base_url=base,
    )
    for path in (f"/ratings/{code}/qr", f"/ratings/{code}/posters.pdf"):
        response = client.get(path, base_url=base, headers={"Accept-Language": "vi"})
        assert response.status_code == 503, path
        body = response.get_data(as_text=True)
        assert EVIL not in body
        assert "PUBLIC_BASE_URL" in body


def test_the_api_never_prints_the_request_host(make_app, app_config, center):
    code = release(center)
    app = make_app({**app_config, "PUBLIC_BASE_URL": ""})
    key = app.test_cli_runner().invoke(args=["api", "create-key", "Một cửa", "--province", "25"])
    response = app.test_client().post(
        "/api/v1/receipts",
        data=json.dumps({"center": code, "dossier_code": "H1"}),
        headers={
            "Authorization": f"Bearer {key.output.strip()}",
            "Content-Type": "application/json",
            "Host": EVIL,
        },
    )
    assert response.status_code == 201
    assert EVIL not in response.get_json()["url"]
    assert response.get_json()["url"].startswith("http://127.0.0.1:5000/r/r")


def test_the_api_in_production_without_the_setting_issues_nothing(make_app, app_config, center):
    code = release(center)
    app = make_app(
        {**app_config, **ONE_PROCESS, "PUBLIC_BASE_URL": "", "SECRET_KEY": "p" * 40},
        env="production",
    )
    key = app.test_cli_runner().invoke(args=["api", "create-key", "Một cửa", "--province", "25"])
    response = app.test_client().post(
        "/api/v1/receipts",
        data=json.dumps({"center": code, "dossier_code": "H1"}),
        headers={
            "Authorization": f"Bearer {key.output.strip()}",
            "Content-Type": "application/json",
        },
        base_url=f"https://{EVIL}",
    )
    assert response.status_code == 503
    assert "PUBLIC_BASE_URL" in response.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0
