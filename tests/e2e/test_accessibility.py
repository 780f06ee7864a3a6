"""axe-core (bundled by axe-playwright-python) finds no serious or critical accessibility
violation on the foundation pages, on a phone and on a desktop."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

PAGES = [
    (None, "/"),
    (None, "/account/login"),
    ("quanly", "/centers/07900"),
    ("quanly", "/centers/07900/counters/new"),
    ("quanly", "/account/password"),
    ("admin", "/centers/"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users/new"),
    ("admin", "/audit/"),
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
    problems = {}
    current_user = None
    for user, path in PAGES:
        if user != current_user:
            page.context.clear_cookies()
            if user:
                login(page, live_server.url, user)
            current_user = user
        page.goto(live_server.url + path)
        found = _serious(page)
        if found:
            problems[path] = found
    assert problems == {}
