"""The new-user form: least privileged role by default, centers picked by name."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.accounts.models import User
from portal.centers import services as centers
from portal.extensions import db


def _new(client, **data):
    base = {"username": "new.user", "full_name": "Lê Thị Hoa", "role": "officer", "is_active": "y"}
    return client.post("/admin/users/new", data={**base, **data})


def _user(username="new.user"):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_new_user_form_defaults_to_officer_and_lists_centers(client, auth, users):
    auth.login(users["admin"])
    html = client.get("/admin/users/new").get_data(as_text=True)
    selected = re.search(
        r'<option[^>]*selected[^>]*value="(\w+)"|<option value="(\w+)" selected', html
    )
    assert selected and "officer" in selected.groups()
    assert 'list="center-options"' in html
    assert 'value="07900 — Trung tâm Phục vụ hành chính công phường Việt Trì"' in html
    assert 'label="07900 trung tam phuc vu hanh chinh cong phuong viet tri"' in html


def test_center_typed_without_diacritics_is_resolved(client, auth, users, center):
    auth.login(users["admin"])
    assert _new(client, center_code="phuong viet tri").status_code == 200  # password page
    assert _user().center_id == center.id


def test_center_picked_from_the_list_is_resolved(client, auth, users, center):
    auth.login(users["admin"])
    _new(client, center_code="07900 — Trung tâm Phục vụ hành chính công phường Việt Trì")
    assert _user().center_id == center.id


def test_ambiguous_or_unknown_center_is_explained_in_vietnamese(client, auth, users, center):
    auth.login(users["admin"])
    html = _new(client, center_code="trung tam").get_data(as_text=True)
    assert "Có nhiều trung tâm khớp với “trung tam”" in html
    assert "07900 — Trung tâm Phục vụ hành chính công phường Việt Trì" in html
    html = _new(client, center_code="Hà Giang").get_data(as_text=True)
    assert "Không có trung tâm nào khớp với “Hà Giang”." in html
    assert _user() is None


def test_required_fields_are_explained_in_vietnamese(client, auth, users):
    auth.login(users["admin"])
    html = client.post("/admin/users/new", data={"role": "officer"}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in html
    assert "This field is required" not in html


def test_inspector_scope_by_names_one_per_line(client, auth, users, center, other_center):
    auth.login(users["admin"])
    _new(
        client,
        username="tt.moi",
        role="inspector",
        scope_center_codes="phuong viet tri\nNông Trang",
    )
    assert sorted(c.code for c in _user("tt.moi").scope_centers) == ["07894", "07900"]
    html = client.get(f"/admin/users/{_user('tt.moi').id}/edit").get_data(as_text=True)
    assert "07894 — Trung tâm Phục vụ hành chính công phường Nông Trang" in html


def test_many_centers_are_searched_on_the_server(client, auth, users, center, monkeypatch):
    monkeypatch.setattr(centers, "PICKER_FULL_LIST_MAX", 1)
    auth.login(users["admin"])
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert "data-remote" in html
    assert '<option value="07900' not in html
    response = client.get("/admin/center-options?q=viet tri")
    assert response.json == ["07900 — Trung tâm Phục vụ hành chính công phường Việt Trì"]
    assert client.get("/admin/center-options?q=v").json == []
