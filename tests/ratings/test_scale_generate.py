"""bench/generate.py on a small N: consistent data (rollups verify clean, working days and
office hours only, every complete quarter ranked, the ranking from the rollups equal to
the ranking from the raw ratings), on SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.rankings import services as rankings
from portal.rankings.models import ScoreSnapshot
from portal.ratings import rollups
from portal.ratings.models import Rating, RatingRollup
from portal.shared.timeutils import DISPLAY_TZ, as_aware_utc
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_scale_database_is_consistent_and_ranks_the_same_from_raw_ratings(
    empty_database_url,  # noqa: F811
    make_app,
):
    generate, scale = _load("generate"), _load("scale")
    app = make_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    generate.generate(
        app, empty_database_url, total=5000, provinces="25,4", days=200, end_s="2026-11-30", seed=3
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 5000
        assert rollups.differences() == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RatingRollup)) > 0
        # Working days and office hours only.
        moments = db.session.execute(sa.select(Rating.day, Rating.created_at)).all()
        assert all(day.weekday() != 6 and day not in generate.HOLIDAYS for day, _m in moments)
        assert date(2026, 9, 2) not in {day for day, _m in moments}  # National Day
        for day, moment in moments:
            local = as_aware_utc(moment).astimezone(DISPLAY_TZ)
            assert local.date() == day
            minute = local.hour * 60 + local.minute
            assert 7 * 60 + 30 <= minute < 17 * 60 and not (11 * 60 + 30 <= minute < 13 * 60 + 30)
        # Every complete quarter of the window is published and ranked.
        periods = rankings.published_periods()
        assert [p.code for p in periods] == ["2026-Q3", "2026-Q2"]
        n_centers = db.session.scalar(sa.text("SELECT count(*) FROM centers"))
        for period in periods:
            rows = rankings.ranking_rows(period)
            assert len(rows) == n_centers
            ranked = [s for s in rows if s.rank is not None]
            assert len(ranked) > 0.8 * n_centers
            # Recomputed from the raw ratings: the same figures for every center.
            settings = rankings.settings_for(period)
            raw = rankings.compute_figures(period, settings, counts_source=scale.raw_counts)
            for snapshot in rows:
                figures = raw[snapshot.center_id]
                assert (snapshot.n_ratings, list(snapshot.counts), snapshot.rank) == (
                    figures["n_ratings"],
                    figures["counts"],
                    figures["rank"],
                ), snapshot.center.code
        # A published ranking recomputed from the rollups changes nothing.
        assert rankings.recompute_snapshots(periods[0], actor=None) == []
        db.session.rollback()
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(ScoreSnapshot).where(ScoreSnapshot.n_ratings > 0)
        )
