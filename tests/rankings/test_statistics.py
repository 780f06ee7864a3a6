"""Issue 24: a published revision leaves the planner statistics of its rows behind, so a
province's ranking starts from the province's centers instead of reading every row of
the country's revision (the plans over the scale data are in bench/README.md; on a test's
handful of rows a scan is the right plan, so the plan itself is not asserted here)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.rankings import services


@pytest.fixture
def published(small_period, users):
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period


def test_publishing_refreshes_the_rankings_statistics(published):
    if db.engine.dialect.name != "sqlite":
        tables = db.session.scalars(
            sa.text(
                "SELECT relname FROM pg_class WHERE relname IN ('published_rows', "
                "'score_snapshots') AND reltuples >= 0"
            )
        ).all()
        assert sorted(tables) == ["published_rows", "score_snapshots"]
        return
    analyzed = set(db.session.scalars(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    assert {"published_rows", "score_snapshots"} <= analyzed
