"""The audit key: someone with write access to the database alone cannot rewrite history."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit import services as audit
from portal.audit.models import AuditEntry, AuditHead
from portal.extensions import db

from .test_chain import chain, tamper  # noqa: F401 - the fixture


def rehash_from(victim_id: int, new_summary: str) -> None:
    """What an attacker with SQL access (and the source code) does: change one entry,
    recompute its hash and every later link, and move the head along. Only the key is
    missing, so the seals cannot be recomputed."""
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = None
    for entry in entries:
        if entry.id == victim_id:
            entry.summary = new_summary
        if prev is not None:
            entry.prev_hash = prev.hash
        entry.hash = audit.compute_hash(
            prev_hash=entry.prev_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            center_id=entry.center_id,
            summary=entry.summary,
            request_id=entry.request_id,
        )
        db.session.flush()
        prev = entry
    head = db.session.get(AuditHead, 1)
    head.last_hash = prev.hash
    db.session.commit()


def test_rehashed_forgery_with_database_access_only_is_named(runner, chain):  # noqa: F811
    victim = chain[2]
    rehash_from(victim.id, '{"value": [0, 99]}')
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{victim.id}: seal does not match" in result.output
    assert "(2 entries verified before it)" in result.output


def test_erasing_the_seals_is_caught(runner, chain):  # noqa: F811
    rehash_from(chain[0].id, '{"value": [5, 5]}')
    tamper(sa.update(AuditEntry).values(mac=None))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{chain[0].id}: entry has no seal" in result.output


def test_truncating_the_tail_and_moving_the_head_is_caught(runner, chain):  # noqa: F811
    last, before_last = chain[-1], chain[-2]
    tamper(sa.delete(AuditEntry).where(AuditEntry.id == last.id))
    tamper(
        sa.update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_entry_id=before_last.id, last_hash=before_last.hash, count=len(chain) - 1)
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "head seal does not match" in result.output


def test_another_key_does_not_verify(app, runner, chain):  # noqa: F811
    app.config["AUDIT_KEY"] = "a-different-audit-key"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry #{chain[0].id}: seal does not match" in result.output


def test_seal_command_seals_legacy_entries_once(runner, chain):  # noqa: F811
    """Entries written before seals existed: `flask audit seal` seals a sound chain."""
    tamper(sa.update(AuditEntry).values(mac=None))
    tamper(sa.update(AuditHead).values(mac=None))
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    assert f"{len(chain)} entries sealed" in result.output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_seal_command_refuses_to_bless_a_tampered_chain(runner, chain):  # noqa: F811
    tamper(sa.update(AuditEntry).where(AuditEntry.id == chain[1].id).values(summary="{}"))
    tamper(sa.update(AuditEntry).values(mac=None))
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.mac.is_not(None))) == 0
