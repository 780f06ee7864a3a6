"""A live portal with one center, counter, officer and manager, for the citizen flows.

CSRF stays enabled (the staff pages need real tokens); the rating page works without it.
"""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, User
from portal.centers.models import Counter, Officer
from portal.extensions import db
from portal.ratings import services
from tests.browser import LiveServer, viet_tri_center
from tests.conftest import PASSWORD


@pytest.fixture
def live_config() -> dict:
    """Settings a test module may override (e.g. a long minimum fill time)."""
    return {}


@pytest.fixture
def live(make_live_app, live_config):
    tokens = {}

    def seed(app):
        center = viet_tri_center()
        counter = Counter(center=center, number=1, field="Hộ tịch")
        db.session.add_all(
            [center, counter, Officer(center=center, counter=counter, full_name="Nguyễn Thị Lan")]
        )
        manager = User(
            username="manager",
            full_name="Trần Văn Quản",
            role=Role.MANAGER,
            center=center,
            password_hash="",
        )
        manager.set_password(PASSWORD)
        db.session.add(manager)
        db.session.commit()
        with app.test_request_context():
            token = services.counter_token(counter)
        db.session.remove()
        tokens["counter"] = token

    app = make_live_app(
        seed,
        RATING_OPENING_HOURS=(0.0, 24.0),
        RATING_CLOSED_WEEKDAYS=(),
        **{"RATING_MIN_FILL_SECONDS": 1.0, **live_config},
    )
    with LiveServer(app) as server:
        yield {"app": app, "base": server.url, "counter_url": f"{server.url}/r/{tokens['counter']}"}


@pytest.fixture
def phone(phone_page, live):
    return phone_page
