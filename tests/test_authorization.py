"""Every role × route pair of the foundation: allowed and refused, on the server.

Roles: anonymous, admin, inspector (province 25), inspector scoped to another
province's center, manager of the center, manager of another center, officer.
Adding a route to these blueprints without a row here fails
``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.centers.models import Counter
from portal.extensions import db
from tests.conftest import PASSWORD

ROLES = (
    "anonymous",
    "admin",
    "inspector",
    "inspector_other",
    "manager",
    "manager_other",
    "officer",
)
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
CENTER_VIEWERS = {"admin", "inspector", "manager", "officer"}
CENTER_EDITORS = {"admin", "manager"}
ADMINS = {"admin"}

# (endpoint, method, url, data, roles allowed)
MATRIX = [
    ("main.home", "GET", "/", None, EVERYONE),
    ("main.start", "GET", "/start", None, LOGGED_IN),
    ("main.healthz", "GET", "/healthz", None, EVERYONE),
    ("accounts.login", "GET", "/account/login", None, EVERYONE),
    ("accounts.login", "POST", "/account/login", {"username": "x", "password": "y"}, EVERYONE),
    ("accounts.language", "GET", "/account/language/en", None, EVERYONE),
    ("accounts.password", "GET", "/account/password", None, LOGGED_IN),
    (
        "accounts.password",
        "POST",
        "/account/password",
        {"current_password": "wrong", "new_password": "x", "confirm": "y"},
        LOGGED_IN,
    ),
    ("accounts.logout", "POST", "/account/logout", {}, LOGGED_IN),
    ("centers.index", "GET", "/centers/", None, LOGGED_IN),
    ("centers.detail", "GET", "/centers/07900", None, CENTER_VIEWERS),
    ("centers.edit", "GET", "/centers/07900/edit", None, CENTER_EDITORS),
    (
        "centers.edit",
        "POST",
        "/centers/07900/edit",
        {"name": "Trung tâm mới", "address": "", "phone": "", "opening_hours": ""},
        CENTER_EDITORS,
    ),
    ("centers.counter_edit", "GET", "/centers/07900/counters/new", None, CENTER_EDITORS),
    (
        "centers.counter_edit",
        "POST",
        "/centers/07900/counters/new",
        {"number": "7", "field": "Đất đai"},
        CENTER_EDITORS,
    ),
    ("centers.counter_edit", "GET", "/centers/07900/counters/{counter}/edit", None, CENTER_EDITORS),
    (
        "centers.counter_edit",
        "POST",
        "/centers/07900/counters/{counter}/edit",
        {"number": "1", "field": "Tư pháp", "is_active": "y"},
        CENTER_EDITORS,
    ),
    ("centers.officer_edit", "GET", "/centers/07900/officers/new", None, CENTER_EDITORS),
    (
        "centers.officer_edit",
        "POST",
        "/centers/07900/officers/new",
        {"full_name": "Lê Văn E", "position": "", "counter_id": "0"},
        CENTER_EDITORS,
    ),
    ("centers.officer_edit", "GET", "/centers/07900/officers/{officer}/edit", None, CENTER_EDITORS),
    (
        "centers.officer_edit",
        "POST",
        "/centers/07900/officers/{officer}/edit",
        {"full_name": "Lê Văn F", "position": "", "counter_id": "0", "is_active": "y"},
        CENTER_EDITORS,
    ),
    ("admin.audit_log", "GET", "/audit/", None, ADMINS),
    ("admin.index", "GET", "/admin/", None, ADMINS),
    ("admin.users", "GET", "/admin/users", None, ADMINS),
    ("admin.user_edit", "GET", "/admin/users/new", None, ADMINS),
    (
        "admin.user_edit",
        "POST",
        "/admin/users/new",
        {
            "username": "created.user",
            "full_name": "Mới",
            "role": "inspector",
            "scope_province_code": "25",
            "is_active": "y",
        },
        ADMINS,
    ),
    ("admin.user_edit", "GET", "/admin/users/{user}/edit", None, ADMINS),
    (
        "admin.user_edit",
        "POST",
        "/admin/users/{user}/edit",
        {
            "username": "x",
            "full_name": "Đổi tên",
            "role": "officer",
            "center_code": "07900",
            "is_active": "y",
        },
        ADMINS,
    ),
    ("admin.user_reset_password", "POST", "/admin/users/{user}/reset-password", {}, ADMINS),
    ("admin.center_options", "GET", "/admin/center-options?q=viet", None, ADMINS),
    ("admin.settings_page", "GET", "/admin/settings", None, ADMINS),
    ("admin.settings_page", "POST", "/admin/settings", {"case_due_working_days": "7"}, ADMINS),
    (
        "admin.settings_hours",
        "POST",
        "/admin/settings/opening-hours",
        {"center": "07900", "opens": "07:30", "closes": "17:00", "closed_weekdays": ["6"]},
        ADMINS,
    ),
    ("admin.settings_hours_clear", "POST", "/admin/settings/opening-hours/07900/clear", {}, ADMINS),
    (
        "admin.settings_holiday_add",
        "POST",
        "/admin/settings/holidays",
        {"day": "2026-09-03", "name": "Nghỉ bù"},
        ADMINS,
    ),
    (
        "admin.settings_holiday_remove",
        "POST",
        "/admin/settings/holidays/2026-09-03/remove",
        {},
        ADMINS,
    ),
    ("admin.settings_holiday_official", "POST", "/admin/settings/holidays/official", {}, ADMINS),
]

FOUNDATION_BLUEPRINTS = ("main", "accounts", "centers", "admin", "audit")


def _cases():
    for _endpoint, method, url, data, allowed in MATRIX:
        for role in ROLES:
            yield pytest.param(
                method, url, data, role, role in allowed, id=f"{method} {url} as {role}"
            )


@pytest.fixture
def officer_record(create_officer, center):
    return create_officer(center, counter=center.counters[0])


@pytest.mark.parametrize(("method", "url", "data", "role", "allowed"), list(_cases()))
def test_role_route(client, users, officer_record, method, url, data, role, allowed):
    target = users["officer"]
    url = url.format(counter=officer_record.counter_id, officer=officer_record.id, user=target.id)
    if role != "anonymous":
        response = client.post(
            "/account/login", data={"username": users[role].username, "password": PASSWORD}
        )
        assert response.status_code == 302
    before = db.session.scalar(sa.select(sa.func.count(Counter.id)))
    target_before = (target.full_name, target.role)
    response = client.open(url, method=method, data=data)
    if allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/account/login" not in response.headers["Location"]
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/account/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
        # A refused write changes nothing.
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count(Counter.id))) == before
        refreshed = db.session.get(User, target.id)
        assert (refreshed.full_name, refreshed.role) == target_before


def test_every_route_is_in_the_matrix(app):
    covered = {(endpoint, method) for endpoint, method, *_ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in FOUNDATION_BLUEPRINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == []
