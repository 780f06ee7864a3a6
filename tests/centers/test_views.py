from __future__ import annotations

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers.models import Counter, Officer
from portal.extensions import db


def test_center_list_search_ignores_diacritics(client, auth, users):
    auth.login(users["admin"])
    html = client.get("/centers/?q=viet+tri").get_data(as_text=True)
    assert "phường Việt Trì" in html
    assert "Nông Trang" not in html


def test_center_list_filters_by_level(client, auth, users, create_center):
    create_center("25", level="province", name="Trung tâm Phục vụ hành chính công tỉnh Phú Thọ")
    auth.login(users["admin"])
    html = client.get("/centers/?level=province").get_data(as_text=True)
    assert "tỉnh Phú Thọ" in html
    assert "Việt Trì" not in html


def test_inspector_sees_only_scope(client, auth, users):
    auth.login(users["inspector_other"])
    html = client.get("/centers/").get_data(as_text=True)
    assert "Việt Trì" not in html
    assert "00004" in html


def test_manager_adds_and_edits_a_counter(client, auth, users, center):
    auth.login(users["manager"])
    response = client.post("/centers/07900/counters/new", data={"number": "3", "field": "Đất đai"})
    assert response.status_code == 302
    counter = db.session.scalar(sa.select(Counter).where(Counter.number == 3))
    assert counter.center_id == center.id
    response = client.post(
        f"/centers/07900/counters/{counter.id}/edit",
        data={"number": "3", "field": "Đất đai – Xây dựng", "is_active": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(counter)
    assert counter.field == "Đất đai – Xây dựng"
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert {"counter.created", "counter.updated"} <= set(actions)


def test_duplicate_counter_number_is_refused(client, auth, users, center):
    auth.login(users["manager"])
    response = client.post("/centers/07900/counters/new", data={"number": "1", "field": "X"})
    assert response.status_code == 200
    assert "Trung tâm này đã có quầy số 1." in response.get_data(as_text=True)


def test_counter_number_must_be_an_ascii_positive_integer(client, auth, users, center):
    auth.login(users["manager"])
    for bad in ("0", "-1", "abc", "١", "1000"):
        response = client.post("/centers/07900/counters/new", data={"number": bad, "field": "X"})
        assert response.status_code == 200, bad
    assert db.session.scalar(sa.select(sa.func.count(Counter.id))) == 3  # 2 + 1 of other


def test_manager_cannot_touch_a_counter_of_another_center(client, auth, users, other_center):
    auth.login(users["manager"])
    foreign = other_center.counters[0]
    # By the other center's URL: forbidden.
    assert client.get(f"/centers/07894/counters/{foreign.id}/edit").status_code == 403
    # By their own center's URL with the other center's counter id: not found.
    response = client.post(
        f"/centers/07900/counters/{foreign.id}/edit",
        data={"number": "9", "field": "Hijack", "is_active": "y"},
    )
    assert response.status_code == 404
    db.session.refresh(foreign)
    assert foreign.field != "Hijack"


def test_officer_cannot_be_put_on_another_centers_counter(client, auth, users, other_center):
    auth.login(users["manager"])
    foreign = other_center.counters[0]
    response = client.post(
        "/centers/07900/officers/new", data={"full_name": "Lê Thị C", "counter_id": str(foreign.id)}
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Officer).where(Officer.full_name == "Lê Thị C")) is None


def test_officer_changes_keep_names_out_of_the_audit_log(client, auth, users, center):
    auth.login(users["manager"])
    client.post(
        "/centers/07900/officers/new",
        data={"full_name": "Phạm Văn Dũng", "position": "Công chức", "counter_id": "0"},
    )
    officer = db.session.scalar(sa.select(Officer))
    assert officer.full_name == "Phạm Văn Dũng"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "officer.created"))
    assert "Phạm Văn Dũng" not in entry.summary
    assert '"full_name": "changed"' in entry.summary


def test_manager_edits_center_profile(client, auth, users, center):
    auth.login(users["manager"])
    response = client.post(
        "/centers/07900/edit",
        data={
            "name": center.name,
            "address": "Số 1 Trần Phú, Việt Trì",
            "phone": "0210 3846 000",
            "opening_hours": "7:30–17:00",
        },
    )
    assert response.status_code == 302
    db.session.refresh(center)
    assert center.address == "Số 1 Trần Phú, Việt Trì"


def test_extra_reception_sites_are_listed(client, auth, users, center):
    auth.login(users["manager"])
    client.post(
        "/centers/07900/edit",
        data={
            "name": center.name,
            "address": "",
            "phone": "",
            "opening_hours": "",
            "extra_sites": "Điểm tiếp nhận xã cũ Thanh Đình\n\n  Điểm tiếp nhận Bến Gót  ",
        },
    )
    db.session.refresh(center)
    assert center.extra_site_list == ["Điểm tiếp nhận xã cũ Thanh Đình", "Điểm tiếp nhận Bến Gót"]
    html = client.get("/centers/07900").get_data(as_text=True)
    assert "<li>Điểm tiếp nhận Bến Gót</li>" in html
