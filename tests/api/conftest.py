import pytest


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "PUBLIC_BASE_URL": "https://danhgia.example.vn",
        # Every hour is "open", so the off-hours flag does not hold test ratings back.
        "RATING_OPENING_HOURS": (0.0, 24.0),
        "RATING_CLOSED_WEEKDAYS": (),
    }
