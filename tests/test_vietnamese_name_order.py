"""Officer and user lists are in Vietnamese order: by given name, Đ after D."""

from __future__ import annotations

from portal.accounts.models import Role, User
from portal.extensions import db

NAMES = ["Trần Thị Em", "Lê Văn Đức", "Phạm Văn Dũng", "Nguyễn Văn An", "Đỗ Thị An"]
EXPECTED = ["Đỗ Thị An", "Nguyễn Văn An", "Phạm Văn Dũng", "Lê Văn Đức", "Trần Thị Em"]


def _order_in(html: str, names) -> list[str]:
    return sorted(names, key=html.index)


def test_center_page_lists_officers_by_given_name(client, auth, users, center, create_officer):
    for name in NAMES:
        create_officer(center, full_name=name)
    auth.login(users["manager"])
    html = client.get("/centers/07900").get_data(as_text=True)
    assert _order_in(html, NAMES) == EXPECTED


def test_ratings_page_lists_officers_by_given_name(client, auth, users, center, create_officer):
    for name in NAMES:
        create_officer(center, full_name=name)
    auth.login(users["manager"])
    html = client.get("/ratings/07900").get_data(as_text=True)
    assert _order_in(html, NAMES) == EXPECTED


def test_admin_user_list_by_given_name(client, auth, users, center, create_user):
    for i, name in enumerate(NAMES):
        user = create_user(Role.OFFICER, center=center, username=f"cb{i}")
        user.full_name = name
    db.session.commit()
    auth.login(users["admin"])
    html = client.get("/admin/users?role=officer").get_data(as_text=True)
    assert _order_in(html, NAMES) == EXPECTED


def test_sort_key_follows_name_changes(app, create_user):
    user = create_user(Role.ADMIN, username="sorted")
    user.full_name = "Lê Văn Đức"
    db.session.commit()
    db.session.expire_all()
    other = create_user(Role.ADMIN, username="sorted2")
    other.full_name = "Phạm Văn Dũng"
    db.session.commit()
    keys = {u.full_name: u.name_sort_key for u in db.session.scalars(db.select(User))}
    assert keys["Phạm Văn Dũng"] < keys["Lê Văn Đức"]
