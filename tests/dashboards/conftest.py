"""The rankings' small period (three centers, verified results, rollups) with its snapshots."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.rankings import services

from ..rankings import conftest as ranking_fixtures

app_config = ranking_fixtures.app_config
standard_version = ranking_fixtures.standard_version
create_period = ranking_fixtures.create_period
period = ranking_fixtures.period
small_period = ranking_fixtures.small_period


@pytest.fixture
def scored(small_period, users):
    """The small period with its snapshots computed (not published)."""
    services.recompute_snapshots(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period
