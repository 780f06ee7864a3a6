"""Every route of the kiosk blueprints × every role.

A center's tablets page answers admins, inspectors in scope and the center's manager;
enrolling and revoking answer admins and the center's manager. The tablet's own pages
(enrolment link, app, manifest, service worker, sync) are public: the link's secret, the
tablet's key or nothing at all authorises them. ``test_every_route_has_a_row`` fails when
a route is added without a row here.
"""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.kiosk import services

from .conftest import enrol_tablet

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
VIEW = (200, 200, 403, 200, 403, 403, 302)
MANAGE = (200, 403, 403, 200, 403, 403, 302)
MANAGE_POST = (302, 403, 403, 302, 403, 403, 302)
PUBLIC = (200,) * 7

CASES = {
    ("kiosk.devices", "GET"): ("/kiosks/07900", None, VIEW),
    ("kiosk.enrol", "POST"): ("/kiosks/07900/counters/{counter}/enrol", {}, MANAGE),
    ("kiosk.revoke", "GET"): ("/kiosks/07900/devices/{device}/revoke", None, MANAGE),
    ("kiosk.revoke", "POST"): ("/kiosks/07900/devices/{device}/revoke", {}, MANAGE_POST),
    ("kiosk_app.enrol", "GET"): ("/kiosk/enrol/{token}", None, PUBLIC),
    ("kiosk_app.enrol", "POST"): ("/kiosk/enrol/{token}", {}, PUBLIC),
    ("kiosk_app.app", "GET"): ("/kiosk/app/{device}", None, PUBLIC),
    ("kiosk_app.manifest", "GET"): ("/kiosk/app/{device}/manifest.webmanifest", None, PUBLIC),
    ("kiosk_app.service_worker", "GET"): ("/kiosk/sw.js", None, PUBLIC),
    ("kiosk_app.sync", "POST"): ("/kiosk/sync", "batch", PUBLIC),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [(key, who, codes[i]) for key, (_u, _d, codes) in CASES.items() for i, who in enumerate(ROLES)],
)
def test_route_by_role(app, client, auth, users, center, key, who, expected):
    counter = center.counters[0]
    with app.test_request_context():
        tablet = enrol_tablet(counter, users["manager"])
        _enrolment, token = services.issue_enrolment(counter, actor=users["manager"])
        db.session.commit()
    url, data, _codes = CASES[key]
    url = url.format(counter=counter.id, device=tablet.device_id, token=token)
    if who:
        auth.login(users[who])
    method = key[1]
    if data == "batch":
        response = client.post(url, json=tablet.batch([tablet.item()]))
    else:
        response = client.open(url, method=method, data=data)
    assert response.status_code == expected, (url, who)
    if expected == 302 and who is None:
        assert "/account/login" in response.headers["Location"]


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in ("kiosk", "kiosk_app")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"
