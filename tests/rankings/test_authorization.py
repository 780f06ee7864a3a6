"""Every route of the rankings blueprint × every role, with the effect of each POST checked.

Public pages answer everyone (published periods only); the officers' page only the
center's manager and inspectors in scope; settings and publication only admins.
``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.rankings import services

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
ALL = (200,) * 7
ADMIN_ONLY_GET = (200, 403, 403, 403, 403, 403, 302)
ADMIN_ONLY_POST = (302, 403, 403, 403, 403, 403, 302)
SETTINGS = {
    "compliance_weight": "0.6",
    "satisfaction_weight": "0.4",
    "prior_weight": "30",
    "min_n": "30",
    "standardized_threshold": "80",
    "band_excellent": "90",
    "band_good": "80",
    "band_fair": "65",
    "band_average": "50",
    "appeal_window_days": "10",
}


def _weight_changed(period) -> bool:
    db.session.expire_all()
    return services.settings_for(period).compliance_weight == 0.6


def _published(period) -> bool:
    db.session.expire_all()
    return services.settings_for(period).is_published


def _computed(period) -> bool:
    return services.has_snapshots(period)


# (endpoint, method): (published first?, url, form, statuses by role, effect)
CASES = {
    ("rankings.board", "GET"): (True, "/rankings/", None, ALL, None),
    ("rankings.center", "GET"): (True, "/rankings/centers/07900", None, ALL, None),
    ("rankings.methodology", "GET"): (False, "/rankings/methodology", None, ALL, None),
    ("rankings.year", "GET"): (True, "/rankings/years/{year}", None, ALL, None),
    ("rankings.export_csv", "GET"): (True, "/rankings/2026-Q1/ranking.csv", None, ALL, None),
    ("rankings.officers", "GET"): (
        False,
        "/rankings/officers?center=07900",
        None,
        (200, 200, 403, 200, 403, 403, 302),
        None,
    ),
    ("rankings.officers_xlsx", "GET"): (
        False,
        "/rankings/officers.xlsx?center=07900",
        None,
        (200, 200, 403, 200, 403, 403, 302),
        None,
    ),
    ("rankings.periods", "GET"): (False, "/rankings/periods", None, ADMIN_ONLY_GET, None),
    ("rankings.settings", "GET"): (
        False,
        "/rankings/periods/2026-Q1/settings",
        None,
        ADMIN_ONLY_GET,
        None,
    ),
    ("rankings.settings", "POST"): (
        False,
        "/rankings/periods/2026-Q1/settings",
        SETTINGS,
        ADMIN_ONLY_POST,
        _weight_changed,
    ),
    ("rankings.recompute", "POST"): (
        False,
        "/rankings/periods/2026-Q1/recompute",
        {},
        ADMIN_ONLY_POST,
        _computed,
    ),
    ("rankings.publish", "POST"): (
        False,
        "/rankings/periods/2026-Q1/publish",
        {"confirm": "yes"},
        ADMIN_ONLY_POST,
        _published,
    ),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [
        (key, who, codes[i])
        for key, (*_x, codes, _e) in CASES.items()
        for i, who in enumerate(ROLES)
    ],
)
def test_route_by_role(client, auth, users, small_period, key, who, expected):
    publish_first, url, form, _codes, effect = CASES[key]
    period = small_period["period"]
    if publish_first:
        services.publish(period, actor=users["admin"])
        db.session.commit()
    url = url.format(year=period.closes_on.year)
    if who:
        auth.login(users[who])
    if key[1] == "GET":
        assert client.get(url).status_code == expected
        return
    assert client.post(url, data=form).status_code == expected
    assert bool(effect(period)) == (who == "admin"), "the effect only when allowed"


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("rankings.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"


def test_a_published_period_refuses_new_settings_and_a_second_publication(
    client, auth, users, small_period
):
    period = small_period["period"]
    services.publish(period, actor=users["admin"])
    db.session.commit()
    auth.login(users["admin"])
    page = client.post("/rankings/periods/2026-Q1/settings", data=SETTINGS)
    assert "các thiết lập đã bị khóa" in page.get_data(as_text=True)
    assert not _weight_changed(period)
    client.post("/rankings/periods/2026-Q1/publish", data={"confirm": "yes"})
    again = client.get("/rankings/periods/2026-Q1/settings")
    assert "Kỳ này đã được công bố" in again.get_data(as_text=True)


def test_publication_needs_the_confirmation_box(client, auth, users, small_period):
    auth.login(users["admin"])
    client.post("/rankings/periods/2026-Q1/publish", data={})
    page = client.get("/rankings/periods/2026-Q1/settings")
    assert "Hãy đánh dấu ô để xác nhận công bố" in page.get_data(as_text=True)
    assert not _published(small_period["period"])
