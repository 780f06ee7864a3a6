"""What one rating costs, stage by stage, in microseconds, and the disk's own bound.

    .venv/bin/python bench/stages.py [--n 400] [--pg postgresql+psycopg://…/bench_stages]
                                     [--profile 25] [--json out.json]

In one process, on a fresh database (SQLite WAL ``synchronous=FULL`` in a temporary file,
then PostgreSQL if ``--pg`` is given) with one center and 200 counters, as ``bench/run.py``
prepares it:

- **whole request**: the rating POST and the rating page GET through the WSGI app
  (``app.wsgi_app``, what gunicorn calls; no network), median of ``--n``;
- **stages** of the POST, each timed on its own inside a request context, median of ``--n``:
  ``parse`` (reading the urlencoded body and ``parse_rating_form``), ``verify`` (the counter
  token with its one query, the nonce signature and age), ``statements`` (``submit_rating``:
  nonce insert, anomaly checks, rating insert, rollup upsert, complaint check; flushed,
  not committed), ``commit`` (the durable commit: SQLite's WAL fsync, PostgreSQL's WAL
  flush), ``render`` (the 303 to the thank-you page and its sealed reference);
  ``framework`` is the whole request minus those stages (Flask, the extensions' hooks,
  headers, limits, session);
- **the disk's bound**, measured in the same run: ``fsync`` per second of a 4 KiB append
  on the database's own filesystem, and for SQLite the commits per second of a one-row
  insert at ``synchronous=FULL`` (the ceiling of one commit per rating), for PostgreSQL
  of a one-row insert over the same driver;
- ``--profile N`` prints the N most expensive functions of the whole POST (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run  # noqa: E402 - the same set-up as the HTTP benchmark


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def fsync_rate(directory: str, n: int = 200) -> float:
    """4 KiB appends, each followed by ``fsync``, per second, on ``directory``'s disk."""
    path = Path(directory) / f"fsync-{secrets.token_hex(4)}.bin"
    block = b"x" * 4096
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        start = time.perf_counter()
        for _ in range(n):
            os.write(fd, block)
            os.fsync(fd)
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
        path.unlink()
    return n / elapsed


def bare_commit_rate(engine, n: int = 200) -> float:
    """One-row inserts, one commit each, on the portal's engine (SQLite: its WAL and
    ``synchronous`` pragmas; PostgreSQL: the same psycopg connection pool)."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER, v TEXT)")
        conn.commit()
        start = time.perf_counter()
        for i in range(n):
            conn.execute(sa.text("INSERT INTO bench_commit VALUES (:i, 'x')"), {"i": i})
            conn.commit()
        elapsed = time.perf_counter() - start
        conn.exec_driver_sql("DROP TABLE bench_commit")
        conn.commit()
    return n / elapsed


def _environ(app, method: str, path: str, body: str | None):
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=path,
        method=method,
        data=body,
        content_type="application/x-www-form-urlencoded" if body else None,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _call(app, environ) -> str:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    for _chunk in app.wsgi_app(environ, start_response):
        pass
    return status[0]


def measure(label: str, db_url: str, args) -> dict:
    targets = bench_run.prepare(db_url, 200)
    os.environ.update(bench_run.portal_env(db_url))
    from portal import create_app
    from portal.complaints import services as complaints
    from portal.extensions import db
    from portal.ratings import public, services
    from portal.ratings.forms import parse_rating_form

    app = create_app()
    post_samples, get_samples = [], []
    stage = {k: [] for k in ("parse", "verify", "statements", "commit", "render")}
    statements_per_rating = []

    def body(counter_id: int) -> str:
        return f"nonce={bench_run._nonce(counter_id)}&score=4"

    # Warm up: the first request of a process loads templates, catalogues, mappers, and
    # each counter's blank form enters the per-process page cache (as after a minute of use).
    for i in range(len(targets)):
        token, counter_id = targets[i % len(targets)]
        _call(app, _environ(app, "GET", f"/r/{token}", None))
        _call(app, _environ(app, "POST", f"/r/{token}", body(counter_id)))

    for i in range(args.n):
        token, counter_id = targets[i % len(targets)]
        environ = _environ(app, "GET", f"/r/{token}", None)
        t0 = time.perf_counter()
        status = _call(app, environ)
        get_samples.append(time.perf_counter() - t0)
        assert status.startswith("200"), status
        environ = _environ(app, "POST", f"/r/{token}", body(counter_id))
        t0 = time.perf_counter()
        status = _call(app, environ)
        post_samples.append(time.perf_counter() - t0)
        assert status.startswith("303"), status

    counted = []

    from sqlalchemy import event

    def count(*_a, **_k):
        counted.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    for i in range(args.n):
        token, counter_id = targets[i % len(targets)]
        data = body(counter_id)
        with app.test_request_context(
            f"/r/{token}",
            method="POST",
            data=data,
            content_type="application/x-www-form-urlencoded",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ):
            from flask import request

            t0 = time.perf_counter()
            form = request.form
            parsed = parse_rating_form(form, comment_max=app.config["RATING_COMMENT_MAX"])
            t1 = time.perf_counter()
            target = services.resolve_counter_token(token)
            check = services.check_nonce(form["nonce"], target)
            t2 = time.perf_counter()
            del counted[:]
            rating = services.submit_rating(target, parsed.data, nonce_key=check.key)
            has_case = (
                complaints.case_source(
                    score=rating.score, comment=rating.comment, explicit=parsed.data.complaint
                )
                is not None
            )
            code = rating.tracking_code
            db.session.flush()
            t3 = time.perf_counter()
            statements_per_rating.append(len(counted))
            db.session.commit()
            t4 = time.perf_counter()
            response = public._to_thanks(code, target=target, case=has_case)
            t5 = time.perf_counter()
            assert response.status_code == 303 and check.valid
            db.session.remove()
        for key, a, b in (
            ("parse", t0, t1),
            ("verify", t1, t2),
            ("statements", t2, t3),
            ("commit", t3, t4),
            ("render", t4, t5),
        ):
            stage[key].append(b - a)
    event.remove(engine, "before_cursor_execute", count)

    with app.app_context():
        directory = (
            str(Path(db.engine.url.database).parent)
            if db.engine.dialect.name == "sqlite"
            else tempfile.gettempdir()
        )
        bound = {
            "fsync_per_s": fsync_rate(directory),
            "bare_commit_per_s": bare_commit_rate(db.engine),
        }

    result = {
        "post_us": _median_us(post_samples),
        "get_us": _median_us(get_samples),
        "stages_us": {k: _median_us(v) for k, v in stage.items()},
        "statements": statistics.median(statements_per_rating),
        **bound,
    }
    result["stages_us"]["framework"] = result["post_us"] - sum(result["stages_us"].values())

    if args.profile:
        profiler = cProfile.Profile()
        for i in range(200):
            token, counter_id = targets[i % len(targets)]
            if args.profile_get:
                environ = _environ(app, "GET", f"/r/{token}", None)
            else:
                environ = _environ(app, "POST", f"/r/{token}", body(counter_id))
            profiler.enable()
            _call(app, environ)
            profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(*args.restrict, args.profile)
        if args.callers:
            stats.print_callers(args.callers)
        result["profile"] = out.getvalue()

    print(f"\n== {label} ==")
    print(f"rating POST (whole request, in-process) {result['post_us']:8.0f} µs")
    print(f"rating page GET (whole request)         {result['get_us']:8.0f} µs")
    for key, value in result["stages_us"].items():
        share = value / result["post_us"] * 100
        print(f"  {key:12s} {value:8.0f} µs  {share:4.0f} %")
    print(f"  SQL statements per rating: {result['statements']:.0f}")
    print(
        f"disk: fsync {result['fsync_per_s']:.0f}/s, one-row commit "
        f"{result['bare_commit_per_s']:.0f}/s; one worker's ceiling from its own POST cost "
        f"{1e6 / result['post_us']:.0f} ratings/s"
    )
    if args.profile:
        print(result["profile"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--pg", default=None)
    parser.add_argument("--profile", type=int, default=0, help="top N functions of the POST")
    parser.add_argument("--profile-get", action="store_true", help="profile the GET instead")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumulative)")
    parser.add_argument(
        "--restrict", action="append", default=[], help="only functions matching this regex"
    )
    parser.add_argument("--callers", help="also print who calls the functions matching this regex")
    parser.add_argument("--json", default=None)
    parser.add_argument(
        "--limits", default="memory://", help="rate-limit storage (e.g. redis://127.0.0.1:6379/15)"
    )
    args = parser.parse_args()
    bench_run.LIMITS_STORAGE = args.limits
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite_full"] = measure(
            "SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/stages.sqlite3", args
        )
    if args.pg:
        # A second app in the same process: the engine of the first is disposed with it.
        results["postgresql"] = measure("PostgreSQL", args.pg, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
