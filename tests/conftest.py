"""Fixtures: the app on SQLite (default) or PostgreSQL (``TEST_DATABASE_URL``), plus factories.

The schema is created once per database per session from the models; each
test starts from empty tables. ``tests/test_migrations.py`` proves that the
migrations build the same schema.

Under pytest-xdist every worker has its own database: SQLite files live under the
worker's own basetemp, and on PostgreSQL the worker derives ``<name>_gw0`` … from
``TEST_DATABASE_URL`` and creates it on the fly.

``flask demo seed`` (about half a minute) runs once per test run and database into a
template (``demo_template``) that the xdist workers share; a test or module that needs
the demo data gets a private copy of it (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL) and may change it freely.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import itertools
import os
import re
import shutil
import signal
import sqlite3
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from filelock import FileLock
from flask.testing import FlaskClient

from portal import create_app
from portal.accounts import models as account_models
from portal.accounts.models import Role, User
from portal.centers.models import Center, Counter, Officer
from portal.extensions import db

from . import memos

pytest_plugins = ["tests.browser"]


memos.install()


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


def _render(url: sa.engine.URL) -> str:
    return url.render_as_string(hide_password=False)


def _pg_admin(url: str) -> sa.Engine:
    """An autocommit engine on ``url``'s server, for CREATE/DROP DATABASE."""
    return sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """``url`` with this xdist worker's own database (``test`` → ``test_gw0``), new for each
    session: a database left by another branch's run may hold tables this code does not know."""
    parsed = sa.engine.make_url(url)
    worker_url = _render(parsed.set(database=f"{parsed.database}_{worker}"))
    _recreate_pg_database(worker_url)
    return worker_url


def reset_schema() -> None:
    """Give the current app's database this code's schema, whatever was there before.

    ``drop_all`` only drops the tables this code knows: on PostgreSQL a table left by another
    branch's run (with a foreign key to one of ours) made it fail, so the schema goes whole.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        db.drop_all()
    db.create_all()


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker and url.startswith("postgresql"):
            return _worker_database(url, worker)
        return url
    path = tmp_path_factory.getbasetemp() / "portal-test.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return database_url(tmp_path_factory)


def _empty_tables() -> None:
    # DELETE, children first: on tables this small it is much cheaper than TRUNCATE,
    # whose fixed cost per table dominated the PostgreSQL run.
    # One round trip instead of one per table (PostgreSQL: 45 -> 9 ms per test; SQLite:
    # one script instead of 60 statements built by SQLAlchemy, 12 -> 2 ms).
    tables = list(reversed(db.metadata.sorted_tables))
    quote = db.engine.dialect.identifier_preparer.format_table
    deletes = "; ".join(f"DELETE FROM {quote(t)}" for t in tables)
    if db.engine.dialect.name == "sqlite":
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.executescript(f"BEGIN IMMEDIATE; {deletes}; COMMIT;")
        finally:
            raw.close()
        return
    with db.engine.begin() as conn:
        conn.exec_driver_sql(deletes)


@pytest.fixture
def app_config(db_url, tmp_path, request) -> dict:
    config = {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_TMP": str(tmp_path),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "EXPORTS_DIR": str(tmp_path / "exports"),
    }
    if "demo_data" in request.fixturenames:
        # The test asked for the demo data: its app runs on its own copy.
        config.update(request.getfixturevalue("demo_data").config())
    return config


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
def app(app_config, monkeypatch, request):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app(app_config)
    with app.app_context():
        if "demo_data" not in request.fixturenames:  # a demo copy keeps its data
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            if url not in _schema_ready:
                reset_schema()
                _schema_ready.add(url)
            _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


# The demo data ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoData:
    """A database holding `flask demo seed --province 25`'s data, and the files it wrote
    (evidence photos, finished exports) under ``files``."""

    url: str
    files: Path

    def config(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "EVIDENCE_DIR": str(self.files / "evidence"),
            "EXPORTS_DIR": str(self.files / "exports"),
        }


def _recreate_pg_database(url: str, *, template: str | None = None) -> None:
    name = sa.engine.make_url(url).database
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            source = f' TEMPLATE "{template}"' if template else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{source}')
            # A throwaway database: a commit need not wait for the WAL flush (a crash of
            # the server, never of the app, could lose it). One module measured 76 -> 60 s
            # while the machine was shared; the whole stage only 8m51s -> 8m44s idle.
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        admin.dispose()


def _drop_pg_database(url: str) -> None:
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            name = sa.engine.make_url(url).database
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def demo_template(db_url, tmp_path_factory) -> DemoData:
    """`flask demo seed --province 25` run once per test run, never changed: tests get
    copies of it through ``demo_data`` or ``copy_demo``.

    The xdist workers of a run share it (their temporary directories have one parent per
    run): the first worker to need it seeds it under a file lock, the others wait for it.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    tmp = root / "demo-template"
    if db_url.startswith("postgresql"):
        parsed = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
        url = _render(parsed.set(database=f"{parsed.database}_demo"))
    else:
        url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    demo = DemoData(url, tmp / "files")
    with FileLock(str(root / "demo-template.lock")):
        if (tmp / "seeded").exists():
            return demo
        tmp.mkdir(exist_ok=True)
        if url.startswith("postgresql"):
            _recreate_pg_database(url)  # whatever an earlier run left under that name
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PORTAL_ENV", "testing")
            config = {**demo.config(), "INSTANCE_TMP": str(tmp), "RATELIMIT_ENABLED": False}
            app = create_app(config)
            with app.app_context():
                db.create_all()
                result = app.test_cli_runner().invoke(args=["demo", "seed", "--province", "25"])
                assert result.exit_code == 0, result.output
                db.session.remove()
                db.engine.dispose()  # a PostgreSQL template must have no connection left
        (tmp / "seeded").touch()
    return demo


#: The modules that take longest, longest first. xdist (``--dist loadfile``, with
#: ``--no-loadscope-reorder`` in the Makefile) hands whole files to its workers in this
#: order, each worker holding two; started last, the demo crawls (a minute or more each)
#: kept one worker busy while the other had nothing left to do. The second one needs no
#: demo data, so the second worker does not wait while the first seeds it.
LONGEST_FIRST = (
    "tests/test_every_page.py",
    "tests/test_authorization.py",
    "tests/test_every_page_english.py",
    "tests/rankings/test_revisions.py",
    "tests/ratings/test_load.py",
    "tests/inspections/test_authorization.py",
    "tests/documents/test_authorization.py",
)


def pytest_collection_modifyitems(config, items) -> None:
    """``LONGEST_FIRST``, then the other modules by their number of tests, most first
    (what xdist's own reordering does), each module's tests in their order. Only xdist
    workers reorder (their collections are what the controller hands out); a run in one
    process keeps the files' order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return

    def module(item) -> str:
        try:
            return item.path.relative_to(config.rootpath).as_posix()
        except ValueError:  # a test outside the project
            return str(item.path)

    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    sizes = Tally(module(item) for item in items)
    items.sort(key=lambda item: (rank.get(module(item), len(rank)), -sizes[module(item)]))


def pytest_sessionfinish(session) -> None:
    """The run's shared PostgreSQL template goes when the whole run ends (in the xdist
    controller, after every worker; or in the one process of a run without workers)."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql") and not hasattr(session.config, "workerinput"):
        parsed = sa.engine.make_url(url)
        with contextlib.suppress(sa.exc.OperationalError):  # no server: nothing was made
            _drop_pg_database(_render(parsed.set(database=f"{parsed.database}_demo")))


_copies = itertools.count(1)


@contextmanager
def copy_demo(template: DemoData, tmp_path_factory) -> Iterator[DemoData]:
    """A private copy of the demo data, removed afterwards; its holder may change it."""
    tmp = tmp_path_factory.mktemp("demo-copy")
    template.files.mkdir(exist_ok=True)
    shutil.copytree(template.files, tmp / "files")
    if template.url.startswith("postgresql"):
        parsed = sa.engine.make_url(template.url)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        url = _render(parsed.set(database=f"{parsed.database}_{worker}_{next(_copies)}"))
        _recreate_pg_database(url, template=parsed.database)
        try:
            yield DemoData(url, tmp / "files")
        finally:
            _drop_pg_database(url)
        return
    path = tmp / "demo.sqlite3"
    source = sqlite3.connect(sa.engine.make_url(template.url).database)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    yield DemoData(f"sqlite:///{path}", tmp / "files")


@pytest.fixture
def demo_data(demo_template, tmp_path_factory) -> Iterator[DemoData]:
    """This test's own copy of the demo data; the ``app`` fixture then runs on it."""
    with copy_demo(demo_template, tmp_path_factory) as copy:
        yield copy


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


#: Signals whose handlers are process-wide state a test must not leave behind.
WATCHED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM)


@contextmanager
def signal_handlers_restored() -> Iterator[None]:
    """Put back the handlers of ``WATCHED_SIGNALS`` afterwards (e.g. around an in-process
    RQ worker, which installs its own)."""
    before = {signum: signal.getsignal(signum) for signum in WATCHED_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


@pytest.fixture(autouse=True)
def _no_signal_handler_left_behind():
    """Fail a test that leaves a signal handler installed, after restoring it.

    An RQ worker run inside pytest once kept its SIGTERM handler: stopping `make test`
    only raised ``StopRequested`` in whatever test ran next, and the suite went on.
    """
    before = {signum: signal.getsignal(signum) for signum in WATCHED_SIGNALS}
    yield
    changed = [s.name for s, handler in before.items() if signal.getsignal(s) != handler]
    for signum, handler in before.items():
        signal.signal(signum, handler)
    assert not changed, f"the test left its own handlers for {changed}"


def pytest_report_header(config) -> list[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    return [f"database: {url or 'SQLite (temporary file)'} (one per xdist worker)"]


@pytest.fixture
def count_rows(app) -> Callable[[type], int]:
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return count
