"""Fault drills: ratings acknowledged with a 2xx survive faults, and the portal recovers.

    .venv/bin/python bench/fault_drill.py [--workers 3] [--seconds 20] [--concurrency 4]
        [--kills 2] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/fault_drill]
        [--json results.json]

Only 127.0.0.1, bounded load (``--concurrency`` client threads; faults about ``--seconds``
divided by their number apart, each once ratings flow again, at most two minutes' wait), a
scratch database the script creates (a temporary SQLite file; with ``--pg`` a database whose
name must contain "drill", created if missing and emptied first).

Each client thread loops: GET the rating page (a fresh nonce), POST a rating, and when the
answer is a 303 to the thank-you page (followed), remember its tracking code and score; a
POST that gets no answer (its worker was killed) is sent again with the same nonce until an
answer comes, as a phone would. Meanwhile:

* **kill -9 of every gunicorn worker**, ``--kills`` times, spread over the run (the master
  starts new workers);
* with ``--pg``, also **pg_terminate_backend** of every connection the portal holds to its
  database, ``--kills`` times: the requests that were using a connection get the portal's
  500 page (with its request reference) and the next ones reconnect by themselves
  (``pool_pre_ping``). PostgreSQL itself is never restarted: on this machine it is shared.

Then, with the server stopped, it checks on the database itself: every acknowledged rating
is stored with its score (lost = 0), each rating consumed exactly one nonce (a POST sent
twice is stored at most once: a nonce is single use), the rollups
equal the raw counts per day, center and score, and on SQLite ``PRAGMA integrity_check``
is ``ok``. It prints a JSON summary and exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter as Tally
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "fault-drill-" + "x" * 40
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
TRACKING_RE = re.compile(r'id="tracking-code">([A-Z0-9]+)<')
# The portal's error page, or the citizen's (the rating pages have their own).
ERROR_PAGE_RE = re.compile(r'class="error-code">5\d\d<|data-status="5\d\d"')
KILL_GRACE_S = 1.0
#: How long a client sends a POST again that got no answer (workers restart in seconds).
RETRY_FOR_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_env(db_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="development",
        PORTAL_SECRET_KEY=SECRET,
        PORTAL_SQLALCHEMY_DATABASE_URI=db_url,
        SQLITE_SYNCHRONOUS="FULL",
        PORTAL_SQLITE_SYNCHRONOUS="FULL",
        PORTAL_RATING_MIN_FILL_SECONDS="0",
        PORTAL_RATING_LIMIT_DEVICE="10000000 per hour",
        PORTAL_RATING_LIMIT_NETWORK="10000000 per hour",
        # The thank-you page after each 303 is limited per network too (127.0.0.1 here).
        PORTAL_RATING_LIMIT_LOOKUP="10000000 per hour",
        # Every rating reportable, so that each one must appear in the rollups.
        PORTAL_RATING_BURST_MAX="100000000",
        PORTAL_RATING_OPENING_HOURS="[0, 24]",
        PORTAL_RATING_CLOSED_WEEKDAYS="[]",
        REDIS_URL="memory://",
    )
    env.pop("DATABASE_URL", None)
    return env


def prepare(db_url: str, counters: int) -> list[str]:
    """A fresh schema with one center and its counters; returns the counters' QR tokens."""
    code = f"""
import json
from portal import create_app
from portal.extensions import db
from portal.centers.models import Center, Counter
from portal.ratings import services
app = create_app()
with app.app_context():
    db.drop_all()
    db.create_all()
    c = Center(code="07900", name="Trung tâm diễn tập", level="commune", unit_code=7900,
               unit_name="Phường", unit_type="phường", province_code=25, province_name="Phú Thọ")
    ks = [Counter(center=c, number=i + 1, field="Hộ tịch") for i in range({int(counters)})]
    db.session.add_all([c, *ks])
    db.session.commit()
    with app.test_request_context():
        print(json.dumps([services.counter_token(k) for k in ks]))
"""
    out = subprocess.run(
        [PYTHON, "-c", code],
        env=portal_env(db_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn(
    port: int, workers: int, env: dict, log, *, worker_class: str = "sync", threads: int = 1
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
            "--timeout",
            "30",
            "--log-level",
            "info",
            # The default control socket path is shared by every gunicorn of this user.
            "--no-control-socket",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    # Ready when a worker answers, not when the master listens.
    deadline = time.time() + 120
    while time.time() < deadline:
        # Closed whatever happens: a worker still booting on a loaded machine times out,
        # and a leaked socket is an error in the test suite.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        finally:
            conn.close()
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    if path.exists():
        return [int(p) for p in path.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def kill_workers(master: int) -> int:
    """SIGKILL every worker of this gunicorn master (our own processes, by pid)."""
    pids = worker_pids(master)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def terminate_backends(db_url: str) -> int:
    """pg_terminate_backend on every other connection to the drill's own database."""
    import psycopg
    import sqlalchemy as sa

    url = sa.engine.make_url(db_url)
    admin = url.set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (url.database,),
        ).fetchall()
    return sum(1 for (ok,) in rows if ok)


class Load:
    """Client threads posting ratings; what was acknowledged, and how failures looked."""

    def __init__(self, port: int, tokens: list[str]):
        self.port = port
        self.tokens = tokens
        self.lock = threading.Lock()
        self.acknowledged: dict[str, int] = {}
        self.outcomes: Tally = Tally()
        self.timeline: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def _request(self, method: str, path: str, body: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        response = None
        try:
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            page = response.read().decode("utf-8", "replace")
            location = response.getheader("Location")
        finally:
            # A response cut mid-read owns the socket (gunicorn says "Connection: close"):
            # close it too, or the socket is left for the garbage collector to warn about.
            if response is not None:
                response.close()
            conn.close()
        if method == "POST" and response.status == 303 and location:
            # Stored, then Post/Redirect/Get: the thank-you page holds the tracking code.
            path = location.split("127.0.0.1", 1)[-1].split(str(self.port), 1)[-1]
            status, page = self._request("GET", path)
            return (status if status >= 300 else 201), page
        return response.status, page

    def ack_times_since(self, moment: float) -> list[float]:
        with self.lock:
            return [t for t, o in self.timeline if t > moment and o == "acknowledged"]

    def _note(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            self.timeline.append((time.monotonic(), outcome))

    def run_thread(self, n: int) -> None:
        from urllib.parse import urlencode

        i = 0
        while not self.stop.is_set():
            i += 1
            path = f"/r/{self.tokens[(n + i) % len(self.tokens)]}"
            score = (n + i) % 5 + 1
            try:
                status, page = self._request("GET", path)
                match = NONCE_RE.search(page) if status == 200 else None
                if match is None:
                    self._note(self._classify(status, page, "get"))
                    time.sleep(0.05)
                    continue
            except (OSError, http.client.HTTPException):
                self._note("no_answer")  # connection refused or reset: nothing acknowledged
                time.sleep(0.05)
                continue
            self._post(path, urlencode({"nonce": match.group(1), "score": str(score)}), score)

    def _post(self, path: str, body: str, score: int) -> None:
        """POST one rating. When no answer comes (its worker was killed), send the same
        body again, as a phone does when the page does not load, until an answer comes:
        the first copy may have been stored, and must not be stored twice."""
        deadline = time.monotonic() + RETRY_FOR_S
        retried = False
        while True:
            try:
                status, page = self._request("POST", path, body)
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    self._note("no_answer")
                    return
                retried = True
                time.sleep(0.2)
        code = TRACKING_RE.search(page) if 200 <= status < 300 else None
        if code:
            with self.lock:
                self.acknowledged[code.group(1)] = score
            self._note("acknowledged")
            if retried:
                self._note("retry_stored")  # the first copy had not been stored
        elif retried and status == 409:
            self._note("retry_already_stored")  # stored once, its answer lost in the kill
        else:
            self._note(self._classify(status, page, "post"))

    @staticmethod
    def _classify(status: int, page: str, step: str) -> str:
        if status >= 500:
            return "error_page_5xx" if ERROR_PAGE_RE.search(page) else "bare_5xx"
        return f"{step}_{status}"


def check_database(db_url: str, acknowledged: dict[str, int]) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = dict(conn.execute(sa.text("SELECT tracking_code, score FROM ratings")).all())
            lost = [c for c in acknowledged if c not in stored]
            wrong = [c for c, s in acknowledged.items() if c in stored and stored[c] != s]
            nonces = conn.execute(sa.text("SELECT count(*) FROM used_nonces")).scalar_one()

            raw = {
                (str(d), k, s): n
                for d, k, s, n in conn.execute(
                    sa.text(
                        "SELECT day, center_id, score, count(*) FROM ratings "
                        "GROUP BY day, center_id, score"
                    )
                )
            }
            rolled = {}
            for d, k, *counts in conn.execute(
                sa.text(
                    "SELECT day, key_id, n1, n2, n3, n4, n5 FROM rating_rollups "
                    "WHERE scope = 'center'"
                )
            ):
                for s, n in enumerate(counts, start=1):
                    if n:
                        rolled[(str(d), k, s)] = n
            integrity = "n/a (PostgreSQL)"
            if engine.dialect.name == "sqlite":
                integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
    finally:
        engine.dispose()
    return {
        "stored": len(stored),
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "wrong_score": len(wrong),
        "stored_not_acknowledged": len(stored) - (len(acknowledged) - len(lost)),
        "nonces_equal_ratings": nonces == len(stored),
        "rollups_equal_raw_counts": rolled == raw,
        "integrity_check": integrity,
    }


def wait_for_acks(load: Load, since: float, count: int, timeout: float) -> float | None:
    """Seconds from ``since`` to the ``count``-th acknowledged rating after it, or ``None``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = load.ack_times_since(since)
        if len(times) >= count:
            return times[0] - since
        time.sleep(0.1)
    return None


def drill(
    db_url: str,
    *,
    workers: int,
    seconds: float,
    concurrency: int,
    kills: int,
    pg: bool,
    log,
    threads: int = 1,
    group_commit: bool = False,
) -> dict:
    """The drill; with ``threads`` > 1 the workers are gthread workers, and with
    ``group_commit`` their ratings go through the group-commit writer."""
    tokens = prepare(db_url, counters=4)
    port = free_port()
    env = portal_env(db_url)
    if group_commit:
        env["PORTAL_RATING_GROUP_COMMIT"] = "true"
    worker_class = "gthread" if threads > 1 else "sync"
    server = start_gunicorn(port, workers, env, log, worker_class=worker_class, threads=threads)
    load = Load(port, tokens)
    threads = [threading.Thread(target=load.run_thread, args=(n,)) for n in range(concurrency)]
    faults: list[dict] = []
    # Worker kills, and with --pg backend terminations in alternation, at least
    # ``seconds / (faults + 1)`` apart, each struck at a portal that serves ratings again
    # (restarted workers need a few seconds to boot, much longer on a busy machine).
    plan = (["terminate_backends", "kill_workers"] if pg else ["kill_workers"]) * kills
    spacing = seconds / (len(plan) + 1)
    try:
        for t in threads:
            t.start()
        previous = time.monotonic()
        for fault in plan:
            time.sleep(max(0.0, previous + spacing - time.monotonic()))
            wait_for_acks(load, previous, 3, timeout=120)
            at = time.monotonic()
            if fault == "kill_workers":
                hit = kill_workers(server.pid)
            else:
                hit = terminate_backends(db_url)
                retry_until = time.monotonic() + 3
                while hit == 0 and time.monotonic() < retry_until:  # between two requests
                    time.sleep(0.1)
                    hit = terminate_backends(db_url)
            # A response already on its way when every worker died can still arrive just
            # after the kill: count recovery from a second later (a new worker takes longer
            # than that to boot).
            previous = at + (KILL_GRACE_S if fault == "kill_workers" else 0.0)
            faults.append({"fault": fault, "killed": hit, "t": at, "from": previous})
        # Keep the load on until ratings flow again after the last fault, then a bit more.
        wait_for_acks(load, previous, 5, timeout=120)
        time.sleep(max(2.0, previous + spacing - time.monotonic()))
    finally:
        load.stop.set()
        for t in threads:
            t.join(30)
        server_alive = server.poll() is None
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    for fault in faults:
        first_ack = load.ack_times_since(fault.pop("from"))
        fault["recovered_in_s"] = round(first_ack[0] - fault.pop("t"), 1) if first_ack else None
    # Recovered: after the last fault's first acknowledgement, every request succeeded.
    after = [o for t, o in load.timeline if t > previous]
    first_ok = next((i for i, o in enumerate(after) if o == "acknowledged"), None)
    answered = {"acknowledged", "retry_stored", "retry_already_stored"}
    recovered = first_ok is not None and all(o in answered for o in after[first_ok:])
    result = {
        "database": "postgresql" if pg else "sqlite (WAL, synchronous=FULL)",
        "workers": workers,
        "threads": threads,
        "group_commit": group_commit,
        "concurrency": concurrency,
        "faults": faults,
        "faults_survived": sum(1 for f in faults if f["recovered_in_s"] is not None),
        "master_survived": server_alive,
        "outcomes": dict(load.outcomes),
        "recovered_after_last_fault": recovered,
        **check_database(db_url, load.acknowledged),
    }
    result["ok"] = (
        result["lost"] == 0
        and result["wrong_score"] == 0
        and result["nonces_equal_ratings"]
        and result["stored_not_acknowledged"] >= load.outcomes.get("retry_already_stored", 0)
        and result["rollups_equal_raw_counts"]
        and result["integrity_check"] in ("ok", "n/a (PostgreSQL)")
        and result["master_survived"]
        and result["faults_survived"] == len(plan)
        and recovered
        and load.outcomes.get("bare_5xx", 0) == 0
    )
    return result


def ensure_pg_database(db_url: str) -> None:
    import psycopg
    import sqlalchemy as sa

    url = sa.engine.make_url(db_url)
    if "drill" not in (url.database or ""):
        raise SystemExit("--pg: the database name must contain 'drill' (it is emptied)")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{url.database}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--pg", help="also drill PostgreSQL in this (scratch) database")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--threads", type=int, default=1, help="gthread workers with N threads")
    parser.add_argument(
        "--group-commit", action="store_true", help="ratings through the group-commit writer"
    )
    args = parser.parse_args()
    if not 1 <= args.workers <= 4 or not 1 <= args.concurrency <= 16 or args.seconds > 120:
        parser.error("keep it small: 1–4 workers, 1–16 client threads, at most 120 s")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        with open(log_path, "w") as log:
            common = {
                "workers": args.workers,
                "seconds": args.seconds,
                "concurrency": args.concurrency,
                "kills": args.kills,
                "log": log,
                "threads": args.threads,
                "group_commit": args.group_commit,
            }
            results.append(drill(f"sqlite:///{tmp}/drill.sqlite3", pg=False, **common))
            if args.pg:
                ensure_pg_database(args.pg)
                results.append(drill(args.pg, pg=True, **common))
        errors = [
            line
            for line in log_path.read_text().splitlines()
            if "Error" in line or "Exception on" in line
        ]
    for result in results:
        result["server_error_lines"] = len(errors)
    if errors and not all(r["ok"] for r in results):
        print("\n".join(errors[-20:]), file=sys.stderr)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
