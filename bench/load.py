"""Load test: many concurrent citizens for a while; nothing acknowledged is lost.

    .venv/bin/python bench/load.py [--workers 4] [--worker-class gthread --threads 4]
        [--concurrency 40] [--seconds 60] [--counters 50]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/load_drill] [--json out.json]

Only 127.0.0.1, a scratch database (a temporary SQLite file with ``synchronous=FULL``; with
``--pg`` a database whose name must contain "drill", created if missing and emptied). The
portal runs under gunicorn with several workers; ``--concurrency`` client threads each play
a citizen in a loop: open the rating page (a fresh nonce), send a rating, follow the 303
to the thank-you page and note its tracking code and score. No fault is injected (that is
``bench/fault_drill.py``): every request must succeed.

Then, with the server stopped, the database is checked: every acknowledged rating is stored
with its score, nothing is stored that was not acknowledged, each rating consumed one nonce,
the center rollups equal the raw counts, and ``flask rollups verify`` (every scope, every
day) reports no difference. Exit 1 if any check fails or any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import fault_drill as drill  # noqa: E402 - the same client, server and checks


def portal_env(db_url: str) -> dict:
    env = drill.portal_env(db_url)
    # One client address plays every citizen: the thank-you page's lookup limit too is raised.
    env["PORTAL_RATING_LIMIT_LOOKUP"] = "10000000 per hour"
    return env


def verify_rollups(db_url: str) -> tuple[int, str]:
    """``flask rollups verify`` on the database: (exit code, its last lines)."""
    env = portal_env(db_url)
    env["FLASK_APP"] = "wsgi.py"
    flask = str(Path(sys.executable).parent / "flask")
    out = subprocess.run(
        [flask, "rollups", "verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return out.returncode, (out.stdout + out.stderr).strip()[-500:]


def load_test(
    db_url: str,
    *,
    workers: int,
    concurrency: int,
    seconds: float,
    counters: int = 50,
    worker_class: str = "sync",
    threads: int = 1,
    log=None,
) -> dict:
    tokens = drill.prepare(db_url, counters=counters)
    port = drill.free_port()
    log = log or subprocess.DEVNULL
    server = drill.start_gunicorn(
        port, workers, portal_env(db_url), log, worker_class=worker_class, threads=threads
    )
    load = drill.Load(port, tokens)
    clients = [threading.Thread(target=load.run_thread, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    try:
        for t in clients:
            t.start()
        time.sleep(seconds)
    finally:
        load.stop.set()
        for t in clients:
            t.join(60)
        elapsed = time.monotonic() - started
        server_alive = server.poll() is None
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    checks = drill.check_database(db_url, load.acknowledged)
    verify_rc, verify_out = verify_rollups(db_url)
    failed = {k: v for k, v in load.outcomes.items() if k != "acknowledged"}
    result = {
        "database": "postgresql" if db_url.startswith("postgresql") else "sqlite (FULL)",
        "workers": workers,
        "worker_class": worker_class,
        "threads": threads,
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "ratings_per_s": round(len(load.acknowledged) / elapsed, 1),
        "failed_requests": failed,
        "server_survived": server_alive,
        **checks,
        "rollups_verify_exit": verify_rc,
        "rollups_verify": verify_out.splitlines()[-1] if verify_out else "",
    }
    result["ok"] = (
        not failed
        and server_alive
        and checks["lost"] == 0
        and checks["wrong_score"] == 0
        and checks["stored_not_acknowledged"] == 0
        and checks["nonces_equal_ratings"]
        and checks["rollups_equal_raw_counts"]
        and checks["integrity_check"] in ("ok", "n/a (PostgreSQL)")
        and verify_rc == 0
        and checks["acknowledged"] > 0
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--pg", help="also load PostgreSQL in this (scratch) database")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if not 1 <= args.workers <= 8 or not 1 <= args.concurrency <= 100 or args.seconds > 300:
        parser.error("keep it bounded: 1–8 workers, 1–100 clients, at most 300 s")
    common = {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "counters": args.counters,
        "worker_class": args.worker_class,
        "threads": args.threads,
    }
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "gunicorn.log"), "w") as log:
            results.append(load_test(f"sqlite:///{tmp}/load.sqlite3", log=log, **common))
            if args.pg:
                drill.ensure_pg_database(args.pg)
                results.append(load_test(args.pg, log=log, **common))
        lines = Path(tmp, "gunicorn.log").read_text().splitlines()
    errors = [line for line in lines if "Error" in line or "Exception on" in line]
    if errors:
        print("\n".join(errors[-20:]), file=sys.stderr)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0 if all(r["ok"] for r in results) and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
