"""A small version of bench/load.py: the real portal under gunicorn with two workers and
eight concurrent citizens for a few seconds. Every rating acknowledged with its
thank-you page is stored with its score, nothing else is stored, each consumed one
nonce, and the rollups (every scope) equal the raw ratings. Counts only, never timings;
on SQLite and, with TEST_DATABASE_URL, on a scratch PostgreSQL database."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_concurrent_citizens_lose_no_rating_and_count_each_once(empty_database_url):  # noqa: F811
    load = _load_bench()
    result = load.load_test(empty_database_url, workers=2, concurrency=8, seconds=4, counters=6)
    assert result["failed_requests"] == {}
    assert result["server_survived"]
    assert result["acknowledged"] > 0
    assert result["stored"] == result["acknowledged"]
    assert result["lost"] == 0 and result["wrong_score"] == 0
    assert result["stored_not_acknowledged"] == 0
    assert result["nonces_equal_ratings"]
    assert result["rollups_equal_raw_counts"]
    assert result["rollups_verify_exit"] == 0, result["rollups_verify"]
    assert result["integrity_check"] in ("ok", "n/a (PostgreSQL)")
    assert result["ok"]
