"""Issue 12, defect 11: services that change data check the actor themselves; a refused
actor changes nothing (no row, no audit entry)."""

from __future__ import annotations

import inspect

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers import services
from portal.centers.models import Counter, Officer
from portal.extensions import db
from portal.ratings import services as rating_services
from portal.ratings.models import CounterQR, Receipt
from portal.shared.errors import PermissionDenied


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_no_service_takes_an_allowed_flag():
    for fn in (
        services.update_center,
        services.add_counter,
        services.update_counter,
        services.add_officer,
        services.update_officer,
    ):
        assert "allowed" not in inspect.signature(fn).parameters, fn.__name__


@pytest.mark.parametrize("who", ["manager_other", "officer", "inspector"])
def test_refused_actors_change_nothing_in_a_center(app, users, center, who):
    actor = users[who]
    counter = center.counters[0]
    officer = Officer(center=center, full_name="Trần Thị B", position="Công chức")
    db.session.add(officer)
    db.session.commit()
    before = audit_count()
    name = center.name
    attempts = [
        lambda: services.update_center(
            center, actor=actor, name="X", address="", phone="", opening_hours=""
        ),
        lambda: services.add_counter(center, actor=actor, number=50, field="Đất đai"),
        lambda: services.update_counter(
            counter, actor=actor, number=51, field="Đất đai", is_active=False
        ),
        lambda: services.add_officer(
            center, actor=actor, full_name="Kẻ Giả", position="", counter_id=None
        ),
        lambda: services.update_officer(
            officer, actor=actor, full_name="Đổi Tên", position="", counter_id=None, is_active=False
        ),
        lambda: rating_services.revoke_counter_posters(counter, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
        db.session.rollback()
    db.session.expire_all()
    assert center.name == name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Counter)) == 3
    assert db.session.get(Officer, officer.id).full_name == "Trần Thị B"
    assert db.session.get(Counter, counter.id).number == 1
    assert db.session.get(CounterQR, counter.id) is None
    assert audit_count() == before


def test_the_centers_own_manager_and_admins_may_change_it(app, users, center):
    services.add_counter(center, actor=users["manager"], number=7, field="Tư pháp")
    services.update_center(
        center, actor=users["admin"], name="Tên mới", address="", phone="", opening_hours=""
    )
    db.session.commit()
    assert center.name == "Tên mới"
    assert any(c.number == 7 for c in center.counters)


def test_receipts_only_by_staff_of_the_center(app, users, center, other_center):
    with pytest.raises(PermissionDenied):
        rating_services.issue_receipt(
            center,
            dossier_code="H1",
            outcome="completed",
            counter=None,
            officer=None,
            actor=users["manager_other"],
        )
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        rating_services.issue_receipt(
            center,
            dossier_code="H1",
            outcome="completed",
            counter=None,
            officer=None,
            actor=users["inspector"],
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0
