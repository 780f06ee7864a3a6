"""axe-core (bundled by axe-playwright-python) finds no serious or critical accessibility
violation on the main pages of every feature, on a phone and on a desktop."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from portal.centers.models import Counter
from portal.extensions import db
from portal.ratings.services import counter_token
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

PAGES = [
    (None, "/"),
    (None, "/account/login"),
    (None, "/r/{token}"),
    (None, "/r/"),
    (None, "/t/"),
    (None, "/privacy"),
    ("quanly", "/centers/07900"),
    ("quanly", "/centers/07900/counters/new"),
    ("quanly", "/account/password"),
    ("quanly", "/assessments/"),
    ("quanly", "/ratings/07900"),
    ("quanly", "/ratings/07900/qr"),
    ("quanly", "/ratings/07900/receipts/new"),
    ("quanly", "/cases/"),
    ("quanly", "/cases/alerts"),
    ("admin", "/centers/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users/new"),
    ("admin", "/audit/"),
    ("admin", "/admin/settings"),
    ("admin", "/standards/"),
    ("admin", "/assessments/periods/"),
    ("admin", "/ratings/"),
    ("admin", "/inspections/"),
    ("admin", "/standards/upload"),
]


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_pages_have_no_serious_accessibility_violations(live_server, request, viewport):
    page = request.getfixturevalue(viewport)
    with live_server.app.app_context(), live_server.app.test_request_context():
        counter = db.session.scalar(sa.select(Counter).order_by(Counter.id))
        token = counter_token(counter)
    problems = {}
    current_user = None
    for user, path in PAGES:
        if user != current_user:
            page.context.clear_cookies()
            if user:
                login(page, live_server.url, user)
            current_user = user
        response = page.goto(live_server.url + path.format(token=token))
        assert response.status == 200, path  # never audit an error page by mistake
        found = _serious(page)
        if found:
            problems[path] = found
    assert problems == {}
