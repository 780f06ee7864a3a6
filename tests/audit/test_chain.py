"""The audit chain: written with each change, verified, and tampering is named."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db


def tamper(statement) -> None:
    """Change the table behind the application's back, as an attacker with SQL access would."""
    db.session.execute(statement)
    db.session.commit()


@pytest.fixture
def chain(app, users):
    """Five entries written through the service, as features do."""
    admin = users["admin"]
    for i in range(5):
        audit.record(
            actor=admin,
            action="setting.changed",
            object_type="setting",
            object_id=f"s{i}",
            summary={"value": [i, i + 1]},
        )
    db.session.commit()
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_clean_chain_verifies(runner, chain):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"OK: {len(chain)} entries" in result.output


def test_entries_link_to_their_predecessor(chain):
    assert chain[0].prev_hash == "0" * 64
    for prev, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == prev.hash


def test_altered_row_is_named(runner, chain):
    victim = chain[2]
    tamper(
        sa.update(AuditEntry).where(AuditEntry.id == victim.id).values(summary='{"value": [0, 99]}')
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{victim.id}: entry content altered" in result.output


def test_deleted_row_names_the_entry_after_it(runner, chain):
    tamper(sa.delete(AuditEntry).where(AuditEntry.id == chain[1].id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{chain[2].id}: previous entry missing or altered" in result.output


def test_deleted_newest_row_is_detected(runner, chain):
    tamper(sa.delete(AuditEntry).where(AuditEntry.id == chain[-1].id))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "newest entries missing" in result.output


def test_recomputed_forgery_is_still_caught(runner, chain):
    """Rewriting one entry and its own hash: the entry's seal no longer matches, so the
    forged entry itself is named (before seals, only the next link broke)."""
    victim = chain[1]
    forged = audit.compute_hash(
        prev_hash=victim.prev_hash,
        created_at=victim.created_at,
        actor_id=victim.actor_id,
        actor_label=victim.actor_label,
        action=victim.action,
        object_type=victim.object_type,
        object_id=victim.object_id,
        center_id=victim.center_id,
        summary='{"value": [7, 7]}',
    )
    tamper(
        sa.update(AuditEntry)
        .where(AuditEntry.id == victim.id)
        .values(summary='{"value": [7, 7]}', hash=forged)
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{victim.id}: seal does not match" in result.output


def test_change_and_audit_roll_back_together(app, users, center):
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    center.address = "Địa chỉ tạm"
    audit.record(
        actor=users["admin"], action="center.updated", object_type="center", object_id=center.code
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before


def test_admin_browses_and_filters_the_log(client, auth, users, chain):
    auth.login(users["admin"])
    html = client.get("/audit/?action=setting").get_data(as_text=True)
    assert html.count("setting.changed") == len(chain)
    html = client.get("/audit/?action=login").get_data(as_text=True)
    assert "setting.changed" not in html
    assert "login" in html


def test_audit_filter_by_center_and_bad_dates(client, auth, users, center):
    auth.login(users["admin"])
    client.post(
        "/centers/07900/edit",
        data={"name": center.name, "address": "Mới", "phone": "", "opening_hours": ""},
    )
    html = client.get("/audit/?center_code=07900").get_data(as_text=True)
    assert "center.updated" in html
    assert client.get("/audit/?date_from=not-a-date").status_code == 200
