"""The complaints list on `flask demo seed`'s data (Phú Thọ, 149 centers)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.accounts.models import User
from portal.centers.models import Center
from portal.complaints import services
from portal.complaints.models import Case, CaseStatus
from portal.demo.services import demo_accounts
from portal.extensions import db
from portal.shared.timeutils import today_local

PASSWORDS = {a.username: a.password for a in demo_accounts(25)}


def _login(client, username: str) -> None:
    response = client.post(
        "/account/login", data={"username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 302


def test_the_province_complaints_list_orders_by_days_left(demo_data, app, client):
    assert db.session.scalar(sa.select(sa.func.count(Center.id))) == 149
    total = db.session.scalar(sa.select(sa.func.count(Case.id)))
    open_cases = db.session.scalar(
        sa.select(sa.func.count(Case.id)).where(Case.status == CaseStatus.OPEN)
    )
    assert total > 0 and open_cases > 0
    _login(client, "thanhtra")
    response = client.get("/cases/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    ids = [int(i) for i in re.findall(r'<tr id="case-(\d+)"', html)]
    assert ids and len(ids) == min(total, app.config["PER_PAGE"])
    today = today_local()
    listed = [db.session.get(Case, i) for i in ids]
    keys = [
        (case.status != CaseStatus.OPEN, case.due_on if case.status == CaseStatus.OPEN else None)
        for case in listed
    ]
    open_keys = [k[1] for k in keys if not k[0]]
    assert open_keys == sorted(open_keys)  # overdue first, then fewest days left
    left = [services.days_left(case, today) for case in listed if case.status == CaseStatus.OPEN]
    assert left == sorted(left)
    assert 'class="days"' in html
    assert "ngày làm việc" in html or "Đến hạn hôm nay" in html
    # The last page and the filters render too.
    last = (total - 1) // app.config["PER_PAGE"] + 1
    assert client.get(f"/cases/?page={last}").status_code == 200
    for query in ("status=open", "overdue=1", "mine=1", "status=answered"):
        assert client.get(f"/cases/?{query}").status_code == 200


def test_the_demo_manager_assigns_and_notes_a_case(demo_data, app, client):
    _login(client, "quanly")
    html = client.get("/cases/?status=open").get_data(as_text=True)
    first = re.search(r'<tr id="case-(\d+)"', html)
    assert first, "the demo manager has open complaints"
    case_id = int(first.group(1))
    manager_id = db.session.scalar(sa.select(User.id).where(User.username == "quanly"))
    assert client.post(f"/cases/{case_id}/assign", data={"assignee": manager_id}).status_code == 302
    assert client.post(f"/cases/{case_id}/notes", data={"text": "Đã liên hệ."}).status_code == 302
    mine = client.get("/cases/?mine=1").get_data(as_text=True)
    assert f'id="case-{case_id}"' in mine
    assert "Đã liên hệ." in client.get(f"/cases/{case_id}").get_data(as_text=True)
