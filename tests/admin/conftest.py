import pytest

from tests.conftest import RATINGS_TEST_CONFIG


@pytest.fixture
def app_config(app_config):
    return {**app_config, **RATINGS_TEST_CONFIG}
