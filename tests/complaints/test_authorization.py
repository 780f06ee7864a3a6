"""Every route of the complaints blueprint × every role, with the effect of each POST checked.

Managers see their own center's complaints, inspectors those in their scope, admins all;
officers none. Only the center's manager (or an admin) answers; the manager alone sees
the citizen's phone number; the manager, an inspector in scope or an admin assigns the
complaint and writes internal notes. ``test_every_route_has_a_row`` fails when a route is
added without a row here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints.models import Case, CaseNote
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
VIEW_LIST = (200, 200, 200, 200, 200, 403, 302)
VIEW_CASE = (200, 200, 403, 200, 403, 403, 302)
HANDLE = (302, 302, 403, 302, 403, 403, 302)


def _answered() -> bool:
    return db.session.scalar(sa.select(Case.status)) == "answered"


def _assigned() -> bool:
    return db.session.scalar(sa.select(Case.assignee_id)) is not None


def _noted() -> bool:
    return db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 1


# (endpoint, method): (url, form, statuses by role, effect of an allowed POST)
ROWS = {
    ("complaints.index", "GET"): ("/cases/", None, VIEW_LIST, None),
    ("complaints.detail", "GET"): ("/cases/{case}", None, VIEW_CASE, None),
    ("complaints.detail", "POST"): (
        "/cases/{case}",
        {"answer": "Đã bố trí thêm cán bộ."},
        (302, 403, 403, 302, 403, 403, 302),
        _answered,
    ),
    ("complaints.reveal_phone", "POST"): (
        "/cases/{case}/phone",
        {},
        (403, 403, 403, 200, 403, 403, 302),
        None,
    ),
    ("complaints.assign", "POST"): (
        "/cases/{case}/assign",
        {"assignee": "{manager}"},
        HANDLE,
        _assigned,
    ),
    ("complaints.add_note", "POST"): (
        "/cases/{case}/notes",
        {"text": "Đã gọi lại cho người dân."},
        HANDLE,
        _noted,
    ),
    ("complaints.alerts", "GET"): ("/cases/alerts", None, VIEW_LIST, None),
    ("complaints.acknowledge", "POST"): (
        "/cases/alerts/acknowledge",
        {"center": "07900", "kind": "overdue_case", "subject": "0"},
        (302, 302, 403, 403, 403, 403, 302),
        None,
    ),
}


@pytest.fixture
def case(app, center):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    services.submit_rating(
        target,
        services.RatingInput(
            score=1, comment="Phải chờ 2 tiếng", complaint=True, phone_e164="+84912345678"
        ),
        nonce_key="matrix",
    )
    db.session.commit()
    return db.session.scalar(sa.select(Case))


def _params():
    for (endpoint, method), (url, form, statuses, effect) in ROWS.items():
        for role, status in zip(ROLES, statuses, strict=True):
            yield pytest.param(
                method, url, form, role, status, effect, id=f"{endpoint} {method} as {role}"
            )


@pytest.mark.parametrize(("method", "url", "form", "role", "status", "effect"), list(_params()))
def test_role_route(client, auth, users, case, method, url, form, role, status, effect):
    fill = {"case": case.id, "manager": users["manager"].id}
    url = url.format(**fill)
    data = {k: v.format(**fill) for k, v in form.items()} if form is not None else None
    if role is not None:
        assert auth.login(users[role]).status_code == 302
    response = client.open(url, method=method, data=data)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if role is None:
        assert "/account/login" in response.headers["Location"]
    if effect is not None:
        db.session.expire_all()
        assert effect() is (status == 302 and role is not None)


def test_every_route_has_a_row(app):
    missing = [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("complaints.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (rule.endpoint, method) not in ROWS
    ]
    assert missing == []
