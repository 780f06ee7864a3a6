"""A live portal with a submitted self-assessment of Phường Việt Trì (every criterion met)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from portal.accounts.models import Role, User
from portal.assessments import services as checklist
from portal.assessments.models import AssessmentPeriod
from portal.extensions import db
from portal.standards import services as standard_services
from tests.browser import LiveServer, viet_tri_center
from tests.conftest import PASSWORD
from tests.inspections.conftest import full_marks


def _user(username: str, role: Role, **kwargs) -> User:
    user = User(
        username=username, full_name=username.title(), role=role.value, password_hash="", **kwargs
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _seed(app) -> None:
    center = viet_tri_center()
    db.session.add(center)
    manager = _user("quanly", Role.MANAGER, center=center)
    _user("thanhtra", Role.INSPECTOR, scope_province_code=25)
    _user("admin", Role.ADMIN)
    spec = standard_services.load_file(standard_services.DEFAULT_STANDARD_FILE)
    version = standard_services.import_standard(spec, actor=None).version
    today = checklist.today_local()
    period = AssessmentPeriod(
        code="2026-Q1",
        name="Quý I năm 2026",
        kind="quarter",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=60),
        standard_version=version,
    )
    db.session.add(period)
    db.session.flush()
    assessment = checklist.start_assessment(period, center, actor=manager)
    checklist.save_answers(assessment, full_marks(version), actor=manager)
    checklist.submit(assessment, actor=manager)
    db.session.commit()


@pytest.fixture
def live_app(make_live_app):
    return make_live_app(_seed)


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server
