"""Issue 12, defect 2: staff cannot rate themselves unnoticed.

Every receipt issuance is audited (without the dossier code); a rating from the network or
the device of the staff session that issued the receipt, or (issue 22) from any network
the center's staff issue receipts from, is held for an inspector; inspectors see
each officer's share of ratings from receipts the officer issued; only API receipts (with
a dossier code from the one-stop software) are the reference of "more ratings than
dossiers"."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.api.models import ApiKey, hash_key
from portal.audit.models import AuditEntry
from portal.centers.models import Officer
from portal.extensions import db
from portal.ratings import public, services
from portal.ratings.models import Channel, Rating, RatingRollup, Receipt
from tests.conftest import PASSWORD, IsolatedClient
from tests.ratings.conftest import nonce_of

STAFF_NET = {"REMOTE_ADDR": "10.1.2.3"}
SAME_NET = {"REMOTE_ADDR": "10.1.2.77"}
COLLEAGUE_NET = {"REMOTE_ADDR": "10.9.9.9"}
ELSEWHERE = {"REMOTE_ADDR": "172.16.5.5"}


@pytest.fixture
def officer(center):
    record = Officer(center=center, full_name="Lê Văn Cán", position="Công chức")
    db.session.add(record)
    db.session.commit()
    return record


@pytest.fixture
def officer_user(create_user, center, officer):
    user = create_user(Role.OFFICER, username="canbo1", center=center)
    user.officer_id = officer.id
    db.session.commit()
    return user


def new_client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


def staff_client(app, username, env):
    client = new_client(app)
    response = client.post(
        "/account/login", data={"username": username, "password": PASSWORD}, environ_base=env
    )
    assert response.status_code == 302
    return client


#: The link each receipt's slip showed when it was issued (the portal keeps no copy).
LINKS: dict[int, str] = {}
LINK_RE = re.compile(r"https://danhgia\.example\.vn(/r/r[0-9.]+\.[A-Za-z0-9_-]{22})")


def issue(client, center, officer, env) -> Receipt:
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
    link = LINK_RE.search(response.get_data(as_text=True)).group(1)
    db.session.expire_all()
    receipt = db.session.scalars(sa.select(Receipt).order_by(Receipt.id.desc())).first()
    LINKS[receipt.id] = link
    return receipt


def rate(app, client, receipt, env, score="5"):
    url = LINKS[receipt.id]
    nonce = nonce_of(client.get(url, environ_base=env))
    response = client.post(url, data={"nonce": nonce, "score": score}, environ_base=env)
    assert response.status_code == 303  # stored, then Post/Redirect/Get
    db.session.expire_all()
    return db.session.scalars(sa.select(Rating).where(Rating.receipt_id == receipt.id)).one()


def test_the_device_cookie_names_agree():
    assert services.DEVICE_COOKIE == public.DEVICE_COOKIE


def test_every_receipt_is_audited_without_personal_data(app, center, officer, officer_user):
    client = staff_client(app, "canbo1", STAFF_NET)
    receipt = issue(client, center, officer, STAFF_NET)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "receipt.issued")
    ).one()
    assert entry.object_id == str(receipt.id)
    assert entry.actor_id == officer_user.id
    summary = json.loads(entry.summary)
    assert summary["self_issued"] is True
    assert "H25.07" not in entry.summary
    assert "10.1.2" not in entry.summary


def test_the_api_audits_its_receipts_too(app, client, center, runner):
    key = runner.invoke(args=["api", "create-key", "Một cửa", "--province", "25"]).output.strip()
    response = client.post(
        "/api/v1/receipts",
        data=json.dumps({"center": center.code, "dossier_code": "H25-1"}),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 201
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "receipt.issued")
    ).one()
    assert json.loads(entry.summary)["via"] == "api"
    assert "H25-1" not in entry.summary


def test_a_rating_from_the_issuers_network_is_held(app, center, officer, officer_user):
    staff = staff_client(app, "canbo1", STAFF_NET)
    receipt = issue(staff, center, officer, STAFF_NET)
    rating = rate(app, new_client(app), receipt, SAME_NET)
    assert "issuer_network" in rating.flag_list
    assert not rating.is_reportable
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) == 0


def test_a_rating_from_the_issuers_device_is_held(app, center, officer, officer_user):
    staff = staff_client(app, "canbo1", STAFF_NET)
    receipt = issue(staff, center, officer, STAFF_NET)
    # Same browser, phone data instead of the office network.
    rating = rate(app, staff, receipt, ELSEWHERE)
    assert "issuer_device" in rating.flag_list


def test_a_citizen_elsewhere_is_not_held(app, center, officer, officer_user):
    staff = staff_client(app, "canbo1", STAFF_NET)
    receipt = issue(staff, center, officer, STAFF_NET)
    rating = rate(app, new_client(app), receipt, ELSEWHERE)
    assert rating.flags == ""
    assert rating.is_reportable


def test_ratings_from_any_network_the_centers_staff_issue_from_are_held(
    app, center, officer, officer_user, create_user
):
    """Issue 22: a colleague's network is a staff network too, whoever issued the receipt
    (this used to be held only beyond a normal share of the day's receipt ratings)."""
    create_user(Role.MANAGER, username="quanly9", center=center)
    colleague = staff_client(app, "quanly9", COLLEAGUE_NET)
    issue(colleague, center, officer, COLLEAGUE_NET)  # the center's other network
    staff = staff_client(app, "canbo1", STAFF_NET)
    flags = []
    for env in (ELSEWHERE, COLLEAGUE_NET, ELSEWHERE, COLLEAGUE_NET):
        receipt = issue(staff, center, officer, STAFF_NET)
        flags.append(rate(app, new_client(app), receipt, env).flags)
    assert flags == ["", "staff_network", "", "staff_network"]


def test_inspectors_see_each_officers_share_of_self_issued_receipts(
    app, center, officer, officer_user, users
):
    staff = staff_client(app, "canbo1", STAFF_NET)
    for _ in range(2):
        rate(app, new_client(app), issue(staff, center, officer, STAFF_NET), ELSEWHERE)
    manager = staff_client(app, "manager", COLLEAGUE_NET)
    rate(app, new_client(app), issue(manager, center, officer, COLLEAGUE_NET), ELSEWHERE)
    inspector = staff_client(app, "inspector", ELSEWHERE)
    page = inspector.get(f"/ratings/{center.code}").get_data(as_text=True)
    section = page[page.index('id="self-issued"') :]
    assert "Lê Văn Cán" in section
    assert "2 / 3" in section and "67" in section
    manager_page = manager.get(f"/ratings/{center.code}").get_data(as_text=True)
    assert 'id="self-issued"' not in manager_page


def test_staff_receipts_do_not_raise_the_ratings_reference(app, center):
    key = ApiKey(name="Một cửa", prefix="osp_x", key_hash=hash_key("k"), province_code=25)
    db.session.add(key)
    db.session.flush()
    for i in range(3):
        services.issue_receipt(
            center,
            dossier_code=f"A{i}",
            outcome="completed",
            counter=None,
            officer=None,
            api_key=key,
        )
    admin = User(username="root", full_name="Quản trị", role="admin", password_hash="")
    db.session.add(admin)
    db.session.flush()
    for i in range(20):
        services.issue_receipt(
            center,
            dossier_code=f"P{i}",
            outcome="completed",
            counter=None,
            officer=None,
            actor=admin,
        )
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    ratings = [
        services.submit_rating(target, services.RatingInput(score=5), nonce_key=f"n{i}")
        for i in range(9)
    ]
    slack = app.config["RATING_RECEIPT_SLACK"]
    assert ["over_receipts" in r.flag_list for r in ratings] == [False] * (3 + slack) + [True]
