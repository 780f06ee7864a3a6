"""Issue 22, finding 7: a center's public name comes from the official list (the seed)
or an administrator's change, audited; its manager cannot rename it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers import services
from portal.extensions import db
from portal.shared.errors import PermissionDenied


def _profile(name: str) -> dict:
    return {"name": name, "address": "Số 1 Trần Phú", "phone": "", "opening_hours": ""}


def test_the_managers_form_has_no_name_field(client, auth, users, center):
    auth.login(users["manager"])
    html = client.get("/centers/07900/edit").text
    assert 'name="name"' not in html
    assert center.name in html  # shown, not editable
    assert "quản trị viên" in html  # who to ask


def test_a_manager_posting_a_name_does_not_rename_the_center(client, auth, users, center):
    official = center.name
    auth.login(users["manager"])
    response = client.post("/centers/07900/edit", data=_profile("Trung tâm Giả mạo"))
    assert response.status_code == 302
    db.session.expire_all()
    assert center.name == official
    assert center.address == "Số 1 Trần Phú"  # the rest of the profile is saved
    assert "Trung tâm Giả mạo" not in client.get("/centers/07900").text


def test_the_service_refuses_a_rename_by_the_manager(app, users, center):
    official = center.name
    with app.test_request_context(), pytest.raises(PermissionDenied):
        services.update_center(
            center,
            actor=users["manager"],
            name="Trung tâm Giả mạo",
            address="",
            phone="",
            opening_hours="",
        )
    db.session.rollback()
    assert center.name == official


def test_an_administrator_renames_it_and_the_change_is_audited(client, auth, users, center):
    official = center.name
    auth.login(users["admin"])
    assert 'name="name"' in client.get("/centers/07900/edit").text
    response = client.post("/centers/07900/edit", data=_profile("Trung tâm mới"))
    assert response.status_code == 302
    db.session.expire_all()
    assert center.name == "Trung tâm mới"
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "center.updated")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.actor_id == users["admin"].id
    assert json.loads(entry.summary)["name"] == [official, "Trung tâm mới"]
