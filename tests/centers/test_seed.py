"""`flask centers seed`: the official list of 2025 units, idempotent, any province."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers import services
from portal.centers.models import Center
from portal.extensions import db


def _centers(province_code: int) -> list[Center]:
    return db.session.scalars(
        sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
    ).all()


def test_seed_phu_tho_creates_149_centers(runner):
    result = runner.invoke(args=["centers", "seed", "--province", "25"])
    assert result.exit_code == 0, result.output
    assert "149 created" in result.output
    centers = _centers(25)
    assert len(centers) == 149
    provincial = [c for c in centers if c.level == "province"]
    assert len(provincial) == 1
    assert provincial[0].code == "25"
    assert provincial[0].name == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ"
    viet_tri = next(c for c in centers if c.unit_name == "Phường Việt Trì")
    assert viet_tri.code == "07900"
    assert viet_tri.unit_type == "phường"
    assert viet_tri.name == "Trung tâm Phục vụ hành chính công phường Việt Trì"
    assert all(c.province_name == "Phú Thọ" for c in centers)


def test_seed_twice_changes_nothing(runner):
    runner.invoke(args=["centers", "seed", "--province", "25"])
    db.session.expire_all()
    before = {(c.code, c.name, c.unit_name, c.updated_at) for c in _centers(25)}
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    result = runner.invoke(args=["centers", "seed", "--province", "25"])
    assert result.exit_code == 0
    assert "0 created, 0 updated, 149 unchanged" in result.output
    db.session.expire_all()
    assert {(c.code, c.name, c.unit_name, c.updated_at) for c in _centers(25)} == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before


def test_seed_keeps_what_the_center_maintains(runner):
    runner.invoke(args=["centers", "seed", "--province", "25"])
    center = db.session.scalar(sa.select(Center).where(Center.code == "07900"))
    center.address = "Số 1 Trần Phú"
    center.unit_name = "Tên cũ"  # an outdated official name gets refreshed
    db.session.commit()
    result = runner.invoke(args=["centers", "seed", "--province", "25"])
    assert "1 updated" in result.output
    db.session.expire_all()
    center = db.session.scalar(sa.select(Center).where(Center.code == "07900"))
    assert center.address == "Số 1 Trần Phú"
    assert center.unit_name == "Phường Việt Trì"


def test_another_province_and_a_city(runner):
    result = runner.invoke(args=["centers", "seed", "--province", "1", "--province", "4"])
    assert result.exit_code == 0, result.output
    hanoi = _centers(1)
    expected = len(services.official_units(1))
    assert len(hanoi) == expected > 100
    city = next(c for c in hanoi if c.level == "province")
    assert (city.code, city.name) == ("01", "Trung tâm Phục vụ hành chính công thành phố Hà Nội")
    assert len(_centers(4)) == len(services.official_units(4))
    assert _centers(25) == []  # provinces are independent


def test_unknown_province_is_a_clear_error(runner):
    result = runner.invoke(args=["centers", "seed", "--province", "99"])
    assert result.exit_code != 0
    assert "Valid codes" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Center.id))) == 0


def test_all_34_provinces_are_known():
    assert len(services.province_codes()) == 34
    assert sum(len(services.official_units(c)) for c in services.province_codes()) == 34 + 3321


def test_seed_shows_progress(runner):
    result = runner.invoke(args=["centers", "seed", "--province", "25"])
    # click draws the bar itself on a terminal; a pipe gets the label only.
    assert "Province 25 (Phú Thọ)" in result.output
