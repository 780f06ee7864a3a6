"""Issue 22, finding 7: without Redis each worker counted its own rate limits (238 of 260
tracking-code lookups got through four workers). Production now refuses to start without
a shared storage, saying why; a one-process deployment must say so explicitly."""

from __future__ import annotations

import logging
import os

import pytest

from portal.config import ProductionConfig

SECRET = "s" * 48


def test_production_defaults_to_redis_url_and_nothing_else():
    assert os.environ.get("REDIS_URL", "") == ProductionConfig.RATELIMIT_STORAGE_URI


def test_production_without_a_shared_storage_refuses_to_start(make_app, app_config):
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        make_app(
            {**app_config, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": ""}, env="production"
        )


def test_production_with_redis_starts(make_app, app_config):
    app = make_app(
        {**app_config, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14"},
        env="production",
    )
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_an_explicit_single_process_memory_storage_is_warned_about(make_app, app_config, caplog):
    with caplog.at_level(logging.WARNING, logger="portal"):
        make_app(
            {**app_config, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "memory://"},
            env="production",
        )
    assert any("one worker process" in r.getMessage() for r in caplog.records)


def test_development_keeps_memory_when_redis_is_unset(make_app, app_config):
    app = make_app({**app_config}, env="development")
    assert app.config["RATELIMIT_STORAGE_URI"] == os.environ.get("REDIS_URL", "memory://")
