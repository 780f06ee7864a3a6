"""The portal's floor, rating page and rating POST against bare Flask, measured with wrk.

    make wrk   # installs Debian's wrk when missing
    .venv/bin/python bench/run.py [--seconds 4] [--rounds 2] [--connections 8] [--wrk-threads 2]
                                  [--workers 2] [--paced] [--json out.json]
                                  [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test_perf]

Only 127.0.0.1. For each database (SQLite WAL with synchronous=FULL, then PostgreSQL if
``--pg`` is given) it creates the schema and one center with ``--counters`` counters and
starts three gunicorns with the same configuration: bare Flask hello-world
(``bench/hello.py``), the portal (``wsgi:app``) and the anchor (``bench/anchor.py``: a bare
Flask POST inserting one row, committed durably, into the same kind of database). Every
case is driven by wrk (``bench/wrk.lua``), a load generator in C: one written in Python
caps hello-world well below what the server does and inflates every ratio against it.

Cases, alternated ``--rounds`` times after a warm-up that is not counted, each ratio taken
within its own round: hello GET, ``/healthz`` inside ``create_app()`` (the portal's floor),
the rating page GET over every counter, hello POST, the rating POST and the anchor POST.
Every rating POST carries its own nonce, signed with the app secret and dated 3 s in the
past (what the GET would have issued; the minimum fill time passes), written to one file
per wrk thread per run so no nonce is ever sent twice. The Lua script counts the statuses
(wrk alone only counts "non-2xx or 3xx"); after the run the ratings table must hold
exactly as many rows as the 303s wrk received (every acknowledged rating stored, none
twice). Each run reports wrk's own CPU (from its rusage) and the server workers' CPU
(``/proc/<pid>/stat``), in cores, so a throttled baseline shows: wrk well under its
threads' worth of CPU means the generator is not the bound.

``--paced`` drives the rating POST once more at half its best rate with the Python
generator (open loop, latency from the scheduled send time), for the p99 goal: wrk has
no open-loop mode.
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
#: ``--group-commit``: the portal's ratings go through its group-commit writer.
GROUP_COMMIT = False


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
    if GROUP_COMMIT:
        env["PORTAL_RATING_GROUP_COMMIT"] = "true"
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


# wrk -------------------------------------------------------------------------------------

WRK_LUA = ROOT / "bench" / "wrk.lua"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def worker_pids(master_pid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(master_pid):
            pids.append(int(stat.parent.name))
    return pids


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} vCPU, {model}"


def wait_ready(port: int, path: str, timeout: float = 60.0) -> None:
    """Until every worker answers: gunicorn's socket accepts before its workers have
    imported the app (the portal's take seconds), and a wrk run would count that wait."""
    deadline = time.time() + timeout
    streak = 0
    while streak < 20:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
        except OSError:
            status = 0
        streak = streak + 1 if status == 200 else 0
        if time.time() > deadline:
            raise RuntimeError(f"port {port} never answered {path}")
        if not streak:
            time.sleep(0.2)


def write_requests(prefix: Path, lines: list[str], threads: int, *, deal: bool) -> None:
    """One file per wrk thread (``prefix.0``, ``prefix.1``, …): single-use lines (``deal``)
    dealt round-robin, so no two threads send the same; reusable ones given to every thread,
    each starting at its own offset."""
    for t in range(threads):
        if deal:
            mine = lines[t::threads]
        else:
            offset = t * len(lines) // threads
            mine = lines[offset:] + lines[:offset]
        Path(f"{prefix}.{t}").write_text("".join(f"{line}\n" for line in mine))


def wrk(
    port: int,
    method: str,
    lines: list[str] | None,
    *,
    tmp: Path,
    name: str,
    cycle: bool,
    threads: int,
    connections: int,
    seconds: float,
    servers: list[int],
) -> dict:
    """One wrk run; returns its counts, its rate of successes, its own CPU and the servers'."""
    env = dict(os.environ, WRK_METHOD=method, WRK_CYCLE="1" if cycle else "0")
    if lines is not None:
        prefix = tmp / name
        write_requests(prefix, lines, threads, deal=not cycle)
        env["WRK_REQUESTS"] = str(prefix)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_LUA),
        f"http://127.0.0.1:{port}/",
    ]
    server_before = cpu_seconds(servers)
    before = os.times()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0 or "WRKJSON" not in out.stdout:
        raise RuntimeError(f"wrk failed: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    wall = time.perf_counter() - t0
    after = os.times()
    server_cpu = cpu_seconds(servers) - server_before
    own_cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    res = json.loads(line[len("WRKJSON ") :])
    res["statuses"] = {int(k): v for k, v in res["statuses"].items()}
    res["wrk_cpu_cores"] = own_cpu / wall
    res["server_cpu_cores"] = server_cpu / wall
    # The workers' CPU per answered request: on a machine shared with other work this
    # moves far less than the rate does (a worker waiting for a core costs no CPU).
    res["server_cpu_us"] = server_cpu / max(1, res["requests"]) * 1e6
    res["command"] = " ".join(cmd[:-3] + ["bench/wrk.lua", cmd[-1]])
    return res


def successes(res: dict, ok: tuple[int, ...]) -> int:
    return sum(n for code, n in res["statuses"].items() if code in ok)


def nonce_lines(targets: list[tuple[str, int]], n: int) -> list[str]:
    """``n`` rating POSTs, each with its own freshly signed nonce, over every counter."""
    lines = []
    for i in range(n):
        token, counter_id = targets[i % len(targets)]
        lines.append(f"/r/{token}\tnonce={_nonce(counter_id)}&score={1 + i % 5}")
    return lines


def count_ratings(db_url: str) -> int:
    code = """
from portal import create_app
from portal.extensions import db
from portal.ratings.models import Rating
app = create_app()
with app.app_context():
    print(db.session.scalar(db.select(db.func.count()).select_from(Rating)))
"""
    out = subprocess.run(
        [PYTHON, "-c", code],
        env=portal_env(db_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


CASES = ("hello_get", "healthz", "rating_get", "hello_post", "rating_post", "anchor_post")
#: Each case against its baseline, within the same round.
RATIOS = {
    "healthz": "hello_get",
    "rating_get": "hello_get",
    "rating_post": "hello_post",
    "anchor_post": "hello_post",
}
GOALS = {"healthz": 0.9, "rating_get": 0.7, "rating_post": 0.5, "anchor_post": None}


def run_database(label: str, db_url: str, anchor_url: str, args) -> dict:
    import anchor

    cases = [c for c in CASES if c in args.cases.split(",")]
    ratios = {k: v for k, v in RATIOS.items() if k in cases and v in cases}
    targets = prepare(db_url, args.counters)
    os.environ["ANCHOR_DB"] = anchor_url
    anchor.URL, anchor.SQLITE = anchor_url, anchor_url.startswith("sqlite")
    anchor.create_schema()
    env = dict(portal_env(db_url), ANCHOR_DB=anchor_url)
    ports = {"hello": free_port(), "portal": free_port(), "anchor": free_port()}
    gkw = {"worker_class": args.worker_class, "threads": args.threads}
    procs = {
        "hello": start_gunicorn("bench.hello:app", ports["hello"], args.workers, env, **gkw),
        "portal": start_gunicorn("wsgi:app", ports["portal"], args.workers, env, **gkw),
        "anchor": start_gunicorn("bench.anchor:app", ports["anchor"], args.workers, env, **gkw),
    }
    rating_pages = [f"/r/{token}\t" for token, _ in targets]
    # Enough single-use nonces for the fastest rate seen so far, with room to spare.
    post_capacity = int(max(4000, 3000 * args.seconds))
    accepted = 0  # rating POSTs answered 303 (stored) or 2xx, warm-up included
    # Sent but unanswered when wrk stopped: each may or may not be stored (nobody was told).
    in_flight = 0
    rounds: list[dict] = []
    try:
        wkw = {
            "threads": args.wrk_threads,
            "connections": args.connections,
            "servers": [],
        }
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            run_no = 0

            def case(name: str, seconds: float) -> dict:
                nonlocal run_no, accepted, in_flight
                run_no += 1
                common = dict(wkw, tmp=tmp, name=f"run{run_no}", seconds=seconds)
                # name -> (server, method, request lines or None for "/", cycle, statuses)
                plans = {
                    "hello_get": ("hello", "GET", None, True, (200,)),
                    "hello_post": ("hello", "POST", ["/\tx=1"], True, (200,)),
                    "healthz": ("portal", "GET", ["/healthz\t"], True, (200,)),
                    "rating_get": ("portal", "GET", rating_pages, True, (200,)),
                    "anchor_post": (
                        "anchor",
                        "POST",
                        [f"/\tscore={1 + i % 5}&nonce=n{i}" for i in range(64)],
                        True,
                        (200,),
                    ),
                }
                if name == "rating_post":
                    lines = nonce_lines(targets, post_capacity)
                    plans[name] = ("portal", "POST", lines, False, (200, 201, 303))
                server, method, lines, cycle, ok = plans[name]
                r = wrk(
                    ports[server],
                    method,
                    lines,
                    cycle=cycle,
                    **dict(common, servers=worker_pids(procs[server].pid)),
                )
                if name == "rating_post":
                    accepted += successes(r, ok)
                    in_flight += r["sent"] - r["requests"]
                r["ok"] = successes(r, ok)
                r["rps"] = r["ok"] / (r["duration_us"] / 1e6)
                r["failed"] = r["requests"] - r["ok"]
                return r

            for name in ("hello", "portal"):
                wait_ready(ports[name], "/healthz" if name == "portal" else "/")
            # Warm-up, not counted: every worker loads its templates, catalogues, statements.
            for name in cases:
                case(name, args.warmup)
            for i in range(args.rounds):
                res = {"loadavg_before": loadavg()}
                for name in cases:
                    res[name] = case(name, args.seconds)
                res["loadavg_after"] = loadavg()
                for name, base in ratios.items():
                    res[f"{name}_ratio"] = res[name]["rps"] / res[base]["rps"]
                    res[f"{name}_cpu_ratio"] = res[base]["server_cpu_us"] / max(
                        1e-9, res[name]["server_cpu_us"]
                    )
                rounds.append(res)
                print(f"-- {label}, round {i + 1} (load average {res['loadavg_before']})")
                for name in cases:
                    r = res[name]
                    ratio = f"{res[name + '_ratio']:.2f}x" if name in ratios else ""
                    print(
                        f"   {name:12s} {r['rps']:7.0f} rps {ratio:6s}"
                        f" p50 {r['p50_us'] / 1000:6.1f} ms"
                        f"  p99 {r['p99_us'] / 1000:6.1f} ms  failed {r['failed']}"
                        f"  statuses {r['statuses']}  wrk CPU {r['wrk_cpu_cores']:.2f}"
                        f"  server CPU {r['server_cpu_cores']:.2f}"
                        f" ({r['server_cpu_us']:.0f} us/request)"
                    )
        paced = None
        if args.paced:
            best = max(r["rating_post"]["rps"] for r in rounds)
            paced = drive(
                ports["portal"],
                "POST",
                targets,
                connections=args.connections,
                seconds=args.seconds,
                warmup=0.5,
                rate=best / 2,
            )
            paced["target_rps"] = best / 2
            # The Python generator reads each answer; its successes are stored ratings too.
        rss = {k: worker_rss_mb(p.pid) for k, p in procs.items()}
    finally:
        for p in procs.values():
            stop(p)
    stored = count_ratings(db_url)
    paced_ok = round(paced["rps"] * args.seconds) if paced else 0
    anchor_rows = anchor.count()
    result = {
        "label": label,
        "machine": machine(),
        "rounds": rounds,
        "paced": paced,
        "rss_mb": rss,
        "accepted_by_wrk": accepted,
        "stored_ratings": stored,
        "anchor_rows": anchor_rows,
    }
    print(f"== {label}: {machine()}")
    for name, base in ratios.items():
        ratios_ = [r[f"{name}_ratio"] for r in rounds]
        rates = [r[name]["rps"] for r in rounds]
        bases = [r[base]["rps"] for r in rounds]
        goal = GOALS[name]
        cpu = [r[f"{name}_cpu_ratio"] for r in rounds]
        verdict = "" if goal is None else (" MET" if min(ratios_) >= goal else " not met")
        print(
            f"   {name:12s} {min(ratios_):.2f}-{max(ratios_):.2f}x of {base}"
            f" ({min(rates):.0f}-{max(rates):.0f} vs {min(bases):.0f}-{max(bases):.0f} rps)"
            f"  goal {goal or '-'}{verdict};"
            f" by worker CPU per request {min(cpu):.2f}-{max(cpu):.2f}x"
        )
    wrk_cpu = [r[c]["wrk_cpu_cores"] for r in rounds for c in cases]
    print(f"   wrk CPU {min(wrk_cpu):.2f}-{max(wrk_cpu):.2f} cores of {os.cpu_count()}")
    if paced:
        print(
            f"   rating POST paced at {paced['target_rps']:.0f} rps (Python generator): "
            f"p99 {paced['p99_ms']:.1f} ms, errors {paced['errors']}"
        )
    print(
        f"   ratings acknowledged (303) by wrk: {accepted}, Python generator: ~{paced_ok};"
        f" stored: {stored}"
    )
    # Every acknowledged rating stored; at most the ones still in flight when a wrk run
    # stopped (sent, never answered to wrk) may be stored on top of them.
    extra = stored - accepted - paced_ok
    result["in_flight_at_stops"] = in_flight
    result["stored_check"] = 0 <= extra <= in_flight or (paced is not None and extra >= 0)
    print(
        f"   stored - acknowledged = {extra} (requests in flight when a wrk run stopped:"
        f" {in_flight}): {'ok' if result['stored_check'] else 'LOST OR EXTRA RATINGS'}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of every case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--counters", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not counted")
    parser.add_argument("--worker-class", default="sync", help="gunicorn -k")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads")
    parser.add_argument(
        "--group-commit",
        action="store_true",
        help="the portal stores ratings through its group-commit writer (with gthread)",
    )
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (a database you own)")
    parser.add_argument("--cases", default=",".join(CASES), help="a subset, comma-separated")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--paced",
        action="store_true",
        help="also drive the rating POST at half its best rate (Python generator, open loop)",
    )
    parser.add_argument("--json", default=None, help="write the results to this file")
    parser.add_argument(
        "--limits", default="memory://", help="rate-limit storage (e.g. redis://127.0.0.1:6379/15)"
    )
    args = parser.parse_args()
    global LIMITS_STORAGE, GROUP_COMMIT
    LIMITS_STORAGE = args.limits
    GROUP_COMMIT = args.group_commit
    sys.path.insert(0, str(ROOT / "bench"))
    print(
        f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.seconds:g}s, {args.rounds} rounds"
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_sqlite:
            results["sqlite_full"] = run_database(
                "SQLite (WAL, synchronous=FULL)",
                f"sqlite:///{tmp}/bench.sqlite3",
                f"sqlite:///{tmp}/anchor.sqlite3",
                args,
            )
    if args.pg:
        results["postgresql"] = run_database("PostgreSQL", args.pg, args.pg, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
