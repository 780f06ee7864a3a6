"""Issue 22, finding 1: a receipt is bound to its issuer, and nobody at the counter can rate
it unnoticed.

The probe: a second officer opened a colleague's receipt slip by its sequential id, got the
rating link and rated it 1★ (stored against the colleague, no flag; the citizen holding the
slip then got 410); an officer opened an API receipt's slip, rated it 5★ from his own
session (stored, no flag); the slip's "cannot scan" code was the counter poster's reusable
code, so typing it never reached the single-use receipt.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.centers.models import Officer
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Rating, RatingRollup, Receipt
from portal.shared import qr
from tests.conftest import PASSWORD, IsolatedClient
from tests.ratings.conftest import nonce_of

BASE = "https://danhgia.example.vn"
OFFICE = {"REMOTE_ADDR": "10.1.2.3"}
OFFICE_2 = {"REMOTE_ADDR": "10.7.7.7"}
CITIZEN = {"REMOTE_ADDR": "172.16.5.5"}
CITIZEN_2 = {"REMOTE_ADDR": "192.168.44.4"}
LINK_RE = re.compile(re.escape(BASE) + r"(/r/r[0-9.]+\.[A-Za-z0-9_-]{22})")
SHORT_RE = re.compile(r'id="slip-short-code">([A-Z0-9-]+)<')


@pytest.fixture
def officers(center):
    lan = Officer(center=center, full_name="Nguyễn Thị Lan", position="Công chức")
    minh = Officer(center=center, full_name="Trần Văn Minh", position="Công chức")
    db.session.add_all([lan, minh])
    db.session.commit()
    return lan, minh


@pytest.fixture
def staff(create_user, center, officers):
    """Two officers of the center, each linked to their staff record, and a manager."""
    lan, minh = officers
    first = create_user(Role.OFFICER, username="canbo1", center=center)
    second = create_user(Role.OFFICER, username="canbo2", center=center)
    first.officer_id, second.officer_id = lan.id, minh.id
    create_user(Role.MANAGER, username="quanly1", center=center)
    db.session.commit()
    return first, second


def browser(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


def signed_in(app, username, env):
    client = browser(app)
    response = client.post(
        "/account/login", data={"username": username, "password": PASSWORD}, environ_base=env
    )
    assert response.status_code == 302
    return client


def issue(client, center, officer, env):
    """Issue a receipt in the portal: ``(receipt, link path, short code)`` as the slip shows
    them right after issuing."""
    response = client.post(
        f"/ratings/{center.code}/receipts/new",
        data={
            "dossier_code": "H25.07-251123-0042",
            "outcome": "completed",
            "counter": "",
            "officer": str(officer.id),
        },
        environ_base=env,
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    link = LINK_RE.search(html).group(1)
    short = SHORT_RE.search(html).group(1)
    db.session.expire_all()
    receipt = db.session.scalars(sa.select(Receipt).order_by(Receipt.id.desc())).first()
    return receipt, link, short


def api_receipt(client, runner, center, officer):
    key = runner.invoke(args=["api", "create-key", "Một cửa", "--province", "25"]).output.strip()
    response = client.post(
        "/api/v1/receipts",
        data=json.dumps({"center": center.code, "dossier_code": "H25-9", "officer": officer.id}),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        environ_base={"REMOTE_ADDR": "10.200.0.1"},
    )
    assert response.status_code == 201
    body = response.get_json()
    return db.session.get(Receipt, body["id"]), body["url"].removeprefix(BASE), body


def rate(client, link, env, score="5"):
    """Open the rating page and send it; the response of the POST (303 when stored)."""
    page = client.get(link, environ_base=env)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"nonce": nonce_of(page), "score": score}, environ_base=env)


def stored(receipt) -> Rating:
    db.session.expire_all()
    return db.session.scalars(sa.select(Rating).where(Rating.receipt_id == receipt.id)).one()


def rollup_total() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup))


# The link is shown once, to the issuer, right after issuing -------------------------------


def test_a_colleague_reopening_a_receipt_gets_no_link(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    colleague = signed_in(app, "canbo2", OFFICE)
    page = colleague.get(f"/ratings/{center.code}/receipts/{receipt.id}", environ_base=OFFICE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "H25.07-251123-0042" in html
    assert f"{BASE}/r/r" not in html and link not in html and short not in html
    assert "<svg" not in html
    assert 'id="no-link"' in html  # says why the link is not shown


def test_the_issuer_reopening_the_slip_gets_no_link_either(app, center, officers, staff):
    lan, _minh = officers
    issuer = signed_in(app, "canbo1", OFFICE)
    receipt, link, short = issue(issuer, center, lan, OFFICE)
    html = issuer.get(f"/ratings/{center.code}/receipts/{receipt.id}").get_data(as_text=True)
    assert link not in html and short not in html and f"{BASE}/r/r" not in html
    assert 'id="no-link"' in html
    # The citizen's slip still works.
    assert browser(app).get(link, environ_base=CITIZEN).status_code == 200


def test_the_link_is_not_derivable_from_the_receipt_id(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    with app.test_request_context():
        by_id = qr.sign(app.config["SECRET_KEY"], "r", receipt.id)
    assert browser(app).get(f"/r/{by_id}", environ_base=CITIZEN).status_code == 404
    assert link != f"/r/{by_id}"
    # Nothing in the row is the secret itself.
    secret = link.split(".")[1]
    row = db.session.execute(sa.select(Receipt.__table__).where(Receipt.id == receipt.id)).one()
    assert all(secret not in str(value) for value in row)


def test_an_api_receipts_slip_never_shows_its_link(app, client, runner, center, officers, staff):
    lan, _minh = officers
    receipt, link, body = api_receipt(client, runner, center, lan)
    assert body["short_code"]
    officer = signed_in(app, "canbo1", OFFICE)
    html = officer.get(f"/ratings/{center.code}/receipts/{receipt.id}").get_data(as_text=True)
    assert link not in html and f"{BASE}/r/r" not in html and "<svg" not in html
    assert body["short_code"] not in html
    assert 'id="no-link"' in html
    # No reprint either: the link belongs to the calling software.
    response = officer.post(f"/ratings/{center.code}/receipts/{receipt.id}/reprint")
    assert response.status_code == 403


# A reprint by the issuer voids the old link ------------------------------------------------


def test_a_reprint_by_the_issuer_voids_the_old_link(app, center, officers, staff):
    lan, _minh = officers
    issuer = signed_in(app, "canbo1", OFFICE)
    receipt, old_link, old_short = issue(issuer, center, lan, OFFICE)
    response = issuer.post(f"/ratings/{center.code}/receipts/{receipt.id}/reprint")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    new_link = LINK_RE.search(html).group(1)
    new_short = SHORT_RE.search(html).group(1)
    assert new_link != old_link and new_short != old_short
    citizen = browser(app)
    assert citizen.get(old_link, environ_base=CITIZEN).status_code == 404
    assert citizen.get(f"/r/?code={old_short}", environ_base=CITIZEN).status_code == 404
    assert citizen.get(new_link, environ_base=CITIZEN).status_code == 200
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "receipt.reprinted")
    ).one()
    assert entry.object_id == str(receipt.id) and entry.actor_id == staff[0].id
    assert new_link not in entry.summary and "H25.07" not in entry.summary


def test_a_colleague_cannot_reprint(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    for username in ("canbo2", "quanly1"):
        other = signed_in(app, username, OFFICE)
        response = other.post(f"/ratings/{center.code}/receipts/{receipt.id}/reprint")
        assert response.status_code == 403
        assert f"{BASE}/r/r" not in response.get_data(as_text=True)
    assert browser(app).get(link, environ_base=CITIZEN).status_code == 200


def test_a_used_receipt_cannot_be_reprinted(app, center, officers, staff):
    lan, _minh = officers
    issuer = signed_in(app, "canbo1", OFFICE)
    receipt, link, _short = issue(issuer, center, lan, OFFICE)
    assert rate(browser(app), link, CITIZEN).status_code == 303
    response = issuer.post(f"/ratings/{center.code}/receipts/{receipt.id}/reprint")
    assert response.status_code == 409


@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 403),
        ("inspector", 403),
        ("inspector_other", 403),
        ("manager", 403),
        ("manager_other", 403),
        ("officer", 403),
        ("anon", 302),
    ],
)
def test_reprint_authorization(client, auth, users, center, role, status):
    """Only the staff member who issued a receipt may reprint it: nobody may reprint a
    receipt they did not issue (this one was issued by a system job)."""
    receipt = services.issue_receipt(
        center, dossier_code="H25-1", outcome="completed", counter=None, officer=None
    )
    db.session.commit()
    if role != "anon":
        auth.login(users[role])
    response = client.post(f"/ratings/07900/receipts/{receipt.id}/reprint")
    assert response.status_code == status
    if role == "admin":
        assert client.get(f"/ratings/07900/receipts/{receipt.id}").status_code == 200


def test_receipts_of_another_center_stay_hidden(app, client, auth, users, center, other_center):
    receipt = services.issue_receipt(
        other_center, dossier_code="H25-2", outcome="completed", counter=None, officer=None
    )
    db.session.commit()
    auth.login(users["officer"])
    assert client.get(f"/ratings/07900/receipts/{receipt.id}").status_code == 404
    assert client.post(f"/ratings/07900/receipts/{receipt.id}/reprint").status_code == 404
    assert client.get(f"/ratings/07894/receipts/{receipt.id}").status_code == 403


# The slip's short code is the receipt's own, single use -----------------------------------


def test_the_slips_short_code_reaches_the_receipt_once(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    typed = short.replace("-", " ").lower()
    assert len(qr.normalise_short_code(short)) >= 12  # about 59 bits: guessing is hopeless
    citizen = browser(app)
    response = citizen.get("/r/", query_string={"code": typed}, environ_base=CITIZEN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(link)
    assert rate(citizen, link, CITIZEN).status_code == 303
    assert stored(receipt).channel == "receipt_qr"
    again = citizen.get("/r/", query_string={"code": short}, environ_base=CITIZEN_2)
    assert again.status_code == 410
    assert browser(app).get(link, environ_base=CITIZEN_2).status_code == 410


def test_the_slip_does_not_show_the_counters_poster_code(app, center, officers, staff):
    lan, _minh = officers
    issuer = signed_in(app, "canbo1", OFFICE)
    response = issuer.post(
        f"/ratings/{center.code}/receipts/new",
        data={
            "dossier_code": "H25-3",
            "outcome": "completed",
            "counter": str(center.counters[0].id),
            "officer": str(lan.id),
        },
    )
    html = response.get_data(as_text=True)
    with app.test_request_context():
        poster = qr.format_short_code(services.counter_short_code(center.counters[0]))
    assert poster not in html
    assert SHORT_RE.search(html) is not None


# Ratings from the center's staff are held, whoever the officer ----------------------------


def test_a_colleague_rating_from_his_session_is_held(app, center, officers, staff):
    """The probe's first case: the second officer rates the first one's receipt 1★."""
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    colleague = signed_in(app, "canbo2", CITIZEN)  # signed in from his phone's network
    response = rate(colleague, link, CITIZEN_2, score="1")
    assert response.status_code == 303
    rating = stored(receipt)
    assert "staff_session" in rating.flag_list
    assert rating.is_pending_review and not rating.is_reportable
    assert rollup_total() == 0
    thanks = colleague.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="held-for-review"' in thanks


def test_an_officer_rating_an_api_receipt_from_his_session_is_held(
    app, client, runner, center, officers, staff
):
    """The probe's second case: an API receipt, rated 5★ from the officer's own session."""
    lan, _minh = officers
    receipt, link, _body = api_receipt(client, runner, center, lan)
    officer = signed_in(app, "canbo1", CITIZEN)
    assert rate(officer, link, CITIZEN).status_code == 303
    rating = stored(receipt)
    assert "staff_session" in rating.flag_list
    assert not rating.is_reportable and rollup_total() == 0


def test_a_staff_members_device_is_recognised_after_signing_out(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    phone = signed_in(app, "quanly1", CITIZEN)  # the manager's phone, on mobile data
    phone.post("/account/logout", environ_base=CITIZEN)
    assert rate(phone, link, CITIZEN_2).status_code == 303
    rating = stored(receipt)
    assert "staff_device" in rating.flag_list
    assert not rating.is_reportable


def test_a_network_the_centers_staff_sign_in_from_is_held(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    signed_in(app, "quanly1", OFFICE_2)  # the center's other office network
    assert rate(browser(app), link, {"REMOTE_ADDR": "10.7.7.200"}).status_code == 303
    rating = stored(receipt)
    assert "staff_network" in rating.flag_list
    assert not rating.is_reportable


def test_a_network_staff_of_another_center_use_is_not_held(
    app, center, other_center, officers, staff, create_user
):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    create_user(Role.MANAGER, username="quanly_khac", center=other_center)
    signed_in(app, "quanly_khac", CITIZEN)
    response = rate(browser(app), link, CITIZEN)
    assert response.status_code == 303
    rating = stored(receipt)
    assert rating.flags == "" and rating.is_reportable
    thanks = browser(app).get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="held-for-review"' not in thanks


def test_a_citizen_rating_the_receipt_counts(app, center, officers, staff):
    lan, _minh = officers
    receipt, link, _short = issue(signed_in(app, "canbo1", OFFICE), center, lan, OFFICE)
    assert rate(browser(app), link, CITIZEN).status_code == 303
    rating = stored(receipt)
    assert rating.flags == "" and rating.is_reportable and rating.officer_id == lan.id
    assert rollup_total() > 0


def test_staff_sessions_of_the_center_are_not_checked_on_counter_ratings(
    app, center, officers, staff, counter_url
):
    """Counter posters are the public's: a signed-in officer's counter rating is not
    looked up (the counter path stays lean); it is a poster rating like any other."""
    officer = signed_in(app, "canbo1", CITIZEN)
    assert rate(officer, counter_url, CITIZEN_2).status_code == 303
    rating = db.session.scalars(sa.select(Rating)).one()
    assert "staff_session" not in rating.flag_list
