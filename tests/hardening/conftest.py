"""Fixtures for the hardening tests (issue 12): ratings settings, evidence directory."""

from __future__ import annotations

import pytest

from portal.ratings import services
from tests.conftest import RATINGS_TEST_CONFIG


@pytest.fixture
def app_config(app_config, tmp_path):
    return {
        **app_config,
        **RATINGS_TEST_CONFIG,
        "RATING_MIN_FILL_SECONDS": 0,
        "RATING_LIMIT_DEVICE": "1000 per hour",
        "RATING_LIMIT_NETWORK": "10000 per hour",
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }


@pytest.fixture
def counter_url(app, center) -> str:
    with app.test_request_context():
        return f"/r/{services.counter_token(center.counters[0])}"


@pytest.fixture
def api_key(runner, app) -> str:
    result = runner.invoke(args=["api", "create-key", "Hệ thống một cửa tỉnh", "--province", "25"])
    assert result.exit_code == 0
    return result.output.strip()
