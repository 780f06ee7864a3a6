"""Fixtures: the app on SQLite (default) or PostgreSQL (``TEST_DATABASE_URL``), plus factories.

The schema is created once per database per session from the models; each
test starts from empty tables. ``tests/test_migrations.py`` proves that the
migrations build the same schema.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal import create_app
from portal.accounts import models as account_models
from portal.accounts.models import Role, User
from portal.centers.models import Center, Counter, Officer
from portal.extensions import db

pytest_plugins = ["tests.browser"]

# Cheap hashes in tests; production keeps werkzeug's scrypt default.
account_models.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

PASSWORD = "correct-horse-battery"

#: Settings for tests that submit ratings: every hour is "open", so the off-hours flag
#: does not hold test ratings back; QR codes use a fixed public address.
RATINGS_TEST_CONFIG = {
    "PUBLIC_BASE_URL": "https://danhgia.example.vn",
    "RATING_OPENING_HOURS": (0.0, 24.0),
    "RATING_CLOSED_WEEKDAYS": (),
}

_schema_ready: set[str] = set()


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    path = tmp_path_factory.getbasetemp() / "portal-test.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return database_url(tmp_path_factory)


def _empty_tables() -> None:
    # DELETE, children first: on tables this small it is much cheaper than TRUNCATE,
    # whose fixed cost per table dominated the PostgreSQL run.
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def app_config(db_url, tmp_path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_TMP": str(tmp_path),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "EXPORTS_DIR": str(tmp_path / "exports"),
    }


@pytest.fixture
def make_app(monkeypatch):
    """Build extra apps (another config, another "worker"); their pools close after the test."""
    made = []

    def make(config: dict, *, env: str = "testing"):
        monkeypatch.setenv("PORTAL_ENV", env)
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_config, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app(app_config)
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(url)
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run like production ones.

    Flask reuses an already pushed app context for a request, which would share
    ``g``, the Babel locale and the database session between the test body and
    every request. Each request here runs in a fresh ``contextvars.Context``,
    so it gets its own app context and session; the test body's open
    transaction is committed first so that it holds no SQLite lock.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Factories -------------------------------------------------------------------

_seq = itertools.count(1)


@pytest.fixture
def create_center(app) -> Callable[..., Center]:
    def make(
        code: str | None = None,
        *,
        province_code: int = 25,
        level: str = "commune",
        name: str | None = None,
        counters: int = 0,
    ) -> Center:
        n = next(_seq)
        code = code or f"9{n:04d}"
        center = Center(
            code=code,
            name=name or f"Trung tâm Phục vụ hành chính công xã Thử {n}",
            level=level,
            unit_code=int(re.sub(r"\D", "", code) or n),
            unit_name=f"Xã Thử {n}",
            unit_type="xã",
            province_code=province_code,
            province_name="Phú Thọ" if province_code == 25 else f"Tỉnh {province_code}",
        )
        center.refresh_search_key()
        db.session.add(center)
        for i in range(counters):
            db.session.add(Counter(center=center, number=i + 1, field=f"Lĩnh vực {i + 1}"))
        db.session.commit()
        return center

    return make


@pytest.fixture
def create_user(app) -> Callable[..., User]:
    def make(
        role: str = Role.MANAGER,
        *,
        center: Center | None = None,
        username: str | None = None,
        password: str = PASSWORD,
        scope_province_code: int | None = None,
        scope_centers=(),
        is_active: bool = True,
    ) -> User:
        user = User(
            username=username or f"{role}{next(_seq)}",
            full_name=f"Người dùng {role}",
            role=str(role),
            center=center,
            scope_province_code=scope_province_code,
            is_active=is_active,
            password_hash="",
        )
        user.scope_centers = list(scope_centers)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def create_officer(app):
    def make(center: Center, *, counter: Counter | None = None, full_name: str = "Nguyễn Văn A"):
        officer = Officer(center=center, counter=counter, full_name=full_name, position="Công chức")
        db.session.add(officer)
        db.session.commit()
        return officer

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_name, password: str = PASSWORD, **kwargs):
        username = getattr(user_or_name, "username", user_or_name)
        return self.client.post(
            "/account/login", data={"username": username, "password": password}, **kwargs
        )

    def logout(self):
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def center(create_center) -> Center:
    return create_center(
        "07900", name="Trung tâm Phục vụ hành chính công phường Việt Trì", counters=2
    )


@pytest.fixture
def other_center(create_center) -> Center:
    return create_center(
        "07894", name="Trung tâm Phục vụ hành chính công phường Nông Trang", counters=1
    )


@pytest.fixture
def users(create_user, center, other_center, create_center) -> dict[str, User]:
    """One account per role and scope, for the authorization matrix."""
    far = create_center("00004", province_code=1)
    return {
        "admin": create_user(Role.ADMIN, username="admin"),
        "inspector": create_user(Role.INSPECTOR, username="inspector", scope_province_code=25),
        "inspector_other": create_user(Role.INSPECTOR, username="inspector2", scope_centers=[far]),
        "manager": create_user(Role.MANAGER, username="manager", center=center),
        "manager_other": create_user(Role.MANAGER, username="manager2", center=other_center),
        "officer": create_user(Role.OFFICER, username="officer", center=center),
    }


def pytest_report_header(config) -> list[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    return [f"database: {url or 'SQLite (temporary file)'}"]


@pytest.fixture
def count_rows(app) -> Callable[[type], int]:
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return count
