"""Snapshots computed by hand for a small period, recompute idempotence, settings, publication."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.inspections.models import Inspection
from portal.rankings import services
from portal.rankings.models import ScoreSnapshot
from portal.shared.signals import inspection_result_changed

from .conftest import add_rollup


def _settings_m0(period, admin, **extra):
    settings = services.settings_for(period)
    values = {**settings.as_dict(), "prior_weight": 0, **extra}
    services.update_settings(settings, values, actor=admin)
    return settings


def _snap(period, center) -> ScoreSnapshot:
    return services.snapshot_for(period, center)


def test_hand_computed_snapshots_of_a_small_period(small_period, users):
    period = small_period["period"]
    _settings_m0(period, users["admin"])
    changes = services.recompute_snapshots(period, actor=users["admin"])
    db.session.commit()
    assert {c.center_code for c in changes} >= {"07900", "07894", "07901"}

    a = _snap(period, small_period["A"])
    # 250 ratings, nine 4s and 241 5s: S = (9·75 + 241·100) / 250 = 99.10; CSAT 100 %.
    assert (a.n_ratings, a.counts) == (250, [0, 0, 0, 9, 241])
    assert a.satisfaction_index == 99.1 and a.csat == 1.0
    assert a.csat_wilson_lower == 0.9849  # 1 / (1 + 1.96² / 250)
    # S̄ over Việt Trì and Gia Cẩm: (9·75 + 251·100) / 270 = 95.46; m = 0 so S_adj = S.
    assert a.pooled_index == 95.46 and a.satisfaction_adjusted == 99.1
    # 0.7·86.10 + 0.3·99.10 is exactly 90.00 (89.99999999999999 in floats): Excellent.
    assert a.quality == 90.0 and a.classification == "excellent"
    assert (a.rank, a.satisfaction_rank) == (1, 1)
    assert a.compliance_self == 92.0 and a.gap == pytest.approx(5.9)
    assert a.areas == {"NL": [90.0, 86.25], "TB": [100.0, None]}
    assert a.state == "provisional" and a.standardized is True
    assert a.settings["prior_weight"] == 0 and a.standard_version

    b = _snap(period, small_period["B"])
    # No ratings: S_adj = S̄ = 95.46; Q = 0.7·80 + 0.3·95.46 = 84.638 → 84.64, Good.
    assert b.n_ratings == 0 and b.satisfaction_index is None
    assert b.satisfaction_adjusted == 95.46 and b.quality == 84.64
    assert b.classification == "good" and b.rank == 2 and b.satisfaction_rank is None
    assert b.standardized is True  # C_verified 80.00 is exactly the threshold

    c = _snap(period, small_period["C"])
    # 20 ratings (below the minimum 30): figures but no satisfaction rank; not verified: no Q.
    assert c.n_ratings == 20 and c.csat == 0.5 and c.csat_wilson_lower == 0.2993
    assert c.satisfaction_index == 50.0 and c.satisfaction_rank is None
    assert c.quality is None and c.rank is None and c.classification is None
    assert c.state == "not_verified"


def test_a_second_recompute_changes_nothing(small_period, users, runner):
    period = small_period["period"]
    first = services.recompute_snapshots(period, actor=None)
    db.session.commit()
    assert first
    assert services.recompute_snapshots(period, actor=None) == []
    db.session.commit()
    result = runner.invoke(args=["scores", "recompute", "--period", period.code])
    assert result.exit_code == 0, result.output
    assert "Nothing changed in 2026-Q1." in result.output
    # A new rating for Nông Trang: the CLI prints what changed.
    add_rollup(small_period["B"], (0, 0, 0, 0, 1))
    db.session.commit()
    result = runner.invoke(args=["scores", "recompute", "--period", period.code])
    assert "07894: " in result.output and "n_ratings 0 → 1" in result.output


def test_the_threshold_of_standardized_and_the_class_bands_come_from_the_settings(
    small_period, users
):
    period = small_period["period"]
    _settings_m0(period, users["admin"], standardized_threshold=80.01, band_excellent=90.01)
    services.recompute_snapshots(period, actor=None)
    a, b = _snap(period, small_period["A"]), _snap(period, small_period["B"])
    assert b.standardized is False
    assert a.classification == "good"


def test_bad_settings_change_nothing_and_published_settings_are_locked(small_period, users):
    period, admin = small_period["period"], users["admin"]
    settings = services.settings_for(period)
    before = settings.as_dict()
    for bad in (
        {"compliance_weight": 0.6, "satisfaction_weight": 0.3},
        {"band_good": 95},
        {"min_n": 0},
        {"prior_weight": 2.5},
        {"band_fair": "abc"},
    ):
        with pytest.raises(services.RankingsError):
            services.update_settings(settings, {**before, **bad}, actor=admin)
    assert settings.as_dict() == before
    changes = services.update_settings(settings, {**before, "min_n": 10}, actor=admin)
    assert changes == {"min_n": [30, 10]}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "scores.settings"))
    assert json.loads(entry.summary) == {"min_n": [30, 10]} and entry.object_id == "2026-Q1"
    services.publish(period, actor=admin)
    db.session.commit()
    with pytest.raises(services.SettingsLocked):
        services.update_settings(settings, {**before, "min_n": 20}, actor=admin)
    with pytest.raises(services.RankingsError):
        services.publish(period, actor=admin)


def test_nothing_to_publish_without_a_verified_center(period, center, users):
    with pytest.raises(services.RankingsError):
        services.publish(period, actor=users["admin"])
    db.session.rollback()
    assert services.published_periods() == []


def test_a_finalization_or_appeal_decision_recomputes_a_scored_period(small_period, users):
    period = small_period["period"]
    services.recompute_snapshots(period, actor=None)
    db.session.commit()
    inspection = db.session.scalar(sa.select(Inspection).where(Inspection.verified_score == 80.0))
    inspection.verified_score = 79.99
    inspection_result_changed.send(inspection, actor=users["inspector"])
    db.session.commit()
    b = _snap(period, small_period["B"])
    assert b.compliance_verified == 79.99 and b.standardized is False


def test_the_ranking_turns_final_with_the_date_when_appeals_close(small_period, users):
    from datetime import timedelta

    from portal.assessments.services import today_local

    period = small_period["period"]
    services.publish(period, actor=users["admin"])
    status = services.period_status(period)
    assert not status.final and status.published_on == today_local()
    for inspection in db.session.scalars(sa.select(Inspection)):
        inspection.appeal_until = today_local() - timedelta(days=2)
    services.recompute_snapshots(period, actor=None)
    # Every appeal window has closed, but the period runs on: still provisional (rule of
    # issue 19: final only by a final publication after the period's last day).
    assert not services.period_status(period).final
    after_end = period.closes_on + timedelta(days=1)
    services.publish(period, actor=users["admin"], final=True, today=after_end)
    status = services.period_status(period)
    assert status.final and status.final_on == today_local()
    assert _snap(period, small_period["A"]).final_on == today_local() - timedelta(days=1)
