"""Ratings posted concurrently to a real gunicorn while every worker is killed (SIGKILL)
in the middle: the drill of ``bench/fault_drill.py``, short, on the stage's database.

Four client threads post ratings, each acknowledged only after its transaction is
durable: to two sync workers (one commit per rating), and to two gthread workers whose
ratings go through the group-commit writer (several ratings per commit, each answered after
that commit). A POST cut by the kill is sent again with the same nonce, as a phone would. On
PostgreSQL the portal's connections are also terminated once.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import conftest

ROOT = Path(__file__).resolve().parents[2]


def _drill_module():
    spec = importlib.util.spec_from_file_location("fault_drill", ROOT / "bench" / "fault_drill.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def drill_url(db_url, tmp_path) -> str:
    """A scratch database of its own: the drill's server builds its schema there."""
    if not db_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'drill.sqlite3'}"
        return
    parsed = sa.engine.make_url(db_url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = conftest._render(parsed.set(database=f"{parsed.database}_{worker}_drill"))
    conftest._recreate_pg_database(url)
    yield url
    conftest._drop_pg_database(url)


@pytest.mark.parametrize(
    ("threads", "group_commit"),
    [(1, False), (4, True)],
    ids=["sync workers", "gthread workers, group commit"],
)
def test_killing_every_worker_mid_load_loses_no_acknowledged_rating_and_stores_none_twice(
    drill_url, tmp_path, threads, group_commit
):
    drill = _drill_module()
    pg = drill_url.startswith("postgresql")
    with open(tmp_path / "gunicorn.log", "w") as log:
        result = drill.drill(
            drill_url,
            workers=2,
            seconds=4.0,
            concurrency=4,
            kills=1,
            pg=pg,
            log=log,
            threads=threads,
            group_commit=group_commit,
        )
    summary = {k: v for k, v in result.items() if k != "faults"}
    # Every fault struck running workers (or held connections) and ratings flowed again.
    assert [f["killed"] > 0 for f in result["faults"]] == [True] * (2 if pg else 1), result
    assert result["faults_survived"] == len(result["faults"]), result
    assert result["master_survived"] and result["recovered_after_last_fault"], summary
    # Work was done on both sides of the kill.
    assert result["acknowledged"] >= 10, summary
    # Nothing acknowledged is lost, nothing is stored twice, the rollups follow.
    assert result["lost"] == 0, summary
    assert result["wrong_score"] == 0, summary
    assert result["nonces_equal_ratings"], summary
    assert result["stored_not_acknowledged"] >= result["outcomes"].get("retry_already_stored", 0)
    assert result["rollups_equal_raw_counts"], summary
    assert result["integrity_check"] in ("ok", "n/a (PostgreSQL)"), summary
    assert result["outcomes"].get("bare_5xx", 0) == 0, summary
    assert result["ok"], summary
