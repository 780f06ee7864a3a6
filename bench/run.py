"""Rating POST and rating page GET vs a bare Flask hello-world, same gunicorn config, same run.

    .venv/bin/python bench/run.py [--seconds 8] [--workers 2] [--connections 16] [--warmup 2]
                                  [--worker-class sync|gthread] [--threads N]
                                  [--pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_issue4]

Only 127.0.0.1. For each database (SQLite with synchronous=FULL, then PostgreSQL if
``--pg`` is given) it creates the schema and one center with a counter, starts gunicorn for
hello-world and for the portal, and drives each case with a closed-loop load generator
(processes × threads, persistent HTTP/1.1 connections) for ``--seconds`` after a
``--warmup`` (not counted). A stored rating answers 303 (Post/Redirect/Get) and counts as a
success. After the closed-loop cases, the rating POST is driven again, paced at half the
maximum rate it reached, for its p99; the resident memory (VmRSS) of each gunicorn worker
and the load average are printed with the results.

Every rating POST carries a fresh, validly signed nonce issued 3 s in the past (computed
here with the app secret, as the GET would), so the minimum fill time passes and each POST
really inserts a rating, its nonce and three rollup upserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-" + "x" * 40
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Where the rate limits live: the portal's production configuration is Redis
# (``--limits redis://127.0.0.1:6379/15``); ``memory://`` is per worker and starts a
# timer thread for its expiries every 10 ms of traffic.
LIMITS_STORAGE = "memory://"


def portal_env(db_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="development",
        PORTAL_SECRET_KEY=SECRET,
        PORTAL_SQLALCHEMY_DATABASE_URI=db_url,
        SQLITE_SYNCHRONOUS="FULL",
        PORTAL_SQLITE_SYNCHRONOUS="FULL",
        PORTAL_RATING_LIMIT_DEVICE="10000000 per hour",
        PORTAL_RATING_LIMIT_NETWORK="10000000 per hour",
        # The default burst rule (30 per counter in 5 min) stays on; the load is spread over
        # many counters, as a province's load is, so ratings are not flagged and every
        # POST pays the full path including the three rollup upserts.
        PORTAL_RATING_BURST_WINDOW_SECONDS="2",
        REDIS_URL=LIMITS_STORAGE,
    )
    env.pop("DATABASE_URL", None)
    return env


def prepare(db_url: str, counters: int) -> list[tuple[str, int]]:
    """Fresh schema with one center and ``counters`` counters; returns (token, id) pairs."""
    code = """
import json
from portal import create_app
from portal.extensions import db
from portal.centers.models import Center, Counter
from portal.ratings import services
app = create_app()
with app.app_context():
    db.drop_all()
    db.create_all()
    c = Center(code="07900", name="Trung tâm bench", level="commune", unit_code=7900,
               unit_name="Phường", unit_type="phường", province_code=25, province_name="Phú Thọ")
    ks = [Counter(center=c, number=i + 1, field="Hộ tịch") for i in range(COUNTERS)]
    db.session.add_all([c, *ks])
    db.session.commit()
    with app.test_request_context():
        print(json.dumps([[services.counter_token(k), k.id] for k in ks]))
"""
    code = code.replace("COUNTERS", str(int(counters)))
    out = subprocess.run(
        [PYTHON, "-c", code],
        env=portal_env(db_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return [tuple(pair) for pair in json.loads(out.stdout.strip().splitlines()[-1])]


def start_gunicorn(
    app: str, port: int, workers: int, env: dict, worker_class: str = "sync", threads: int = 1
) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            GUNICORN,
            "-w",
            str(workers),
            "-k",
            worker_class,
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gunicorn {app} did not start: {proc.stderr.read().decode()[:2000]}")


def worker_rss_mb(master_pid: int) -> list[float]:
    """VmRSS of each gunicorn worker (the master's children), in MiB."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# Load generator ------------------------------------------------------------------------------


def _nonce(counter_id: int) -> str:
    from portal.shared import qr

    issued_ms = int((time.time() - 3) * 1000)
    return qr.sign(SECRET, "n", 1, counter_id, issued_ms, secrets.randbits(48))


def _worker(port, method, targets, threads, warmup, seconds, queue, rate=None):
    results = []
    lock = threading.Lock()
    start = time.time() + warmup
    end = start + seconds

    # ``rate`` (requests per second for this process) turns the closed loop into a paced,
    # open loop: each thread sends on a fixed schedule and latency is measured from the
    # scheduled time, so a slow answer counts its queueing delay (no coordinated omission).
    interval = threads / rate if rate else 0.0

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = err = 0
        lat = []
        scheduled = time.perf_counter() + random.random() * interval
        while True:
            if interval:
                scheduled += interval
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            now = time.time()
            if now >= end:
                break
            headers = {"Connection": "keep-alive"}
            body = None
            token, counter_id = random.choice(targets)
            path = f"/r/{token}" if token else "/"
            if method == "POST":
                body = f"nonce={_nonce(counter_id)}&score=4" if counter_id else "x=1"
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            t0 = scheduled if interval else time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - t0
            if now >= start:
                # A stored rating answers 303 (Post/Redirect/Get) to its thank-you page.
                if status == 200 or (method == "POST" and counter_id and status == 303):
                    ok += 1
                    lat.append(elapsed)
                else:
                    err += 1
        conn.close()
        with lock:
            results.append((ok, err, lat))

    def guarded():
        # A thread that dies would vanish from the counts (0 ok, 0 errors): say why instead.
        try:
            loop()
        except Exception:
            traceback.print_exc()
            with lock:
                results.append((0, 1, []))

    ts = [threading.Thread(target=guarded) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ok = sum(r[0] for r in results)
    err = sum(r[1] for r in results)
    lat = [x for r in results for x in r[2]]
    queue.put((ok, err, lat))


def drive(
    port, method, targets, *, connections=16, processes=2, seconds=8.0, warmup=2.0, rate=None
):
    queue = mp.Queue()
    per = connections // processes
    per_rate = rate / processes if rate else None
    procs = [
        mp.Process(
            target=_worker, args=(port, method, targets, per, warmup, seconds, queue, per_rate)
        )
        for _ in range(processes)
    ]
    for p in procs:
        p.start()
    parts = [queue.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    ok = sum(p[0] for p in parts)
    err = sum(p[1] for p in parts)
    lat = sorted(x for p in parts for x in p[2])
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan")
    p50 = lat[len(lat) // 2] * 1000 if lat else float("nan")
    return {"rps": ok / seconds, "errors": err, "p50_ms": p50, "p99_ms": p99}


def run_database(label: str, db_url: str, args) -> dict:
    targets = prepare(db_url, args.counters)
    hello_targets = [("", 0)]
    hello_port, portal_port = free_port(), free_port()
    gkw = {"worker_class": args.worker_class, "threads": args.threads}
    hello = start_gunicorn("bench.hello:app", hello_port, args.workers, portal_env(db_url), **gkw)
    portal = start_gunicorn("wsgi:app", portal_port, args.workers, portal_env(db_url), **gkw)
    kw = {"connections": args.connections, "seconds": args.seconds, "warmup": args.warmup}
    try:
        res = {
            "hello_get": drive(hello_port, "GET", hello_targets, **kw),
            "rating_get": drive(portal_port, "GET", targets, **kw),
            "hello_post": drive(hello_port, "POST", hello_targets, **kw),
            "rating_post": drive(portal_port, "POST", targets, **kw),
        }
        half = res["rating_post"]["rps"] / 2
        res["rating_post_half"] = drive(portal_port, "POST", targets, rate=half, **kw)
        res["rating_post_half"]["target_rps"] = half
        res["rss_mb_hello"] = worker_rss_mb(hello.pid)
        res["rss_mb_portal"] = worker_rss_mb(portal.pid)
        res["loadavg"] = loadavg()
    finally:
        stop(hello)
        stop(portal)
    res["get_ratio"] = res["rating_get"]["rps"] / res["hello_get"]["rps"]
    res["post_ratio"] = res["rating_post"]["rps"] / res["hello_post"]["rps"]
    res["post_ratio_vs_hello_get"] = res["rating_post"]["rps"] / res["hello_get"]["rps"]
    print(f"\n== {label} ==")
    for case in ("hello_get", "rating_get", "hello_post", "rating_post", "rating_post_half"):
        r = res[case]
        print(
            f"{case:12s} {r['rps']:8.0f} rps  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}"
        )
    print(
        f"GET ratio {res['get_ratio']:.2f} (goal >= 0.7)   POST ratio {res['post_ratio']:.2f} "
        f"(goal >= 0.5; vs hello GET {res['post_ratio_vs_hello_get']:.2f})"
    )
    print(
        f"p99 at half the max rate ({res['rating_post_half']['target_rps']:.0f} rps): "
        f"{res['rating_post_half']['p99_ms']:.1f} ms (goal <= 100)"
    )
    rss = ", ".join(f"{x:.0f}" for x in res["rss_mb_portal"])
    hello_rss = ", ".join(f"{x:.0f}" for x in res["rss_mb_hello"])
    print(f"RSS per worker: portal {rss} MiB, hello {hello_rss} MiB   loadavg {res['loadavg']}")
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--counters", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not counted")
    parser.add_argument("--worker-class", default="sync", help="gunicorn -k")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads")
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (a database you own)")
    parser.add_argument("--json", default=None, help="write the results to this file")
    parser.add_argument(
        "--limits", default="memory://", help="rate-limit storage (e.g. redis://127.0.0.1:6379/15)"
    )
    args = parser.parse_args()
    global LIMITS_STORAGE
    LIMITS_STORAGE = args.limits
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite_full"] = run_database(
            "SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/bench.sqlite3", args
        )
    if args.pg:
        results["postgresql"] = run_database("PostgreSQL", args.pg, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
