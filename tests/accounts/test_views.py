from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.conftest import PASSWORD


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/account/login")
    assert page.status_code == 200
    assert "Đăng nhập" in page.get_data(as_text=True)


def test_login_and_logout(client, auth, users):
    response = auth.login(users["manager"])
    assert response.status_code == 302
    assert client.get("/centers/07900").status_code == 200
    auth.logout()
    assert client.get("/centers/07900").status_code == 302  # back to the login page


def test_wrong_password_gives_one_generic_message(client, auth, users):
    wrong = auth.login(users["manager"], "not-the-password").get_data(as_text=True)
    unknown = auth.login("nobody-here", "not-the-password").get_data(as_text=True)
    pattern = re.compile(r'class="errors"><li>(.*?)</li>')
    assert pattern.search(wrong).group(1) == pattern.search(unknown).group(1)


def test_failed_logins_are_audited(client, auth, users):
    auth.login(users["manager"], "not-the-password")
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "login.failed" in actions


def test_account_locks_after_repeated_failures(client, auth, users, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login(users["manager"], "not-the-password")
    # Even the right password is refused while locked.
    response = auth.login(users["manager"])
    assert response.status_code == 200
    assert client.get("/centers/07900").status_code == 302


def test_login_is_rate_limited_per_ip(client, auth, users, app):
    statuses = [auth.login(f"user{i}", "x").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_next_parameter_cannot_redirect_off_site(client, users):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/account/login?next={target}", data={"username": "manager", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]


def test_next_parameter_keeps_local_path(client, users):
    response = client.post(
        "/account/login?next=/centers/07900", data={"username": "manager", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/centers/07900"


def test_logout_kills_a_copied_session_cookie(app, users):
    first = app.test_client()
    first.post("/account/login", data={"username": "manager", "password": PASSWORD})
    cookie = first.get_cookie("session").value
    stolen = app.test_client()
    stolen.set_cookie("session", cookie)
    assert stolen.get("/centers/07900").status_code == 200
    first.post("/account/logout")
    assert stolen.get("/centers/07900").status_code == 302


def test_disabling_an_account_ends_its_sessions(client, auth, users):
    auth.login(users["manager"])
    assert client.get("/centers/07900").status_code == 200
    user = db.session.get(User, users["manager"].id)
    user.is_active = False
    db.session.commit()
    assert client.get("/centers/07900").status_code == 302


def test_change_password(client, auth, users):
    auth.login(users["manager"])
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login("manager", PASSWORD).status_code == 200  # old one refused
    assert auth.login("manager", "a-new-long-password").status_code == 302


@pytest.mark.parametrize("new", ["short", "1234567890", "manager-is-me"])
def test_weak_passwords_are_refused(client, auth, users, new):
    auth.login(users["manager"])
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 200
    assert 'class="errors"' in response.get_data(as_text=True)


def test_new_account_must_change_password_first(client, auth, users):
    auth.login(users["admin"])
    response = client.post(
        "/admin/users/new",
        data={
            "username": "new.manager",
            "full_name": "Trần Thị B",
            "role": "manager",
            "center_code": "07900",
            "is_active": "y",
        },
    )
    html = response.get_data(as_text=True)
    initial = re.search(r'class="secret"><code>([^<]+)</code>', html).group(1)
    auth.logout()
    auth.login("new.manager", initial)
    response = client.get("/centers/07900")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/password")


def test_manager_role_needs_a_center(client, auth, users):
    auth.login(users["admin"])
    response = client.post(
        "/admin/users/new",
        data={"username": "lost", "full_name": "X", "role": "manager", "is_active": "y"},
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.username == "lost")) is None


def test_admin_edits_scope_of_an_inspector(client, auth, users, other_center):
    auth.login(users["admin"])
    inspector = users["inspector_other"]
    client.post(
        f"/admin/users/{inspector.id}/edit",
        data={
            "username": inspector.username,
            "full_name": "Đoàn kiểm tra",
            "role": "inspector",
            "scope_center_codes": "07894",
            "is_active": "y",
        },
    )
    db.session.expire_all()
    assert [c.code for c in db.session.get(User, inspector.id).scope_centers] == ["07894"]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "user.updated")
    ).one()
    assert "Đoàn kiểm tra" not in entry.summary  # personal data stays out of the log
    assert "scope_center_ids" in entry.summary


def test_admin_cannot_demote_themself(client, auth, users):
    admin = users["admin"]
    auth.login(admin)
    client.post(
        f"/admin/users/{admin.id}/edit",
        data={
            "username": "admin",
            "full_name": "Quản trị",
            "role": "officer",
            "center_code": "07900",
            "is_active": "y",
        },
    )
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_create_admin_command(runner, app):
    result = runner.invoke(
        args=["accounts", "create-admin", "--username", "Chu.Tich", "--full-name", "Chủ tịch"],
        input="a-long-admin-password\na-long-admin-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "chu.tich"))
    assert user.role == Role.ADMIN and user.check_password("a-long-admin-password")
    again = runner.invoke(
        args=[
            "accounts",
            "create-admin",
            "--username",
            "chu.tich",
            "--full-name",
            "X",
            "--password",
            "another-long-password",
        ]
    )
    assert again.exit_code != 0 and "already taken" in again.output
    weak = runner.invoke(
        args=[
            "accounts",
            "create-admin",
            "--username",
            "weak",
            "--full-name",
            "X",
            "--password",
            "short",
        ]
    )
    assert weak.exit_code != 0
    assert db.session.scalar(sa.select(User).where(User.username == "weak")) is None
