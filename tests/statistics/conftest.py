"""The checklist and ranking fixtures (a period with known scores), and API keys."""

from __future__ import annotations

import pytest

from tests.conftest import RATINGS_TEST_CONFIG
from tests.rankings import conftest as ranking_fixtures

from ..assessments import conftest as checklist_fixtures

standard_version = checklist_fixtures.standard_version
create_period = checklist_fixtures.create_period
period = checklist_fixtures.period
small_period = ranking_fixtures.small_period


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, **RATINGS_TEST_CONFIG, "EVIDENCE_DIR": str(tmp_path / "evidence")}


@pytest.fixture
def api_key(runner, app) -> str:
    result = runner.invoke(args=["api", "create-key", "Phần mềm một cửa", "--province", "25"])
    assert result.exit_code == 0
    return result.output.strip()
