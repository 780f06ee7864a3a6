"""Every route of the dashboards blueprint × every role.

The province dashboard answers admins and inspectors (each sees their own scope); a
center's pages answer admins, inspectors in scope and the center's own manager.
``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import pytest

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
PROVINCE = (200, 200, 200, 403, 403, 403, 302)
CENTER = (200, 200, 403, 200, 403, 403, 302)


def _counter_url(small_period):
    counter = small_period["A"].counters[0]
    return f"/dashboards/centers/07900/counters/{counter.id}"


def _year_url(small_period):
    return f"/dashboards/years/{small_period['period'].closes_on.year}"


# (endpoint, method): (url or a function of the fixture, statuses by role)
CASES = {
    ("dashboards.province", "GET"): ("/dashboards/", PROVINCE),
    ("dashboards.center", "GET"): ("/dashboards/centers/07900", CENTER),
    ("dashboards.area", "GET"): ("/dashboards/centers/07900/areas/{area}", CENTER),
    ("dashboards.criterion", "GET"): ("/dashboards/centers/07900/criteria/{criterion}", CENTER),
    ("dashboards.counter", "GET"): (_counter_url, CENTER),
    ("dashboards.year", "GET"): (_year_url, PROVINCE),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [(key, who, codes[i]) for key, (_u, codes) in CASES.items() for i, who in enumerate(ROLES)],
)
def test_route_by_role(client, auth, users, scored, key, who, expected):
    url, _codes = CASES[key]
    if callable(url):
        url = url(scored)
    criterion = scored["period"].standard_version.criteria[0]
    url = url.format(criterion=criterion.code, area=criterion.area.code)
    if who:
        auth.login(users[who])
    response = client.get(url)
    assert response.status_code == expected, url


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboards.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"
