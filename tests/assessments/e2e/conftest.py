"""A live portal with the default standard and an open period, for the phone checklist test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from portal.accounts.models import Role, User
from portal.assessments.models import AssessmentPeriod
from portal.assessments.services import today_local
from portal.centers.models import Counter
from portal.extensions import db
from portal.standards import services as standard_services
from tests.browser import LiveServer, viet_tri_center
from tests.conftest import PASSWORD


def _seed(app) -> None:
    center = viet_tri_center()
    db.session.add(center)
    db.session.add(Counter(center=center, number=1, field="Tư pháp – Hộ tịch"))
    manager = User(
        username="quanly",
        full_name="Quản lý",
        role=Role.MANAGER.value,
        center=center,
        password_hash="",
    )
    manager.set_password(PASSWORD)
    db.session.add(manager)
    spec = standard_services.load_file(standard_services.DEFAULT_STANDARD_FILE)
    version = standard_services.import_standard(spec, actor=None).version
    today = today_local()
    db.session.add(
        AssessmentPeriod(
            code="2026-Q1",
            name="Quý I năm 2026",
            kind="quarter",
            opens_on=today - timedelta(days=7),
            closes_on=today + timedelta(days=60),
            standard_version=version,
        )
    )
    db.session.commit()


@pytest.fixture
def live_app(make_live_app):
    return make_live_app(_seed)


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def phone(phone_page):
    return phone_page
