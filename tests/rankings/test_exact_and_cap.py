"""The standard caps a class and says why; the methodology page reads the period's settings;
snapshots keep the exact figures their ranks were taken on."""

from __future__ import annotations

from fractions import Fraction

from portal.extensions import db
from portal.inspections.models import Inspection
from portal.rankings import services
from portal.rankings.snapshots import exact_value


def _publish(small_period, users, **changes):
    settings = services.settings_for(small_period["period"])
    services.update_settings(settings, {**settings.as_dict(), **changes}, actor=users["admin"])
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()


def test_the_methodology_page_shows_the_weights_of_the_period(small_period, users, client):
    _publish(small_period, users, compliance_weight="0.6", satisfaction_weight="0.4")
    html = client.get("/rankings/methodology?period=2026-Q1").get_data(as_text=True)
    assert "Q = 0,60 × C_thẩm định + 0,40 × S_adj" in html
    assert "0,70 ×" not in html
    # The worked example is computed with the same weights: 0.6 × 86 + 0.4 × S_adj.
    assert "Q = 0,60 × 86,00 + 0,40 ×" in html
    assert client.get("/rankings/methodology?period=1999-Q1").status_code == 404


def test_a_center_failing_a_mandatory_criterion_is_classed_at_most_fair(
    small_period, users, client, standard_version
):
    inspection = db.session.query(Inspection).filter_by(verified_score=86.1).one()
    gate = next(c for c in standard_version.criteria if c.mandatory)
    inspection.result = {
        "areas": inspection.result["areas"],
        "criteria": {
            c.code: [1.0, 0.0 if c.code == gate.code else 1.0] for c in standard_version.criteria
        },
    }
    inspection.gates_ok = False
    db.session.commit()
    _publish(small_period, users, prior_weight=0)
    snapshot = services.snapshot_for(small_period["period"], small_period["A"])
    assert snapshot.quality >= 90 and not snapshot.standardized
    assert snapshot.classification == "fair" and snapshot.capped
    assert snapshot.failed_gates == [gate.code]
    board = client.get("/rankings/?period=2026-Q1").get_data(as_text=True)
    assert f"chưa đạt chuẩn: tiêu chí bắt buộc {gate.code}" in board
    page = client.get("/rankings/centers/07900?period=2026-Q1").get_data(as_text=True)
    assert f"chưa đạt chuẩn: tiêu chí bắt buộc {gate.code}" in page and "Khá" in page
    # Nông Trang at exactly 80,00 is standardized (as shown) and keeps its class.
    other = services.snapshot_for(small_period["period"], small_period["B"])
    assert other.standardized and not other.capped


def test_below_the_threshold_the_reason_is_c_verified(small_period, users, client):
    _publish(small_period, users, standardized_threshold="87")
    board = client.get("/rankings/?period=2026-Q1").get_data(as_text=True)
    assert "chưa đạt chuẩn: C_thẩm định dưới 87" in board


def test_snapshots_keep_the_exact_figures_of_their_ranks(small_period, users):
    _publish(small_period, users)
    snapshot = services.snapshot_for(small_period["period"], small_period["A"])
    exact = {k: exact_value(v) for k, v in snapshot.exact.items()}
    assert exact["compliance_verified"] == Fraction("86.1")
    # S = (9 × 75 + 241 × 100) / 250 exactly; shown with two decimals only.
    assert exact["satisfaction_index"] == Fraction(9 * 75 + 241 * 100, 250)
    q = (
        Fraction(7, 10) * exact["compliance_verified"]
        + Fraction(3, 10) * exact["satisfaction_adjusted"]
    )
    assert exact["quality"] == q
    assert snapshot.quality == float(round(q, 2))
